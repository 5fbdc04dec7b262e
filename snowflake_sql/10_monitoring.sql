-- 10_monitoring: queries to run when checking on ingestion (nothing here creates an object).
-- 1. Is every pipe running, and is anything waiting? SYSTEM$PIPE_STATUS per pipe.
-- 2. Which files loaded in the last 24 hours, and which failed? COPY_HISTORY per landing table
--    (the Information Schema function: up to 14 days, no latency).
-- 3. Did the merge tasks run, and did any fail? TASK_HISTORY for the CORE.MERGE_* tasks.
-- 4. Is CORE as fresh as LANDING? The newest snapshot_date and load per table on both sides,
--    and whether each stream still holds rows the next task run will merge.

use database spotify_lakehouse;

-- 1. Pipe status.
with

pipe_statuses as (

    select
        'fact_playlist_item_pipe' as pipe_name,
        parse_json(system$pipe_status('landing.fact_playlist_item_pipe')) as pipe_status

    union all

    select
        'dim_track_pipe' as pipe_name,
        parse_json(system$pipe_status('landing.dim_track_pipe')) as pipe_status

    union all

    select
        'dim_album_pipe' as pipe_name,
        parse_json(system$pipe_status('landing.dim_album_pipe')) as pipe_status

    union all

    select
        'dim_artist_pipe' as pipe_name,
        parse_json(system$pipe_status('landing.dim_artist_pipe')) as pipe_status

    union all

    select
        'dim_playlist_pipe' as pipe_name,
        parse_json(system$pipe_status('landing.dim_playlist_pipe')) as pipe_status

    union all

    select
        'bridge_track_artist_pipe' as pipe_name,
        parse_json(system$pipe_status('landing.bridge_track_artist_pipe')) as pipe_status

    union all

    select
        'bridge_album_artist_pipe' as pipe_name,
        parse_json(system$pipe_status('landing.bridge_album_artist_pipe')) as pipe_status

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

-- 2. Copy history of the last 24 hours, failures first.
with

copy_history as (

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
        last_load_time
    from
        table(information_schema.copy_history(
            table_name => 'landing.fact_playlist_item',
            start_time => dateadd(hour, -24, current_timestamp())
        ))

    union all

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
        last_load_time
    from
        table(information_schema.copy_history(
            table_name => 'landing.dim_track',
            start_time => dateadd(hour, -24, current_timestamp())
        ))

    union all

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
        last_load_time
    from
        table(information_schema.copy_history(
            table_name => 'landing.dim_album',
            start_time => dateadd(hour, -24, current_timestamp())
        ))

    union all

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
        last_load_time
    from
        table(information_schema.copy_history(
            table_name => 'landing.dim_artist',
            start_time => dateadd(hour, -24, current_timestamp())
        ))

    union all

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
        last_load_time
    from
        table(information_schema.copy_history(
            table_name => 'landing.dim_playlist',
            start_time => dateadd(hour, -24, current_timestamp())
        ))

    union all

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
        last_load_time
    from
        table(information_schema.copy_history(
            table_name => 'landing.bridge_track_artist',
            start_time => dateadd(hour, -24, current_timestamp())
        ))

    union all

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
        last_load_time
    from table(information_schema.copy_history(
        table_name => 'landing.bridge_album_artist',
        start_time => dateadd(hour, -24, current_timestamp())
    ))

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

-- 4. Freshness: LANDING against CORE, per table.
with

landing_latest as (

    select
        'fact_playlist_item' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from landing.fact_playlist_item

    union all

    select
        'dim_track' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from landing.dim_track

    union all

    select
        'dim_album' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from landing.dim_album

    union all

    select
        'dim_artist' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from landing.dim_artist

    union all

    select
        'dim_playlist' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from landing.dim_playlist

    union all

    select
        'bridge_track_artist' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from landing.bridge_track_artist

    union all

    select
        'bridge_album_artist' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from landing.bridge_album_artist

),

core_latest as (

    select
        'fact_playlist_item' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from core.fact_playlist_item

    union all

    select
        'dim_track' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from core.dim_track

    union all

    select
        'dim_album' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from core.dim_album

    union all

    select
        'dim_artist' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from core.dim_artist

    union all

    select
        'dim_playlist' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from core.dim_playlist

    union all

    select
        'bridge_track_artist' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from core.bridge_track_artist

    union all

    select
        'bridge_album_artist' as table_name,
        max(snapshot_date) as snapshot_date,
        max(loaded_at) as loaded_at
    from core.bridge_album_artist

),

streams as (

    select
        'fact_playlist_item' as table_name,
        system$stream_has_data('landing.fact_playlist_item_stream') as has_unmerged_rows

    union all

    select
        'dim_track' as table_name,
        system$stream_has_data('landing.dim_track_stream') as has_unmerged_rows

    union all

    select
        'dim_album' as table_name,
        system$stream_has_data('landing.dim_album_stream') as has_unmerged_rows

    union all

    select
        'dim_artist' as table_name,
        system$stream_has_data('landing.dim_artist_stream') as has_unmerged_rows

    union all

    select
        'dim_playlist' as table_name,
        system$stream_has_data('landing.dim_playlist_stream') as has_unmerged_rows

    union all

    select
        'bridge_track_artist' as table_name,
        system$stream_has_data('landing.bridge_track_artist_stream') as has_unmerged_rows

    union all

    select
        'bridge_album_artist' as table_name,
        system$stream_has_data('landing.bridge_album_artist_stream') as has_unmerged_rows

),

final as (

    select
        landing_latest.table_name,
        landing_latest.snapshot_date as landing_snapshot_date,
        core_latest.snapshot_date as core_snapshot_date,
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
