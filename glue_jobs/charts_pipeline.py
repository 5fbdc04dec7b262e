"""The chart job's core: chart files of the drop zone in, ``fact_chart_entry`` and ``dim_chart`` out.

``run_chart_job`` (plain PySpark, ``make charts-local``, the tests) selects the drop zone's new
or changed files with a local bookmark (``<curated>/_state/charts_bookmark.json``) and calls
``process_chart_files``, which ``glue_jobs.chart_job`` also calls on Glue. docs/charts.md
("The chart job") describes the rules; in short:

- **Files.** Keys written by ``make charts-add``
  (``<type>/<region>/<period>/chart_date=D/<added>_<sha256>.csv``, ``archive/<added>_<sha256>.csv``;
  ``chart_files.parse_drop_key``) give the chart's identity and the time it was added; any
  other file below the drop root is read under its own name (the site's), added at its
  modification time.
- **Parsing, on the executors.** Chart files (one chart, at most 200 rows) are read with
  ``binaryFile`` and parsed by ``glue_jobs.chart_files``, one Python call per file, in the
  tasks: the one definition of a valid chart. Archives (one long CSV of many charts, up to
  tens of millions of rows) have their head checked by ``chart_files`` too, and their rows
  read by Spark's CSV reader, split over tasks, with ``chart_files``' row and chart rules as
  column expressions built from its own constants (:func:`archive_row_checks`); a test
  runs both readers on the same archives and compares every row and count.
- **Latest wins.** Per chart and date, the file with the greatest ``(added_at, source_file)``
  wins whole, among this run's files and what the lake holds for that date; the dates a run
  touches are rewritten whole, so running again changes nothing.
- **Nothing lost silently.** A bad file is quarantined with its ``chart_files`` reason; an
  archive's rejected charts and rows are counted by reason; a file's rows that lose to a
  later file are counted as ``superseded``; the run stops before publishing if
  ``rows read != rows written + rejected + superseded``.
- **Enrichment work list.** A run that wrote fact rows writes the distinct track ids of its
  files' rows to ``<raw root>/enrichment/todo/charts-<run_id>.txt`` (the raw root is the
  drop zone's parent) after publishing and before committing; a roll-forward writes a
  crashed run's list (:func:`deliver_work_list`, :func:`rolling_forward`).
- **Crash safety.** Everything is staged under ``<curated>/_staging_charts/<run_id>/`` and
  published by ``glue_jobs.publish`` (manifest, idempotent publish, roll-forward), with the
  chart job's own bookkeeping folders (:data:`CHART_BOOKS`).
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DateType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from glue_jobs import chart_files as C
from glue_jobs import quality as Q
from glue_jobs import schemas as S
from glue_jobs import tables
from glue_jobs.bookmarks import LocalBookmark
from glue_jobs.lakefs import FileInfo, LakeFS, join, literal, local_path, qualify
from glue_jobs.pipeline import (
    _check_quality,
    _now,
    action_threads,
    configure_session,
    finish_idle_run,
    new_run_id,
    publish_run,
    run_base,
    run_concurrently,
    stage_tables,
)
from glue_jobs.publish import (
    Bookkeeping,
    check_fail_point,
    maybe_fail,
    part_files,
    read_manifest,
    read_partitions,
    recover_staging,
)
from glue_jobs.raw_io import load_binary_files

__all__ = [
    "CHART_BOOKS",
    "archive_row_checks",
    "deliver_work_list",
    "drop_file",
    "enrichment_todo_dir",
    "process_chart_files",
    "reset_chart_bookmark",
    "rolling_forward",
    "run_chart_job",
    "work_list_path",
]

FACT = tables.FACT_CHART_ENTRY.name
DIM = tables.DIM_CHART.name
CHART_TABLES = tables.CHART_TABLES
CHART_TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in CHART_TABLES)
PARTITION = tables.FACT_CHART_ENTRY.partition.name  # chart_date
SUPERSEDED = "superseded"

# The chart job's bookkeeping under the curated root, beside (never inside) the playlist
# job's: the playlist job's recovery deletes anything in _staging/ without its manifest.
CHART_BOOKS = Bookkeeping(
    staging="_staging_charts",
    runs=f"{S.RUNS_DIR}/charts",
    quarantine=f"{S.QUARANTINE_DIR}/charts",
    bookmark=f"{S.STATE_DIR}/charts_bookmark.json",
)

# Files up to this size are read whole by binaryFile and parsed in Python on the executors
# (a chart file is a few tens of kB). A larger file can only be an archive: its head is
# checked on the driver and its rows go to Spark's CSV reader.
WHOLE_FILE_LIMIT = 64 << 20
HEAD_BYTES = 64 << 10
# A file larger than this has its head read on the driver first: when the head says archive
# (chart_files reads only an archive's header), its bytes are not sent to a Python worker;
# any other verdict sends the file to be parsed whole as before.
HEAD_FIRST = 1 << 20
PARSED_DIR = "parsed"
ARCHIVE_DIR = "archive_rows"
# A date's rows are whole in one task (one file per date). The staged rows are spread over
# at least one task per core and at least one per this many rows (a task sorts its rows
# before writing them: fewer rows a task, no spilling to disk), never more tasks than dates.
ROWS_PER_TASK = 500_000

# ---------------------------------------------------------------------------------------
# Drop-zone keys
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DropFile:
    """How the job reads one file of the drop zone."""

    parse_name: str  # the name chart_files recognises the chart by
    added_at: datetime  # latest wins: the greatest (added_at, source_file)
    canonical: bool  # stored by charts-add under its canonical key


def drop_file(path: str, drop_root: str, mtime_ms: int) -> DropFile:
    """The name to parse a file under and the time it was added.

    A canonical key (``chart_files.parse_drop_key``, the layout charts-add writes) names
    its chart (the original name may have been a ``-latest`` one, whose chart date only the
    key keeps) and its ``<added>`` time; any other file keeps its own name and was added
    when it was last modified.
    """
    relative = path[len(drop_root.rstrip("/")) :].lstrip("/")
    key = C.parse_drop_key(relative)
    if key is not None:
        return DropFile(key.parse_name, key.added_at, True)
    added = datetime.fromtimestamp(mtime_ms / 1000, UTC)
    return DropFile(relative.rsplit("/", 1)[-1], added, False)


def chart_id(chart_type: str, region: str, period: str) -> str:
    return f"{chart_type}-{region}-{period}"


# ---------------------------------------------------------------------------------------
# Stage 1: every file's outcome; chart files parsed whole (Python, on the executors)
# ---------------------------------------------------------------------------------------

KIND_CHART, KIND_ARCHIVE, KIND_BAD = "chart", "archive", "bad"
_ENTRY_VALUE_FIELDS = C.ENTRY_FIELDS[4:]  # rank .. trend: the identity is the file's
_FACT_FIELDS = {f.name: f for f in S.TABLE_SCHEMAS[FACT].fields}
ENTRY_STRUCT = StructType([_FACT_FIELDS[f] for f in _ENTRY_VALUE_FIELDS])
PARSED_SCHEMA = StructType(
    [
        StructField("source_file", StringType()),
        StructField("size", LongType()),
        StructField("added_at", TimestampType()),
        StructField("kind", StringType()),
        StructField("reason", StringType()),
        StructField("detail", StringType()),
        StructField("source_format", StringType()),
        StructField("chart_type", StringType()),
        StructField("region", StringType()),
        StructField("period", StringType()),
        StructField(PARTITION, DateType()),
        StructField("n_rows", IntegerType()),
        StructField("total_streams", LongType()),
        StructField("entries", ArrayType(ENTRY_STRUCT)),
    ]
)


def file_outcome(
    path: str, size: int, drop: DropFile, opener: Callable[[], Any], whole: bool = True
) -> tuple:
    """One ``PARSED_SCHEMA`` row: a chart with its entries, an archive (rows read later) or
    a bad file with its reason. ``whole=False``: ``opener`` gives only the file's head."""
    base = (path, size, drop.added_at)
    try:
        source = C.open_chart_file(drop.parse_name, opener)
        if source.source_format == C.FORMAT_ARCHIVE:
            return (*base, KIND_ARCHIVE, None, None, C.FORMAT_ARCHIVE, *([None] * 7))
        chart = next(source.charts())
        if not whole:
            raise C.ChartFileError(
                "malformed_csv",
                f"{size} bytes under a chart header: a chart has at most "
                f"{max(C.MAX_RANK.values())} rows",
            )
    except C.ChartFileError as error:
        return (*base, KIND_BAD, error.reason, error.detail, *([None] * 8))
    i = chart.identity
    streams = [e.streams for e in chart.entries if e.streams is not None]
    return (
        *base,
        KIND_CHART,
        None,
        None,
        chart.source_format,
        i.chart_type,
        i.region,
        i.period,
        i.chart_date,
        len(chart.entries),
        sum(streams) if streams else None,
        [tuple(e)[4:] for e in chart.entries],
    )


def _parse_partition(drop_root: str) -> Callable[[Iterable[Any]], Iterator[tuple]]:
    def parse(rows: Iterable[Any]) -> Iterator[tuple]:
        for row in rows:
            content = bytes(row["content"] or b"")
            drop = drop_file(row["path"], drop_root, row["mtime"])
            yield file_outcome(row["path"], len(content), drop, lambda c=content: io.BytesIO(c))

    return parse


def _parse_files(
    spark: SparkSession, drop_fs: LakeFS, files: Sequence[FileInfo], out: str
) -> list[dict[str, Any]]:
    """Stage 1 (see the module docstring); returns the outcome of every file (no entries)."""
    small = []
    big = []
    for f in files:
        if f.size <= HEAD_FIRST:
            small.append(f.path)
            continue
        head = drop_fs.read_head(f.path, HEAD_BYTES)
        drop = drop_file(f.path, drop_fs.root, f.mtime)
        outcome = file_outcome(f.path, f.size, drop, lambda h=head: io.BytesIO(h), False)
        if outcome[3] == KIND_ARCHIVE or f.size > WHOLE_FILE_LIMIT:
            big.append(outcome)
        else:
            small.append(f.path)
    parts = []
    if small:
        binary = load_binary_files(spark, small).select(
            "path", F.unix_millis("modificationTime").alias("mtime"), "content"
        )
        rdd = binary.rdd.mapPartitions(_parse_partition(drop_fs.root))
        parts.append(spark.createDataFrame(rdd, PARSED_SCHEMA))
    if big:
        parts.append(spark.createDataFrame(big, PARSED_SCHEMA))
    parsed = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    parsed.write.mode("overwrite").parquet(out)
    meta = [
        m.asDict() for m in spark.read.schema(PARSED_SCHEMA).parquet(out).drop("entries").collect()
    ]
    # Spark's file sources plan no split for a zero-byte file: it has no row at all.
    seen = {m["source_file"] for m in meta}
    unseen = [f for f in files if f.path not in seen]
    for f in unseen:
        if f.size != 0 and drop_fs.size(f.path) != 0:
            raise RuntimeError(f"{f.path} produced no outcome; refusing to mark it processed")
        drop = drop_file(f.path, drop_fs.root, f.mtime)
        meta.append(
            dict(zip(PARSED_SCHEMA.names, file_outcome(f.path, 0, drop, io.BytesIO), strict=False))
        )
    return meta


# ---------------------------------------------------------------------------------------
# Archives: Spark's CSV reader, chart_files' rules as column expressions
# ---------------------------------------------------------------------------------------

_CORRUPT = "_corrupt_record"
# The archive's columns as read, prefixed: the checks' outputs reuse some of the names.
_RAW = tuple(f"raw_{c}" for c in C.ARCHIVE_HEADER)
# The archive's fields that no rule checks: searched for bad characters in every row.
_FREE_TEXT = ("raw_title", "raw_artist", "raw_trend")
_ARCHIVE_READ_SCHEMA = StructType([StructField(c, StringType()) for c in (*_RAW, _CORRUPT)])
_TRACK_URL = r"(?U)^https?://open\.spotify\.com/track/([0-9A-Za-z]{22})(?:\?\S*)?\z"


def _strip(column: Column) -> Column:
    """Python's ``str.strip()``: Unicode whitespace at both ends.

    The regex runs only on a value whose first or last character may be whitespace: a code
    point up to U+0020 or from U+0080 (every Unicode White_Space character is one of them).
    Strings compare by their UTF-8 bytes, so ``value < '!'`` says its first character is one
    up to U+0020 (or it is empty) and ``value >= '\u0080'`` that it is not ASCII, without a
    copy of the value; any other value has nothing to strip and is kept as it is.
    """
    last = F.substring(column, -1, 1)
    maybe_space = (column < "!") | (column >= "\u0080") | (last < "!") | (last >= "\u0080")
    return F.when(maybe_space, F.regexp_replace(column, _SPACE_AT_ENDS, "")).otherwise(column)


# What str.strip() strips: Unicode White_Space (Java's \s with (?U)) and U+001C..U+001F,
# which Python's str.isspace() counts as well.
_SPACE_AT_ENDS = r"(?U)^[\s\x1c-\x1f]+|[\s\x1c-\x1f]+\z"


def _matches(column: Column, pattern: str) -> Column:
    return F.coalesce(column.rlike(pattern), F.lit(False))


def _quoted_or(text: Column, reason: str) -> Column:
    """chart_files' rule for a value that is no number/URL: quotes in it mean quoted twice."""
    return F.when(F.instr(text, '"') > 0, F.lit("doubled_quoting")).otherwise(F.lit(reason))


# Why a row names no chart (archive_row_checks' key_reason), in the order they are checked.
_KEY_REASONS = ("bad_row_shape", "unknown_chart", "unknown_region", "bad_date")


def archive_row_checks(rows: DataFrame) -> DataFrame:
    """chart_files' archive rules per row, as columns (``chart_files._archive_key``,
    ``_archive_entry``), in the order chart_files checks them.

    In: the nine archive columns as strings, named ``raw_<column>`` (null for empty), and
    ``_corrupt_record`` (not
    null when the row has another number of fields). Out: ``key_reason`` (the row names no
    chart: it is rejected alone), the chart's ``chart_type``, ``region``, ``chart_date``,
    ``value_reason`` (the row's first bad value: it rejects its chart) and the entry's values.
    """
    col = {c: F.coalesce(F.col(f"raw_{c}"), F.lit("")) for c in C.ARCHIVE_HEADER}
    # Each stripped value once per row, as a column of its own: the rules below refer to
    # them many times (and inside conditional branches, which Spark does not share).
    stripped = ("chart", "region", "date", "streams", "rank", "url", "trend")
    texts = rows.select("*", *(_strip(col[c]).alias(f"_s_{c}") for c in stripped))
    text = {c: F.col(f"_s_{c}") for c in stripped}
    chart_name = text["chart"]
    chart_type = F.lit(None).cast("string")
    for name, kind in C.ARCHIVE_CHARTS.items():
        chart_type = F.when(chart_name == name, F.lit(kind)).otherwise(chart_type)
    region_name = F.lower(text["region"])
    codes = F.create_map(*(F.lit(x) for kv in C.ARCHIVE_REGION_CODES.items() for x in kv))
    region = F.coalesce(
        codes[region_name],
        F.when(_matches(region_name, r"^[a-z]{2}\z"), region_name),
    )
    day_text = text["date"]
    # chart_files.iso_date: DATE_PATTERN, then a date Python has (to_date also reads year 0).
    parsed = F.to_date(day_text)
    is_date = _matches(day_text, rf"^{C.DATE_PATTERN}\z") & (F.year(parsed) >= date.min.year)
    day = F.when(is_date, parsed)
    keyed = texts.select(
        "*",
        chart_type.alias("chart_type"),
        region.alias("region"),
        day.alias(PARTITION),
    )
    chart_type = F.col("chart_type")
    shape, chart, region_, date_ = _KEY_REASONS
    key_reason = (
        F.when(F.col(_CORRUPT).isNotNull(), F.lit(shape))
        .when(chart_type.isNull(), F.lit(chart))
        .when(F.col("region").isNull(), F.lit(region_))
        .when(F.col(PARTITION).isNull(), F.lit(date_))
    )
    max_rank = F.lit(None).cast("int")
    for kind, top in C.MAX_RANK.items():
        max_rank = F.when(chart_type == kind, F.lit(top)).otherwise(max_rank)
    # streams: an integer (pandas' "253019.0" too) on top200 rows, nothing on viral50 rows.
    streams_stripped = text["streams"]
    streams_text = F.when(
        streams_stripped.endswith(".0"),
        F.expr("substring(_s_streams, 1, length(_s_streams) - 2)"),
    ).otherwise(streams_stripped)
    streams_ok = _matches(streams_text, r"^[0-9]+\z") & (
        F.length(streams_text) <= C.STREAMS_MAX_DIGITS
    )
    streams_reason = F.when(
        chart_type == "regional",
        F.when(~F.col("_streams_ok"), _quoted_or(col["streams"], "bad_streams")),
    ).otherwise(F.when(streams_stripped != "", F.lit("bad_streams")))
    rank_text = text["rank"]
    rank_number = F.when(_matches(rank_text, r"^-?[0-9]+\z"), rank_text.cast("double"))
    url = text["url"]
    url_ok = _matches(url, _TRACK_URL)
    checked = keyed.select(
        "*",
        key_reason.alias("key_reason"),
        max_rank.alias("_max_rank"),
        streams_text.alias("_streams_text"),
        streams_ok.alias("_streams_ok"),
        rank_number.alias("_rank_number"),
        url_ok.alias("_url_ok"),
    )
    rank_number = F.col("_rank_number")
    rank_reason = (
        F.when(rank_number.isNull(), _quoted_or(col["rank"], "bad_rank"))
        .when(rank_number < 1, F.lit("bad_rank"))
        .when(rank_number > F.col("_max_rank"), F.lit("rank_out_of_range"))
    )
    url_ok = F.col("_url_ok")
    url_reason = F.when(~url_ok, _quoted_or(col["url"], "bad_track_uri"))
    value_reason = F.coalesce(streams_reason, rank_reason, url_reason)
    # A URL the pattern matched: https?://open.spotify.com/track/<22 characters>[?...], whose
    # first "/track/" is the one before the id.
    track_id = F.expr("substring(_s_url, instr(_s_url, '/track/') + 7, 22)")
    trend = text["trend"]
    return checked.select(
        *rows.columns,
        "key_reason",
        "chart_type",
        "region",
        PARTITION,
        value_reason.alias("value_reason"),
        F.when(rank_reason.isNull(), rank_number.cast("int")).alias("rank"),
        F.when(url_ok, track_id).alias("track_id"),
        F.when(
            (chart_type == "regional") & F.col("_streams_ok"), F.col("_streams_text").cast("bigint")
        ).alias("streams"),
        col["artist"].alias("artist_names"),
        col["title"].alias("track_name"),
        F.when(trend != "", trend).alias("trend"),
    )


def _read_archives(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """Every archive row in file order: ``source_file``, ``block``, ``row_id`` (dense within
    a block's rows, increasing in file order), the row checks and values. Blank rows (all
    fields empty) are skipped, as chart_files skips them."""
    raw = (
        spark.read.schema(_ARCHIVE_READ_SCHEMA)
        .option("header", True)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", _CORRUPT)
        .option("escape", '"')  # RFC 4180 doubled quotes, as the csv module reads them
        .option("encoding", "UTF-8")
        .csv([literal(p) for p in paths])  # each file itself, not a glob pattern
    )
    # A blank row: every field null or empty (greatest skips nulls; "" is the least string).
    filled = F.greatest(*(F.col(c) for c in _RAW)) > ""
    located = raw.filter(filled).select(
        "*",
        # The file as a URI (percent-encoded): mapped back to its listed path by the caller.
        F.col("_metadata.file_path").alias("file_uri"),
        F.col("_metadata.file_block_start").alias("block"),
        F.monotonically_increasing_id().alias("row_id"),
    )
    checked = archive_row_checks(located)
    # chart_files rejects the whole file for a character that is no UTF-8 (read as U+FFFD)
    # or a NUL byte in any field. Only the free-text fields are searched in every row: a
    # field with a rule (chart, region, date, rank, URL, streams) that holds either character
    # breaks its rule, so the row has a key or value reason, and only such rows are searched
    # there too.
    broke_a_rule = F.col("key_reason").isNotNull() | F.col("value_reason").isNotNull()
    free = F.concat_ws("", *(F.col(c) for c in _FREE_TEXT))
    ruled = F.concat_ws("", *(F.col(c) for c in _RAW if c not in _FREE_TEXT))

    def anywhere(char: str) -> Column:
        return (F.instr(free, char) > 0) | (broke_a_rule & (F.instr(ruled, char) > 0))

    # As its number in _FILE_PROBLEMS: an integer keeps the per-block aggregation on Spark's
    # hash aggregate (a string minimum sorts every row).
    file_reason = F.when(anywhere("\ufffd"), F.lit(_FILE_PROBLEMS.index(_NOT_UTF8))).when(
        anywhere("\u0000"), F.lit(_FILE_PROBLEMS.index(_NUL_BYTES))
    )
    # The corrupt record's text is kept (null in every good row) for the line-break test of
    # _judge_archives: added here, it made this stage's generated code larger than the JIT
    # compiles, and the stage ran interpreted (docs/benchmarks.md, the charts run).
    return checked.select("*", file_reason.alias("file_reason")).drop(*_RAW)


_NOT_UTF8 = (
    "not_utf8",
    "rows that are not UTF-8 text (a spreadsheet saved it in another encoding)",
)
_NUL_BYTES = ("malformed_csv", "NUL bytes in rows: a binary file, not CSV")
_LINE_BREAK = ("malformed_csv", C.LINE_BREAK)
_ODD_QUOTES = r'^[^"]*"([^"]*"[^"]*")*[^"]*\z'  # a text with an odd number of `"`
# What rejects a whole archive, as (reason, detail); a block's is the least of its rows'.
_FILE_PROBLEMS = (_NUL_BYTES, _LINE_BREAK, _NOT_UTF8)


@dataclass
class ArchiveResult:
    """What the archives of a run gave: good charts (Spark), counts, bad archives."""

    charts: DataFrame | None  # accepted charts: source_file, identity, n_rows, total_streams
    rows: DataFrame | None  # every row with its chart (join target for the winners)
    rows_read: int
    rows_rejected: Counter
    charts_rejected: Counter
    bad_files: dict[str, tuple[str, str]]


def _judge_archives(
    spark: SparkSession, drop_fs: LakeFS, paths: Sequence[str], out: str
) -> ArchiveResult:
    """Stage the archives' rows once, then judge each chart as chart_files does:
    ``chart_not_contiguous`` first, then the first bad value in file order, then the ranks
    (repeated, missing), then the tracks (repeated). Rows that name no chart are rejected
    alone."""
    empty = ArchiveResult(None, None, 0, Counter(), Counter(), {})
    if not paths:
        return empty
    _read_archives(spark, paths).write.mode("overwrite").parquet(out)
    rows = spark.read.parquet(out)
    # Per block (one task's slice of a file): its rows, its first row id, whether a row
    # makes the whole file unreadable, and its rows that name no chart by reason. Few
    # rows: collected.
    uris = {drop_fs.hadoop_path(p).toUri().toString(): p for p in paths}
    blocks = (
        rows.groupBy("file_uri", "block")
        .agg(
            F.count(F.lit(1)).alias("n"),
            F.min("row_id").alias("first_id"),
            F.min("file_reason").alias("file_reason"),
            # A quoted field that holds a line break: read line by line, its first line is a
            # record of too few fields (or, broken in the last field, its last line one of a
            # single field) whose text has an odd number of double quotes; chart_files
            # rejects the file for it.
            F.max(_matches(F.col(_CORRUPT), _ODD_QUOTES).cast("int")).alias("line_break"),
            *(
                F.count(F.when(F.col("key_reason") == r, F.lit(1))).alias(f"_key_{i}")
                for i, r in enumerate(_KEY_REASONS)
            ),
        )
        .collect()
    )
    bad_files: dict[str, tuple[str, str]] = {}
    offsets: list[tuple[str, int, int]] = []
    rows_read: Counter = Counter()
    position: Counter = Counter()
    for b in sorted(blocks, key=lambda b: (b["file_uri"], b["block"])):
        path = uris[b["file_uri"]]
        line_break = _FILE_PROBLEMS.index(_LINE_BREAK) if b["line_break"] else None
        found = [p for p in (b["file_reason"], line_break) if p is not None]
        if found:
            bad_files[path] = _FILE_PROBLEMS[min(found)]
        offsets.append((b["file_uri"], b["block"], position[path] - b["first_id"]))
        position[path] += b["n"]
        rows_read[path] += b["n"]
    # A file of no rows (a header, or blank lines after it) has no block.
    for path in paths:
        if path not in rows_read:
            bad_files[path] = ("empty_file", C.NO_ROWS)
    good = [p for p in rows_read if p not in bad_files]
    if not good:
        return ArchiveResult(None, None, 0, Counter(), Counter(), bad_files)
    shift = spark.createDataFrame(offsets, "file_uri string, block long, shift long")
    # The good files by number: the charts' aggregation sorts its rows by their chart, and a
    # number sorts and spills far less than a path repeated in every row.
    numbers = {p: n for n, p in enumerate(sorted(good))}
    good_df = spark.createDataFrame(
        [(u, numbers[p]) for u, p in uris.items() if p in numbers], "file_uri string, file int"
    )
    paths = F.broadcast(
        spark.createDataFrame(list(numbers.items()), "source_file string, file int")
    )
    ordered = (
        rows.join(F.broadcast(good_df), "file_uri")
        .join(F.broadcast(shift), ["file_uri", "block"])
        .withColumn("idx", F.col("row_id") + F.col("shift"))  # 0.. in file order
        .drop("file_uri", "row_id", "shift", "block", "file_reason", _CORRUPT)
    )
    keyed = ordered.filter(F.col("key_reason").isNull())
    chart_key = ["file", "chart_type", "region", PARTITION]
    first_error = F.min(F.when(F.col("value_reason").isNotNull(), F.struct("idx", "value_reason")))
    charts = keyed.groupBy(*chart_key).agg(
        F.count(F.lit(1)).alias("n_rows"),
        F.min("idx").alias("first_idx"),
        F.max("idx").alias("last_idx"),
        first_error["value_reason"].alias("value_reason"),
        Q.distinct_small_ints("rank", max(C.MAX_RANK.values())).alias("n_ranks"),
        F.size(F.collect_set(track_hash(F.col("track_id")))).alias("n_track_hashes"),
        F.max("rank").alias("max_rank"),
        F.sum("streams").alias("total_streams"),
    )
    # A chart is contiguous when no row of another chart lies between its first and last
    # row: its span is its own rows plus rows that name no chart. Only charts with a gap in
    # their span (rare) are compared with those rows.
    gap = F.col("last_idx") - F.col("first_idx") + 1 - F.col("n_rows")
    unkeyed = ordered.filter(F.col("key_reason").isNotNull()).select(
        F.col("file").alias("_file"), F.col("idx").alias("_idx")
    )
    gapped = charts.filter(gap > 0)
    explained = (
        gapped.join(
            unkeyed,
            (F.col("_file") == F.col("file"))
            & F.col("_idx").between(F.col("first_idx"), F.col("last_idx")),
        )
        .groupBy(*chart_key)
        .agg(F.count(F.lit(1)).alias("_explained"))
    )
    judged = (
        charts.join(explained, chart_key, "left")
        .withColumn(
            "reason",
            F.when(gap > F.coalesce(F.col("_explained"), F.lit(0)), F.lit("chart_not_contiguous"))
            .when(F.col("value_reason").isNotNull(), F.col("value_reason"))
            .when(F.col("n_ranks") < F.col("n_rows"), F.lit("repeated_rank"))
            .when(F.col("max_rank") > F.col("n_rows"), F.lit("missing_rank"))
            .when(F.col("n_track_hashes") < F.col("n_rows"), F.lit(_MAYBE_REPEATED)),
        )
        .join(paths, "file")
        .select(*chart_key, "source_file", "n_rows", "total_streams", "reason")
    )
    judged_path = out + "_charts"
    judged.write.mode("overwrite").parquet(judged_path)
    judged = _confirm_repeated_tracks(spark, spark.read.parquet(judged_path), keyed, chart_key)
    rows_rejected: Counter = Counter()
    charts_rejected: Counter = Counter()
    for r in (
        judged.filter("reason is not null")
        .groupBy("reason")
        .agg(F.count(F.lit(1)).alias("charts"), F.sum("n_rows").alias("rows"))
        .collect()
    ):
        charts_rejected[r["reason"]] += r["charts"]
        rows_rejected[r["reason"]] += r["rows"]
    for b in blocks:
        if uris[b["file_uri"]] in good:
            for i, reason in enumerate(_KEY_REASONS):
                if b[f"_key_{i}"]:
                    rows_rejected[reason] += b[f"_key_{i}"]
    accepted = judged.filter("reason is null").drop("reason", "file")
    entries = keyed.join(paths, "file").select(
        "source_file",
        *chart_key[1:],
        *(f for f in _ENTRY_VALUE_FIELDS if f not in _ARCHIVE_NULLS),
    )
    return ArchiveResult(
        accepted,
        entries,
        sum(rows_read[p] for p in good),
        rows_rejected,
        charts_rejected,
        bad_files,
    )


def track_hash(track_id: Column) -> Column:
    """A track id's 64-bit hash (null for no id): a chart's set of these stays a set of
    longs, not of strings. Equal ids have equal hashes, so a repeated id always shows."""
    return F.when(track_id.isNotNull(), F.xxhash64(track_id))


# A chart whose track hashes repeat: its ids may (or, two ids sharing a hash, may not).
_MAYBE_REPEATED = "maybe_repeated_track"


def _confirm_repeated_tracks(
    spark: SparkSession, judged: DataFrame, keyed: DataFrame, chart_key: Sequence[str]
) -> DataFrame:
    """``judged`` with each ``maybe_repeated_track`` settled by the track ids themselves:
    ``repeated_track`` when an id repeats, else accepted. Only those few charts' rows are
    read again, once, and only when there are any (the charts that repeat are collected,
    so the returned frame does not read them again each time it is used)."""
    maybe = judged.filter(F.col("reason") == _MAYBE_REPEATED).select(*chart_key).collect()
    if not maybe:
        return judged
    schema = judged.select(*chart_key).schema
    repeated = (
        keyed.join(F.broadcast(spark.createDataFrame(maybe, schema)), list(chart_key))
        .groupBy(*chart_key)
        .agg(F.size(F.collect_set("track_id")).alias("_ids"), F.count(F.lit(1)).alias("_rows"))
        .filter(F.col("_ids") < F.col("_rows"))
        .select(*chart_key)
        .collect()
    )
    exact = spark.createDataFrame(repeated, schema).withColumn("_repeated", F.lit(True))
    reason = F.when(F.col("reason") != _MAYBE_REPEATED, F.col("reason")).when(
        F.col("_repeated"), F.lit("repeated_track")
    )
    return (
        judged.join(F.broadcast(exact), list(chart_key), "left")
        .withColumn("reason", reason)
        .drop("_repeated")
    )


# ---------------------------------------------------------------------------------------
# The enrichment work list: the track ids a run wrote, for the extract Lambda's enrichment
# ---------------------------------------------------------------------------------------

# Under the raw root (the drop zone's parent): the folder extract_lambda/enrich.py reads
# work lists from (its ENRICH_PREFIX "enrichment", then "todo/"; docs/track-documents.md).
ENRICHMENT_TODO = "enrichment/todo"
# In the staging: the run's ids, written before the manifest, delivered after publishing.
WORK_LIST_DIR = "enrichment_todo"


def enrichment_todo_dir(drop_path: str) -> str:
    """``<raw root>/enrichment/todo``, the raw root being the drop zone's parent folder
    (``s3://<raw>/charts/`` -> ``s3://<raw>/enrichment/todo``)."""
    root = qualify(drop_path).rstrip("/")
    local = local_path(root)
    if local is not None:
        parent = os.path.dirname(local.rstrip("/"))
        if parent in ("", "/"):
            raise ValueError(f"the drop zone {root} has no parent folder for enrichment/todo/")
        return join(qualify(parent), ENRICHMENT_TODO)
    scheme, _, rest = root.partition("://")
    bucket, _, prefix = rest.partition("/")
    if not prefix:
        raise ValueError(
            f"the drop zone {root} is a bucket's root: it must be a folder of the raw bucket "
            "(s3://<raw>/charts/), whose parent holds enrichment/todo/"
        )
    return join(f"{scheme}://{bucket}", prefix.rpartition("/")[0], ENRICHMENT_TODO)


def work_list_path(drop_path: str, run_id: str) -> str:
    """``<raw root>/enrichment/todo/charts-<run_id>.txt``."""
    return join(enrichment_todo_dir(drop_path), f"charts-{run_id}.txt")


def _stage_work_list(fact: DataFrame, out: str) -> None:
    """The distinct track ids of ``fact``, sorted, one per line, as one text file in ``out``."""
    (
        fact.select("track_id")
        .where(F.col("track_id").isNotNull())
        .distinct()
        .repartition(1)
        .sortWithinPartitions("track_id")
        .write.mode("overwrite")
        .text(out)
    )


def _staged_work_list(fs: LakeFS, staging: str) -> str | None:
    """The one part file of a staged work list, None when it is not (or no longer) there."""
    folder = join(staging, WORK_LIST_DIR)
    parts = part_files(fs, folder)
    return join(folder, parts[0]) if len(parts) == 1 else None


def _put_text(spark: SparkSession, fs: LakeFS, target: str, text: str) -> None:
    """Write a small file so that a reader of ``target`` sees it whole or not at all.

    Locally: ``LakeFS.write_text`` (a hidden file beside it, which the enrichment skips, then
    a rename). Elsewhere (S3): one ``create``/``close`` of ``target`` itself, so the object
    appears whole when its upload completes, and the Glue role needs no delete on the
    work-list folder (a rename on S3 is a copy and a delete): ``s3:PutObject`` on
    ``enrichment/todo/*`` (docs/charts.md, "The enrichment work list").
    """
    folder = target.rsplit("/", 1)[0]
    if local_path(target) is not None:
        LakeFS(spark, folder).write_text(target, text)
        return
    path = fs.hadoop_path(target)  # any LakeFS of the run makes the Hadoop Path
    out = path.getFileSystem(spark._jsc.hadoopConfiguration()).create(path, True)
    try:
        out.write(bytearray(text.encode("utf-8")))
    finally:
        out.close()


def deliver_work_list(
    spark: SparkSession, fs: LakeFS, staging: str, manifest: dict[str, Any]
) -> bool:
    """Put the run's staged work list at its target (``manifest["enrichment_todo"]``).

    Called after publishing and before the bookmark is committed, by the run itself and by
    the roll-forward of a run that crashed in between: the target's name is the run's, so a
    second delivery writes the same bytes to the same key. Returns whether it wrote.
    """
    todo = manifest.get("enrichment_todo")
    if not todo:
        return False
    staged = _staged_work_list(fs, staging)
    if staged is None:
        # The run staged its list before its manifest, so only a roll-forward whose staged
        # list has gone since (expired, deleted) comes here: rebuild it from the published
        # rows of the run's files.
        days = [date.fromisoformat(d) for d in manifest["summary"].get("chart_dates", [])]
        published = read_partitions(spark, fs, fs.root, FACT, days)
        if published is None:
            return False
        paths = [f["path"] for f in manifest["files"]]
        run_files = spark.createDataFrame([(p,) for p in paths], "source_file string")
        _stage_work_list(
            published.join(F.broadcast(run_files), "source_file"), join(staging, WORK_LIST_DIR)
        )
        staged = _staged_work_list(fs, staging)
        if staged is None:
            return False
    _put_text(spark, fs, todo["path"], fs.read_text(staged) or "")
    return True


def _deliver_rolled_forward(spark: SparkSession, fs: LakeFS, files: Sequence[FileInfo]) -> None:
    """Deliver the work list of the rolled-forward staging whose files are ``files``."""
    wanted = sorted(f.path for f in files)
    root = join(fs.root, CHART_BOOKS.staging)
    for name, is_dir in sorted(fs.list_dir(root)):
        staging = join(root, name)
        manifest = read_manifest(fs, staging) if is_dir else None
        if manifest is not None and sorted(f["path"] for f in manifest["files"]) == wanted:
            deliver_work_list(spark, fs, staging, manifest)
            return


def rolling_forward(
    spark: SparkSession, fs: LakeFS, commit: Callable[[Sequence[FileInfo]], None]
) -> Callable[[Sequence[FileInfo]], None]:
    """The ``commit`` to give ``publish.recover_staging``: a rolled-forward run's work list is
    delivered (it may have crashed before delivering it), then its files are committed."""

    def deliver_then_commit(files: Sequence[FileInfo]) -> None:
        _deliver_rolled_forward(spark, fs, files)
        commit(files)

    return deliver_then_commit


# ---------------------------------------------------------------------------------------
# Local entry
# ---------------------------------------------------------------------------------------


def reset_chart_bookmark(spark: SparkSession, curated_path: str) -> None:
    """Forget the chart bookmark: the next ``run_chart_job`` reads every drop-zone file."""
    LocalBookmark(LakeFS(spark, curated_path), CHART_BOOKS.bookmark).reset()


def run_chart_job(
    spark: SparkSession,
    drop_path: str,
    curated_path: str,
    *,
    run_id: str | None = None,
    reset_bookmark: bool = False,
    fail_after: str | None = None,
) -> dict[str, Any]:
    """One incremental local run; returns (and prints, and writes) the run summary.

    Only drop-zone files new or changed since the last committed run are read; with
    ``reset_bookmark=True`` every file is read again and the tables come out identical.
    ``fail_after`` injects a failure after a stage (``publish.FAIL_POINTS``).
    """
    configure_session(spark)
    check_fail_point(fail_after)
    fs = LakeFS(spark, curated_path)
    drop_fs = LakeFS(spark, drop_path)
    if drop_fs.root == fs.root:
        raise ValueError(f"the drop zone and the curated root are one folder: {fs.root}")
    enrichment_todo_dir(drop_fs.root)  # a drop zone without a parent fails here, not later
    bookmark = LocalBookmark(fs, CHART_BOOKS.bookmark)
    rolled = recover_staging(fs, fs.root, rolling_forward(spark, fs, bookmark.commit), CHART_BOOKS)
    if reset_bookmark:
        bookmark.reset()
    new_files = bookmark.select_new(drop_fs.list_files(drop_fs.root))
    return process_chart_files(
        spark,
        new_files,
        drop_path,
        curated_path,
        mode="local",
        commit=bookmark.commit,
        run_id=run_id,
        fail_after=fail_after,
        rolled_forward=rolled,
    )


# ---------------------------------------------------------------------------------------
# The core
# ---------------------------------------------------------------------------------------

_CANDIDATE_SCHEMA = (
    f"{PARTITION} date, chart_type string, region string, period string, "
    "added_at timestamp, source_file string, n_rows int, total_streams bigint, is_new int"
)


def process_chart_files(
    spark: SparkSession,
    files: Sequence[FileInfo],
    drop_path: str,
    curated_path: str,
    *,
    mode: str,
    commit: Callable[[Sequence[FileInfo]], None],
    run_id: str | None = None,
    fail_after: str | None = None,
    rolled_forward: Sequence[str] = (),
) -> dict[str, Any]:
    """Process exactly ``files`` (below ``drop_path``) into the chart tables.

    ``commit(files)`` is called once the output is published (the local bookmark, or
    ``job.commit()`` on Glue).
    """
    configure_session(spark)
    check_fail_point(fail_after)
    run_id = run_id or new_run_id()
    fs = LakeFS(spark, curated_path)
    drop_fs = LakeFS(spark, drop_path)
    curated = fs.root
    files = sorted({FileInfo(qualify(f.path), f.size, f.mtime) for f in files})
    base = run_base(run_id, mode, _now())
    if not files:
        nothing = ArchiveResult(None, None, 0, Counter(), Counter(), {})
        summary = {**base, **_summary_counts([], nothing, {}, None, [])}
        summary.update(
            status="no_new_files",
            enrichment_todo=None,
            data_quality=Q.empty_block(),
            current_tables={},
        )
        return finish_idle_run(fs, curated, summary, rolled_forward, CHART_BOOKS)

    staging = join(curated, CHART_BOOKS.staging, run_id)
    fs.delete(staging)

    # 1. parse: chart files whole, archives' heads; then the archives' rows ----------------
    parsed_path = join(staging, PARSED_DIR)
    outcomes = _parse_files(spark, drop_fs, files, parsed_path)
    archive_paths = sorted(o["source_file"] for o in outcomes if o["kind"] == KIND_ARCHIVE)
    archives = _judge_archives(spark, drop_fs, archive_paths, join(staging, ARCHIVE_DIR))
    maybe_fail("parse", fail_after)

    # 2. plan: per chart and date, the latest file wins ---------------------------------
    added = {o["source_file"]: o["added_at"] for o in outcomes}
    singles = [o for o in outcomes if o["kind"] == KIND_CHART]
    new_candidates = spark.createDataFrame(
        [
            (
                o[PARTITION],
                o["chart_type"],
                o["region"],
                o["period"],
                o["added_at"],
                o["source_file"],
                o["n_rows"],
                o["total_streams"],
                1,
            )
            for o in singles
        ],
        _CANDIDATE_SCHEMA,
    )
    if archives.charts is not None:
        added_df = spark.createDataFrame(
            [(p, added[p]) for p in archive_paths], "source_file string, added_at timestamp"
        )
        new_candidates = new_candidates.unionByName(
            archives.charts.join(F.broadcast(added_df), "source_file").select(
                PARTITION,
                "chart_type",
                "region",
                F.lit("daily").alias("period"),
                "added_at",
                "source_file",
                F.col("n_rows").cast("int"),
                "total_streams",
                F.lit(1).alias("is_new"),
            )
        )
    touched = sorted(r[0] for r in new_candidates.select(PARTITION).distinct().collect())
    lake_dim = read_partitions(spark, fs, curated, DIM, touched)
    candidates = new_candidates
    if lake_dim is not None:
        candidates = candidates.unionByName(
            lake_dim.select(
                PARTITION,
                "chart_type",
                "region",
                "period",
                "added_at",
                "source_file",
                F.col("entries").alias("n_rows"),
                "total_streams",
                F.lit(0).alias("is_new"),
            )
        )
    candidates = candidates.withColumn(
        "chart_id", F.concat_ws("-", "chart_type", "region", "period")
    )
    order = Window.partitionBy(PARTITION, "chart_id").orderBy(
        F.col("added_at").desc(), F.col("source_file").desc(), F.col("is_new").desc()
    )
    ranked_path = join(staging, "candidates")
    candidates.withColumn("_rank", F.row_number().over(order)).write.mode("overwrite").parquet(
        ranked_path
    )
    ranked = spark.read.parquet(ranked_path)
    winners = ranked.filter("_rank = 1").drop("_rank")
    superseded = (
        ranked.filter("_rank > 1 and is_new = 1")
        .agg(F.count(F.lit(1)).alias("charts"), F.sum("n_rows").alias("rows"))
        .collect()[0]
    )

    # 3. stage ----------------------------------------------------------------------------
    keys = [PARTITION, "chart_id", "source_file", "is_new"]
    win_keys = F.broadcast(winners.select(*keys, "added_at"))
    single_entries = (
        spark.read.schema(PARSED_SCHEMA)
        .parquet(parsed_path)
        .filter(F.col("kind") == KIND_CHART)
        .select(
            PARTITION,
            F.concat_ws("-", "chart_type", "region", "period").alias("chart_id"),
            "chart_type",
            "region",
            "period",
            "source_file",
            F.explode("entries").alias("e"),
        )
        .select("*", "e.*")
        .drop("e")
    )
    new_entries = single_entries
    if archives.rows is not None:
        new_entries = new_entries.unionByName(
            archives.rows.select(
                PARTITION,
                F.concat_ws("-", "chart_type", "region", F.lit("daily")).alias("chart_id"),
                "chart_type",
                "region",
                F.lit("daily").alias("period"),
                "source_file",
                *(F.col(f) for f in _ENTRY_VALUE_FIELDS if f not in _ARCHIVE_NULLS),
                *(F.lit(None).cast(ENTRY_STRUCT[f].dataType).alias(f) for f in _ARCHIVE_NULLS),
            )
        )
    new_entries = new_entries.withColumn("is_new", F.lit(1))
    lake_fact = read_partitions(spark, fs, curated, FACT, touched)
    if lake_fact is not None:
        new_entries = new_entries.unionByName(
            lake_fact.drop("added_at").withColumn("is_new", F.lit(0))
        )
    fact = new_entries.join(win_keys, keys)
    rows_new = sum(o["n_rows"] for o in singles) + archives.rows_read
    tasks = max(1, min(len(touched), _tasks(spark, rows_new)))
    fact = fact.repartition(tasks, PARTITION)
    dim = winners.select(
        PARTITION,
        "chart_id",
        "chart_type",
        "region",
        "period",
        F.col("n_rows").alias("entries"),
        "total_streams",
        "added_at",
        "source_file",
    ).repartition(tasks, PARTITION)
    write_days = [d.isoformat() for d in touched]
    tables = {FACT: fact, DIM: dim}
    threads = action_threads(spark)
    staged, current, current_modes = stage_tables(
        spark, fs, curated, staging, tables, CHART_TABLES, write_days, threads
    )
    maybe_fail("stage", fail_after)

    # 4. check, count, manifest, publish, commit ---------------------------------------
    run_paths = [f.path for f in files]
    data_quality, rows_written = run_concurrently(
        partial(
            _check_quality, spark, fs, curated, staging, touched, CHART_TABLE_NAMES, Q.CHART_RULES
        ),
        partial(_rows_written, spark, fs, staging, run_paths),
        threads=threads,
    )
    quarantine = _quarantine_records(outcomes, archives, run_id)
    todo = None
    if rows_written[FACT]:
        ids = _stage_run_work_list(spark, fs, staging, run_paths)
        todo = {"path": work_list_path(drop_fs.root, run_id), "track_ids": ids}
    summary = {
        **base,
        **_summary_counts(outcomes, archives, rows_written, superseded, quarantine),
        "chart_dates": write_days,
        "enrichment_todo": todo,
        "rolled_forward_runs": list(rolled_forward),
        "data_quality": data_quality,
        "current_tables": current_modes,
    }
    _check_accounting(summary)
    # The work list is delivered after publishing, before committing: a crash in between
    # leaves the manifest, and the roll-forward delivers the list (rolling_forward); the
    # files are never committed first.
    return publish_run(
        fs,
        curated,
        staging,
        summary,
        staged=staged,
        current=current,
        quarantine=quarantine,
        files=files,
        commit=commit,
        fail_after=fail_after,
        books=CHART_BOOKS,
        extra={"enrichment_todo": todo},
        before_commit=partial(deliver_work_list, spark, fs, staging),
    )


# Archives have no peak/previous rank, days/weeks on chart or label (chart_files gives None).
_ARCHIVE_NULLS = ("peak_rank", "previous_rank", "weeks_on_chart", "days_on_chart", "label")


def _rows_written(
    spark: SparkSession, fs: LakeFS, staging: str, paths: Sequence[str]
) -> dict[str, int]:
    """Rows of each staged table that come from this run's files (not the lake's)."""
    run_files = spark.createDataFrame([(p,) for p in paths], "source_file string")
    counts = dict.fromkeys(CHART_TABLE_NAMES, 0)
    for table in CHART_TABLE_NAMES:
        if fs.exists(join(staging, table)):
            df = spark.read.schema(S.file_schema(table)).parquet(join(staging, table))
            counts[table] = df.join(F.broadcast(run_files), "source_file").count()
    return counts


def _stage_run_work_list(
    spark: SparkSession, fs: LakeFS, staging: str, paths: Sequence[str]
) -> int:
    """Stage the work list of the staged fact rows from this run's files; returns its ids."""
    run_files = spark.createDataFrame([(p,) for p in paths], "source_file string")
    fact = spark.read.schema(S.file_schema(FACT)).parquet(join(staging, FACT))
    out = join(staging, WORK_LIST_DIR)
    _stage_work_list(fact.join(F.broadcast(run_files), "source_file"), out)
    return spark.read.text(out).count()


def _quarantine_records(
    outcomes: Sequence[dict[str, Any]], archives: ArchiveResult, run_id: str
) -> list[dict[str, Any]]:
    records = [
        {
            "path": o["source_file"],
            "reason": o["reason"],
            "detail": o["detail"],
            "size": o["size"],
            "run_id": run_id,
        }
        for o in outcomes
        if o["kind"] == KIND_BAD
    ]
    sizes = {o["source_file"]: o["size"] for o in outcomes}
    records += [
        {"path": p, "reason": r, "detail": d, "size": sizes.get(p), "run_id": run_id}
        for p, (r, d) in archives.bad_files.items()
    ]
    return sorted(records, key=lambda r: r["path"])


def _summary_counts(
    outcomes: Sequence[dict[str, Any]],
    archives: ArchiveResult,
    rows_written: dict[str, int],
    superseded: Any,
    quarantine: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    quarantined = Counter(r["reason"] for r in quarantine)
    singles = [o for o in outcomes if o["kind"] == KIND_CHART]
    n_archives = sum(1 for o in outcomes if o["kind"] == KIND_ARCHIVE)
    sup_rows = int((superseded["rows"] if superseded else 0) or 0)
    sup_charts = int((superseded["charts"] if superseded else 0) or 0)
    return {
        "files_read": len(outcomes),
        "files_accepted": len(outcomes) - len(quarantine),
        "files_quarantined": len(quarantine),
        "chart_files_accepted": len(singles),
        "archives_accepted": n_archives - len(archives.bad_files),
        "rows_read": sum(o["n_rows"] for o in singles) + archives.rows_read,
        "charts_read": len(singles)
        + sum(archives.charts_rejected.values())
        + (0 if archives.charts is None else _count(archives.charts)),
        "chart_dates": [],
        "rows_written": {t: rows_written.get(t, 0) for t in CHART_TABLE_NAMES},
        "rejections": {
            "files": {r: quarantined.get(r, 0) for r in C.REJECTION_REASONS},
            "archive_charts": dict(sorted(archives.charts_rejected.items())),
            "archive_rows": dict(sorted(archives.rows_rejected.items())),
            FACT: {SUPERSEDED: sup_rows, **dict(sorted(archives.rows_rejected.items()))},
            DIM: {SUPERSEDED: sup_charts},
        },
    }


def _tasks(spark: SparkSession, rows: int) -> int:
    """Tasks to stage ``rows`` rows in: one per core, more for many rows (ROWS_PER_TASK)."""
    return max(spark.sparkContext.defaultParallelism, 1, -(-rows // ROWS_PER_TASK))


def _count(df: DataFrame) -> int:
    return df.count()


def _check_accounting(summary: dict[str, Any]) -> None:
    """``rows_read = fact rows written + rejected + superseded``, or nothing is published."""
    accounted = summary["rows_written"][FACT] + sum(summary["rejections"][FACT].values())
    if accounted != summary["rows_read"]:
        raise RuntimeError(
            f"accounting mismatch: {summary['rows_read']} chart rows read, {accounted} "
            "written, rejected or superseded; nothing was published"
        )
