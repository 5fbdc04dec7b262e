-- chart_entry_songs: every chart entry with the song it is an entry of, the one definition
-- every chart view follows songs by. song_key is dim_track_current.song_key (the ISRC where
-- there is one, else the id the track was relinked from, else its own id: docs/glue-job.md)
-- when the lake describes the track (a playlist or a track document of the enrichment); a
-- charted track the lake does not describe yet is a song of its own, `track:<track_id>`,
-- and is_described is false. One row per fact_chart_entry row. The file is named 50_0_ so
-- that it is created before the chart views that read it.
create or replace view chart_entry_songs as

with

chart_entries as (

    select
        chart_id,
        period,
        rank,
        track_id,
        streams,
        track_name,
        artist_names,
        cast(chart_date as date) as chart_date
    from fact_chart_entry

),

tracks as (

    select
        track_id,
        song_key
    from dim_track_current

),

final as (

    select
        chart_entries.chart_id,
        chart_entries.period,
        chart_entries.chart_date,
        chart_entries.rank,
        chart_entries.streams,
        chart_entries.track_name,
        chart_entries.artist_names,
        tracks.track_id is not null as is_described,
        coalesce(tracks.song_key, 'track:' || chart_entries.track_id) as song_key,
        chart_entries.track_id
    from chart_entries
    left join tracks
        on chart_entries.track_id = tracks.track_id

)

select * from final
