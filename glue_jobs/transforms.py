"""Pure PySpark transforms of the star-schema job: no reads, no writes, no actions.

Column helpers (``Column -> Column``) hold the reusable expressions; transforms
(``DataFrame -> DataFrame``, parametrised ones return a closure) chain with ``.transform``:

    lines.transform(parse_documents).transform(classify_documents)
    docs.transform(explode_entries).transform(classify_entries)
    entries.transform(fact_rows)

Every rule of docs/data-contract.md sections 2-4 that concerns one row lives here, so
that it is unit-tested on tiny DataFrames (tests/unit/glue_jobs/test_transforms.py).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from functools import reduce

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

from glue_jobs import schemas as S

Transform = Callable[[DataFrame], DataFrame]

# ---------------------------------------------------------------------------------------
# Column helpers
# ---------------------------------------------------------------------------------------


_BLANK = r"^\s*$"  # Java's \s: space, tab, newline, vertical tab, form feed, carriage return


def blank_to_null(col: Column) -> Column:
    """The string, or null when it is null, empty or only whitespace (``added_by.id = ""``).

    Any whitespace, not only spaces (Spark's ``trim`` strips spaces alone): an id of a tab
    is no id.
    """
    return F.when(~col.rlike(_BLANK), col)


def is_blank(col: Column) -> Column:
    """True when the string is null, empty or only whitespace."""
    return col.isNull() | col.rlike(_BLANK)


_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def to_int(col: Column) -> Column:
    """A parsed integer (``LongType``) as an int column; null when it does not fit.

    A plain cast would wrap around with ANSI off (4294967396 -> 100); Spotify's counts and
    popularity fit easily, so a value that does not is no value.
    """
    return F.when(col.between(_INT_MIN, _INT_MAX), col.cast("int"))


def iso_timestamp(col: Column) -> Column:
    """An ISO-8601 date-time string (``2026-11-16T06:00:03.123456Z``) as a timestamp.

    Null when absent or unparseable. The regex guard keeps a bare date or any other string
    the cast would also accept from passing as a time of day; with ANSI mode off (the job
    sets it) the cast itself returns null rather than failing the task.
    """
    return F.when(col.rlike(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"), col.cast("timestamp")).cast(
        "timestamp"
    )


def release_date(raw: Column, precision: Column) -> Column:
    """Spotify's ``release_date`` as a real date, per ``release_date_precision``.

    ``year``: ``1998`` -> 1998-01-01; ``month``: ``1998-07`` -> 1998-07-01; ``day``:
    ``1998-07-14`` -> itself. Without a precision the shape of the string decides. Null when
    absent, when the string does not have the shape its precision announces, when the date
    does not exist (``1998-02-30``), and for year ``0000`` (Spotify's "unknown").
    Casting (not ``to_date`` with a pattern) is deliberate: the pattern parser raises
    ``SparkUpgradeException`` on strings the legacy parser would have accepted.
    """
    year_shape = raw.rlike(r"^\d{4}$")
    month_shape = raw.rlike(r"^\d{4}-\d{2}$")
    day_shape = raw.rlike(r"^\d{4}-\d{2}-\d{2}$")
    shape_ok = (
        F.when(precision == "year", year_shape)
        .when(precision == "month", month_shape)
        .when(precision == "day", day_shape)
        .when(precision.isNull(), year_shape | month_shape | day_shape)
        .otherwise(F.lit(False))
    )
    return F.when(shape_ok & ~raw.startswith("0000"), raw.cast("date")).cast("date")


# An ISRC as ISO 3901 writes it without hyphens: country (2 letters), registrant (3 letters
# or digits), year (2 digits), designation (5 digits).
_ISRC_SHAPE = r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$"


def normalized_isrc(isrc: Column) -> Column:
    """The ISRC in its 12-character form (upper case, hyphens and whitespace removed); null
    when absent or not of that shape."""
    compact = F.upper(F.regexp_replace(isrc, r"[\s-]", ""))
    return F.when(compact.rlike(_ISRC_SHAPE), compact)


def song_key(isrc: Column, linked_from_track_id: Column, track_id: Column) -> Column:
    """``dim_track.song_key``: what follows one song across its track ids (the rule of
    glue_jobs/tables.py, docs/glue-job.md).

    ``isrc:<ISRC>`` when the track has an ISRC of the ISO shape (normalised: an ISRC names
    one recording, whatever id, album or market it is sold under); else
    ``track:<linked_from_track_id>`` when Spotify relinked the track (the id asked for is the
    song's id in the catalogue); else ``track:<track_id>``.
    """
    isrc_ok = normalized_isrc(isrc)
    linked = blank_to_null(linked_from_track_id)
    return (
        F.when(isrc_ok.isNotNull(), F.concat(F.lit("isrc:"), isrc_ok))
        .when(linked.isNotNull(), F.concat(F.lit("track:"), linked))
        .otherwise(F.concat(F.lit("track:"), track_id))
    )


def entry_payload(entry: Column) -> Column:
    """The entry's payload: ``item`` (2026 API) when present and not null, else ``track``."""
    return F.coalesce(entry["item"], entry["track"])


def entry_is_local(entry: Column) -> Column:
    """A local file, whether the flag is on the entry, on the payload, or both."""
    payload = entry_payload(entry)
    return F.coalesce(entry["is_local"], F.lit(False)) | F.coalesce(
        payload["is_local"], F.lit(False)
    )


_ITEM_TYPES = ("track", "episode")


def entry_is_malformed(entry: Column) -> Column:
    """True for an element of the entry array that is no PlaylistTrackObject.

    ``parse_documents`` turns a null element and a non-object element alike into a null
    entry; an object with none of the entry's fields (``S.ENTRY_FIELDS``, all absent or
    null) is the third case.
    """
    has_a_field = reduce(operator.or_, (entry[f].isNotNull() for f in S.ENTRY_FIELDS))
    return entry.isNull() | ~has_a_field


def entry_kind(entry: Column) -> Column:
    """What an entry is, in the terms of the contract's rejection table (section 4).

    ``malformed_entry`` (null, not an object, or an object without any entry field),
    ``null_item`` (no payload), ``local_file``, ``unsupported_type`` (a ``type`` other than
    ``track`` or ``episode``: not stored as a track), ``missing_id`` (a non-local item
    without an id), ``episode``, or ``track``. The first that applies wins. A payload
    without ``type`` is a track (the legacy shape's track objects may omit it).
    """
    payload = entry_payload(entry)
    return (
        F.when(entry_is_malformed(entry), F.lit(S.ENTRY_MALFORMED))
        .when(payload.isNull(), F.lit(S.ENTRY_NULL_ITEM))
        .when(entry_is_local(entry), F.lit(S.ENTRY_LOCAL_FILE))
        .when(
            payload["type"].isNotNull() & ~payload["type"].isin(*_ITEM_TYPES),
            F.lit(S.ENTRY_UNSUPPORTED_TYPE),
        )
        .when(is_blank(payload["id"]), F.lit(S.ENTRY_MISSING_ID))
        .when(payload["type"] == "episode", F.lit(S.ENTRY_EPISODE))
        .otherwise(F.lit(S.ENTRY_TRACK))
    )


def missing_id_count(artists: Column) -> Column:
    """How many artist references of an array carry no id (0 for a null array).

    Not ``coalesce(size(...), 0)``: with ANSI off, ``size(null)`` is -1
    (``spark.sql.legacy.sizeOfNull``), which would subtract from the rejection counts.
    """
    return F.when(artists.isNull(), F.lit(0)).otherwise(
        F.size(F.filter(artists, lambda a: is_blank(a["id"])))
    )


# ---------------------------------------------------------------------------------------
# Raw lines -> documents
# ---------------------------------------------------------------------------------------


def split_lines(df: DataFrame) -> DataFrame:
    """One row per non-blank line of each decoded file (``line_no`` 1-based).

    Input: ``source_file, size, decoded`` (``decoded`` = DECODED_FILE_SCHEMA). A file the
    decoder rejected (corrupt gzip, empty) keeps exactly one row, with ``line`` and
    ``line_no`` null and its reason in ``file_reason``.
    """
    lines = F.when(
        F.col("decoded.reason").isNull(), F.split(F.col("decoded.text"), "\n")
    ).otherwise(F.array(F.lit(None).cast("string")))
    return (
        df.select(
            "source_file",
            "size",
            F.col("decoded.reason").alias("file_reason"),
            F.col("decoded.detail").alias("file_detail"),
            F.posexplode(lines).alias("_idx", "_raw_line"),
        )
        .withColumn("line", F.regexp_replace("_raw_line", r"\r$", ""))
        .filter(F.col("file_reason").isNotNull() | (F.trim(F.col("line")) != ""))
        .select(
            "source_file",
            "size",
            "file_reason",
            "file_detail",
            F.when(F.col("file_reason").isNull(), F.col("_idx") + 1).alias("line_no"),
            "line",
        )
    )


# Strict JSON: Spark's parser otherwise accepts single-quoted strings and NaN/Infinity.
_JSON_OPTIONS = {
    "mode": "PERMISSIVE",
    "columnNameOfCorruptRecord": S.CORRUPT_COLUMN,
    "allowSingleQuotes": "false",
    "allowNonNumericNumbers": "false",
}
_JSON_SCALAR = r'^\s*(-?\d+(\.\d+)?([eE][+-]?\d+)?|"([^"\\]|\\.)*"|true|false|null)\s*$'


def _is_valid_json(line: Column) -> Column:
    """True when the line is syntactically JSON (object, array or scalar)."""
    stripped = F.ltrim(line)
    object_ok = F.from_json(line, S.JSON_OBJECT_PROBE_SCHEMA, _JSON_OPTIONS)[
        S.CORRUPT_COLUMN
    ].isNull()
    return (
        F.when(stripped.startswith("{"), object_ok)
        .when(stripped.startswith("["), F.json_array_length(line).isNotNull())
        .otherwise(line.rlike(_JSON_SCALAR))
    )


def _not_one_value(line: Column) -> Column:
    """True unless the line is exactly one JSON value (whitespace around it allowed)."""
    count = F.json_array_length(F.concat(F.lit("["), line, F.lit("]")))
    return count.isNull() | (count != 1)


_CONTAINERS = ("items", "tracks")


def _with_raw_entries(schema: StructType) -> StructType:
    """The document schema with each container's entries read as raw JSON text."""
    playlist = schema["playlist"].dataType
    raw_container = StructType(
        [
            StructField("total", LongType()),
            StructField("items", ArrayType(StringType())),
        ]
    )
    new_playlist = StructType(
        [
            StructField(f.name, raw_container) if f.name in _CONTAINERS else f
            for f in playlist.fields
        ]
    )
    return StructType(
        [StructField(f.name, new_playlist) if f.name == "playlist" else f for f in schema.fields]
    )


# The fallback of a document the strict parse refused: its entries as text, one by one.
_RAW_ENTRIES_DOCUMENT_SCHEMA = _with_raw_entries(S.RAW_DOCUMENT_SCHEMA)
_ENTRY_PROBE_SCHEMA = StructType([*S.RAW_ENTRY.fields, StructField(S.CORRUPT_COLUMN, StringType())])


def _entry_from_text(text: Column) -> Column:
    """One element of the entry array, given as its JSON text, as a ``RAW_ENTRY`` plus the
    corrupt-record column; null for a null element and for anything but an object."""
    return F.when(
        F.ltrim(text).startswith("{"), F.from_json(text, _ENTRY_PROBE_SCHEMA, _JSON_OPTIONS)
    )


def _tolerant_document(strict: Column, line: Column) -> Column:
    """The document again, when the strict parse refused it only because of entries that are
    not objects (a null, a string, a number, an array); else null.

    Spark's ``from_json`` turns a whole document corrupt when one element of an array of
    structs is not an object (``[1, null, "x", {...}]``): one odd entry would make the
    snapshot ``wrong_shape``. This second parse runs only for documents the first refused:
    it reads each container's elements as raw text, parses the objects one by one and makes
    every other element a null entry (``malformed_entry``). A field of the wrong type
    anywhere, inside an entry object too, still refuses the document.
    """
    refused = strict.isNull() | strict[S.CORRUPT_COLUMN].isNotNull()
    loose = F.from_json(line, _RAW_ENTRIES_DOCUMENT_SCHEMA, _JSON_OPTIONS)
    playlist = loose["playlist"]
    entries = {c: F.transform(playlist[c]["items"], _entry_from_text) for c in _CONTAINERS}
    clean = loose[S.CORRUPT_COLUMN].isNull() & playlist.isNotNull()
    for parsed in entries.values():
        clean = clean & ~F.coalesce(
            F.exists(parsed, lambda e: e[S.CORRUPT_COLUMN].isNotNull()), F.lit(False)
        )
    rebuilt = playlist
    for container, parsed in entries.items():
        rebuilt = rebuilt.withField(
            container,
            F.when(
                playlist[container].isNotNull(),
                playlist[container].withField(
                    "items", F.transform(parsed, lambda e: e.dropFields(S.CORRUPT_COLUMN))
                ),
            ),
        )
    # Nested, not `refused & clean`: Spark's common-subexpression elimination treats every
    # part of a first condition as always evaluated and would run the fallback on every row.
    return F.when(refused, F.when(clean, loose.withField("playlist", rebuilt)))


def parse_documents(df: DataFrame) -> DataFrame:
    """Parse each line with the explicit document schema, in the JVM (``from_json``).

    Adds ``doc`` (the parsed struct), and the document-level columns every later step
    needs: ``playlist_id``, ``extracted_at`` (timestamp), ``snapshot_date`` (its UTC date),
    ``entries`` (``playlist.items.items`` when present, else ``playlist.tracks.items``),
    ``total``, ``n_entries``, ``api_shape``, and ``playlist_meta`` (the playlist without its
    entry containers, so that entries are not carried twice). An element of an entry array
    that is not an object is a null entry (``_tolerant_document``).
    """
    # One projection: Spark evaluates the strict parse once (common subexpression) and the
    # fallback only for the rows the strict parse refused.
    strict = F.from_json("line", S.RAW_DOCUMENT_SCHEMA, _JSON_OPTIONS)
    doc = F.col("doc")
    use_items = doc["playlist"]["items"]["items"].isNotNull()
    container = F.when(use_items, doc["playlist"]["items"]).otherwise(doc["playlist"]["tracks"])
    extracted_at = iso_timestamp(doc["extracted_at"])
    declared_shape = doc["api_shape"]
    return (
        df.withColumn("doc", F.coalesce(_tolerant_document(strict, F.col("line")), strict))
        .withColumn("playlist_id", blank_to_null(doc["playlist_id"]))
        .withColumn("extracted_at", extracted_at)
        .withColumn("snapshot_date", F.to_date(extracted_at))
        .withColumn("playlist_meta", doc["playlist"].dropFields("items", "tracks"))
        .withColumn("entries", container["items"])
        .withColumn("total", container["total"])
        .withColumn(  # not size(null), which is -1 with ANSI off
            "n_entries",
            F.when(container["items"].isNull(), F.lit(0)).otherwise(F.size(container["items"])),
        )
        .withColumn(
            "api_shape",
            F.when(declared_shape.isin("items", "tracks"), declared_shape).otherwise(
                F.when(use_items, F.lit("items")).otherwise(F.lit("tracks"))
            ),
        )
    )


Check = tuple[Column, str, Column]


def _document_checks(contract_version: int, kind: str, key: str) -> list[Check]:
    """The checks every raw document kind starts with, on its parsed ``doc``: JSON, one
    value, an object; then its ``contract_version``, the types of its fields (``kind``: the
    document's name in the detail), a version, its ``key`` column and ``extracted_at``."""
    doc = F.col("doc")
    line = F.col("line")
    corrupt = doc[S.CORRUPT_COLUMN].isNotNull() | doc.isNull()
    version = doc["contract_version"]
    return [
        (corrupt & ~_is_valid_json(line), "invalid_json", F.lit("not valid JSON")),
        # from_json reads the first value and ignores the rest of the line: two documents
        # joined on one line ({...}{...}) or trailing junk would lose their tail silently.
        (
            ~corrupt & _not_one_value(line),
            "invalid_json",
            F.lit("more than one JSON value, or text after the document"),
        ),
        (
            corrupt & ~F.ltrim(line).startswith("{"),
            "wrong_shape",
            F.lit("JSON, but not an object"),
        ),
        # Checked before the shape: a future version may well have another shape.
        (
            version.isNotNull() & (version != contract_version),
            "unsupported_contract_version",
            F.concat(F.lit("contract_version is "), version.cast("string")),
        ),
        (corrupt, "wrong_shape", F.lit(f"a field has a type the {kind} does not allow")),
        (version.isNull(), "wrong_shape", F.lit("missing contract_version")),
        (F.col(key).isNull(), "wrong_shape", F.lit(f"missing {key}")),
        (
            F.col("extracted_at").isNull(),
            "wrong_shape",
            F.lit("missing or unparseable extracted_at"),
        ),
    ]


def _with_reason(df: DataFrame, checks: Sequence[Check]) -> DataFrame:
    """``reason`` and ``detail``: the first failing check's, after the decoder's own."""
    where = F.concat(F.lit("line "), F.col("line_no").cast("string"), F.lit(": "))
    reason: Column = F.when(F.col("file_reason").isNotNull(), F.col("file_reason"))
    detail: Column = F.when(F.col("file_reason").isNotNull(), F.col("file_detail"))
    for condition, name, text in checks:
        reason = reason.when(condition, F.lit(name))
        detail = detail.when(condition, F.concat(where, text))
    return df.withColumn("reason", reason).withColumn("detail", detail)


def classify_documents(df: DataFrame) -> DataFrame:
    """``reason`` and ``detail`` of each line: null for a good snapshot document.

    The checks run in the order of the contract's rejection table; the first failing one
    names the reason. ``file_reason`` (from the decoder) wins over everything.
    """
    doc = F.col("doc")
    declared_date = doc["snapshot_date"]
    playlist = doc["playlist"]
    checks: list[Check] = [
        *_document_checks(S.CONTRACT_VERSION, "snapshot document", "playlist_id"),
        (playlist.isNull(), "wrong_shape", F.lit("missing playlist")),
        (
            F.col("entries").isNull(),
            "wrong_shape",
            F.lit("no entry array in playlist.items or playlist.tracks"),
        ),
        (
            declared_date.isNotNull()
            & (declared_date != F.date_format("snapshot_date", "yyyy-MM-dd")),
            "wrong_shape",
            F.concat(
                F.lit("snapshot_date "), declared_date, F.lit(" is not the date of extracted_at")
            ),
        ),
        (
            playlist["id"].isNotNull() & (playlist["id"] != F.col("playlist_id")),
            "wrong_shape",
            F.lit("playlist.id differs from playlist_id"),
        ),
        (F.col("total").isNull(), "wrong_shape", F.lit("the entry container has no total")),
        (
            F.col("n_entries") != F.col("total"),
            "incomplete_snapshot",
            F.concat(
                F.col("n_entries").cast("string"),
                F.lit(" entries, total says "),
                F.col("total").cast("string"),
            ),
        ),
    ]
    return _with_reason(df, checks)


# ---------------------------------------------------------------------------------------
# Raw lines -> track documents (docs/track-documents.md)
# ---------------------------------------------------------------------------------------


def parse_track_documents(df: DataFrame) -> DataFrame:
    """Parse each line as a track document (``from_json``, ``S.TRACK_DOCUMENT_SCHEMA``).

    Adds ``doc``, ``track_id`` (the id *requested*, the document's key), ``extracted_at``
    (timestamp), ``snapshot_date`` (its UTC date: a document observed on ``fetched_date``
    joins the observations of that date) and ``track`` (the TrackObject, an entry payload).
    """
    doc = F.col("doc")
    extracted_at = iso_timestamp(doc["extracted_at"])
    return (
        df.withColumn("doc", F.from_json("line", S.TRACK_DOCUMENT_SCHEMA, _JSON_OPTIONS))
        .withColumn("track_id", blank_to_null(doc["track_id"]))
        .withColumn("extracted_at", extracted_at)
        .withColumn("snapshot_date", F.to_date(extracted_at))
        .withColumn("track", doc["track"])
    )


def classify_track_documents(df: DataFrame) -> DataFrame:
    """``reason`` and ``detail`` of each line: null for a good track document.

    The snapshot documents' reasons, with the track document's shape: a good document has
    a ``track_id``, an ``extracted_at``, a ``fetched_date`` (when given) that is the UTC date
    of ``extracted_at``, and a ``track`` that is a track with an id and not a local file
    (every good document is one observation of its track; nothing is left to count per
    document).
    """
    fetched = F.col("doc")["fetched_date"]
    track = F.col("track")
    checks: list[Check] = [
        *_document_checks(S.TRACK_CONTRACT_VERSION, "track document", "track_id"),
        (track.isNull(), "wrong_shape", F.lit("missing track")),
        (
            fetched.isNotNull() & (fetched != F.date_format("snapshot_date", "yyyy-MM-dd")),
            "wrong_shape",
            F.concat(F.lit("fetched_date "), fetched, F.lit(" is not the date of extracted_at")),
        ),
        (
            track["type"].isNotNull() & (track["type"] != "track"),
            "wrong_shape",
            F.concat(F.lit("track.type is "), track["type"]),
        ),
        (
            F.coalesce(track["is_local"], F.lit(False)),
            "wrong_shape",
            F.lit("track is a local file"),
        ),
        (is_blank(track["id"]), "wrong_shape", F.lit("track has no id")),
    ]
    return _with_reason(df, checks)


# ---------------------------------------------------------------------------------------
# Documents -> entries
# ---------------------------------------------------------------------------------------

DOC_COLUMNS = ("source_file", "line_no", "playlist_id", "extracted_at", "snapshot_date")


def explode_entries(docs: DataFrame) -> DataFrame:
    """One row per playlist entry; ``position`` is 1-based and counts every entry."""
    return docs.select(
        *DOC_COLUMNS,
        F.col("playlist_meta.snapshot_id").alias("snapshot_id"),
        "_is_new",
        F.posexplode("entries").alias("_idx", "entry"),
    ).select(
        *DOC_COLUMNS,
        "snapshot_id",
        "_is_new",
        (F.col("_idx") + 1).cast("int").alias("position"),
        "entry",
    )


# The columns of a classified entry, in order (either source: see payload_columns).
ENTRY_COLUMNS = (
    *DOC_COLUMNS,
    "snapshot_id",
    "_is_new",
    "position",
    "kind",
    "item_type",
    "item_id",
    "item_uri",
    "item_name",
    "added_at",
    "added_by_id",
    "popularity",
    "duration_ms",
    "is_local",
    "explicit",
    "disc_number",
    "track_number",
    "isrc",
    "linked_from_track_id",
    "album",
    "artists",
    "_unreadable",
)


def payload_columns(payload: Column) -> list[Column]:
    """What a track payload gives the tables, whichever document carries it.

    The one reading of a TrackObject (or EpisodeObject): a playlist entry's ``item`` /
    ``track`` (``classify_entries``) and a track document's ``track``
    (``track_document_entries``) both go through it, so that ``dim_track``, ``dim_album``,
    ``dim_artist`` and the bridges are built from either by the same transforms.
    """
    return [
        F.when(payload["type"] == "episode", F.lit("episode"))
        .otherwise(F.lit("track"))
        .alias("item_type"),
        payload["uri"].alias("item_uri"),
        payload["name"].alias("item_name"),
        to_int(payload["popularity"]).alias("popularity"),
        payload["duration_ms"].alias("duration_ms"),
        payload["explicit"].alias("explicit"),
        to_int(payload["disc_number"]).alias("disc_number"),
        to_int(payload["track_number"]).alias("track_number"),
        payload["external_ids"]["isrc"].alias("isrc"),
        blank_to_null(payload["linked_from"]["id"]).alias("linked_from_track_id"),
        payload["album"].alias("album"),
        payload["artists"].alias("artists"),
    ]


def _unreadable_flags(added_at: Column, payload: Column) -> Column:
    return F.struct(
        added_at.alias("added_at"),
        *(unreadable(payload[c], to_int(payload[c])).alias(c) for c in _PAYLOAD_INTS),
    ).alias("_unreadable")


def classify_entries(entries: DataFrame) -> DataFrame:
    """Flatten each entry into the columns the tables need, with its ``kind``."""
    entry = F.col("entry")
    payload = entry_payload(entry)
    return entries.select(
        *DOC_COLUMNS,
        "snapshot_id",
        "_is_new",
        "position",
        entry_kind(entry).alias("kind"),
        blank_to_null(payload["id"]).alias("item_id"),
        iso_timestamp(entry["added_at"]).alias("added_at"),
        blank_to_null(entry["added_by"]["id"]).alias("added_by_id"),
        entry_is_local(entry).alias("is_local"),
        *payload_columns(payload),
        _unreadable_flags(unreadable(entry["added_at"], iso_timestamp(entry["added_at"])), payload),
    ).select(*ENTRY_COLUMNS)


def track_document_entries(docs: DataFrame) -> DataFrame:
    """Good track documents as entries of kind ``track``: the columns of
    ``classify_entries``, the payload read by the same ``payload_columns``.

    Input: ``source_file, line_no, track_id, extracted_at, snapshot_date, track, _is_new``.
    The item's id is the document's ``track_id``, the id requested (the chart's), even where
    Spotify served another (``track.id``, relinked: ``linked_from_track_id`` then says so).
    No playlist, no position in one (1), no ``added_at``: these rows build the dimensions
    and bridges only, never ``fact_playlist_item``.
    """
    track = F.col("track")
    return docs.select(
        "source_file",
        "line_no",
        F.lit(None).cast("string").alias("playlist_id"),
        "extracted_at",
        "snapshot_date",
        F.lit(None).cast("string").alias("snapshot_id"),
        "_is_new",
        F.lit(1).cast("int").alias("position"),
        F.lit(S.ENTRY_TRACK).alias("kind"),
        F.col("track_id").alias("item_id"),
        F.lit(None).cast("timestamp").alias("added_at"),
        F.lit(None).cast("string").alias("added_by_id"),
        F.coalesce(track["is_local"], F.lit(False)).alias("is_local"),
        *payload_columns(track),
        _unreadable_flags(F.lit(False), track),
    ).select(*ENTRY_COLUMNS)


# The payload's integers that payload_columns reads with to_int.
_PAYLOAD_INTS = ("popularity", "disc_number", "track_number")


def unreadable(raw: Column, read: Column) -> Column:
    """A value the document has (not null) that its column could not read (null)."""
    return raw.isNotNull() & read.isNull()


# ---------------------------------------------------------------------------------------
# Entries -> table rows (new observations of this run)
# ---------------------------------------------------------------------------------------

_LINEAGE = ("extracted_at", "source_file", "snapshot_date")
# Tie-breakers carried until the merge: which line of the file, which entry, which
# reference within the entry. Rows read back from the lake have them null.
_TIEBREAK = ("_line", "_position", "_sub")


def _with_tiebreak(line: Column, position: Column, sub: Column) -> list[Column]:
    return [
        line.cast("int").alias("_line"),
        position.cast("int").alias("_position"),
        sub.cast("int").alias("_sub"),
    ]


def fact_rows(entries: DataFrame) -> DataFrame:
    """``fact_playlist_item``: tracks, local files and episodes; null items and tracks
    without an id are left out (and counted elsewhere)."""
    kind = F.col("kind")
    is_track = kind == S.ENTRY_TRACK
    return entries.filter(kind.isin(S.ENTRY_TRACK, S.ENTRY_LOCAL_FILE, S.ENTRY_EPISODE)).select(
        "playlist_id",
        "snapshot_id",
        "position",
        "item_type",
        F.when(is_track, F.col("item_id")).alias("track_id"),
        F.when(kind == S.ENTRY_EPISODE, F.col("item_id")).alias("episode_id"),
        F.when(is_track, blank_to_null(F.col("album.id"))).alias("album_id"),
        "item_uri",
        "item_name",
        "added_at",
        "added_by_id",
        "popularity",
        "duration_ms",
        "is_local",
        *_LINEAGE,
        *_with_tiebreak(F.col("line_no"), F.col("position"), F.lit(0)),
    )


def track_observations(entries: DataFrame) -> DataFrame:
    """Every observation of a track (``dim_track`` columns plus its ``artists``)."""
    return entries.filter(F.col("kind") == S.ENTRY_TRACK).select(
        F.col("item_id").alias("track_id"),
        F.col("item_name").alias("track_name"),
        F.col("item_uri").alias("track_uri"),
        blank_to_null(F.col("album.id")).alias("album_id"),
        "duration_ms",
        "explicit",
        "disc_number",
        "track_number",
        "isrc",
        "popularity",
        "linked_from_track_id",
        *_LINEAGE,
        *_with_tiebreak(F.col("line_no"), F.col("position"), F.lit(0)),
        "artists",
    )


def album_release(album: Column) -> tuple[Column, Column]:
    """``(release_date, release_date_precision)`` of an album as ``dim_album`` stores them.

    Only Spotify's three precisions are kept; any other is no precision (and no date).
    """
    given = album["release_date_precision"]
    return release_date(album["release_date"], given), F.when(
        given.isin("year", "month", "day"), given
    )


def album_observations(entries: DataFrame) -> DataFrame:
    """Every observation of an album through a track (``dim_album`` columns + ``artists``)."""
    album = F.col("album")
    raw = album["release_date"]
    parsed, precision = album_release(album)
    return entries.filter((F.col("kind") == S.ENTRY_TRACK) & ~is_blank(album["id"])).select(
        album["id"].alias("album_id"),
        album["name"].alias("album_name"),
        album["uri"].alias("album_uri"),
        album["album_type"].alias("album_type"),
        parsed.alias("release_date"),
        precision.alias("release_date_precision"),
        raw.alias("release_date_raw"),
        F.year(parsed).alias("release_year"),
        to_int(album["total_tracks"]).alias("total_tracks"),
        *_LINEAGE,
        *_with_tiebreak(F.col("line_no"), F.col("position"), F.lit(0)),
        album["artists"].alias("artists"),
    )


def artist_observations(entries: DataFrame) -> DataFrame:
    """Every artist reference of a track: the track's artists, then its album's artists."""
    tracks = entries.filter(F.col("kind") == S.ENTRY_TRACK)
    refs = tracks.select(
        *DOC_COLUMNS,
        "position",
        F.posexplode_outer("artists").alias("_ref", "artist"),
    ).withColumn("_group", F.lit(0))
    album_refs = (
        tracks.filter(~is_blank(F.col("album.id")))
        .select(
            *DOC_COLUMNS,
            "position",
            F.posexplode_outer("album.artists").alias("_ref", "artist"),
        )
        .withColumn("_group", F.lit(1))
    )
    both = refs.unionByName(album_refs)
    return both.filter(~is_blank(F.col("artist.id"))).select(
        F.col("artist.id").alias("artist_id"),
        F.col("artist.name").alias("artist_name"),
        F.col("artist.uri").alias("artist_uri"),
        *_LINEAGE,
        # Within one entry the track's own artists come before its album's.
        *_with_tiebreak(
            F.col("line_no"), F.col("position"), F.col("_group") * 10_000 + F.col("_ref")
        ),
    )


def drop_artists(df: DataFrame) -> DataFrame:
    """The observation without its artist array (what the dimension stores)."""
    return df.drop("artists")


def with_song_key(tracks: DataFrame) -> DataFrame:
    """``song_key`` of every ``dim_track`` row, new or read back from the lake, from the
    row's own columns (the rule of ``song_key``), so a partition written before the column
    existed gets it when its date is written again."""
    return tracks.withColumn(
        "song_key", song_key(F.col("isrc"), F.col("linked_from_track_id"), F.col("track_id"))
    )


def artist_bridge(key: str) -> Transform:
    """Bridge rows of each winning observation: ``(key, artist_id, artist_position)``.

    ``artist_position`` is the 1-based place in Spotify's array (1 = primary); a reference
    without an id is left out (and counted) but keeps its place, so positions stay true.
    """

    def _bridge(observations: DataFrame) -> DataFrame:
        return (
            observations.select(
                key,
                *_LINEAGE,
                "_priority",
                F.posexplode("artists").alias("_ref", "artist"),
            )
            .filter(~is_blank(F.col("artist.id")))
            .select(
                key,
                F.col("artist.id").alias("artist_id"),
                (F.col("_ref") + 1).cast("int").alias("artist_position"),
                *_LINEAGE,
                "_priority",
            )
        )

    return _bridge


def playlist_rows(docs: DataFrame) -> DataFrame:
    """``dim_playlist``: one row per good document (winners are chosen later)."""
    playlist = F.col("playlist_meta")
    return docs.select(
        "playlist_id",
        playlist["name"].alias("playlist_name"),
        playlist["description"].alias("description"),
        playlist["owner"]["id"].alias("owner_id"),
        playlist["owner"]["display_name"].alias("owner_display_name"),
        playlist["public"].alias("is_public"),
        playlist["collaborative"].alias("is_collaborative"),
        playlist["snapshot_id"].alias("snapshot_id"),
        playlist["followers"]["total"].alias("followers_total"),
        F.col("n_entries").cast("int").alias("total_items"),
        "api_shape",
        *_LINEAGE,
        *_with_tiebreak(F.col("line_no"), F.lit(0), F.lit(0)),
    )


# ---------------------------------------------------------------------------------------
# Latest wins
# ---------------------------------------------------------------------------------------


def _latest_order() -> list[Column]:
    return [
        F.col("extracted_at").desc_nulls_last(),
        F.col("source_file").desc_nulls_last(),
        F.col("_priority").asc_nulls_last(),
        *(F.col(c).asc_nulls_last() for c in _TIEBREAK),
    ]


def latest_observation(keys: Sequence[str]) -> Transform:
    """Exactly one row per key per ``snapshot_date``: the latest observation.

    Order: greatest ``extracted_at``, then greatest ``source_file`` (the contract's rule),
    then ``_priority`` (0 = read in this run, 1 = already in the lake: a re-read of the
    same file replaces what the lake holds), then the first line / entry / reference.
    """

    def _latest(df: DataFrame) -> DataFrame:
        window = Window.partitionBy(*keys, S.PARTITION_COLUMN).orderBy(*_latest_order())
        return df.withColumn("_rn", F.row_number().over(window)).filter("_rn = 1").drop("_rn")

    return _latest


def with_priority(priority: int) -> Transform:
    """Mark rows as read in this run (0) or already in the lake (1)."""

    def _mark(df: DataFrame) -> DataFrame:
        return df.withColumn("_priority", F.lit(priority))

    return _mark


def lake_rows(df: DataFrame) -> DataFrame:
    """Rows read back from the lake, made comparable with new observations."""
    return df.transform(with_priority(1)).select(
        "*", *(F.lit(None).cast("int").alias(c) for c in _TIEBREAK)
    )


def rows_of_winners(parent_keys: Sequence[str]) -> Callable[[DataFrame, DataFrame], DataFrame]:
    """Child rows (facts, bridges) that belong to the winning parent observation.

    A semi-join on the key, the date and the observation's identity
    (``extracted_at``, ``source_file``, ``_priority``): a bridge never mixes artists of two
    observations, and a fact never mixes entries of two documents of one playlist.
    """
    join_cols = [*parent_keys, S.PARTITION_COLUMN, "extracted_at", "source_file", "_priority"]

    def _keep(children: DataFrame, parents: DataFrame) -> DataFrame:
        return children.join(parents.select(*join_cols), on=join_cols, how="left_semi")

    return _keep


def table_columns(table: str) -> Transform:
    """Exactly the contract's columns, in order, with the contract's types."""
    schema = S.TABLE_SCHEMAS[table]

    def _select(df: DataFrame) -> DataFrame:
        return df.select(*(F.col(f.name).cast(f.dataType).alias(f.name) for f in schema.fields))

    return _select


# ---------------------------------------------------------------------------------------
# Counting (aggregations only: nothing item-level reaches the driver)
# ---------------------------------------------------------------------------------------

ENTRY_KINDS = (
    S.ENTRY_TRACK,
    S.ENTRY_LOCAL_FILE,
    S.ENTRY_EPISODE,
    S.ENTRY_MALFORMED,
    S.ENTRY_NULL_ITEM,
    S.ENTRY_UNSUPPORTED_TYPE,
    S.ENTRY_MISSING_ID,
)

# Values a document has that their column cannot read are stored as null, the row kept,
# and counted here (run summary ``unreadable_values``, contract section 5): an ``added_at``
# that is not an ISO date-time, an integer that does not fit an int, a ``release_date``
# that does not have the shape of its precision or does not exist, a precision Spotify does
# not send. Spotify's own "unknown" release date (year ``0000``) is not counted.
UNREADABLE_VALUES: dict[str, tuple[str, ...]] = {
    S.FACT_PLAYLIST_ITEM: ("added_at", "popularity"),
    S.DIM_TRACK: ("popularity", "disc_number", "track_number"),
    S.DIM_ALBUM: ("release_date", "release_date_precision", "total_tracks"),
}
EXTRA_COUNTS = ("track_without_album_id", "track_artist_without_id", "album_artist_without_id")


def unreadable_count_name(table: str, column: str) -> str:
    return f"unreadable__{table}__{column}"


COUNT_NAMES = (
    *ENTRY_KINDS,
    *EXTRA_COUNTS,
    *(unreadable_count_name(t, c) for t, cols in UNREADABLE_VALUES.items() for c in cols),
)


def entry_counts(entries: DataFrame) -> DataFrame:
    """One row: entries of this run's documents by kind, the references without id, and
    the unreadable values per table and column (named as ``COUNT_NAMES``)."""
    kind = F.col("kind")
    is_track = kind == S.ENTRY_TRACK
    in_fact = kind.isin(S.ENTRY_TRACK, S.ENTRY_LOCAL_FILE, S.ENTRY_EPISODE)
    has_album = is_track & ~is_blank(F.col("album.id"))
    flags = F.col("_unreadable")
    album = F.col("album")
    raw_date = album["release_date"]
    parsed, precision = album_release(album)
    where = {S.FACT_PLAYLIST_ITEM: in_fact, S.DIM_TRACK: is_track, S.DIM_ALBUM: has_album}
    # Each condition compares the raw value with the very expression its column stores.
    value_unreadable = {
        **{c: flags[c] for c in ("added_at", *_PAYLOAD_INTS)},
        "release_date": unreadable(raw_date, parsed) & ~raw_date.startswith("0000"),
        "release_date_precision": unreadable(album["release_date_precision"], precision),
        "total_tracks": unreadable(album["total_tracks"], to_int(album["total_tracks"])),
    }

    def n(condition: Column, name: str) -> Column:
        return F.sum(F.when(condition, 1).otherwise(0)).alias(name)

    new = entries.filter(F.col("_is_new"))
    return new.agg(
        *(n(kind == k, k) for k in ENTRY_KINDS),
        n(is_track & ~has_album, "track_without_album_id"),
        F.sum(F.when(is_track, missing_id_count(F.col("artists"))).otherwise(0)).alias(
            "track_artist_without_id"
        ),
        F.sum(F.when(has_album, missing_id_count(F.col("album.artists"))).otherwise(0)).alias(
            "album_artist_without_id"
        ),
        *(
            n(where[table] & value_unreadable[column], unreadable_count_name(table, column))
            for table, columns in UNREADABLE_VALUES.items()
            for column in columns
        ),
    )
