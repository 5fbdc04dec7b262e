-- top_artists_by_popularity: the 10 artists with the highest average song popularity, from
-- artist_metrics. popularity_rank ranks only artists with a popularity; artists without one
-- (development-mode API) come after them with a null rank, avg_popularity null and
-- popularity_status saying why, rather than being ranked on an average of nothing.
create or replace view top_artists_by_popularity as

with

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
    from artist_metrics
    where track_count > 0

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

select * from final
