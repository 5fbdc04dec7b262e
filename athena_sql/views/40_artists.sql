-- artists: compatibility view with the artist table of the original Spotify ETL projects
-- (artist_id, artist_name, external_url).
create or replace view artists as

with

final as (

    select
        artist_id,
        artist_name,
        'https://open.spotify.com/artist/' || artist_id as external_url
    from dim_artist_current

)

select * from final
