-- 05_core_tables: the serving tables the tasks of 06_streams_tasks.sql merge into, with
-- the landing tables' columns:
--   core.fact_playlist_item   one row per (playlist_id, snapshot_date, position): the latest
--                             extraction of each playlist snapshot
--   core.dim_*                one row per id: its latest observation
--   core.bridge_*_artist      the artists of each track / album as its latest observation
--                             lists them, one row per (id, artist_position)

use database spotify_lakehouse;

create table if not exists core.fact_playlist_item (
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
comment = 'Serving table merged from LANDING.FACT_PLAYLIST_ITEM';

create table if not exists core.dim_track (
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
comment = 'Serving table merged from LANDING.DIM_TRACK';

create table if not exists core.dim_album (
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
comment = 'Serving table merged from LANDING.DIM_ALBUM';

create table if not exists core.dim_artist (
    artist_id varchar,
    artist_name varchar,
    artist_uri varchar,
    extracted_at timestamp_tz,
    source_file varchar,
    snapshot_date date,
    source_file_name varchar,
    loaded_at timestamp_ltz
)
comment = 'Serving table merged from LANDING.DIM_ARTIST';

create table if not exists core.dim_playlist (
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
comment = 'Serving table merged from LANDING.DIM_PLAYLIST';

create table if not exists core.bridge_track_artist (
    track_id varchar,
    artist_id varchar,
    artist_position integer,
    extracted_at timestamp_tz,
    source_file varchar,
    snapshot_date date,
    source_file_name varchar,
    loaded_at timestamp_ltz
)
comment = 'Serving table merged from LANDING.BRIDGE_TRACK_ARTIST';

create table if not exists core.bridge_album_artist (
    album_id varchar,
    artist_id varchar,
    artist_position integer,
    extracted_at timestamp_tz,
    source_file varchar,
    snapshot_date date,
    source_file_name varchar,
    loaded_at timestamp_ltz
)
comment = 'Serving table merged from LANDING.BRIDGE_ALBUM_ARTIST';
