-- chart_artist_share: per chart, chart date and artist, the songs crediting the artist and
-- their streams out of all the chart's songs and streams. A song credits an artist on each
-- of its entries; songs are song_keys (chart_entry_songs), so a song on the chart under two
-- ids that date is one song, with the streams of both entries. A song with two artists
-- counts for both, so the shares of one chart can add up to more than 1. stream_share is
-- null for charts without streams (viral). Artists are the Spotify artists (artist_id)
-- where the lake describes the track, the file's names otherwise (artist_source; see
-- chart_artist_credits).
create or replace view chart_artist_share as

with

chart_entries as (

    select
        chart_id,
        chart_date,
        streams,
        song_key
    from chart_entry_songs

),

chart_totals as (

    select
        chart_id,
        chart_date,
        count(distinct song_key) as chart_song_count,
        sum(streams) as chart_streams
    from chart_entries
    group by chart_id, chart_date

),

artist_totals as (

    select
        chart_id,
        chart_date,
        artist_id,
        artist_name,
        artist_source,
        count(distinct song_key) as artist_song_count,
        sum(streams) as artist_streams
    from chart_artist_credits
    group by chart_id, chart_date, artist_id, artist_name, artist_source

),

final as (

    select
        artist_totals.chart_id,
        artist_totals.chart_date,
        artist_totals.artist_name,
        artist_totals.artist_song_count,
        chart_totals.chart_song_count,
        artist_totals.artist_streams,
        chart_totals.chart_streams,
        round(
            cast(artist_totals.artist_streams as double) / chart_totals.chart_streams, 4
        ) as stream_share,
        artist_totals.artist_source,
        artist_totals.artist_id
    from artist_totals
    inner join chart_totals
        on
            artist_totals.chart_id = chart_totals.chart_id
            and artist_totals.chart_date = chart_totals.chart_date

)

select * from final
