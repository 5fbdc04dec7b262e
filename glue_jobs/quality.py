"""Data-quality rules of the curated tables: declared once, checked every run, deployed to Glue.

``RULES`` is the one declaration. Everything else is derived from it:

- :func:`evaluate` measures every rule on Spark over the partitions a run wrote (its staged
  output, before publishing), in one Spark action; :func:`summary_block` turns the
  measurements into the run summary's ``data_quality`` block (docs/data-contract.md
  section 5, docs/data-quality.md);
- :func:`dqdl_ruleset` renders the same rules (``RULES`` and ``CHART_RULES``) as an AWS Glue
  Data Quality ruleset (DQDL) per table; ``python -m glue_jobs.quality --write-dqdl`` writes them to
  ``terraform/modules/glue/data_quality/<table>.dqdl``, which ``quality.tf`` deploys on the
  Data Catalog tables. A test regenerates them and fails on any difference.

A rule is data: a table, a kind, columns, a threshold. ``observed <= threshold`` passes.

| kind | observed | per |
|---|---|---|
| ``unique`` | rows beyond the first of each key (``columns``) | ``snapshot_date`` |
| ``not_null`` | fraction of the checked rows (those ``where`` selects) with ``columns[0]`` null | table |
| ``references`` | rows whose non-null ``columns[0]`` is not ``reference``'s key on the same date | ``snapshot_date`` |
| ``snapshot_drop`` | the largest fall of ``columns[1]`` per ``columns[0]`` from its previous snapshot, as a fraction of the previous | ``columns[0]`` |

A failed rule does not stop the run: the data is published, the failure is in the summary
and in the ``DataQualityFailures`` metric (docs/data-quality.md says why).

The chart job's tables have their own list, ``CHART_RULES`` (each job checks and reports
its own); the Glue rulesets cover both (``ALL_RULES``). Adding a table means adding its
rules to its job's list and running ``python -m glue_jobs.quality --write-dqdl``; the run
summary, the metrics, the report and the Glue rulesets follow.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from glue_jobs import schemas as S
from glue_jobs import tables

UNIQUE = "unique"
NOT_NULL = "not_null"
REFERENCES = "references"
SNAPSHOT_DROP = "snapshot_drop"
KINDS = (UNIQUE, NOT_NULL, REFERENCES, SNAPSHOT_DROP)

# The grain of each table within one snapshot_date (one row per key), from its one
# definition in glue_jobs/tables.py. Facts and bridges are finer than their key (the parent
# whose latest observation wins): one row per playlist position, per artist position.
TABLE_GRAIN: dict[str, tuple[str, ...]] = {t.name: t.grain for t in tables.TABLES}

# A snapshot_drop rule compares a playlist's snapshot with its latest earlier one among the
# lake's partitions of this many dates before each checked date (weekly: two months). An
# older previous snapshot is not compared: reading it would make every run read history.
PREVIOUS_DATES = 8


@dataclass(frozen=True)
class Rule:
    """One data-quality rule; ``observed <= threshold`` passes (see the module docstring)."""

    table: str
    kind: str
    columns: tuple[str, ...]
    threshold: float = 0
    # not_null: a Spark SQL predicate choosing the rows the rule applies to.
    where: str | None = None
    # references: the referenced table; its key (TABLE_GRAIN) has the column's name.
    reference: str | None = None

    @property
    def name(self) -> str:
        if self.kind == UNIQUE:
            return f"{self.table}.key_unique"
        if self.kind == REFERENCES:
            return f"{self.table}.{self.columns[0]}_in_{self.reference}"
        if self.kind == SNAPSHOT_DROP:
            return f"{self.table}.{self.columns[1]}_drop"
        return f"{self.table}.{self.columns[0]}_not_null"


def _unique(table: str) -> Rule:
    return Rule(table, UNIQUE, TABLE_GRAIN[table])


def _not_null(table: str, *columns: str) -> tuple[Rule, ...]:
    return tuple(Rule(table, NOT_NULL, (c,)) for c in columns)


def _references(table: str, column: str, reference: str) -> Rule:
    return Rule(table, REFERENCES, (column,), reference=reference)


_FACT, _TRACK, _ALBUM = S.FACT_PLAYLIST_ITEM, S.DIM_TRACK, S.DIM_ALBUM
_ARTIST, _PLAYLIST = S.DIM_ARTIST, S.DIM_PLAYLIST
_TRACK_ARTIST, _ALBUM_ARTIST = S.BRIDGE_TRACK_ARTIST, S.BRIDGE_ALBUM_ARTIST

RULES: tuple[Rule, ...] = (
    # fact_playlist_item: one row per playlist position; a track entry has its track id
    # (local files and episodes have none), an episode its episode id.
    _unique(_FACT),
    *_not_null(_FACT, "playlist_id", "position"),
    Rule(_FACT, NOT_NULL, ("track_id",), where="item_type = 'track' and not is_local"),
    Rule(_FACT, NOT_NULL, ("episode_id",), where="item_type = 'episode' and not is_local"),
    _references(_FACT, "playlist_id", _PLAYLIST),
    _references(_FACT, "track_id", _TRACK),
    _references(_FACT, "album_id", _ALBUM),
    # dimensions: one row per id and date
    _unique(_TRACK),
    *_not_null(_TRACK, "track_id"),
    _references(_TRACK, "album_id", _ALBUM),
    _unique(_ALBUM),
    *_not_null(_ALBUM, "album_id"),
    _unique(_ARTIST),
    *_not_null(_ARTIST, "artist_id"),
    _unique(_PLAYLIST),
    # source_file too: rebuilding a date re-reads the raw files dim_playlist names.
    *_not_null(_PLAYLIST, "playlist_id", "source_file"),
    # A playlist that lost more than half of its entries since its previous snapshot: a
    # truncated extraction looks like this (so does an owner's clear-out, hence no blocking).
    Rule(_PLAYLIST, SNAPSHOT_DROP, ("playlist_id", "total_items"), threshold=0.5),
    # bridges: every artist of a track or album, in order
    _unique(_TRACK_ARTIST),
    *_not_null(_TRACK_ARTIST, "track_id", "artist_id", "artist_position"),
    _references(_TRACK_ARTIST, "track_id", _TRACK),
    _references(_TRACK_ARTIST, "artist_id", _ARTIST),
    _unique(_ALBUM_ARTIST),
    *_not_null(_ALBUM_ARTIST, "album_id", "artist_id", "artist_position"),
    _references(_ALBUM_ARTIST, "album_id", _ALBUM),
    _references(_ALBUM_ARTIST, "artist_id", _ARTIST),
)


_CHART_FACT, _CHART = tables.FACT_CHART_ENTRY.name, tables.DIM_CHART.name

# The chart job's tables (glue_jobs/charts_pipeline.py), checked on the dates a chart run
# writes; the playlist job checks RULES. Each job's summary lists exactly its own rules.
CHART_RULES: tuple[Rule, ...] = (
    # fact_chart_entry: one row per chart and rank, every row names its track.
    _unique(_CHART_FACT),
    *_not_null(_CHART_FACT, "chart_id", "rank", "track_id", "source_file"),
    _references(_CHART_FACT, "chart_id", _CHART),
    # dim_chart: one row per chart and date.
    _unique(_CHART),
    *_not_null(_CHART, "chart_id", "entries"),
    # A chart with less than half of the entries of its previous date: a file cut short
    # looks like this (a chart can also shrink for real, hence reported, not blocking).
    Rule(_CHART, SNAPSHOT_DROP, ("chart_id", "entries"), threshold=0.5),
)


# Every job's rules: what the Glue Data Quality rulesets are generated from.
ALL_RULES: tuple[Rule, ...] = RULES + CHART_RULES


def partition_of(table: str) -> str:
    """The partition column of a table (``snapshot_date``, ``chart_date``)."""
    known = tables.BY_NAME.get(table)
    return known.partition.name if known is not None else S.PARTITION_COLUMN


def rules_of(table: str, rules: Sequence[Rule] = RULES) -> list[Rule]:
    return [r for r in rules if r.table == table]


def history_tables(rules: Sequence[Rule] = RULES) -> list[str]:
    """Tables whose earlier partitions a check needs (``snapshot_drop``)."""
    return sorted({r.table for r in rules if r.kind == SNAPSHOT_DROP})


def earlier_dates(existing: Iterable[date], checked: Iterable[date]) -> list[date]:
    """The ``PREVIOUS_DATES`` existing partition dates before each checked date (not checked
    ones: those are read from the run's own output)."""
    checked = set(checked)
    earlier = sorted(set(existing) - checked)
    chosen: set[date] = set()
    for day in checked:
        chosen.update([d for d in earlier if d < day][-PREVIOUS_DATES:])
    return sorted(chosen)


# ---------------------------------------------------------------------------------------
# Spark: every rule measured in one DataFrame (one row per rule), collected once
# ---------------------------------------------------------------------------------------

RESULT_COLUMNS = ("rule", "observed", "failing", "checked")
# Kinds whose observed value is a number of rows (the others: a fraction).
_COUNTS = (UNIQUE, REFERENCES)


def evaluate(
    tables: Mapping[str, Any],
    history: Mapping[str, Any | None] | None = None,
    rules: Sequence[Rule] = RULES,
):
    """One row per rule: ``rule``, ``observed`` (double), ``failing`` and ``checked`` (rows).

    ``tables``: each table's rows of the checked dates (DataFrames with ``snapshot_date``);
    ``history``: for ``snapshot_drop`` tables, their rows of earlier dates (or None). Lazy:
    the caller collects it once.

    Few shuffles, whatever the number of rules (under adaptive execution each shuffle is a
    Spark job of its own; one aggregation per rule made 48 jobs): every table is scanned
    once into one observation per row and rule that looks at it (a key, a null flag, a
    reference, or a referenced key), all of them are grouped together by (rule, date,
    key), then by rule. ``snapshot_drop`` needs an ordered window: a branch of its own.
    """
    from functools import reduce

    from pyspark.sql import functions as F

    history = history or {}
    for rule in rules:
        if rule.kind not in KINDS:
            raise ValueError(f"unknown rule kind {rule.kind!r} of {rule.name}")
    if rules and all(r.table in _CHART_TABLE_NAMES for r in rules):
        return _evaluate_per_table(tables, history, rules)
    keyed = [r for r in rules if r.kind in (UNIQUE, NOT_NULL, REFERENCES)]
    observations = [
        obs for table, df in tables.items() if (obs := _observations(table, df, keyed)) is not None
    ]
    spark = next(iter(tables.values())).sparkSession
    # One zero row per rule: a rule with nothing to check still gets its result.
    seeds = spark.createDataFrame(
        [(r.name, r.kind, 0, 0) for r in keyed],
        "rule string, kind string, failing long, checked long",
    )
    parts = []
    if observations:
        per_key = (
            reduce(lambda a, b: a.unionByName(b), observations)
            .groupBy("rule", "kind", S.PARTITION_COLUMN, "key")
            .agg(
                F.sum(F.when(F.col("is_key"), 0).otherwise(1)).alias("n"),
                F.max(F.col("is_key").cast("int")).alias("known"),
            )
            .filter(F.col("n") > 0)
        )
        kind, n = F.col("kind"), F.col("n")
        failing = (
            F.when(kind == UNIQUE, n - 1)
            .when((kind == NOT_NULL) & (F.col("key")[0] == "true"), n)
            .when((kind == REFERENCES) & (F.col("known") == 0), n)
            .otherwise(0)
        )
        parts.append(
            per_key.select(
                "rule",
                "kind",
                failing.cast("long").alias("failing"),
                n.cast("long").alias("checked"),
            )
        )
    measured = (
        reduce(lambda a, b: a.unionByName(b), [*parts, seeds])
        .groupBy("rule", "kind")
        .agg(F.sum("failing").alias("failing"), F.sum("checked").alias("checked"))
    )
    fraction = F.when(F.col("checked") > 0, F.col("failing") / F.col("checked")).otherwise(0.0)
    observed = F.when(F.col("kind") == NOT_NULL, fraction).otherwise(F.col("failing"))
    results = measured.select(
        "rule", observed.cast("double").alias("observed"), "failing", "checked"
    )
    drops = [
        _drop_result(tables[r.table], history.get(r.table), r)
        for r in rules
        if r.kind == SNAPSHOT_DROP
    ]
    return reduce(lambda a, b: a.unionByName(b), [results, *drops])


# A key whose last column is an integer (a chart's rank) is grouped by the rest of it, and
# its values 1..SMALL_KEY_VALUES counted by bit masks; only other values are grouped whole.
SMALL_KEY_VALUES = 256


def distinct_small_ints(column: str, top: int = SMALL_KEY_VALUES):
    """An aggregate: how many distinct values in 1..``top`` ``column`` takes in a group.

    One bit per value in ``bit_or`` masks of 64 values each, so that the aggregation keeps
    a few longs per group rather than a set of values; values outside 1..``top`` and nulls
    are not counted."""
    from functools import reduce

    from pyspark.sql import functions as F

    counts = []
    for low in range(0, top, 64):
        bit = F.when(
            F.col(column).between(low + 1, min(low + 64, top)),
            F.expr(f"shiftleft(1L, cast(`{column}` - {low + 1} as int))"),
        )
        counts.append(F.coalesce(F.bit_count(F.bit_or(bit)), F.lit(0)))
    return reduce(lambda a, b: a + b, counts)


def _unique_per_key(df, day, columns: Sequence[str]):
    """Per group of a ``unique`` rule: ``n`` rows and ``failing``, the rows beyond the first
    of each key, exactly as grouping by (date, key) gives them.

    When the key's last column is an integer, a table with millions of keys (a chart fact:
    chart and rank) is grouped by date and the rest of the key only, with the values
    1..SMALL_KEY_VALUES of each group counted by ``distinct_small_ints``; a value outside
    that range (or null) forms a group of its own, as it would by the whole key. Grouping
    by the whole key would shuffle one group per row."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import ByteType, IntegerType, LongType, ShortType

    *prefix, last = columns
    n = F.count(F.lit(1)).alias("n")
    if not prefix or not isinstance(
        df.schema[last].dataType, (ByteType, ShortType, IntegerType, LongType)
    ):
        return df.groupBy(day, *columns).agg(n).withColumn("failing", F.col("n") - 1)
    small = F.coalesce(F.col(last).between(1, SMALL_KEY_VALUES), F.lit(False))
    grouped = df.groupBy(
        day, *prefix, small.alias("_small"), F.when(~small, F.col(last)).alias("_value")
    ).agg(n, distinct_small_ints(last).alias("_distinct"))
    return grouped.withColumn(
        "failing",
        F.when(F.col("_small"), F.col("n") - F.col("_distinct")).otherwise(F.col("n") - 1),
    )


def _evaluate_per_table(
    tables: Mapping[str, Any], history: Mapping[str, Any], rules: Sequence[Rule]
):
    """:func:`evaluate` for the chart tables' rules: the same rows, measured per table with
    typed columns instead of one observation per row and rule.

    A chart run stages millions of fact rows; turning each into one observation per rule
    (a struct with its key as strings) and grouping them all is the heaviest step of the
    job. Here every rule is measured as it is defined, directly:

    - ``not_null``: one aggregation over the table for all its rules (no shuffle of rows):
      the rows ``where`` selects, and those of them with the column null;
    - ``unique``: rows grouped by date and key (typed), ``n - 1`` beyond the first of each;
    - ``references``: the table's rows with the column set, counted per date and value,
      joined to the referenced table's keys of the same date; rows without one fail.
    """
    from functools import reduce

    from pyspark.sql import functions as F

    spark = next(iter(tables.values())).sparkSession
    parts = []

    def measured(rule: Rule, df):
        """``df``: one row with ``failing`` and ``checked`` (null when nothing was checked)."""
        return df.select(
            F.lit(rule.name).alias("rule"),
            F.lit(rule.kind).alias("kind"),
            F.coalesce(F.col("failing").cast("long"), F.lit(0)).alias("failing"),
            F.coalesce(F.col("checked").cast("long"), F.lit(0)).alias("checked"),
        )

    def nothing(rule: Rule):
        return spark.createDataFrame(
            [(rule.name, rule.kind, 0, 0)], "rule string, kind string, failing long, checked long"
        )

    for table in dict.fromkeys(r.table for r in rules if r.kind != SNAPSHOT_DROP):
        df = tables.get(table)
        mine = [r for r in rules if r.table == table and r.kind != SNAPSHOT_DROP]
        if df is None:
            parts += [nothing(r) for r in mine]
            continue
        day = F.col(partition_of(table)).alias(S.PARTITION_COLUMN)
        nulls = [r for r in mine if r.kind == NOT_NULL]
        if nulls:
            counts = []
            for rule in nulls:
                applies = F.expr(rule.where) if rule.where else F.lit(True)
                counts.append(
                    F.struct(
                        F.lit(rule.name).alias("rule"),
                        F.lit(rule.kind).alias("kind"),
                        F.count(F.when(applies & F.col(rule.columns[0]).isNull(), 1)).alias(
                            "failing"
                        ),
                        F.count(F.when(applies, 1)).alias("checked"),
                    )
                )
            parts.append(
                df.agg(F.array(*counts).alias("_m")).select(F.explode("_m")).select("col.*")
            )
        for rule in mine:
            if rule.kind == UNIQUE:
                per_key = _unique_per_key(df, day, rule.columns)
                parts.append(
                    measured(
                        rule,
                        per_key.agg(F.sum("failing").alias("failing"), F.sum("n").alias("checked")),
                    )
                )
            elif rule.kind == REFERENCES:
                column = rule.columns[0]
                key = TABLE_GRAIN[rule.reference]
                if key != rule.columns:
                    raise ValueError(
                        f"{rule.name}: {rule.reference}'s key is {key}, not {rule.columns}"
                    )
                values = (
                    df.where(F.col(column).isNotNull())
                    .groupBy(day, F.col(column).alias("_value"))
                    .agg(F.count(F.lit(1)).alias("n"))
                )
                reference = tables.get(rule.reference)
                if reference is None:
                    known = spark.createDataFrame([], f"{S.PARTITION_COLUMN} date, _value string")
                else:
                    known = reference.select(
                        F.col(partition_of(rule.reference)).alias(S.PARTITION_COLUMN),
                        F.col(column).cast("string").alias("_value"),
                    )
                known = (
                    known.where(F.col("_value").isNotNull())
                    .distinct()
                    .withColumn("_known", F.lit(True))
                )
                values = values.withColumn("_value", F.col("_value").cast("string"))
                joined = values.join(known, [S.PARTITION_COLUMN, "_value"], "left")
                parts.append(
                    measured(
                        rule,
                        joined.agg(
                            F.sum(F.when(F.col("_known").isNull(), F.col("n"))).alias("failing"),
                            F.sum("n").alias("checked"),
                        ),
                    )
                )
    measured_rows = reduce(lambda a, b: a.unionByName(b), parts) if parts else None
    results = []
    if measured_rows is not None:
        fraction = F.when(F.col("checked") > 0, F.col("failing") / F.col("checked")).otherwise(0.0)
        observed = F.when(F.col("kind") == NOT_NULL, fraction).otherwise(F.col("failing"))
        results.append(
            measured_rows.select(
                "rule",
                observed.cast("double").alias("observed"),
                F.col("failing").cast("long").alias("failing"),
                F.col("checked").cast("long").alias("checked"),
            )
        )
    drops = [
        _drop_result(tables[r.table], history.get(r.table), r)
        for r in rules
        if r.kind == SNAPSHOT_DROP
    ]
    return reduce(lambda a, b: a.unionByName(b), [*results, *drops])


def _observations(table: str, df, rules: Sequence[Rule]):
    """One row per row of ``df`` and rule that looks at it: ``rule``, ``kind``, the date,
    ``key`` (as strings) and ``is_key`` (a referenced table's key, not a row to check)."""
    from pyspark.sql import functions as F

    def observation(rule: Rule, values, *, is_key: bool = False):
        return F.struct(
            F.lit(rule.name).alias("rule"),
            F.lit(rule.kind).alias("kind"),
            # Under one name for every table: a reference compares the dates of two tables.
            F.col(partition_of(table)).alias(S.PARTITION_COLUMN),
            F.array(*(v.cast("string") for v in values)).alias("key"),
            F.lit(is_key).alias("is_key"),
        )

    structs = []
    for rule in rules:
        if rule.kind == REFERENCES and rule.reference == table:
            key = TABLE_GRAIN[table]
            if key != rule.columns:
                raise ValueError(f"{rule.name}: {table}'s key is {key}, not {rule.columns}")
            structs.append(observation(rule, [F.col(c) for c in key], is_key=True))
        if rule.table != table:
            continue
        if rule.kind == UNIQUE:
            structs.append(observation(rule, [F.col(c) for c in rule.columns]))
        elif rule.kind == NOT_NULL:
            applies = F.expr(rule.where) if rule.where else F.lit(True)
            is_null = F.col(rule.columns[0]).isNull()
            structs.append(F.when(applies, observation(rule, [is_null])))
        elif rule.kind == REFERENCES:
            value = F.col(rule.columns[0])
            structs.append(F.when(value.isNotNull(), observation(rule, [value])))
    if not structs:
        return None
    return (
        df.select(F.explode(F.array(*structs)).alias("o"))
        .filter(F.col("o").isNotNull())
        .select("o.*")
    )


def _result(rule: Rule, observed, failing, checked):
    from pyspark.sql import functions as F

    return (
        F.lit(rule.name).alias("rule"),
        F.coalesce(observed.cast("double"), F.lit(0.0)).alias("observed"),
        F.coalesce(failing.cast("long"), F.lit(0)).alias("failing"),
        F.coalesce(checked.cast("long"), F.lit(0)).alias("checked"),
    )


def _drop_result(df, history, rule: Rule):
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    key, size = rule.columns
    day = partition_of(rule.table)
    columns = [day, key, size]
    rows = df.select(*columns).withColumn("_checked", F.lit(True))
    if history is not None:
        rows = rows.unionByName(history.select(*columns).withColumn("_checked", F.lit(False)))
    previous = F.lag(size).over(Window.partitionBy(key).orderBy(day))
    compared = (
        rows.withColumn("_previous", previous)
        .filter(F.col("_checked") & (F.col("_previous") > 0))
        .withColumn("_drop", (F.col("_previous") - F.col(size)) / F.col("_previous"))
    )
    failing = F.sum(F.when(F.col("_drop") > rule.threshold, 1).otherwise(0))
    return compared.agg(*_result(rule, F.max("_drop"), failing, F.count(F.lit(1))))


# ---------------------------------------------------------------------------------------
# The run summary's data_quality block
# ---------------------------------------------------------------------------------------


def summary_block(
    results: Iterable[Mapping[str, Any]],
    dates: Iterable[date | str],
    rules: Sequence[Rule] = RULES,
) -> dict[str, Any]:
    """The ``data_quality`` block of a run summary from :func:`evaluate`'s collected rows.

    Every rule of ``rules`` must have exactly one result: a rule silently left out would
    read as passed.
    """
    measured = {}
    for row in results:
        row = dict(row.asDict() if hasattr(row, "asDict") else row)
        if row["rule"] in measured:
            raise RuntimeError(f"data quality: rule {row['rule']} measured twice")
        measured[row["rule"]] = row
    names = [r.name for r in rules]
    if set(measured) != set(names):
        raise RuntimeError(
            f"data quality: rules without a result {sorted(set(names) - set(measured))}, "
            f"results without a rule {sorted(set(measured) - set(names))}"
        )
    block_rules = {}
    for rule in rules:
        row = measured[rule.name]
        observed = float(row["observed"])
        block_rules[rule.name] = {
            "table": rule.table,
            "kind": rule.kind,
            "columns": list(rule.columns),
            **({"where": rule.where} if rule.where else {}),
            **({"reference": rule.reference} if rule.reference else {}),
            "threshold": rule.threshold,
            "observed": int(observed) if rule.kind in _COUNTS else round(observed, 6),
            "passed": observed <= rule.threshold,
            "failing_rows": int(row["failing"]),
            "rows_checked": int(row["checked"]),
        }
    failed = sorted(n for n, r in block_rules.items() if not r["passed"])
    return {
        "dates_checked": sorted(str(d) for d in dates),
        "rules_checked": len(block_rules),
        "rules_failed": len(failed),
        "failed_rules": failed,
        "blocks_publishing": False,
        "rules": block_rules,
    }


def empty_block() -> dict[str, Any]:
    """The ``data_quality`` block of a run that wrote nothing (``no_new_files``)."""
    return {
        "dates_checked": [],
        "rules_checked": 0,
        "rules_failed": 0,
        "failed_rules": [],
        "blocks_publishing": False,
        "rules": {},
    }


# ---------------------------------------------------------------------------------------
# DQDL: the same rules as AWS Glue Data Quality rulesets on the Data Catalog tables
# ---------------------------------------------------------------------------------------

DQDL_DIR = Path(__file__).resolve().parents[1] / "terraform" / "modules" / "glue" / "data_quality"
# Terraform's templatefile() replaces it with the catalog database (quality.tf): a
# references rule reads the referenced table by its catalog name, as CustomSql allows.
DATABASE_PLACEHOLDER = "${database}"
DQDL_HEADER = (
    "# generated by `python -m glue_jobs.quality --write-dqdl` from glue_jobs/quality.py "
    "RULES: do not edit\n"
    "# (quality.tf drops these '#' lines and fills in the catalog database before Glue reads it)\n"
)
# The chart tables' files name the list their rules come from.
CHART_DQDL_HEADER = DQDL_HEADER.replace(" RULES: ", " CHART_RULES: ", 1)
_CHART_TABLE_NAMES = frozenset(t.name for t in tables.CHART_TABLES)


def _quoted(*columns: str) -> str:
    return " ".join(f'"{c}"' for c in columns)


def _number(value: float) -> str:
    return f"{value:g}"


def dqdl_rule(rule: Rule) -> str:
    """The DQDL rule of one rule: the same measure and the same ``<= threshold``.

    Glue evaluates the whole catalog table, every date at once; the job checks the dates
    a run wrote. Native rule types where one means exactly the rule, ``CustomSql``
    (Spark SQL over ``primary``, the table under evaluation) otherwise.
    """
    date_col = partition_of(rule.table)
    if rule.kind == UNIQUE:
        if rule.threshold == 0:
            return f"IsPrimaryKey {_quoted(date_col, *rule.columns)}"
        keys = ", ".join((date_col, *rule.columns))
        sql = (
            "select coalesce(sum(n - 1), 0) from "
            f"(select count(*) as n from primary group by {keys})"
        )
    elif rule.kind == NOT_NULL:
        column = rule.columns[0]
        if rule.where is None:
            if rule.threshold == 0:
                return f"IsComplete {_quoted(column)}"
            return f"Completeness {_quoted(column)} >= {_number(1 - rule.threshold)}"
        sql = (
            f"select coalesce(avg(case when {column} is null then 1.0 else 0.0 end), 0.0) "
            f"from primary where {rule.where}"
        )
    elif rule.kind == REFERENCES:
        column = rule.columns[0]
        sql = (
            f"select count(*) from (select {date_col}, {column} from primary "
            f"where {column} is not null) as f "
            f"left anti join {DATABASE_PLACEHOLDER}.{rule.reference} as r "
            f"on f.{date_col} = r.{date_col} and f.{column} = r.{column}"
        )
    elif rule.kind == SNAPSHOT_DROP:
        key, size = rule.columns
        sql = (
            f"select coalesce(max((previous - {size}) / previous), 0.0) from ("
            f"select {size}, lag({size}) over (partition by {key} order by {date_col}) "
            f"as previous from primary) where previous > 0"
        )
    else:
        raise ValueError(f"unknown rule kind {rule.kind!r} of {rule.name}")
    if '"' in sql:
        raise ValueError(f"{rule.name}: a double quote would end the DQDL string: {sql}")
    return f'CustomSql "{sql}" <= {_number(rule.threshold)}'


def dqdl_ruleset(table: str, rules: Sequence[Rule] = ALL_RULES) -> str:
    """The DQDL ruleset of one table (as Terraform sends it, before ${database} is filled)."""
    body = ",\n".join(f"    {dqdl_rule(r)}" for r in rules_of(table, rules))
    return f"Rules = [\n{body}\n]\n"


def dqdl_file_text(table: str, rules: Sequence[Rule] = ALL_RULES) -> str:
    header = CHART_DQDL_HEADER if table in _CHART_TABLE_NAMES else DQDL_HEADER
    return header + dqdl_ruleset(table, rules)


def dqdl_files(rules: Sequence[Rule] = ALL_RULES) -> dict[str, str]:
    """``{file name: text}`` of every table with rules (every job's: ``ALL_RULES``), in
    ``glue_jobs.tables.TABLES`` order: what ``--write-dqdl`` writes."""
    names = [t.name for t in tables.TABLES if rules_of(t.name, rules)]
    return {f"{t}.dqdl": dqdl_file_text(t, rules) for t in names}


def write_dqdl(directory: Path = DQDL_DIR) -> list[Path]:
    """Write every table's DQDL file, and remove .dqdl files of tables without rules."""
    directory.mkdir(parents=True, exist_ok=True)
    files = dqdl_files()
    for stale in directory.glob("*.dqdl"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m glue_jobs.quality", description="The curated tables' data-quality rules."
    )
    parser.add_argument(
        "--write-dqdl", action="store_true", help=f"write the Glue DQDL rulesets to {DQDL_DIR}"
    )
    args = parser.parse_args(argv)
    if args.write_dqdl:
        for path in write_dqdl():
            print(path)
        return 0
    for rule in ALL_RULES:
        print(f"{rule.name:<45} {rule.kind:<14} <= {_number(rule.threshold)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
