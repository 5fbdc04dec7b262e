-- 05_core_tables: the serving tables the tasks of 06_streams_tasks.sql merge into, with
-- the landing tables' columns and the lake's grain (one row per key and snapshot_date, as
-- the Glue job wrote it), and the views that read a dimension at its latest observation:
--   core.fact_playlist_item         one row per (playlist_id, snapshot_date, position)
--   core.dim_*                      one row per (id, snapshot_date): each observation
--   core.bridge_*_artist            one row per (id, snapshot_date, artist_position)
--   core.dim_*_current              one row per id: its latest observation (snapshot_date,
--                                   then extracted_at), the data contract's way to read a
--                                   dimension, as athena_sql/views/10_*_current.sql
--   core.bridge_*_artist_current    the credits of each track / album as its latest
--                                   observation lists them (athena_sql/views/11_*; only
--                                   credits with an artist id are bridged, so a latest
--                                   observation with none falls back to the one before)
--   core.playlist_snapshot_dates    every (playlist_id, snapshot_date) with a snapshot: those
--                                   with entries (the fact) and the empty ones (dim_playlist,
--                                   total_items = 0), as athena_sql/views/11_playlist_snapshot_
--                                   dates.sql; the trend views read a playlist's snapshots here

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
comment = 'Serving table: the rows of LANDING.FACT_PLAYLIST_ITEM that the lake holds';

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
comment = 'Serving table: the rows of LANDING.DIM_TRACK that the lake holds';

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
comment = 'Serving table: the rows of LANDING.DIM_ALBUM that the lake holds';

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
comment = 'Serving table: the rows of LANDING.DIM_ARTIST that the lake holds';

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
comment = 'Serving table: the rows of LANDING.DIM_PLAYLIST that the lake holds';

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
comment = 'Serving table: the rows of LANDING.BRIDGE_TRACK_ARTIST that the lake holds';

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
comment = 'Serving table: the rows of LANDING.BRIDGE_ALBUM_ARTIST that the lake holds';

create or replace view core.dim_track_current
comment = 'The latest observation of every track in CORE.DIM_TRACK'
as
select
    track_id,
    track_name,
    track_uri,
    album_id,
    duration_ms,
    explicit,
    disc_number,
    track_number,
    isrc,
    popularity,
    linked_from_track_id,
    extracted_at,
    source_file,
    snapshot_date,
    source_file_name,
    loaded_at
from core.dim_track
qualify row_number() over (
    partition by track_id
    order by snapshot_date desc, extracted_at desc
) = 1;

create or replace view core.dim_album_current
comment = 'The latest observation of every album in CORE.DIM_ALBUM'
as
select
    album_id,
    album_name,
    album_uri,
    album_type,
    release_date,
    release_date_precision,
    release_date_raw,
    release_year,
    total_tracks,
    extracted_at,
    source_file,
    snapshot_date,
    source_file_name,
    loaded_at
from core.dim_album
qualify row_number() over (
    partition by album_id
    order by snapshot_date desc, extracted_at desc
) = 1;

create or replace view core.dim_artist_current
comment = 'The latest observation of every artist in CORE.DIM_ARTIST'
as
select
    artist_id,
    artist_name,
    artist_uri,
    extracted_at,
    source_file,
    snapshot_date,
    source_file_name,
    loaded_at
from core.dim_artist
qualify row_number() over (
    partition by artist_id
    order by snapshot_date desc, extracted_at desc
) = 1;

create or replace view core.dim_playlist_current
comment = 'The latest observation of every playlist in CORE.DIM_PLAYLIST'
as
select
    playlist_id,
    playlist_name,
    description,
    owner_id,
    owner_display_name,
    is_public,
    is_collaborative,
    snapshot_id,
    followers_total,
    total_items,
    api_shape,
    extracted_at,
    source_file,
    snapshot_date,
    source_file_name,
    loaded_at
from core.dim_playlist
qualify row_number() over (
    partition by playlist_id
    order by snapshot_date desc, extracted_at desc
) = 1;

create or replace view core.bridge_track_artist_current
comment = 'The credits of every track as its latest observation lists them'
as
select
    track_id,
    artist_id,
    artist_position,
    extracted_at,
    source_file,
    snapshot_date,
    source_file_name,
    loaded_at
from core.bridge_track_artist
qualify dense_rank() over (
    partition by track_id
    order by snapshot_date desc, extracted_at desc
) = 1;

create or replace view core.bridge_album_artist_current
comment = 'The credits of every album as its latest observation lists them'
as
select
    album_id,
    artist_id,
    artist_position,
    extracted_at,
    source_file,
    snapshot_date,
    source_file_name,
    loaded_at
from core.bridge_album_artist
qualify dense_rank() over (
    partition by album_id
    order by snapshot_date desc, extracted_at desc
) = 1;

create or replace view core.playlist_snapshot_dates
comment = 'Every snapshot of every playlist: those with entries and the empty ones'
as
select distinct
    playlist_id,
    snapshot_date
from core.fact_playlist_item
union all
select
    playlist_id,
    snapshot_date
from core.dim_playlist
where total_items = 0;
