-- 03_landing_tables: one LANDING table per curated table, loaded by its pipe (04_pipes.sql).
-- Columns: the curated table's, in contract order (docs/data-contract.md, section 3), then
--   snapshot_date     the partition, which Spark keeps in the path and not in the files: the
--                     pipe takes it from METADATA$FILENAME (`.../snapshot_date=YYYY-MM-DD/...`)
--   source_file_name  the Parquet file the row was loaded from (METADATA$FILENAME), for lineage
--   loaded_at         when the pipe loaded it (METADATA$START_SCAN_TIME)
-- Timestamps from the lake are UTC instants (timestamp_tz). Landing tables are append-only;
-- a file loaded twice lands twice, and the merges (06_streams_tasks.sql) are what dedupe.

use database spotify_lakehouse;

create table if not exists landing.fact_playlist_item (
    playlist_id varchar,
    snapshot_id varchar,
    position integer,
    item_type varchar,
    track_id varchar,
    episode_id varchar,
    album_id varchar,
    item_uri varchar,
    item_name varchar,
    added_at timestamp_tz,
    added_by_id varchar,
    popularity integer,
    duration_ms bigint,
    is_local boolean,
    extracted_at timestamp_tz,
    source_file varchar,
    snapshot_date date,
    source_file_name varchar,
    loaded_at timestamp_ltz
)
comment = 'Snowpipe landing of curated/fact_playlist_item/';

create table if not exists landing.dim_track (
    track_id varchar,
    track_name varchar,
    track_uri varchar,
    album_id varchar,
    duration_ms bigint,
    explicit boolean,
    disc_number integer,
    track_number integer,
    isrc varchar,
    popularity integer,
    linked_from_track_id varchar,
    extracted_at timestamp_tz,
    source_file varchar,
    snapshot_date date,
    source_file_name varchar,
    loaded_at timestamp_ltz
)
comment = 'Snowpipe landing of curated/dim_track/';

create table if not exists landing.dim_album (
    album_id varchar,
    album_name varchar,
    album_uri varchar,
    album_type varchar,
    release_date date,
    release_date_precision varchar,
    release_date_raw varchar,
    release_year integer,
    total_tracks integer,
    extracted_at timestamp_tz,
    source_file varchar,
    snapshot_date date,
    source_file_name varchar,
    loaded_at timestamp_ltz
)
comment = 'Snowpipe landing of curated/dim_album/';

create table if not exists landing.dim_artist (
    artist_id varchar,
    artist_name varchar,
    artist_uri varchar,
    extracted_at timestamp_tz,
    source_file varchar,
    snapshot_date date,
    source_file_name varchar,
    loaded_at timestamp_ltz
)
comment = 'Snowpipe landing of curated/dim_artist/';

create table if not exists landing.dim_playlist (
    playlist_id varchar,
    playlist_name varchar,
    description varchar,
    owner_id varchar,
    owner_display_name varchar,
    is_public boolean,
    is_collaborative boolean,
    snapshot_id varchar,
    followers_total bigint,
    total_items integer,
    api_shape varchar,
    extracted_at timestamp_tz,
    source_file varchar,
    snapshot_date date,
    source_file_name varchar,
    loaded_at timestamp_ltz
)
comment = 'Snowpipe landing of curated/dim_playlist/';

create table if not exists landing.bridge_track_artist (
    track_id varchar,
    artist_id varchar,
    artist_position integer,
    extracted_at timestamp_tz,
    source_file varchar,
    snapshot_date date,
    source_file_name varchar,
    loaded_at timestamp_ltz
)
comment = 'Snowpipe landing of curated/bridge_track_artist/';

create table if not exists landing.bridge_album_artist (
    album_id varchar,
    artist_id varchar,
    artist_position integer,
    extracted_at timestamp_tz,
    source_file varchar,
    snapshot_date date,
    source_file_name varchar,
    loaded_at timestamp_ltz
)
comment = 'Snowpipe landing of curated/bridge_album_artist/';
