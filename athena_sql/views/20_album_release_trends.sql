-- album_release_trends: per release year, the albums seen on the playlists, the sum of their
-- total_tracks and how many of their songs the playlists hold. A year-precision release
-- date ('1998') counts in its year; albums without a release date form the null year.
create or replace view album_release_trends as

with

albums as (

    select
        album_id,
        release_year,
        total_tracks
    from dim_album_current

),

tracks as (

    select
        track_id,
        album_id
    from dim_track_current

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

select * from final
