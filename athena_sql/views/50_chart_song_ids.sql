-- chart_song_ids: every song of every chart followed as a song, not as a track id: the
-- entries of all the track ids one song charted under (a re-release, a single and its
-- album, a relinked id) are counted together, by dim_track.song_key (the ISRC where there is
-- one). One row per chart and song: the ids it charted under (first charted first) and how
-- many, its weeks (or days) on the chart, peak rank, debut and last date and streams over
-- all of them, and the name and artists of its best entry on its last date. A charted track
-- the lake does not describe yet (no dim_track row: not enriched) is a song of its own,
-- `track:<track_id>` (chart_entry_songs, the one definition of a chart entry's song);
-- described_track_id_count says how many of a song's ids are described. Built on
-- chart_songs, which counts a song's history over all its ids; this view adds the ids.
create or replace view chart_song_ids as

with

songs as (

    select
        chart_id,
        song_key,
        track_name,
        artist_names,
        weeks_on_chart,
        days_on_chart,
        peak_rank,
        debut_date,
        last_chart_date,
        total_streams,
        track_id_count
    from chart_songs

),

song_track_ids as (

    select
        chart_id,
        song_key,
        track_id,
        is_described,
        min(chart_date) as first_chart_date
    from chart_entry_songs
    group by chart_id, song_key, track_id, is_described

),

id_lists as (

    select
        chart_id,
        song_key,
        sum(case when is_described then 1 else 0 end) as described_track_id_count,
        listagg(track_id, ', ') within group (order by first_chart_date, track_id) as track_ids
    from song_track_ids
    group by chart_id, song_key

),

final as (

    select
        songs.chart_id,
        songs.song_key,
        songs.track_name,
        songs.artist_names,
        songs.weeks_on_chart,
        songs.days_on_chart,
        songs.peak_rank,
        songs.debut_date,
        songs.last_chart_date,
        songs.total_streams,
        songs.track_id_count,
        songs.track_id_count > 1 as has_several_track_ids,
        id_lists.described_track_id_count,
        id_lists.track_ids
    from songs
    inner join id_lists
        on
            songs.chart_id = id_lists.chart_id
            and songs.song_key = id_lists.song_key

)

select * from final
