"""File operations on the lake through Hadoop's FileSystem API (``spark._jvm``).

The same calls work on a local directory (``file:``), on S3 in Glue (``s3://``, EMRFS) and
on ``s3a://`` in the Glue container, so the bookkeeping (staging, publish, bookmark, run
summaries, quarantine) has one implementation. Only metadata and small JSON documents go
through here; table data is always read and written by Spark.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from py4j.java_gateway import JavaClass
from pyspark.sql import SparkSession


@dataclass(frozen=True, order=True)
class FileInfo:
    """One file: fully qualified path, size in bytes, modification time in ms since epoch."""

    path: str
    size: int
    mtime: int


def qualify(path: str) -> str:
    """A path with a scheme: local paths become ``file:/absolute/path``; no trailing slash."""
    if path.startswith("file://"):
        # file:///abs and file://localhost/abs -> file:/abs, the form Spark reports back
        # in binaryFile's path column (and therefore in source_file).
        rest = path[len("file://") :]
        path = "file:" + (rest[rest.index("/") :] if "/" in rest else "/")
    if "://" in path or path.startswith("file:"):
        return path.rstrip("/") if path.rstrip("/") and not path.endswith(":/") else path
    return "file:" + os.path.abspath(path)


def join(base: str, *parts: str) -> str:
    """``base/part/...`` for qualified paths."""
    return "/".join([base.rstrip("/"), *(p.strip("/") for p in parts if p)])


# What Hadoop's glob reads as a pattern: brackets, braces, `*`, `?`, and the backslash
# that escapes them.
_GLOB_CHARACTERS = re.compile(r"([\\\[\]{}*?])")


def literal(path: str) -> str:
    """``path`` as a pattern that matches exactly that file, for Spark's readers.

    Spark's file sources glob every path they are given: a raw file named
    ``notes [draft].csv`` would be read as a pattern matching nothing, and fail the whole
    read. Each character Hadoop's glob gives a meaning is escaped with a backslash.
    """
    return _GLOB_CHARACTERS.sub(r"\\\1", path)


def local_path(path: str) -> str | None:
    """The OS path of a ``file:`` path, None for other schemes."""
    path = qualify(path) if path.startswith("file:") else path
    if path.startswith("file:"):
        return path[len("file:") :]
    return None


def is_hidden(name: str) -> bool:
    """Names Spark and Hadoop treat as bookkeeping (``_SUCCESS``, ``.crc``)."""
    return name.startswith(("_", "."))


class LakeFS:
    """A thin wrapper around one Hadoop FileSystem (the one of ``root``)."""

    def __init__(self, spark: SparkSession, root: str) -> None:
        self.root = qualify(root)
        # The classes by their full names: ``spark._jvm.org.apache.hadoop.fs.Path`` would
        # ask the JVM about ``org``, ``org.apache``, ... in turn, and each name that is not a
        # class costs a search of the whole class path (a run makes hundreds of paths).
        client = spark._jvm._gateway_client
        self._hadoop_path: Any = JavaClass("org.apache.hadoop.fs.Path", client)
        self._io_utils: Any = JavaClass("org.apache.commons.io.IOUtils", client)
        conf = spark._jsc.hadoopConfiguration()
        fs = self.hadoop_path(self.root).getFileSystem(conf)
        # The checksummed local FS writes .crc siblings and refuses some renames; the raw
        # one behaves like an object store for our purposes.
        java_class = JavaClass("java.lang.Class", client)
        checksummed = java_class.forName("org.apache.hadoop.fs.ChecksumFileSystem")
        if checksummed.isInstance(fs):
            fs = fs.getRawFileSystem()
        self._fs = fs

    def hadoop_path(self, path: str) -> Any:
        """The Hadoop ``Path`` of ``path`` (any scheme), its class named directly (no py4j
        package walk)."""
        return self._hadoop_path(path)

    def exists(self, path: str) -> bool:
        return bool(self._fs.exists(self.hadoop_path(path)))

    def delete(self, path: str) -> None:
        """Delete a file or a directory tree; absent is fine (idempotent)."""
        p = self.hadoop_path(path)
        if self._fs.exists(p):
            self._fs.delete(p, True)

    def size(self, path: str) -> int:
        """Size in bytes of a file (raises when it does not exist)."""
        return int(self._fs.getFileStatus(self.hadoop_path(path)).getLen())

    def mkdirs(self, path: str) -> None:
        self._fs.mkdirs(self.hadoop_path(path))

    def rename(self, src: str, dst: str) -> None:
        """Move a file; an existing ``dst`` is replaced."""
        s, d = self.hadoop_path(src), self.hadoop_path(dst)
        self._fs.mkdirs(d.getParent())
        try:
            moved = bool(self._fs.rename(s, d))
        except Exception:
            # Hadoop's FileSystem specification lets rename onto an existing file raise
            # (FileAlreadyExistsException) instead of returning false, as object-store
            # clients may; replace the file below, as for a false.
            if not self._fs.exists(d):
                raise
            moved = False
        if not moved:
            # Object stores and some local setups refuse to rename over an existing file.
            self._fs.delete(d, False)
            if not self._fs.rename(s, d):
                raise OSError(f"could not rename {src} to {dst}")

    def list_dir(self, path: str) -> list[tuple[str, bool]]:
        """``(name, is_directory)`` of the children of ``path``; empty when it is absent."""
        p = self.hadoop_path(path)
        if not self._fs.exists(p):
            return []
        return [
            (status.getPath().getName(), bool(status.isDirectory()))
            for status in self._fs.listStatus(p)
        ]

    def list_files(self, path: str) -> list[FileInfo]:
        """Every non-hidden file under ``path`` (recursive), sorted by path.

        Local directories are walked with ``os`` (much faster than one py4j call per file);
        other schemes go through Hadoop's recursive listing.
        """
        base = qualify(path)
        local = local_path(base)
        if local is not None:
            return _walk_local(local)
        p = self.hadoop_path(base)
        if not self._fs.exists(p):
            raise FileNotFoundError(f"raw path {base} does not exist")
        found = []
        it = self._fs.listFiles(p, True)
        while it.hasNext():
            status = it.next()
            name = status.getPath().getName()
            relative = status.getPath().toString()[len(base) :]
            if any(is_hidden(part) for part in relative.split("/") if part) or is_hidden(name):
                continue
            found.append(
                FileInfo(
                    status.getPath().toString(),
                    int(status.getLen()),
                    int(status.getModificationTime()),
                )
            )
        return sorted(found)

    def read_text(self, path: str) -> str | None:
        """The UTF-8 text of a small file, None when it does not exist."""
        p = self.hadoop_path(path)
        if not self._fs.exists(p):
            return None
        stream = self._fs.open(p)
        try:
            return str(self._io_utils.toString(stream, "UTF-8"))
        finally:
            stream.close()

    def read_head(self, path: str, size: int) -> bytes:
        """The first ``size`` bytes of a file (fewer when it is shorter)."""
        stream = self._fs.open(self.hadoop_path(path))
        try:
            # InputStream.readNBytes (Java 9+) returns a new byte[], which py4j hands back as
            # bytes. A Python buffer passed to read(byte[], ...) would be copied into the JVM
            # and come back unfilled (all NUL bytes).
            return bytes(stream.readNBytes(size))
        finally:
            stream.close()

    def write_text(self, path: str, text: str) -> None:
        """Write a small file so that readers see the old or the new content, never half.

        Written beside the target and renamed over it (atomic on POSIX; on S3 the object
        is one PUT either way).
        """
        tmp = join(path.rsplit("/", 1)[0], "." + path.rsplit("/", 1)[1] + ".tmp")
        out = self._fs.create(self.hadoop_path(tmp), True)
        try:
            out.write(bytearray(text.encode("utf-8")))
        finally:
            out.close()
        self.rename(tmp, path)


def _walk_local(root: str) -> list[FileInfo]:
    if not os.path.isdir(root):
        raise FileNotFoundError(f"raw path {root} does not exist or is not a directory")
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not is_hidden(d)]
        for name in filenames:
            if is_hidden(name):
                continue
            full = os.path.join(dirpath, name)
            st = os.stat(full)
            found.append(FileInfo("file:" + full, st.st_size, st.st_mtime_ns // 1_000_000))
    return sorted(found)
