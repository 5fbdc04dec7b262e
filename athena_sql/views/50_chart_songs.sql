-- chart_songs: every song of every chart (weekly and daily, global and per country, one
-- chart per chart_id) with how long it has been on the chart, its peak rank, its debut date
-- and rank, its last date and its streams, over the charts the lake holds. longevity_rank
-- ranks a chart's songs by weeks (or days) on the chart, ties sharing a rank, so
-- `longevity_rank <= 10` gives the longest-running songs. One pass over the chart entries.
create or replace view chart_songs as

with

chart_entries as (

    select
        chart_id,
        period,
        track_id,
        rank,
        streams,
        track_name,
        artist_names,
        cast(chart_date as date) as chart_date
    from fact_chart_entry

),

song_history as (

    select
        chart_id,
        period,
        track_id,
        count(distinct chart_date) as chart_count,
        min(rank) as peak_rank,
        min(chart_date) as debut_date,
        min_by(rank, chart_date) as debut_rank,
        max(chart_date) as last_chart_date,
        sum(streams) as total_streams,
        max_by(track_name, chart_date) as track_name,
        max_by(artist_names, chart_date) as artist_names
    from chart_entries
    group by chart_id, period, track_id

),

ranked as (

    select
        chart_id,
        period,
        track_id,
        chart_count,
        peak_rank,
        debut_date,
        debut_rank,
        last_chart_date,
        total_streams,
        track_name,
        artist_names,
        rank() over (partition by chart_id order by chart_count desc) as longevity_rank,
        max(last_chart_date) over (partition by chart_id) as latest_chart_date
    from song_history

),

final as (

    select
        chart_id,
        longevity_rank,
        track_name,
        artist_names,
        case when period = 'weekly' then chart_count end as weeks_on_chart,
        case when period = 'daily' then chart_count end as days_on_chart,
        peak_rank,
        debut_date,
        debut_rank,
        last_chart_date,
        last_chart_date = latest_chart_date as is_on_latest_chart,
        total_streams,
        track_id
    from ranked

)

select * from final
