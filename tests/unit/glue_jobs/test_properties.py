"""Property-based: generated playlist documents, both API shapes, through the real transforms.

Hypothesis builds a handful of documents in up to three independent worlds (several
playlists and dates, extraction times that collide, tracks shared between playlists and
worlds with differing albums and artists, every kind of messy entry). They go through the
job's own parse -> explode -> ``build_tables`` chain, and the contract's invariants are
checked against an oracle computed here in plain Python from the generated dictionaries:

- the job's planner, over the metadata Spark parsed, picks the oracle's winners (the latest
  extracted_at, then source file, per playlist and date) and supersedes the rest;
- every track entry of a winning document gives exactly one fact row (same position, id),
  and the job counts each entry kind as the oracle does;
- one dimension row per id and date; every fact track/album, every bridge artist, every
  track's album exists in its dimension on the same date.

Both output layouts (hashed by date, and by date and key) are built from each example, and
each table's plan is checked to shuffle once, by the layout.

As in ``run_job``, the parsed lines and the classified entries are written to Parquet and
read back before ``build_tables``: the tables are built from materialised inputs, the way
the job builds them, and each example costs a few small Spark jobs instead of recomputing
the parse in every branch of the seven tables.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import functions as F

from glue_jobs import transforms as X
from glue_jobs.pipeline import (
    ENTRIES_DIR,
    PARSED_DIR,
    OutputLayout,
    build_tables,
    configure_session,
)
from glue_jobs.planning import Document, plan_run
from tests.oracle import FACT_KINDS, entry_kind
from tests.unit.glue_jobs import builders as B

pytestmark = pytest.mark.spark

ARTISTS = [B.artist(f"a{i}", f"Artist, {i}") for i in range(5)]
DATES = ["2026-01-05", "2026-01-12"]


@st.composite
def tracks(draw):
    album = B.album(
        draw(st.sampled_from(["b1", "b2", "b3"])),
        draw(st.sampled_from(["Album", 'Al "bum"', "Älbum"])),
        artists=draw(st.lists(st.sampled_from(ARTISTS), max_size=2)),
        release_date=draw(st.sampled_from(["1998", "1998-07", "1998-07-14", None])),
        precision=draw(st.sampled_from(["year", "month", "day", None])),
    )
    return B.track(
        draw(st.sampled_from(["t1", "t2", "t3", "t4"])),
        draw(st.sampled_from(["Song", "Song, live", "Sång"])),
        album_obj=album,
        artists=draw(st.lists(st.sampled_from(ARTISTS), min_size=1, max_size=3)),
        popularity=draw(st.one_of(st.none(), st.integers(0, 100))),
    )


payloads = st.one_of(
    tracks(),
    st.just(None),
    st.just("omit"),
    st.just(B.local_track("Heart", "Band")),
    st.just(B.episode("e1", "Episode")),
    st.just(B.track(None, "No id")),
    # Neither track nor episode, with and without an id: unsupported_type either way.
    st.just({**B.track("c1", "Chapter"), "type": "chapter"}),
    st.just({**B.track(None, "Chapter"), "type": "chapter"}),
)


@st.composite
def documents(draw, world: str = ""):
    shape = draw(st.sampled_from(["items", "tracks"]))
    entries = []
    for payload in draw(st.lists(payloads, max_size=5)):
        added_by = draw(st.sampled_from(["u1", None, {"id": ""}]))
        if payload == "omit":
            entries.append(B.entry(None, shape=shape, omit_payload=True, added_by=added_by))
        else:
            entries.append(B.entry(payload, shape=shape, added_by=added_by))
    day = draw(st.sampled_from(DATES))
    hour = draw(st.integers(6, 7))  # few distinct times: ties are common
    return B.document(
        world + draw(st.sampled_from(["p1", "p2"])),
        f"{day}T0{hour}:00:00.000001Z",
        entries,
        shape=shape,
    )


@st.composite
def worlds(draw):
    """Up to three independent sets of documents, as one input.

    A world's playlists are its own (their ids are prefixed with the world), so each world
    has its own winners and superseded documents, as a separate example would; tracks,
    albums and artists are shared, so the dimensions also see the same ids from several
    worlds. One Spark pass checks all of them: a pass over a few documents costs seconds
    whatever their number, so a world costs little more than its share of one pass.
    """
    return [
        doc
        for k in range(draw(st.integers(1, 3)))
        for doc in draw(st.lists(documents(f"w{k}-"), min_size=1, max_size=4))
    ]


# The columns the invariants look at, per table: collected in one Spark action.
CHECKED = {
    "fact_playlist_item": ("playlist_id", "position", "track_id", "album_id"),
    "dim_track": ("track_id", "album_id"),
    "dim_album": ("album_id",),
    "dim_artist": ("artist_id",),
    "dim_playlist": ("playlist_id",),
    "bridge_track_artist": ("track_id", "artist_id", "artist_position"),
    "bridge_album_artist": ("album_id", "artist_id", "artist_position"),
}


def collect_tables(tables):
    """``{table: [dict, ...]}`` for the checked columns, from one union of all tables."""
    parts = [
        tables[name].select(
            F.lit(name).alias("_table"),
            F.col("snapshot_date").cast("string").alias("snapshot_date"),
            F.to_json(F.struct(*cols)).alias("_row"),
        )
        for name, cols in CHECKED.items()
    ]
    union = parts[0]
    for part in parts[1:]:
        union = union.unionByName(part)
    got: dict[str, list[dict]] = {name: [] for name in CHECKED}
    for r in union.collect():
        got[r["_table"]].append({**json.loads(r["_row"]), "snapshot_date": r["snapshot_date"]})
    for name, rows in got.items():
        for row in rows:
            for col in CHECKED[name]:
                row.setdefault(col, None)  # to_json leaves nulls out
    return got


def materialised(spark, df, path: Path):
    """`df` written to Parquet and read back with its schema, as ``run_job`` stages it."""
    df.write.mode("overwrite").parquet(str(path))
    return spark.read.schema(df.schema).parquet(str(path))


@pytest.fixture
def no_aqe(spark):
    """Adaptive execution re-plans every stage: pure overhead on a few rows."""
    before = spark.conf.get("spark.sql.adaptive.enabled")
    spark.conf.set("spark.sql.adaptive.enabled", "false")
    yield
    spark.conf.set("spark.sql.adaptive.enabled", before)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(docs=worlds())
def test_invariants_hold_for_generated_documents(spark, no_aqe, docs):
    configure_session(spark)  # the job's SQL settings, as process_files sets them
    files = [f"file:/raw/doc{i:02d}.json" for i in range(len(docs))]
    # Oracle: the latest (extracted_at, source_file) per playlist and date wins.
    best: dict[tuple, int] = {}
    for i, d in enumerate(docs):
        key = (d["playlist_id"], d["snapshot_date"])
        if key not in best or (d["extracted_at"], files[i]) > (
            docs[best[key]]["extracted_at"],
            files[best[key]],
        ):
            best[key] = i
    winners = set(best.values())

    rows = [(files[i], 100, None, None, 1, json.dumps(d)) for i, d in enumerate(docs)]
    lines = spark.createDataFrame(
        rows,
        "source_file string, size long, file_reason string, file_detail string, "
        "line_no int, line string",
    )
    with tempfile.TemporaryDirectory(prefix="properties-") as staging:
        parsed = materialised(
            spark,
            lines.transform(X.parse_documents).transform(X.classify_documents),
            Path(staging) / PARSED_DIR,
        )
        assert parsed.filter(F.col("reason").isNotNull()).count() == 0
        # The job's own choice of winners: its planner over the metadata Spark parsed
        # (extracted_at read as a timestamp), checked against the oracle's string order.
        meta = parsed.select(
            "source_file", "line_no", "playlist_id", "snapshot_date", "extracted_at", "n_entries"
        ).collect()
        plan = plan_run(
            [
                Document(
                    m["source_file"],
                    m["line_no"],
                    m["playlist_id"],
                    m["snapshot_date"],
                    m["extracted_at"],
                    int(m["n_entries"]),
                )
                for m in meta
            ],
            [],
            [],
            files,
            [],
        )
        assert sorted(d.source_file for d in plan.winners) == sorted(files[i] for i in winners)
        assert sorted(d.source_file for d in plan.superseded) == sorted(
            files[i] for i in range(len(docs)) if i not in winners
        )
        winner_df = spark.createDataFrame(
            [(d.source_file, d.line_no, True) for d in plan.winners],
            "source_file string, line_no int, _is_new boolean",
        )
        docs_df = parsed.join(F.broadcast(winner_df), ["source_file", "line_no"])
        entries = materialised(
            spark,
            docs_df.transform(X.explode_entries).transform(X.classify_entries),
            Path(staging) / ENTRIES_DIR,
        )
        counts = entries.transform(X.entry_counts).collect()[0]
        # Both output layouts (hashed by date; by date and key) from the same inputs.
        for by_key in (False, True):
            tables = build_tables(docs_df, entries, lambda _table: None, OutputLayout(2, by_key))
            # Each table is shuffled once, by the layout; the window and the bridges'
            # semi-join reuse that partitioning (no shuffle of the planner's own,
            # ENSURE_REQUIREMENTS).
            for name, df in tables.items():
                plan = df._jdf.queryExecution().executedPlan().toString()
                assert "ENSURE_REQUIREMENTS" not in plan, (name, by_key, plan)
                assert "REPARTITION_BY_NUM" in plan, (name, by_key, plan)
            check_tables(collect_tables(tables), docs, winners, counts)


def check_tables(got, docs, winners, counts) -> None:
    """The contract's invariants on the collected tables, against the oracle."""
    # Each track entry of a winning document: exactly one fact row, same position and id.
    expected_tracks = Counter()
    expected_fact = 0
    expected_kinds: Counter[str] = Counter()
    for i in winners:
        d = docs[i]
        shape = d["api_shape"]
        payload_key = "item" if shape == "items" else "track"
        for pos, e in enumerate(d["playlist"][shape]["items"], start=1):
            kind = entry_kind(e)
            expected_kinds[kind] += 1
            if kind in FACT_KINDS:
                expected_fact += 1
            if kind == "track":
                key = (d["playlist_id"], d["snapshot_date"], pos, e[payload_key]["id"])
                expected_tracks[key] += 1
    fact = got["fact_playlist_item"]
    fact_tracks = Counter(
        (r["playlist_id"], r["snapshot_date"], r["position"], r["track_id"])
        for r in fact
        if r["track_id"] is not None
    )
    assert fact_tracks == expected_tracks
    assert len(fact) == expected_fact

    # The job's counts of each kind (over the winners' entries) are the oracle's.
    for kind in X.ENTRY_KINDS:
        assert (counts[kind] or 0) == expected_kinds[kind], kind

    # Dimensions: one row per id and date; everything referenced exists.
    ids: dict[str, set] = defaultdict(set)
    for table, key in [
        ("dim_track", "track_id"),
        ("dim_album", "album_id"),
        ("dim_artist", "artist_id"),
        ("dim_playlist", "playlist_id"),
    ]:
        keys = [(r[key], r["snapshot_date"]) for r in got[table]]
        assert len(keys) == len(set(keys)), f"{table} has two rows for one id and date"
        ids[table] = set(keys)
    for r in fact:
        if r["track_id"] is not None:
            assert (r["track_id"], r["snapshot_date"]) in ids["dim_track"]
            assert (r["album_id"], r["snapshot_date"]) in ids["dim_album"]
    for r in got["dim_track"]:
        assert (r["album_id"], r["snapshot_date"]) in ids["dim_album"]
    for table, key in [("bridge_track_artist", "track_id"), ("bridge_album_artist", "album_id")]:
        parents = "dim_track" if key == "track_id" else "dim_album"
        for r in got[table]:
            assert (r["artist_id"], r["snapshot_date"]) in ids["dim_artist"]
            assert (r[key], r["snapshot_date"]) in ids[parents]
        pairs = [(r[key], r["snapshot_date"], r["artist_position"]) for r in got[table]]
        assert len(pairs) == len(set(pairs)), f"{table} mixes two observations"
