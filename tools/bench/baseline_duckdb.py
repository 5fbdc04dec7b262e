"""DuckDB baseline: read the same landed gzip JSON with SQL and write the same seven tables,
and the current tables the job writes beside them (glue_jobs/current.py).

One ``read_json`` over every raw file with explicit column types (no sampling, no schema
inference; keys that are not named are skipped by the parser), ``unnest`` of the entries
of either container, "latest wins" per playlist and ``snapshot_date`` with a window,
dimensions deduplicated per ``snapshot_date`` with ``arg_max``-style windows, and
``COPY ... (FORMAT parquet, PARTITION_BY snapshot_date)`` per table; then every id's latest
observation per dimension and bridge into its ``*_current`` folder (:func:`copy_current_tables`).

This is the yardstick for "how fast could one machine do this": a vectorised C++
engine with a streaming JSON parser. It validates nothing beyond what the SQL does (no
quarantine, no run summary). Threads are left at DuckDB's default (one per core, 2 here).

Run as ``python -m tools.bench.baseline_duckdb --raw R --out O --result result.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from glue_jobs.tables import PLAYLIST_TABLES, Table

ARTIST = "STRUCT(id VARCHAR, name VARCHAR, uri VARCHAR)"
ALBUM = (
    f"STRUCT(id VARCHAR, name VARCHAR, uri VARCHAR, album_type VARCHAR, release_date VARCHAR,"
    f" release_date_precision VARCHAR, total_tracks INTEGER, artists {ARTIST}[])"
)
PAYLOAD = (
    f"STRUCT(type VARCHAR, id VARCHAR, name VARCHAR, uri VARCHAR, duration_ms BIGINT,"
    f" explicit BOOLEAN, disc_number INTEGER, track_number INTEGER, popularity INTEGER,"
    f" is_local BOOLEAN, external_ids STRUCT(isrc VARCHAR), linked_from STRUCT(id VARCHAR),"
    f" album {ALBUM}, artists {ARTIST}[])"
)
ENTRY = (
    f"STRUCT(added_at VARCHAR, added_by STRUCT(id VARCHAR), is_local BOOLEAN,"
    f" item {PAYLOAD}, track {PAYLOAD})"
)
CONTAINER = f"STRUCT(total INTEGER, items {ENTRY}[])"
PLAYLIST = (
    f"STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, public BOOLEAN,"
    f" collaborative BOOLEAN, snapshot_id VARCHAR,"
    f" owner STRUCT(id VARCHAR, display_name VARCHAR), followers STRUCT(total BIGINT),"
    f" items {CONTAINER}, tracks {CONTAINER})"
)
COLUMNS = {
    "contract_version": "INTEGER",
    "playlist_id": "VARCHAR",
    "extracted_at": "VARCHAR",
    "snapshot_date": "VARCHAR",
    "api_shape": "VARCHAR",
    "playlist": PLAYLIST,
}

TABLES = tuple(t.name for t in PLAYLIST_TABLES)


# The "paths" variant reads each entry as JSON text and pulls every field it needs out of
# it with ONE multi-path json_extract_string call; only the small artist arrays go
# through json_transform. DuckDB's JSON-to-nested-STRUCT transform of whole entries (the
# "struct" variant) costs several times the CPU per entry (docs/benchmarks.md).
PAYLOAD_FIELDS = (
    # (name in the payload struct, JSON path below the payload, SQL type)
    ("type", "type", "VARCHAR"),
    ("id", "id", "VARCHAR"),
    ("name", "name", "VARCHAR"),
    ("uri", "uri", "VARCHAR"),
    ("duration_ms", "duration_ms", "BIGINT"),
    ("explicit", "explicit", "BOOLEAN"),
    ("disc_number", "disc_number", "INTEGER"),
    ("track_number", "track_number", "INTEGER"),
    ("popularity", "popularity", "INTEGER"),
    ("is_local", "is_local", "BOOLEAN"),
    ("isrc", "external_ids.isrc", "VARCHAR"),
    ("linked_from_id", "linked_from.id", "VARCHAR"),
    ("album_id", "album.id", "VARCHAR"),
    ("album_name", "album.name", "VARCHAR"),
    ("album_uri", "album.uri", "VARCHAR"),
    ("album_type", "album.album_type", "VARCHAR"),
    ("release_date", "album.release_date", "VARCHAR"),
    ("release_date_precision", "album.release_date_precision", "VARCHAR"),
    ("total_tracks", "album.total_tracks", "INTEGER"),
    ("artists", "artists", "JSON"),
    ("album_artists", "album.artists", "JSON"),
)
ENTRY_PATHS = ("$.added_at", "$.added_by.id", "$.is_local")
ARTISTS_SHAPE = """'[{"id": "VARCHAR", "name": "VARCHAR", "uri": "VARCHAR"}]'"""
CONTAINER_AS_TEXT = "STRUCT(total INTEGER, items JSON[])"


def _columns_literal(variant: str = "struct") -> str:
    columns = dict(COLUMNS)
    if variant == "paths":
        columns["playlist"] = PLAYLIST.replace(CONTAINER, CONTAINER_AS_TEXT)
    return "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"


def _entries_select(columns: str, lineage: str) -> str:
    """A select of every entry of the winning documents: the entry ``e.entry`` at
    ``e.position`` (from 1), with ``columns`` of its own between its document's keys and
    lineage (the document is ``d``)."""
    return f"""
        select
            d.playlist_id,
            d.playlist.snapshot_id as snapshot_id,
            cast(e.position as integer) as position,
            {columns},
            d.{lineage.replace(", ", ", d.")},
            d.snapshot_date
        from won as d,
            lateral (
                select unnest(d.container.items) as entry,
                    generate_subscripts(d.container.items, 1) as position
            ) as e
        """


def _struct_pack(fields: dict) -> str:
    """DuckDB's ``struct_pack`` of ``fields``: name -> SQL, or name -> fields of a nested struct."""
    packed = (
        f"{name} := {_struct_pack(value) if isinstance(value, dict) else value}"
        for name, value in fields.items()
    )
    return f"struct_pack({', '.join(packed)})"


def _entries_by_paths(lineage: str) -> str:
    """The `entries` table of the struct variant, built from JSON text with one parse."""
    paths = list(ENTRY_PATHS)
    for key in ("item", "track"):
        paths += [f"$.{key}.{path}" for _, path, _ in PAYLOAD_FIELDS]
    n = len(PAYLOAD_FIELDS)
    first = len(ENTRY_PATHS) + 1  # DuckDB lists are 1-based
    type_at, uri_at = first, first + 3

    def picked(index: int, sql_type: str) -> str:
        value = f"v[{first + index} + shift]"
        return value if sql_type in ("VARCHAR", "JSON") else f"cast({value} as {sql_type})"

    field_sql = {name: picked(i, sql_type) for i, (name, _, sql_type) in enumerate(PAYLOAD_FIELDS)}
    # The payload struct, nested as the JSON paths are (`album.id` is `album := struct_pack(
    # id := ...)`), in PAYLOAD_FIELDS' order; the JSON fields are the artist arrays.
    payload_fields: dict = {}
    for name, path, sql_type in PAYLOAD_FIELDS:
        *parents, leaf = path.split(".")
        node = payload_fields
        for parent in parents:
            node = node.setdefault(parent, {})
        value = field_sql[name]
        node[leaf] = f"json_transform({value}, {ARTISTS_SHAPE})" if sql_type == "JSON" else value
    path_list = "[" + ", ".join(f"'{p}'" for p in paths) + "]"
    return f"""
        create temp table entries as
        with extracted as (
            {_entries_select(f"json_extract_string(e.entry, {path_list}) as v", lineage)}
        ),
        shifted as (
            -- `item` when it is there and not null, else `track` (the contract's rule).
            select *,
                case when v[{type_at}] is not null or v[{uri_at}] is not null
                    then 0 else {n} end as shift
            from extracted
        )
        select
            playlist_id,
            snapshot_id,
            position,
            case when v[{type_at} + shift] is not null or v[{uri_at} + shift] is not null
                then {_struct_pack(payload_fields)}
            end as payload,
            v[1] as added_at,
            nullif(v[2], '') as added_by_id,
            coalesce(cast(v[3] as boolean), false)
                or coalesce({field_sql["is_local"]}, false) as is_local,
            {lineage},
            snapshot_date
        from shifted
        """


# The entry container of a document: `items` in the 2026 shape, else `tracks`.
CONTAINER_SQL = (
    "coalesce(case when api_shape = 'items' then playlist.items end, "
    "playlist.tracks, playlist.items)"
)


def _artist_bridge(table: str, id_column: str, credited: str, lineage: str) -> str:
    """``out_<table>``: the artist credits of ``credited`` (the track ``payload`` or its
    album), one row per id, position and snapshot_date (the latest extraction), credits
    without an artist id left out."""
    return f"""
        create temp table out_{table} as
        select
            {credited}.id as {id_column},
            x.artist.id as artist_id,
            cast(x.artist_position as integer) as artist_position,
            {lineage},
            snapshot_date
        from tracks,
            lateral (
                select unnest({credited}.artists) as artist,
                    generate_subscripts({credited}.artists, 1) as artist_position
            ) as x
        where {credited}.id is not null and x.artist.id is not null
        qualify row_number() over (
            partition by {credited}.id, x.artist_position, snapshot_date
            order by extracted_at desc
        ) = 1
        """


def _statements(raw: Path, variant: str = "paths") -> list[str]:
    glob = str(raw / "snapshot_date=*" / "playlist_id=*" / "*.json*")
    lineage = "extracted_at, source_file"
    statements = [
        # Every document as read; the big entry lists are materialised once, here.
        f"""
        create temp table docs as
        select
            contract_version,
            playlist_id,
            strptime(extracted_at, '%Y-%m-%dT%H:%M:%S.%fZ') as extracted_at,
            cast(snapshot_date as date) as snapshot_date,
            api_shape,
            playlist,
            filename as source_file
        from read_json(
            '{glob}',
            columns = {_columns_literal(variant)},
            format = 'newline_delimited',
            records = true,
            compression = 'gzip',
            maximum_object_size = 536870912,
            filename = true
        )
        """,
        # The documents that count: contract version 1, complete, latest of their day.
        # Chosen on a narrow projection, so the entry lists are not copied again.
        f"""
        create temp table winners as
        with candidates as (
            select playlist_id, snapshot_date, extracted_at, source_file, {CONTAINER_SQL} as c
            from docs
            where contract_version = 1
        )
        select source_file
        from candidates
        where len(c.items) = c.total
        qualify row_number() over (
            partition by playlist_id, snapshot_date order by extracted_at desc
        ) = 1
        """,
        f"""
        create temp view won as
        select docs.*, {CONTAINER_SQL} as container
        from docs
        semi join winners using (source_file)
        """,
        "create temp table entries as "
        + _entries_select(
            """
            coalesce(e.entry.item, e.entry.track) as payload,
            e.entry.added_at as added_at,
            nullif(e.entry.added_by.id, '') as added_by_id,
            coalesce(e.entry.is_local, false)
                or coalesce(coalesce(e.entry.item, e.entry.track).is_local, false) as is_local""",
            lineage,
        ),
        """
        create temp table facts as
        select
            playlist_id,
            snapshot_id,
            position,
            case when payload.type = 'episode' then 'episode' else 'track' end as item_type,
            case when kind = 'track' then payload.id end as track_id,
            case when kind = 'episode' then payload.id end as episode_id,
            case when kind = 'track' then payload.album.id end as album_id,
            payload.uri as item_uri,
            payload.name as item_name,
            cast(try_strptime(added_at, '%Y-%m-%dT%H:%M:%SZ') as timestamp) as added_at,
            added_by_id,
            payload.popularity as popularity,  -- as sent (a local file's 0 too; contract s3)
            payload.duration_ms as duration_ms,
            is_local,
            extracted_at,
            source_file,
            snapshot_date,
            payload
        from (
            -- The contract's entry kinds (section 4), the first that applies.
            select *,
                case
                    when payload is null then 'null_item'
                    when is_local then 'local_file'
                    when payload.type not in ('track', 'episode') then 'unsupported_type'
                    when regexp_full_match(coalesce(payload.id, ''), '\\s*') then 'missing_id'
                    when payload.type = 'episode' then 'episode'
                    else 'track'
                end as kind
            from entries
        )
        where kind in ('track', 'local_file', 'episode')
        """,
        """
        create temp table out_fact_playlist_item as
        select * exclude (payload) from facts
        """,
        f"""
        create temp table tracks as
        select payload, {lineage}, snapshot_date from facts where track_id is not null
        """,
        f"""
        create temp table out_dim_track as
        select
            payload.id as track_id,
            payload.name as track_name,
            payload.uri as track_uri,
            payload.album.id as album_id,
            payload.duration_ms as duration_ms,
            payload.explicit as explicit,
            payload.disc_number as disc_number,
            payload.track_number as track_number,
            payload.external_ids.isrc as isrc,
            payload.popularity as popularity,
            payload.linked_from.id as linked_from_track_id,
            case
                when regexp_full_match(
                    upper(regexp_replace(payload.external_ids.isrc, '[[:space:]-]', '', 'g')),
                    '[A-Z]{{2}}[A-Z0-9]{{3}}[0-9]{{7}}'
                )
                    then 'isrc:' || upper(regexp_replace(payload.external_ids.isrc, '[[:space:]-]', '', 'g'))
                when coalesce(payload.linked_from.id, '') <> ''
                    then 'track:' || payload.linked_from.id
                else 'track:' || payload.id
            end as song_key,
            {lineage},
            snapshot_date
        from tracks
        qualify row_number() over (
            partition by payload.id, snapshot_date order by extracted_at desc
        ) = 1
        """,
        f"""
        create temp table out_dim_album as
        with albums as (
            select payload.album as a, {lineage}, snapshot_date
            from tracks
            where payload.album.id is not null
            qualify row_number() over (
                partition by payload.album.id, snapshot_date order by extracted_at desc
            ) = 1
        ),
        dated as (
            select *,
                case a.release_date_precision
                    when 'year' then try_strptime(a.release_date, '%Y')
                    when 'month' then try_strptime(a.release_date, '%Y-%m')
                    when 'day' then try_strptime(a.release_date, '%Y-%m-%d')
                end as released
            from albums
        )
        select
            a.id as album_id,
            a.name as album_name,
            a.uri as album_uri,
            a.album_type as album_type,
            cast(released as date) as release_date,
            a.release_date_precision as release_date_precision,
            a.release_date as release_date_raw,
            cast(year(released) as integer) as release_year,
            a.total_tracks as total_tracks,
            {lineage},
            snapshot_date
        from dated
        """,
        _artist_bridge("bridge_track_artist", "track_id", "payload", lineage),
        _artist_bridge("bridge_album_artist", "album_id", "payload.album", lineage),
        f"""
        create temp table out_dim_artist as
        with every_artist as (
            select unnest(payload.artists) as artist, {lineage}, snapshot_date from tracks
            union all
            select unnest(payload.album.artists) as artist, {lineage}, snapshot_date
            from tracks
        )
        select
            artist.id as artist_id,
            artist.name as artist_name,
            artist.uri as artist_uri,
            {lineage},
            snapshot_date
        from every_artist
        where artist.id is not null
        qualify row_number() over (
            partition by artist.id, snapshot_date order by extracted_at desc
        ) = 1
        """,
        f"""
        create temp table out_dim_playlist as
        select
            playlist_id,
            playlist.name as playlist_name,
            playlist.description as description,
            playlist.owner.id as owner_id,
            playlist.owner.display_name as owner_display_name,
            playlist.public as is_public,
            playlist.collaborative as is_collaborative,
            playlist.snapshot_id as snapshot_id,
            playlist.followers.total as followers_total,
            container.total as total_items,
            api_shape,
            {lineage},
            snapshot_date
        from won
        """,
    ]
    if variant == "paths":
        statements[3] = _entries_by_paths(lineage)
    return statements


def run(raw: Path, out: Path, *, memory_limit: str | None = None, variant: str = "paths") -> dict:
    """Transform every raw file under `raw` into the seven tables under `out`."""
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
    for statement in _statements(raw, variant):
        con.execute(statement)
    entries_read = con.execute("select coalesce(sum(len(container.items)), 0) from won").fetchone()[
        0
    ]
    written = {}
    for table in TABLES:
        target = out / table
        target.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"copy out_{table} to '{target}' "
            "(format parquet, compression snappy, partition_by (snapshot_date), "
            "overwrite_or_ignore true)"
        )
        written[table] = con.execute(f"select count(*) from out_{table}").fetchone()[0]
    current = copy_current_tables(con, out, PLAYLIST_TABLES, lambda t: f"out_{t.name}")
    files_read = con.execute(
        f"select count(*) from glob('{raw}/snapshot_date=*/playlist_id=*/*.json*')"
    ).fetchone()[0]
    con.close()
    # rows_written: the seven tables, as the other engines count them; the current tables
    # apart (the Glue job's run summary keeps them out of its rows_written too).
    return {
        "files_read": files_read,
        "entries_read_latest": entries_read,
        "rows_written": written,
        "current_rows": current,
    }


def current_rows_sql(relation: str, table: Table) -> str:
    """The rows of every id's latest observation among ``relation``'s (``table``'s rows,
    its partition column a date): greatest partition date, then lineage (data contract,
    section 3)."""
    order = ", ".join(f"{c} desc" for c in (table.partition.name, *table.order))
    columns = ", ".join(c.name for c in table.all_columns)
    return (
        f"select {columns} from {relation} "
        f"qualify dense_rank() over (partition by {table.id_column} order by {order}) = 1"
    )


def copy_current_tables(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    tables: Iterable[Table],
    relation: Callable[[Table], str],
) -> dict[str, int]:
    """Write the current table of each of ``tables`` that has one as the job does (one
    folder under ``out``, no partition) from ``relation(table)``; returns rows per table."""
    written = {}
    for table in tables:
        if not table.current:
            continue
        target = out / table.current
        target.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"create or replace temp table current_rows as "
            f"{current_rows_sql(relation(table), table)}"
        )
        con.execute(
            f"copy current_rows to '{target / 'part-00000.snappy.parquet'}' "
            "(format parquet, compression snappy)"
        )
        written[table.current] = con.execute("select count(*) from current_rows").fetchone()[0]
    return written


def main(argv: list[str] | None = None) -> int:
    return baseline_main(
        argv,
        __doc__.splitlines()[0],
        run,
        "raw",
        ("paths", "struct"),
        "how entries are read: JSON text + one multi-path extract, or nested STRUCTs",
    )


def baseline_main(
    argv: list[str] | None,
    description: str,
    run: Callable[..., dict],
    source: str,
    variants: tuple[str, ...],
    variant_help: str | None = None,
) -> int:
    """A DuckDB baseline's command line: ``--<source> --out --result [--memory-limit]
    [--variant]`` (the first of ``variants`` by default); writes ``run``'s summary, with the
    variant and the seconds it took, to ``--result``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(f"--{source}", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--memory-limit")
    parser.add_argument("--variant", choices=variants, default=variants[0], help=variant_help)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    summary = run(
        getattr(args, source), args.out, memory_limit=args.memory_limit, variant=args.variant
    )
    summary["variant"] = args.variant
    summary["seconds_inside"] = round(time.perf_counter() - started, 3)
    args.result.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
