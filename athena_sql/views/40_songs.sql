-- songs: compatibility view with the songs table of the original Spotify ETL projects
-- (song_id, song_name, duration_ms, url, popularity, song_added, album_id, artist_id), one
-- row per song any playlist snapshot has held. song_added is the earliest added_at of the
-- song on any playlist; artist_id is the primary artist; popularity is null where the API
-- did not send it (development-mode apps).
create or replace view songs as

with

tracks as (

    select
        track_id,
        track_name,
        duration_ms,
        popularity,
        album_id
    from dim_track_current

),

playlist_items as (

    select
        track_id,
        added_at
    from fact_playlist_item
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
    from bridge_track_artist_current
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

select * from final
