"""Every schema the Glue job uses, in one place.

- ``RAW_DOCUMENT_SCHEMA``: what ``from_json`` parses a raw snapshot line into (section 2 of
  docs/data-contract.md); ``TRACK_DOCUMENT_SCHEMA`` the same for a track document
  (docs/track-documents.md), whose ``track`` is the very ``RAW_PAYLOAD`` of an entry. Only the fields the tables need are listed; Spark skips the rest
  (``available_markets``, ``images``, episode descriptions...) while parsing, which is what
  keeps the parse cheap. Integers are ``LongType`` and dates/timestamps are strings here:
  they are converted with null-safe casts in ``transforms`` so that one odd value never
  makes a whole document unreadable.
- ``TABLE_SCHEMAS``: the curated tables of section 3, column for column, in contract order.
  ``snapshot_date`` is the Hive partition column: it is in the path, not in the files.
- ``QUARANTINE_SCHEMA``: the quarantine records (section 4).
"""

from __future__ import annotations

from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DateType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from glue_jobs import tables as T

# ---------------------------------------------------------------------------------------
# Names shared with the SQL, Terraform and the contract (docs/data-contract.md section 6)
# ---------------------------------------------------------------------------------------

FACT_PLAYLIST_ITEM = T.FACT_PLAYLIST_ITEM.name
DIM_TRACK = T.DIM_TRACK.name
DIM_ALBUM = T.DIM_ALBUM.name
DIM_ARTIST = T.DIM_ARTIST.name
DIM_PLAYLIST = T.DIM_PLAYLIST.name
BRIDGE_TRACK_ARTIST = T.BRIDGE_TRACK_ARTIST.name
BRIDGE_ALBUM_ARTIST = T.BRIDGE_ALBUM_ARTIST.name

# The tables this job (the playlist job) writes; glue_jobs.tables.TABLES has every one.
TABLES: tuple[str, ...] = tuple(t.name for t in T.PLAYLIST_TABLES)

PARTITION_COLUMN = T.PARTITION.name
BOOKMARK_CTX = "raw_playlist_snapshots"
# Glue's bookmark of the track documents (the optional second raw prefix, ``--tracks_path``).
TRACKS_BOOKMARK_CTX = "raw_track_documents"
CONTRACT_VERSION = 1

# Bookkeeping folders under the curated root (section 1).
QUARANTINE_DIR = "_quarantine"
RUNS_DIR = "_runs"
STATE_DIR = "_state"
STAGING_DIR = "_staging"
BOOKMARK_FILE = "bookmark.json"

# Rejection reasons (section 4), in the order a file is judged: the first that applies wins.
FILE_REASONS: tuple[str, ...] = (
    "corrupt_gzip",
    "empty_file",
    "invalid_json",
    "wrong_shape",
    "unsupported_contract_version",
    "incomplete_snapshot",
)
SUPERSEDED = "superseded_snapshot"
# An element of the entry array that is not a PlaylistTrackObject: null, a string, a number,
# a boolean, an array, or an object with none of ENTRY_FIELDS (all absent or null). The
# extractor lands it as the API sent it; the job counts it and builds no row from it.
ENTRY_MALFORMED = "malformed_entry"
ENTRY_FIELDS: tuple[str, ...] = ("added_at", "added_by", "is_local", "item", "track")
ENTRY_NULL_ITEM = "null_item"
ENTRY_LOCAL_FILE = "local_file"
ENTRY_EPISODE = "episode"
ENTRY_MISSING_ID = "missing_id"
# A payload whose ``type`` is neither ``track`` nor ``episode`` (the API's only two).
ENTRY_UNSUPPORTED_TYPE = "unsupported_type"
ENTRY_TRACK = "track"  # not a rejection: a track that reaches every table

# ---------------------------------------------------------------------------------------
# Raw snapshot document (section 2)
# ---------------------------------------------------------------------------------------

CORRUPT_COLUMN = "_corrupt_record"

RAW_ARTIST = StructType(
    [
        StructField("id", StringType()),
        StructField("name", StringType()),
        StructField("uri", StringType()),
    ]
)

RAW_ALBUM = StructType(
    [
        StructField("id", StringType()),
        StructField("name", StringType()),
        StructField("uri", StringType()),
        StructField("album_type", StringType()),
        StructField("release_date", StringType()),
        StructField("release_date_precision", StringType()),
        StructField("total_tracks", LongType()),
        StructField("artists", ArrayType(RAW_ARTIST)),
    ]
)

# One struct for both payload kinds: a TrackObject uses all of it, an EpisodeObject only
# id/name/uri/type/duration_ms (its album and artists stay null).
RAW_PAYLOAD = StructType(
    [
        StructField("id", StringType()),
        StructField("name", StringType()),
        StructField("uri", StringType()),
        StructField("type", StringType()),
        StructField("is_local", BooleanType()),
        StructField("duration_ms", LongType()),
        StructField("explicit", BooleanType()),
        StructField("disc_number", LongType()),
        StructField("track_number", LongType()),
        StructField("popularity", LongType()),
        StructField("external_ids", StructType([StructField("isrc", StringType())])),
        StructField("linked_from", StructType([StructField("id", StringType())])),
        StructField("album", RAW_ALBUM),
        StructField("artists", ArrayType(RAW_ARTIST)),
    ]
)

RAW_ENTRY = StructType(
    [
        StructField("added_at", StringType()),
        StructField("added_by", StructType([StructField("id", StringType())])),
        StructField("is_local", BooleanType()),
        StructField("item", RAW_PAYLOAD),
        StructField("track", RAW_PAYLOAD),
    ]
)

RAW_CONTAINER = StructType(
    [
        StructField("total", LongType()),
        StructField("items", ArrayType(RAW_ENTRY)),
    ]
)

RAW_PLAYLIST = StructType(
    [
        StructField("id", StringType()),
        StructField("name", StringType()),
        StructField("description", StringType()),
        StructField("public", BooleanType()),
        StructField("collaborative", BooleanType()),
        StructField("snapshot_id", StringType()),
        StructField(
            "owner",
            StructType(
                [StructField("id", StringType()), StructField("display_name", StringType())]
            ),
        ),
        StructField("followers", StructType([StructField("total", LongType())])),
        StructField("items", RAW_CONTAINER),
        StructField("tracks", RAW_CONTAINER),
    ]
)

RAW_DOCUMENT_SCHEMA = StructType(
    [
        StructField("contract_version", LongType()),
        StructField("playlist_id", StringType()),
        StructField("extracted_at", StringType()),
        StructField("snapshot_date", StringType()),
        StructField("api_shape", StringType()),
        StructField("playlist", RAW_PLAYLIST),
        StructField(CORRUPT_COLUMN, StringType()),
    ]
)

# A track document (docs/track-documents.md): ``track`` is the API's TrackObject, read with
# the payload struct of a playlist entry so that both go through the same transforms.
# ``request`` is not read.
TRACK_DOCUMENT_SCHEMA = StructType(
    [
        StructField("contract_version", LongType()),
        StructField("track_id", StringType()),
        StructField("extracted_at", StringType()),
        StructField("fetched_date", StringType()),
        StructField("track", RAW_PAYLOAD),
        StructField(CORRUPT_COLUMN, StringType()),
    ]
)
TRACK_CONTRACT_VERSION = 1

# Parses any JSON object without looking inside it: tells "valid JSON of the wrong shape"
# apart from "not JSON at all".
JSON_OBJECT_PROBE_SCHEMA = StructType([StructField(CORRUPT_COLUMN, StringType())])

# What the decoding UDF returns for one raw file.
DECODED_FILE_SCHEMA = StructType(
    [
        StructField("reason", StringType()),
        StructField("detail", StringType()),
        StructField("text", StringType()),
    ]
)

# ---------------------------------------------------------------------------------------
# Curated tables (section 3)
# ---------------------------------------------------------------------------------------

_SPARK_TYPES = {
    "string": StringType(),
    "int": IntegerType(),
    "bigint": LongType(),
    "boolean": BooleanType(),
    "date": DateType(),
    "timestamp": TimestampType(),
}


def _spark_schema(table: T.Table) -> StructType:
    return StructType([StructField(c.name, _SPARK_TYPES[c.type]) for c in table.all_columns])


# Each table's columns in contract order, from its one definition in glue_jobs/tables.py.
TABLE_SCHEMAS: dict[str, StructType] = {t.name: _spark_schema(t) for t in T.TABLES}

# The key of each table within one snapshot_date: "latest wins" keeps, per key, the rows of
# the greatest (extracted_at, source_file).
TABLE_KEYS: dict[str, tuple[str, ...]] = {t.name: t.key for t in T.TABLES}


def file_schema(table: str) -> StructType:
    """The columns stored in the table's Parquet files (everything but the partition)."""
    return StructType([f for f in TABLE_SCHEMAS[table].fields if f.name != PARTITION_COLUMN])


QUARANTINE_SCHEMA = StructType(
    [
        StructField("path", StringType()),
        StructField("reason", StringType()),
        StructField("detail", StringType()),
        StructField("size", LongType()),
        StructField("run_id", StringType()),
    ]
)
