-- top_artists_by_song_count: the 5 artists credited on the most distinct songs (any credit
-- position, so a featured artist counts too). song_rank is a rank: ties share it; the fifth
-- row is cut by artist_name among tied artists.
create or replace view top_artists_by_song_count as

with

song_counts as (

    select
        artist_id,
        count(distinct track_id) as song_count
    from bridge_track_artist_current
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
    inner join dim_artist_current as artists
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

select * from final
