-- 04_pipes: one Snowpipe per curated table, AUTO_INGEST on S3 event notifications.
-- Each pipe copies its table's Parquet files with a transformation that casts every column
-- to the landing type and adds snapshot_date (from the file's path: Spark's partitionBy
-- leaves it out of the files), source_file_name and loaded_at. PATTERN skips Spark's
-- _SUCCESS markers and anything else that is not Parquet.
-- After creating them, `show pipes in schema landing` gives each pipe's notification_channel
-- (an SQS ARN): the curated bucket's s3:ObjectCreated:* notifications for the prefix
-- curated/<table>/ go there (Terraform wires it).

use database spotify_lakehouse;

create pipe if not exists landing.fact_playlist_item_pipe
auto_ingest = true
comment = 'Loads curated/fact_playlist_item/ into LANDING.FACT_PLAYLIST_ITEM'
as
copy into landing.fact_playlist_item (
    playlist_id,
    snapshot_id,
    position,
    item_type,
    track_id,
    episode_id,
    album_id,
    item_uri,
    item_name,
    added_at,
    added_by_id,
    popularity,
    duration_ms,
    is_local,
    extracted_at,
    source_file,
    snapshot_date,
    source_file_name,
    loaded_at
)
from (
    select
        $1:playlist_id::varchar,
        $1:snapshot_id::varchar,
        $1:position::integer,
        $1:item_type::varchar,
        $1:track_id::varchar,
        $1:episode_id::varchar,
        $1:album_id::varchar,
        $1:item_uri::varchar,
        $1:item_name::varchar,
        $1:added_at::timestamp_tz,
        $1:added_by_id::varchar,
        $1:popularity::integer,
        $1:duration_ms::bigint,
        $1:is_local::boolean,
        $1:extracted_at::timestamp_tz,
        $1:source_file::varchar,
        to_date(substr(split_part(metadata$filename, 'snapshot_date=', 2), 1, 10)) as snapshot_date,
        metadata$filename as source_file_name,
        metadata$start_scan_time as loaded_at
    from @landing.curated_stage/fact_playlist_item/
)
pattern = '.*[.]parquet';

create pipe if not exists landing.dim_track_pipe
auto_ingest = true
comment = 'Loads curated/dim_track/ into LANDING.DIM_TRACK'
as
copy into landing.dim_track (
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
)
from (
    select
        $1:track_id::varchar,
        $1:track_name::varchar,
        $1:track_uri::varchar,
        $1:album_id::varchar,
        $1:duration_ms::bigint,
        $1:explicit::boolean,
        $1:disc_number::integer,
        $1:track_number::integer,
        $1:isrc::varchar,
        $1:popularity::integer,
        $1:linked_from_track_id::varchar,
        $1:extracted_at::timestamp_tz,
        $1:source_file::varchar,
        to_date(substr(split_part(metadata$filename, 'snapshot_date=', 2), 1, 10)) as snapshot_date,
        metadata$filename as source_file_name,
        metadata$start_scan_time as loaded_at
    from @landing.curated_stage/dim_track/
)
pattern = '.*[.]parquet';

create pipe if not exists landing.dim_album_pipe
auto_ingest = true
comment = 'Loads curated/dim_album/ into LANDING.DIM_ALBUM'
as
copy into landing.dim_album (
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
)
from (
    select
        $1:album_id::varchar,
        $1:album_name::varchar,
        $1:album_uri::varchar,
        $1:album_type::varchar,
        $1:release_date::date,
        $1:release_date_precision::varchar,
        $1:release_date_raw::varchar,
        $1:release_year::integer,
        $1:total_tracks::integer,
        $1:extracted_at::timestamp_tz,
        $1:source_file::varchar,
        to_date(substr(split_part(metadata$filename, 'snapshot_date=', 2), 1, 10)) as snapshot_date,
        metadata$filename as source_file_name,
        metadata$start_scan_time as loaded_at
    from @landing.curated_stage/dim_album/
)
pattern = '.*[.]parquet';

create pipe if not exists landing.dim_artist_pipe
auto_ingest = true
comment = 'Loads curated/dim_artist/ into LANDING.DIM_ARTIST'
as
copy into landing.dim_artist (
    artist_id,
    artist_name,
    artist_uri,
    extracted_at,
    source_file,
    snapshot_date,
    source_file_name,
    loaded_at
)
from (
    select
        $1:artist_id::varchar,
        $1:artist_name::varchar,
        $1:artist_uri::varchar,
        $1:extracted_at::timestamp_tz,
        $1:source_file::varchar,
        to_date(substr(split_part(metadata$filename, 'snapshot_date=', 2), 1, 10)) as snapshot_date,
        metadata$filename as source_file_name,
        metadata$start_scan_time as loaded_at
    from @landing.curated_stage/dim_artist/
)
pattern = '.*[.]parquet';

create pipe if not exists landing.dim_playlist_pipe
auto_ingest = true
comment = 'Loads curated/dim_playlist/ into LANDING.DIM_PLAYLIST'
as
copy into landing.dim_playlist (
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
)
from (
    select
        $1:playlist_id::varchar,
        $1:playlist_name::varchar,
        $1:description::varchar,
        $1:owner_id::varchar,
        $1:owner_display_name::varchar,
        $1:is_public::boolean,
        $1:is_collaborative::boolean,
        $1:snapshot_id::varchar,
        $1:followers_total::bigint,
        $1:total_items::integer,
        $1:api_shape::varchar,
        $1:extracted_at::timestamp_tz,
        $1:source_file::varchar,
        to_date(substr(split_part(metadata$filename, 'snapshot_date=', 2), 1, 10)) as snapshot_date,
        metadata$filename as source_file_name,
        metadata$start_scan_time as loaded_at
    from @landing.curated_stage/dim_playlist/
)
pattern = '.*[.]parquet';

create pipe if not exists landing.bridge_track_artist_pipe
auto_ingest = true
comment = 'Loads curated/bridge_track_artist/ into LANDING.BRIDGE_TRACK_ARTIST'
as
copy into landing.bridge_track_artist (
    track_id,
    artist_id,
    artist_position,
    extracted_at,
    source_file,
    snapshot_date,
    source_file_name,
    loaded_at
)
from (
    select
        $1:track_id::varchar,
        $1:artist_id::varchar,
        $1:artist_position::integer,
        $1:extracted_at::timestamp_tz,
        $1:source_file::varchar,
        to_date(substr(split_part(metadata$filename, 'snapshot_date=', 2), 1, 10)) as snapshot_date,
        metadata$filename as source_file_name,
        metadata$start_scan_time as loaded_at
    from @landing.curated_stage/bridge_track_artist/
)
pattern = '.*[.]parquet';

create pipe if not exists landing.bridge_album_artist_pipe
auto_ingest = true
comment = 'Loads curated/bridge_album_artist/ into LANDING.BRIDGE_ALBUM_ARTIST'
as
copy into landing.bridge_album_artist (
    album_id,
    artist_id,
    artist_position,
    extracted_at,
    source_file,
    snapshot_date,
    source_file_name,
    loaded_at
)
from (
    select
        $1:album_id::varchar,
        $1:artist_id::varchar,
        $1:artist_position::integer,
        $1:extracted_at::timestamp_tz,
        $1:source_file::varchar,
        to_date(substr(split_part(metadata$filename, 'snapshot_date=', 2), 1, 10)) as snapshot_date,
        metadata$filename as source_file_name,
        metadata$start_scan_time as loaded_at
    from @landing.curated_stage/bridge_album_artist/
)
pattern = '.*[.]parquet';
