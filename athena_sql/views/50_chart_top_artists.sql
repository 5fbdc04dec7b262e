-- chart_top_artists: per chart, the 5 artists with the most distinct songs on it over the
-- charts the lake holds, with their entries (a song on 3 weekly charts is 3 entries), best
-- rank and streams. Songs are song_keys (chart_entry_songs): a song that charted under two
-- ids is one song. artist_rank is a rank: ties share it; the fifth row is cut by
-- artist_name among tied artists (as top_artists_by_song_count). Artists are the Spotify
-- artists (artist_id) where the lake describes the track, the file's names otherwise
-- (artist_source; see chart_artist_credits).
create or replace view chart_top_artists as

with

credits as (

    select
        chart_id,
        artist_id,
        artist_name,
        artist_source,
        rank,
        streams,
        song_key
    from chart_artist_credits

),

artist_totals as (

    select
        chart_id,
        artist_id,
        artist_name,
        artist_source,
        count(distinct song_key) as song_count,
        count(*) as entry_count,
        min(rank) as best_rank,
        sum(streams) as total_streams
    from credits
    group by chart_id, artist_id, artist_name, artist_source

),

ranked as (

    select
        chart_id,
        artist_id,
        artist_name,
        artist_source,
        song_count,
        entry_count,
        best_rank,
        total_streams,
        rank() over (partition by chart_id order by song_count desc) as artist_rank,
        row_number() over (
            partition by chart_id
            order by song_count desc, artist_name asc, artist_source desc, artist_id asc
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
        artist_source,
        artist_id
    from ranked
    where row_order <= 5

)

select * from final
