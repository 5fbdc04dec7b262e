-- 09_views_compatibility: the original projects' data model (songs, albums, artists) as
-- views over CORE, so dashboards built on it keep working. Same as athena_sql/views/40_*.sql.

use database spotify_lakehouse;

-- albums: compatibility view with the album table of the original Spotify ETL projects
-- (album_id, name, release_date, total_tracks, url). release_date is a real date: a
-- year-precision release ('1998') reads 1998-01-01; release_date_precision says which.
create or replace view analytics.albums as

with

albums as (

    select
        album_id,
        album_name,
        release_date,
        release_date_precision,
        total_tracks
    from core.dim_album_current

),

final as (

    select
        album_id,
        album_name as name,
        release_date,
        total_tracks,
        'https://open.spotify.com/album/' || album_id as url,
        release_date_precision
    from albums

)

select * from final;

-- artists: compatibility view with the artist table of the original Spotify ETL projects
-- (artist_id, artist_name, external_url).
create or replace view analytics.artists as

with

artists as (

    select
        artist_id,
        artist_name
    from core.dim_artist_current

),

final as (

    select
        artist_id,
        artist_name,
        'https://open.spotify.com/artist/' || artist_id as external_url
    from artists

)

select * from final;

-- songs: compatibility view with the songs table of the original Spotify ETL projects
-- (song_id, song_name, duration_ms, url, popularity, song_added, album_id, artist_id), one
-- row per song any playlist snapshot has held. song_added is the earliest added_at of the
-- song on any playlist; artist_id is the primary artist; popularity is null where the API
-- did not send it (development-mode apps).
create or replace view analytics.songs as

with

tracks as (

    select
        track_id,
        track_name,
        duration_ms,
        popularity,
        album_id
    from core.dim_track_current

),

track_artists as (

    select
        track_id,
        artist_id,
        artist_position
    from core.bridge_track_artist_current

),

playlist_items as (

    select
        track_id,
        added_at
    from core.fact_playlist_item
    where track_id is not null

),

first_additions as (

    select
        track_id,
        min(added_at) as song_added
    from playlist_items
    group by track_id

),

primary_artists as (

    select
        track_id,
        artist_id
    from track_artists
    where artist_position = 1

),

final as (

    select
        tracks.track_id as song_id,
        tracks.track_name as song_name,
        tracks.duration_ms,
        'https://open.spotify.com/track/' || tracks.track_id as url,
        tracks.popularity,
        first_additions.song_added,
        tracks.album_id,
        primary_artists.artist_id
    from tracks
    inner join first_additions
        on tracks.track_id = first_additions.track_id
    left join primary_artists
        on tracks.track_id = primary_artists.track_id

)

select * from final;
