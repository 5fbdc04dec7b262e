-- chart_song_ids: every song of every chart followed as a song, not as a track id: the
-- entries of all the track ids one song charted under (a re-release, a single and its
-- album, a relinked id) are counted together, by dim_track.song_key (the ISRC where there is
-- one). One row per chart and song: the ids it charted under (first charted first) and how
-- many, its weeks (or days) on the chart, peak rank, debut and last date and streams over
-- all of them, and the name and artists of its best entry on its last date. A charted track
-- the lake does not describe yet (no dim_track row: not enriched) is a song of its own,
-- `track:<track_id>` (chart_entry_songs, the one definition of a chart entry's song);
-- described_track_id_count says how many of a song's ids are described.
create or replace view chart_song_ids as

with

song_entries as (

    select
        chart_id,
        period,
        track_id,
        rank,
        streams,
        track_name,
        artist_names,
        chart_date,
        is_described,
        song_key
    from chart_entry_songs

),

song_track_ids as (

    select
        chart_id,
        song_key,
        track_id,
        is_described,
        min(chart_date) as first_chart_date
    from song_entries
    group by chart_id, song_key, track_id, is_described

),

id_lists as (

    select
        chart_id,
        song_key,
        count(*) as track_id_count,
        sum(case when is_described then 1 else 0 end) as described_track_id_count,
        listagg(track_id, ', ') within group (order by first_chart_date, track_id) as track_ids
    from song_track_ids
    group by chart_id, song_key

),

song_history as (

    select
        chart_id,
        period,
        song_key,
        count(distinct chart_date) as chart_count,
        min(rank) as peak_rank,
        min(chart_date) as debut_date,
        max(chart_date) as last_chart_date,
        sum(streams) as total_streams
    from song_entries
    group by chart_id, period, song_key

),

latest_entries as (

    select
        chart_id,
        song_key,
        track_name,
        artist_names,
        row_number() over (
            partition by chart_id, song_key
            order by chart_date desc, rank asc
        ) as entry_rank
    from song_entries

),

final as (

    select
        song_history.chart_id,
        song_history.song_key,
        latest_entries.track_name,
        latest_entries.artist_names,
        case when song_history.period = 'weekly' then song_history.chart_count end
            as weeks_on_chart,
        case when song_history.period = 'daily' then song_history.chart_count end
            as days_on_chart,
        song_history.peak_rank,
        song_history.debut_date,
        song_history.last_chart_date,
        song_history.total_streams,
        id_lists.track_id_count,
        id_lists.track_id_count > 1 as has_several_track_ids,
        id_lists.described_track_id_count,
        id_lists.track_ids
    from song_history
    inner join id_lists
        on
            song_history.chart_id = id_lists.chart_id
            and song_history.song_key = id_lists.song_key
    inner join latest_entries
        on
            song_history.chart_id = latest_entries.chart_id
            and song_history.song_key = latest_entries.song_key
            and latest_entries.entry_rank = 1

)

select * from final
