-- artist_metrics: per artist, over the songs they are credited on (latest observation of each
-- song): average popularity, average duration, appearances in playlist snapshots, and the
-- albums they are an album artist of with the sum of those albums' total_tracks.
-- Popularity: averaged only over songs that have it; popularity_status says whether that is
-- every song ('available'), some ('partial') or none ('unavailable (development-mode API)',
-- avg_popularity null), so a missing value is never averaged in as if it were a figure;
-- 'no songs' for an artist credited only on albums.
create or replace view artist_metrics as

with

artists as (

    select
        artist_id,
        artist_name
    from dim_artist_current

),

tracks as (

    select
        track_id,
        duration_ms,
        popularity
    from dim_track_current

),

track_artists as (

    select
        track_id,
        artist_id
    from bridge_track_artist_current

),

albums as (

    select
        album_id,
        total_tracks
    from dim_album_current

),

album_artists as (

    select
        album_id,
        artist_id
    from bridge_album_artist_current

),

playlist_items as (

    select track_id
    from fact_playlist_item
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

select * from final
