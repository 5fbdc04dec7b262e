"""Reading raw files (playlist snapshots, track documents): bytes in, one text per file (or
the reason it has none).

Files are read with Spark's ``binaryFile`` source, never with the JSON source: a truncated
gzip then fails *one row*, not the whole read, and can be quarantined with its reason.
The only Python code that touches the data is ``decode_raw_to_utf8``: one call per *file*
(gunzip when the gzip magic is there, UTF-8 check; the checked bytes go back to the JVM).
The per-item work, parsing the JSON, happens in the JVM with ``from_json`` (see
``transforms.parse_documents``).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import BinaryType, LongType, StringType, StructField, StructType

from glue_jobs import schemas as S
from glue_jobs.lakefs import literal

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"

_DECODED_BYTES_SCHEMA = StructType(
    [
        StructField("reason", StringType()),
        StructField("detail", StringType()),
        StructField("data", BinaryType()),
    ]
)


def decode_raw_bytes(
    content: bytes | bytearray | None,
) -> tuple[str | None, str | None, str | None]:
    """``(reason, detail, text)`` for one raw file; ``reason`` is None when ``text`` is usable.

    gzip is recognised by its magic number, not by the file name, so a ``.json`` that is
    really gzip (or the reverse) still reads. Multi-member gzip streams are accepted.
    """
    reason, detail, data = decode_raw_to_utf8(content)
    return reason, detail, None if data is None else data.decode("utf-8")


def decode_raw_to_utf8(
    content: bytes | bytearray | None,
) -> tuple[str | None, str | None, bytes | None]:
    """``decode_raw_bytes`` with the text left as checked UTF-8 *bytes* (what Spark runs).

    The bytes go back to the JVM as they are and become a string with a free cast: no
    Python ``str`` is pickled and decoded again per file (cheaper in CPU; measured in
    docs/benchmarks.md).
    """
    data = bytes(content or b"")
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            return "corrupt_gzip", f"{type(exc).__name__}: {exc}", None
    try:
        text = data.decode("utf-8")  # the check; the bytes are what is returned
    except UnicodeDecodeError as exc:
        return "invalid_json", f"not UTF-8 text: {exc.reason} at byte {exc.start}", None
    if not text.removeprefix("\ufeff").strip():
        return "empty_file", "no document in the file", None
    return None, None, data.removeprefix(UTF8_BOM)


_decode_udf = F.udf(decode_raw_to_utf8, _DECODED_BYTES_SCHEMA)

# What read_raw_files returns, stated: a source without files of a run is this, empty.
RAW_FILES_SCHEMA = StructType(
    [
        StructField("source_file", StringType()),
        StructField("size", LongType()),
        StructField("decoded", S.DECODED_FILE_SCHEMA),
    ]
)


def empty_raw_files(spark: SparkSession) -> DataFrame:
    """``read_raw_files`` of no file: a run may have files of one source only (playlist
    snapshots, or track documents), and the other's stages still run, on nothing."""
    return spark.createDataFrame([], RAW_FILES_SCHEMA)


def read_raw_files(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """``source_file, size, decoded`` for exactly the given files (one row per file).

    ``binaryFile`` packs many small files into one task (``spark.sql.files.maxPartitionBytes``
    / ``openCostInBytes``): the plain-Spark equivalent of Glue's ``groupFiles``.
    """
    if not paths:
        raise ValueError("read_raw_files needs at least one path")
    raw = load_binary_files(spark, paths)
    decoded = _decode_udf(F.col("content"))
    return raw.select(
        F.col("path").alias("source_file"),
        F.col("length").alias("size"),
        decoded.alias("_decoded"),
    ).select(
        "source_file",
        "size",
        F.struct(
            F.col("_decoded.reason").alias("reason"),
            F.col("_decoded.detail").alias("detail"),
            F.col("_decoded.data").cast("string").alias("text"),
        )
        .cast(S.DECODED_FILE_SCHEMA)  # the input split_lines expects, stated
        .alias("decoded"),
    )


# Above this many paths Spark lists them with a Spark job (one task per path): worth it on
# S3, where each status is a request, but on a local disk that job costs a scheduled task
# per file (docs/benchmarks.md) for what the driver does at once.
_PARALLEL_LISTING_CONF = "spark.sql.sources.parallelPartitionDiscovery.threshold"


def load_binary_files(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """``binaryFile`` of exactly ``paths`` (each read as itself, never as a glob pattern)."""
    reader = spark.read.format("binaryFile")
    patterns = [literal(p) for p in paths]
    if not all(p.startswith("file:") for p in paths):
        return reader.load(patterns)
    previous = spark.conf.get(_PARALLEL_LISTING_CONF)
    spark.conf.set(_PARALLEL_LISTING_CONF, str(len(paths) + 1))
    try:
        return reader.load(patterns)  # the file index (and its listing) is built here
    finally:
        spark.conf.set(_PARALLEL_LISTING_CONF, previous)
