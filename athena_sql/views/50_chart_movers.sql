-- chart_movers: the climbers and fallers of every chart date, each ranked within its chart
-- date and direction by the size of its move (mover_rank 1 is the biggest climb, or the
-- biggest fall; ties share a rank), so `mover_rank <= 5` gives the 5 biggest climbers and
-- fallers of each week. Built on chart_movements, so a song is a song_key: only songs on both
-- the chart and the previous one move (under whichever of their ids).
create or replace view chart_movers as

with

final as (

    select
        chart_id,
        chart_date,
        movement,
        rank() over (
            partition by chart_id, chart_date, movement order by abs(rank_change) desc
        ) as mover_rank,
        rank,
        previous_rank,
        rank_change,
        streams,
        streams_change,
        previous_chart_date,
        track_name,
        artist_names,
        song_key,
        track_id
    from chart_movements
    where movement in ('climbed', 'fell')

)

select * from final
