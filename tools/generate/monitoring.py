"""snowflake_sql/10_monitoring.sql: the queries to check on ingestion, one branch per table of
``glue_jobs/tables.py`` (every pipe, landing table, stream and CORE table that
:mod:`tools.generate.sql` and Terraform create), so a table added there is monitored too.

Snowflake's table and system functions take the table, pipe or stream name as a constant:
each table is a ``union all`` branch of its own.
"""

from __future__ import annotations

from glue_jobs.tables import TABLES, Table
from tools.generate.sql import GENERATED

PATH = "snowflake_sql/10_monitoring.sql"

HEADER = """\
-- 10_monitoring: queries to run when checking on ingestion (nothing here creates an object).
-- 1. Is every pipe running, and is anything waiting? SYSTEM$PIPE_STATUS per pipe.
-- 2. Which files loaded in the last 24 hours, and which failed? COPY_HISTORY per landing table
--    (the Information Schema function: up to 14 days, no latency).
-- 3. Did the merge tasks run, and did any fail? TASK_HISTORY for the CORE.MERGE_* tasks.
-- 4. Is CORE as fresh as LANDING? The newest partition date (snapshot_date, chart_date for
--    the chart tables) and load per table on both sides, and whether each stream still holds
--    rows the next task run will merge.

use database spotify_lakehouse;
"""

PIPE_STATUS = """
-- 1. Pipe status.
with

pipe_statuses as (

{branches}

),

final as (

    select
        pipe_name,
        pipe_status:executionState::varchar as execution_state,
        pipe_status:pendingFileCount::integer as pending_file_count,
        pipe_status:lastIngestedTimestamp::timestamp_ltz as last_ingested_at,
        pipe_status:lastIngestedFilePath::varchar as last_ingested_file_path,
        pipe_status:numOutstandingMessagesOnChannel::integer as outstanding_message_count,
        pipe_status:lastReceivedMessageTimestamp::timestamp_ltz as last_message_received_at,
        pipe_status:error::varchar as error_message
    from pipe_statuses

)

select * from final;
"""

COPY_HISTORY = """
-- 2. Copy history of the last 24 hours, failures first.
with

copy_history as (

{branches}

),

final as (

    select
        table_name,
        pipe_name,
        file_name,
        status,
        row_count,
        row_parsed,
        error_count,
        first_error_message,
        first_error_column_name,
        last_load_time as last_loaded_at
    from copy_history

)

select * from final
order by status = 'Loaded' asc, last_loaded_at desc;
"""

TASK_HISTORY = """
-- 3. Merge (and sweep) task runs of the last 24 hours, failures first.
with

task_history as (

    select
        name,
        state,
        error_code,
        error_message,
        scheduled_time,
        completed_time
    from
        table(information_schema.task_history(
            scheduled_time_range_start => dateadd(hour, -24, current_timestamp()),
            result_limit => 1000
        ))
    where
        database_name = 'SPOTIFY_LAKEHOUSE'
        and schema_name = 'CORE'
        and (startswith(name, 'MERGE_') or startswith(name, 'SWEEP_'))

),

final as (

    select
        name as task_name,
        state,
        error_code,
        error_message,
        scheduled_time as scheduled_at,
        completed_time as completed_at
    from task_history

)

select * from final
order by state = 'SUCCEEDED' asc, scheduled_at desc;
"""

FRESHNESS = """
-- 4. Freshness: LANDING against CORE, per table.
with

landing_latest as (

{landing}

),

core_latest as (

{core}

),

streams as (

{streams}

),

final as (

    select
        landing_latest.table_name,
        landing_latest.partition_date as landing_partition_date,
        core_latest.partition_date as core_partition_date,
        landing_latest.loaded_at as landing_loaded_at,
        core_latest.loaded_at as core_loaded_at,
        streams.has_unmerged_rows
    from landing_latest
    inner join core_latest
        on landing_latest.table_name = core_latest.table_name
    inner join streams
        on landing_latest.table_name = streams.table_name

)

select * from final;
"""


def _union(branches: list[str]) -> str:
    return "\n\n    union all\n\n".join(branches)


def pipe_status(table: Table) -> str:
    return f"""    select
        '{table.name}_pipe' as pipe_name,
        parse_json(system$pipe_status('landing.{table.name}_pipe')) as pipe_status"""


def copy_history(table: Table) -> str:
    # Every branch has copy_history's own columns: final names the ones it shows.
    return f"""    select *
    from
        table(information_schema.copy_history(
            table_name => 'landing.{table.name}',
            start_time => dateadd(hour, -24, current_timestamp())
        ))"""


def latest(schema: str, table: Table) -> str:
    return f"""    select
        '{table.name}' as table_name,
        max({table.partition.name}) as partition_date,
        max(loaded_at) as loaded_at
    from {schema}.{table.name}"""


def stream(table: Table) -> str:
    return f"""    select
        '{table.name}' as table_name,
        system$stream_has_data('landing.{table.name}_stream') as has_unmerged_rows"""


def script() -> str:
    return (
        GENERATED
        + HEADER
        + PIPE_STATUS.format(branches=_union([pipe_status(t) for t in TABLES]))
        + COPY_HISTORY.format(branches=_union([copy_history(t) for t in TABLES]))
        + TASK_HISTORY
        + FRESHNESS.format(
            landing=_union([latest("landing", t) for t in TABLES]),
            core=_union([latest("core", t) for t in TABLES]),
            streams=_union([stream(t) for t in TABLES]),
        )
    )


def outputs() -> dict[str, str]:
    return {PATH: script()}
