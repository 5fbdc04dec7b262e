-- chart_top_artists: per chart, the 5 artists with the most distinct songs on it over the
-- charts the lake holds, with their entries (a song on 3 weekly charts is 3 entries), best
-- rank and streams. artist_rank is a rank: ties share it; the fifth row is cut by
-- artist_name among tied artists (as top_artists_by_song_count). Artists are the chart
-- file's names, split at ', ' (artist_source; see chart_artist_credits for the caveat).
create or replace view chart_top_artists as

with

credits as (

    select
        chart_id,
        artist_name,
        artist_source,
        rank,
        streams,
        track_id
    from chart_artist_credits

),

artist_totals as (

    select
        chart_id,
        artist_name,
        artist_source,
        count(distinct track_id) as song_count,
        count(*) as entry_count,
        min(rank) as best_rank,
        sum(streams) as total_streams
    from credits
    group by chart_id, artist_name, artist_source

),

ranked as (

    select
        chart_id,
        artist_name,
        artist_source,
        song_count,
        entry_count,
        best_rank,
        total_streams,
        rank() over (partition by chart_id order by song_count desc) as artist_rank,
        row_number() over (
            partition by chart_id order by song_count desc, artist_name asc
        ) as row_order
    from artist_totals

),

final as (

    select
        chart_id,
        artist_rank,
        artist_name,
        song_count,
        entry_count,
        best_rank,
        total_streams,
        artist_source
    from ranked
    where row_order <= 5

)

select * from final
