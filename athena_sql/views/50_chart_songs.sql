-- chart_songs: every song of every chart (weekly and daily, global and per country, one
-- chart per chart_id) with how long it has been on the chart, its peak rank, its debut date
-- and rank, its last date and its streams, over the charts the lake holds. A song is a
-- song_key (chart_entry_songs), not a track id: the entries of every id it charted under
-- count together (a date with two of its ids counts once, at the better rank; streams are
-- summed over every entry), track_id_count says how many ids, and track_id, track_name and
-- artist_names are those of its best entry on its last date (the names as the chart file
-- gives them). longevity_rank ranks a chart's songs by weeks (or days) on the chart, ties
-- sharing a rank, so `longevity_rank <= 10` gives the longest-running songs.
create or replace view chart_songs as

with

chart_entries as (

    select
        chart_id,
        period,
        chart_date,
        rank,
        streams,
        track_name,
        artist_names,
        song_key,
        track_id
    from chart_entry_songs

),

song_dates as (

    select
        chart_id,
        period,
        chart_date,
        song_key,
        min(rank) as best_rank
    from chart_entries
    group by chart_id, period, chart_date, song_key

),

song_history as (

    select
        chart_id,
        period,
        song_key,
        count(*) as chart_count,
        min(best_rank) as peak_rank,
        min(chart_date) as debut_date,
        min_by(best_rank, chart_date) as debut_rank,
        max(chart_date) as last_chart_date
    from song_dates
    group by chart_id, period, song_key

),

song_totals as (

    select
        chart_id,
        song_key,
        sum(streams) as total_streams,
        count(distinct track_id) as track_id_count
    from chart_entries
    group by chart_id, song_key

),

latest_entries as (

    select
        chart_id,
        song_key,
        track_name,
        artist_names,
        track_id,
        row_number() over (
            partition by chart_id, song_key
            order by chart_date desc, rank asc, track_id asc
        ) as entry_order
    from chart_entries

),

ranked as (

    select
        chart_id,
        period,
        song_key,
        chart_count,
        peak_rank,
        debut_date,
        debut_rank,
        last_chart_date,
        rank() over (partition by chart_id order by chart_count desc) as longevity_rank,
        max(last_chart_date) over (partition by chart_id) as latest_chart_date
    from song_history

),

final as (

    select
        ranked.chart_id,
        ranked.longevity_rank,
        latest_entries.track_name,
        latest_entries.artist_names,
        case when ranked.period = 'weekly' then ranked.chart_count end as weeks_on_chart,
        case when ranked.period = 'daily' then ranked.chart_count end as days_on_chart,
        ranked.peak_rank,
        ranked.debut_date,
        ranked.debut_rank,
        ranked.last_chart_date,
        ranked.last_chart_date = ranked.latest_chart_date as is_on_latest_chart,
        song_totals.total_streams,
        song_totals.track_id_count,
        ranked.song_key,
        latest_entries.track_id
    from ranked
    inner join song_totals
        on
            ranked.chart_id = song_totals.chart_id
            and ranked.song_key = song_totals.song_key
    inner join latest_entries
        on
            ranked.chart_id = latest_entries.chart_id
            and ranked.song_key = latest_entries.song_key
            and latest_entries.entry_order = 1

)

select * from final
