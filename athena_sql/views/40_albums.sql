-- albums: compatibility view with the album table of the original Spotify ETL projects
-- (album_id, name, release_date, total_tracks, url). release_date is a real date: a
-- year-precision release ('1998') reads 1998-01-01; release_date_precision says which.
create or replace view albums as

with

albums as (

    select
        album_id,
        album_name,
        release_date,
        release_date_precision,
        total_tracks
    from dim_album_current

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

select * from final
