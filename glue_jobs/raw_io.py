"""Reading raw snapshot files: bytes in, one text per file (or the reason it has none).

Files are read with Spark's ``binaryFile`` source, never with the JSON source: a truncated
gzip then fails *one row*, not the whole read, and can be quarantined with its reason.
The only Python code that touches the data is ``decode_raw_bytes``: one call per *file*
(gunzip when the gzip magic is there, UTF-8 decode). The per-item work, parsing the JSON,
happens in the JVM with ``from_json`` (see ``transforms.parse_documents``).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from glue_jobs import schemas as S

GZIP_MAGIC = b"\x1f\x8b"


def decode_raw_bytes(
    content: bytes | bytearray | None,
) -> tuple[str | None, str | None, str | None]:
    """``(reason, detail, text)`` for one raw file; ``reason`` is None when ``text`` is usable.

    gzip is recognised by its magic number, not by the file name, so a ``.json`` that is
    really gzip (or the reverse) still reads. Multi-member gzip streams are accepted.
    """
    data = bytes(content or b"")
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            return "corrupt_gzip", f"{type(exc).__name__}: {exc}", None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "invalid_json", f"not UTF-8 text: {exc.reason} at byte {exc.start}", None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return "empty_file", "no document in the file", None
    return None, None, text


_decode_udf = F.udf(decode_raw_bytes, S.DECODED_FILE_SCHEMA)


def read_raw_files(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """``source_file, size, decoded`` for exactly the given files (one row per file).

    ``binaryFile`` packs many small files into one task (``spark.sql.files.maxPartitionBytes``
    / ``openCostInBytes``): the plain-Spark equivalent of Glue's ``groupFiles``.
    """
    if not paths:
        raise ValueError("read_raw_files needs at least one path")
    raw = spark.read.format("binaryFile").load(list(paths))
    return raw.select(
        F.col("path").alias("source_file"),
        F.col("length").alias("size"),
        _decode_udf(F.col("content")).alias("decoded"),
    )
