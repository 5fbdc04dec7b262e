-- chart_movements: every song of every chart date next to the chart one period earlier (a
-- week for weekly charts, a day for daily ones): rank and streams then and now, and the
-- movement. A song is a song_key (chart_entry_songs), not a track id: a song that charts
-- under a new id (a re-release, a relinked id) moves from its old rank, it is not a new
-- entry and an exit. The movement: 'climbed', 'fell', 'unchanged', 'new' (first time on
-- this chart in the lake), 're-entry' (on an earlier chart, not on the previous one), or
-- 'exit' (on the previous chart, not on this one: a row with no rank). rank_change =
-- previous_rank - rank, so a positive number is a climb. Where the lake does not hold the
-- previous chart, previous_chart_date and movement are null: nothing to compare with. A
-- song listed twice in one chart (under one id or two) takes its best entry: its rank,
-- streams, names and track_id. Each chart date's songs are paired with those of the date one
-- period before in one full outer join (on both charts, on this one only, or on the previous
-- one only: an exit), not compared by a window over the whole history; telling 'new' from
-- 're-entry' reads the songs of every earlier chart.
create or replace view chart_movements as

with

listings as (

    select
        chart_id,
        period,
        chart_date,
        song_key,
        track_id,
        rank,
        streams,
        track_name,
        artist_names,
        row_number() over (
            partition by chart_id, chart_date, song_key order by rank, track_id
        ) as listing_order
    from chart_entry_songs

),

songs as (

    select
        chart_id,
        chart_date,
        cast(
            date_add('day', case when period = 'daily' then 1 else 7 end, chart_date) as date
        ) as next_chart_date,
        song_key,
        track_id,
        rank,
        streams,
        track_name,
        artist_names
    from listings
    where listing_order = 1

),

charts as (

    select distinct
        chart_id,
        chart_date,
        next_chart_date
    from songs

),

chart_sequence as (

    select
        charts.chart_id,
        charts.chart_date,
        previous_charts.chart_date as previous_chart_date
    from charts
    left join charts as previous_charts
        on
            charts.chart_id = previous_charts.chart_id
            and charts.chart_date = previous_charts.next_chart_date

),

debuts as (

    select
        chart_id,
        song_key,
        min(chart_date) as debut_date
    from songs
    group by chart_id, song_key

),

paired as (

    select
        coalesce(current_songs.chart_id, previous_songs.chart_id) as chart_id,
        coalesce(current_songs.chart_date, previous_songs.next_chart_date) as chart_date,
        current_songs.rank,
        previous_songs.rank as previous_rank,
        current_songs.streams,
        previous_songs.streams as previous_streams,
        coalesce(current_songs.track_name, previous_songs.track_name) as track_name,
        coalesce(current_songs.artist_names, previous_songs.artist_names) as artist_names,
        coalesce(current_songs.song_key, previous_songs.song_key) as song_key,
        coalesce(current_songs.track_id, previous_songs.track_id) as track_id
    from songs as current_songs
    full outer join songs as previous_songs
        on
            current_songs.chart_id = previous_songs.chart_id
            and current_songs.song_key = previous_songs.song_key
            and current_songs.chart_date = previous_songs.next_chart_date

),

final as (

    select
        paired.chart_id,
        paired.chart_date,
        chart_sequence.previous_chart_date,
        paired.rank,
        paired.previous_rank,
        paired.previous_rank - paired.rank as rank_change,
        case
            when paired.rank is null then 'exit'
            when paired.previous_rank > paired.rank then 'climbed'
            when paired.previous_rank < paired.rank then 'fell'
            when paired.previous_rank = paired.rank then 'unchanged'
            when chart_sequence.previous_chart_date is null then null
            when debuts.debut_date = paired.chart_date then 'new'
            else 're-entry'
        end as movement,
        paired.streams,
        paired.previous_streams,
        paired.streams - paired.previous_streams as streams_change,
        paired.track_name,
        paired.artist_names,
        paired.song_key,
        paired.track_id
    from paired
    inner join chart_sequence
        on
            paired.chart_id = chart_sequence.chart_id
            and paired.chart_date = chart_sequence.chart_date
    inner join debuts
        on
            paired.chart_id = debuts.chart_id
            and paired.song_key = debuts.song_key

)

select * from final
