-- chart_artist_credits: every artist credit of every chart entry, one row per entry and
-- artist. Where the lake describes the track with its artists (bridge_track_artist_current
-- and dim_artist_current: a playlist or a track document of the enrichment), the credits are
-- those Spotify artists, with their ids (artist_source = 'web_api'), so "Tyler, The
-- Creator" is one artist and two artists of one name are two. Where it does not (not
-- enriched yet, or removed from the catalogue), they are the file's artist_names split at
-- ', ' (artist_source = 'chart_file_names', no artist_id); caveat: a name that holds ', '
-- is split too, "Tyler, The Creator" becoming "Tyler" and "The Creator". The two sources
-- are never matched by name: an artist can have a row of each. The chart artist views read
-- their artists here, and only here. An artist credited twice in one entry counts once.
create or replace view chart_artist_credits as

with

entry_songs as (

    select
        chart_id,
        chart_date,
        rank,
        streams,
        artist_names,
        song_key,
        track_id
    from chart_entry_songs

),

track_artists as (

    select
        bridge.track_id,
        bridge.artist_id,
        artists.artist_name
    from bridge_track_artist_current as bridge
    inner join dim_artist_current as artists
        on bridge.artist_id = artists.artist_id

),

credited_tracks as (

    select distinct track_id
    from track_artists

),

chart_entries as (

    select
        entry_songs.chart_id,
        entry_songs.chart_date,
        entry_songs.rank,
        entry_songs.streams,
        entry_songs.artist_names,
        entry_songs.song_key,
        entry_songs.track_id,
        credited_tracks.track_id is not null as has_api_artists
    from entry_songs
    left join credited_tracks
        on entry_songs.track_id = credited_tracks.track_id

),

api_credits as (

    select distinct
        chart_entries.chart_id,
        chart_entries.chart_date,
        chart_entries.rank,
        track_artists.artist_name,
        'web_api' as artist_source,
        chart_entries.streams,
        chart_entries.song_key,
        chart_entries.track_id,
        track_artists.artist_id
    from chart_entries
    inner join track_artists
        on chart_entries.track_id = track_artists.track_id

),

file_credits as (

    select distinct
        chart_entries.chart_id,
        chart_entries.chart_date,
        chart_entries.rank,
        artist_credits.artist_name,
        'chart_file_names' as artist_source,
        chart_entries.streams,
        chart_entries.song_key,
        chart_entries.track_id,
        cast(null as varchar) as artist_id
    from chart_entries
    cross join unnest(split(chart_entries.artist_names, ', ')) as artist_credits (artist_name)
    where not chart_entries.has_api_artists

),

final as (

    select * from api_credits

    union all

    select * from file_credits

)

select * from final
