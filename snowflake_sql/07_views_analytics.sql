-- 07_views_analytics: the analytics the original projects promised, over CORE. Same names,
-- columns and meaning as athena_sql/views/20_*.sql (docs/sql.md has the catalogue).

use database spotify_lakehouse;

-- album_release_trends: per release year, the albums seen on the playlists, the sum of their
-- total_tracks and how many of their songs the playlists hold. A year-precision release
-- date ('1998') counts in its year; albums without a release date form the null year.
create or replace view analytics.album_release_trends as

with

albums as (

    select
        album_id,
        release_year,
        total_tracks
    from core.dim_album_current

),

tracks as (

    select
        track_id,
        album_id
    from core.dim_track_current

),

album_songs as (

    select
        album_id,
        count(*) as playlist_track_count
    from tracks
    group by album_id

),

final as (

    select
        albums.release_year,
        count(*) as album_count,
        sum(albums.total_tracks) as album_total_tracks,
        coalesce(sum(album_songs.playlist_track_count), 0) as playlist_track_count
    from albums
    left join album_songs
        on albums.album_id = album_songs.album_id
    group by albums.release_year

)

select * from final;

-- artist_metrics: per artist, over the songs they are credited on (latest observation of each
-- song): average popularity, average duration, appearances in playlist snapshots, and the
-- albums they are an album artist of with the sum of those albums' total_tracks.
-- Popularity: averaged only over songs that have it; popularity_status says whether that is
-- every song ('available'), some ('partial') or none ('unavailable (development-mode API)',
-- avg_popularity null), so a missing value is never averaged in as if it were a figure;
-- 'no songs' for an artist credited only on albums.
create or replace view analytics.artist_metrics as

with

artists as (

    select
        artist_id,
        artist_name
    from core.dim_artist_current

),

tracks as (

    select
        track_id,
        duration_ms,
        popularity
    from core.dim_track_current

),

track_artists as (

    select
        track_id,
        artist_id
    from core.bridge_track_artist_current

),

albums as (

    select
        album_id,
        total_tracks
    from core.dim_album_current

),

album_artists as (

    select
        album_id,
        artist_id
    from core.bridge_album_artist_current

),

playlist_items as (

    select track_id
    from core.fact_playlist_item
    where track_id is not null

),

song_metrics as (

    select
        track_artists.artist_id,
        count(*) as track_count,
        count(tracks.popularity) as popularity_track_count,
        avg(tracks.popularity) as avg_popularity,
        avg(tracks.duration_ms) as avg_duration_ms
    from track_artists
    inner join tracks
        on track_artists.track_id = tracks.track_id
    group by track_artists.artist_id

),

appearances as (

    select
        track_artists.artist_id,
        count(*) as track_appearance_count
    from playlist_items
    inner join track_artists
        on playlist_items.track_id = track_artists.track_id
    group by track_artists.artist_id

),

album_metrics as (

    select
        album_artists.artist_id,
        count(*) as album_count,
        sum(albums.total_tracks) as album_total_tracks
    from album_artists
    inner join albums
        on album_artists.album_id = albums.album_id
    group by album_artists.artist_id

),

final as (

    select
        artists.artist_name,
        artists.artist_id,
        coalesce(song_metrics.track_count, 0) as track_count,
        round(song_metrics.avg_popularity, 1) as avg_popularity,
        coalesce(song_metrics.popularity_track_count, 0) as popularity_track_count,
        case
            when song_metrics.track_count is null then 'no songs'
            when song_metrics.popularity_track_count = 0
                then 'unavailable (development-mode API)'
            when song_metrics.popularity_track_count < song_metrics.track_count then 'partial'
            else 'available'
        end as popularity_status,
        cast(round(song_metrics.avg_duration_ms) as bigint) as avg_duration_ms,
        coalesce(appearances.track_appearance_count, 0) as track_appearance_count,
        coalesce(album_metrics.album_count, 0) as album_count,
        coalesce(album_metrics.album_total_tracks, 0) as album_total_tracks
    from artists
    left join song_metrics
        on artists.artist_id = song_metrics.artist_id
    left join appearances
        on artists.artist_id = appearances.artist_id
    left join album_metrics
        on artists.artist_id = album_metrics.artist_id

)

select * from final;

-- current_top_songs: the 10 most popular songs on each playlist's latest snapshot. Where no
-- song of that snapshot has a popularity (development-mode API), the songs are listed in
-- playlist order instead and ranked_by / popularity_status say so; where only some have one,
-- those without come last. Episodes and local files are not songs and are left out.
create or replace view analytics.current_top_songs as

with

playlist_items as (

    select
        playlist_id,
        track_id,
        item_name,
        position,
        popularity,
        snapshot_date
    from core.fact_playlist_item

),

playlists as (

    select
        playlist_id,
        playlist_name
    from core.dim_playlist_current

),

track_artists as (

    select
        track_id,
        artist_id,
        artist_position
    from core.bridge_track_artist_current

),

artists as (

    select
        artist_id,
        artist_name
    from core.dim_artist_current

),

snapshots as (

    select
        playlist_id,
        snapshot_date
    from core.playlist_snapshot_dates

),

latest_snapshots as (

    select
        playlist_id,
        max(snapshot_date) as snapshot_date
    from snapshots
    group by playlist_id

),

latest_songs as (

    select
        playlist_items.playlist_id,
        playlist_items.snapshot_date,
        playlist_items.track_id,
        max(playlist_items.item_name) as track_name,
        min(playlist_items.position) as position,
        max(playlist_items.popularity) as popularity
    from playlist_items
    inner join latest_snapshots
        on
            playlist_items.playlist_id = latest_snapshots.playlist_id
            and playlist_items.snapshot_date = latest_snapshots.snapshot_date
    where playlist_items.track_id is not null
    group by playlist_items.playlist_id, playlist_items.snapshot_date, playlist_items.track_id

),

playlist_popularity as (

    select
        playlist_id,
        count(*) as track_count,
        count(popularity) as popularity_track_count
    from latest_songs
    group by playlist_id

),

artist_names as (

    select
        track_artists.track_id,
        listagg(artists.artist_name, ', ') within group (order by track_artists.artist_position)
            as artist_names
    from track_artists
    inner join artists
        on track_artists.artist_id = artists.artist_id
    group by track_artists.track_id

),

ranked as (

    select
        latest_songs.playlist_id,
        latest_songs.snapshot_date,
        latest_songs.track_id,
        latest_songs.track_name,
        latest_songs.position,
        latest_songs.popularity,
        playlist_popularity.track_count,
        playlist_popularity.popularity_track_count,
        row_number() over (
            partition by latest_songs.playlist_id
            order by latest_songs.popularity desc nulls last, latest_songs.position asc
        ) as song_rank
    from latest_songs
    inner join playlist_popularity
        on latest_songs.playlist_id = playlist_popularity.playlist_id

),

final as (

    select
        ranked.playlist_id,
        playlists.playlist_name,
        ranked.snapshot_date,
        ranked.song_rank,
        ranked.track_name,
        artist_names.artist_names,
        ranked.popularity,
        ranked.position,
        ranked.track_id,
        case
            when ranked.popularity_track_count = 0 then 'playlist position'
            else 'popularity'
        end as ranked_by,
        case
            when ranked.popularity_track_count = 0 then 'unavailable (development-mode API)'
            when ranked.popularity_track_count < ranked.track_count then 'partial'
            else 'available'
        end as popularity_status
    from ranked
    left join playlists
        on ranked.playlist_id = playlists.playlist_id
    left join artist_names
        on ranked.track_id = artist_names.track_id
    where ranked.song_rank <= 10

)

select * from final;

-- entity_record_counts: how many records of each entity the lake holds. Dimensions count
-- distinct ids (their latest observation); playlist_items counts fact rows over all snapshots.
create or replace view analytics.entity_record_counts as

with

playlist_items as (

    select
        playlist_id,
        episode_id,
        item_uri,
        is_local,
        snapshot_date
    from core.fact_playlist_item

),

playlists as (

    select playlist_id from core.dim_playlist_current

),

tracks as (

    select track_id from core.dim_track_current

),

albums as (

    select album_id from core.dim_album_current

),

artists as (

    select artist_id from core.dim_artist_current

),

snapshots as (

    select
        playlist_id,
        snapshot_date
    from core.playlist_snapshot_dates

),

final as (

    select
        'albums' as entity,
        count(*) as record_count
    from albums

    union all

    select
        'artists' as entity,
        count(*) as record_count
    from artists

    union all

    select
        'episodes' as entity,
        count(distinct episode_id) as record_count
    from playlist_items

    union all

    select
        'local_files' as entity,
        count(distinct item_uri) as record_count
    from playlist_items
    where is_local

    union all

    select
        'playlist_items' as entity,
        count(*) as record_count
    from playlist_items

    union all

    select
        'playlist_snapshots' as entity,
        count(*) as record_count
    from snapshots

    union all

    select
        'playlists' as entity,
        count(*) as record_count
    from playlists

    union all

    select
        'tracks' as entity,
        count(*) as record_count
    from tracks

)

select * from final;

-- monthly_playlist_additions: entries added to each playlist per calendar month of added_at
-- (UTC). An entry is counted once however many snapshots saw it (it is identified by its item
-- and its added_at), including entries removed since. Entries Spotify sends without added_at
-- form the null month. Null payloads never reach the fact table and are not counted.
create or replace view analytics.monthly_playlist_additions as

with

playlist_items as (

    select
        playlist_id,
        item_uri,
        added_at
    from core.fact_playlist_item

),

playlists as (

    select
        playlist_id,
        playlist_name
    from core.dim_playlist_current

),

additions as (

    select distinct
        playlist_id,
        item_uri,
        added_at,
        cast(date_trunc('month', convert_timezone('UTC', added_at)) as date) as added_month_date
    from playlist_items

),

final as (

    select
        additions.playlist_id,
        playlists.playlist_name,
        additions.added_month_date,
        count(*) as added_item_count
    from additions
    left join playlists
        on additions.playlist_id = playlists.playlist_id
    group by
        additions.playlist_id,
        playlists.playlist_name,
        additions.added_month_date

)

select * from final;

-- release_recency_popularity: the popularity of songs released in the last quarter (the three
-- months up to the latest snapshot_date in the lake, so the answer does not drift with the
-- day the query runs) against older songs. Songs whose album has no release date form their
-- own 'unknown' group. Popularity as in artist_metrics: averaged only where present, with
-- popularity_status saying 'available', 'partial' or 'unavailable (development-mode API)'.
create or replace view analytics.release_recency_popularity as

with

tracks as (

    select
        track_id,
        album_id,
        popularity
    from core.dim_track_current

),

albums as (

    select
        album_id,
        release_date
    from core.dim_album_current

),

playlist_items as (

    select snapshot_date
    from core.fact_playlist_item

),

reference as (

    select max(snapshot_date) as reference_date
    from playlist_items

),

track_releases as (

    select
        tracks.track_id,
        tracks.popularity,
        reference.reference_date,
        case
            when albums.release_date is null then 'unknown'
            when albums.release_date > dateadd(month, -3, reference.reference_date)
                then 'last quarter'
            else 'older'
        end as release_period
    from tracks
    left join albums
        on tracks.album_id = albums.album_id
    cross join reference

),

grouped as (

    select
        release_period,
        reference_date,
        count(*) as track_count,
        count(popularity) as popularity_track_count,
        avg(popularity) as avg_popularity
    from track_releases
    group by release_period, reference_date

),

final as (

    select
        release_period,
        reference_date,
        track_count,
        round(avg_popularity, 1) as avg_popularity,
        popularity_track_count,
        case
            when popularity_track_count = 0 then 'unavailable (development-mode API)'
            when popularity_track_count < track_count then 'partial'
            else 'available'
        end as popularity_status
    from grouped

)

select * from final;

-- top_artists_by_popularity: the 10 artists with the highest average song popularity, from
-- artist_metrics. popularity_rank ranks only artists with a popularity; artists without one
-- (development-mode API) come after them with a null rank, avg_popularity null and
-- popularity_status saying why, rather than being ranked on an average of nothing.
create or replace view analytics.top_artists_by_popularity as

with

metrics as (

    select
        artist_id,
        artist_name,
        track_count,
        avg_popularity,
        popularity_track_count,
        popularity_status
    from analytics.artist_metrics
    where track_count > 0

),

ranked as (

    select
        artist_id,
        artist_name,
        track_count,
        avg_popularity,
        popularity_track_count,
        popularity_status,
        case
            when avg_popularity is not null
                then rank() over (order by avg_popularity desc nulls last)
        end as popularity_rank,
        row_number() over (
            order by avg_popularity desc nulls last, artist_name asc, artist_id asc
        ) as display_order
    from metrics

),

final as (

    select
        display_order,
        popularity_rank,
        artist_name,
        artist_id,
        avg_popularity,
        popularity_track_count,
        track_count,
        popularity_status
    from ranked
    where display_order <= 10

)

select * from final;

-- top_artists_by_song_count: the 5 artists credited on the most distinct songs (any credit
-- position, so a featured artist counts too). song_rank is a rank: ties share it; the fifth
-- row is cut by artist_name among tied artists.
create or replace view analytics.top_artists_by_song_count as

with

track_artists as (

    select
        track_id,
        artist_id
    from core.bridge_track_artist_current

),

artists as (

    select
        artist_id,
        artist_name
    from core.dim_artist_current

),

song_counts as (

    select
        artist_id,
        count(distinct track_id) as song_count
    from track_artists
    group by artist_id

),

ranked as (

    select
        song_counts.artist_id,
        artists.artist_name,
        song_counts.song_count,
        rank() over (order by song_counts.song_count desc) as song_rank,
        row_number() over (
            order by song_counts.song_count desc, artists.artist_name asc, song_counts.artist_id asc
        ) as row_order
    from song_counts
    inner join artists
        on song_counts.artist_id = artists.artist_id

),

final as (

    select
        song_rank,
        artist_name,
        artist_id,
        song_count
    from ranked
    where row_order <= 5

)

select * from final;
