-- chart_artist_credits: every artist credit of every chart entry, one row per entry and
-- artist, named as the chart file names them. The names are the file's artist_names split at
-- ', ' (artist_source = 'chart_file_names'). Caveat: a name that holds ', ' is split too, so
-- "Tyler, The Creator" becomes the two artists "Tyler" and "The Creator"; artists from the
-- Web API replace these names once chart tracks are enriched. The chart artist views read
-- their artists here, and only here. An artist named twice in one entry counts once.
create or replace view chart_artist_credits as

with

chart_entries as (

    select
        chart_id,
        rank,
        track_id,
        streams,
        artist_names,
        cast(chart_date as date) as chart_date
    from fact_chart_entry

),

credits as (

    select distinct
        chart_entries.chart_id,
        chart_entries.chart_date,
        chart_entries.rank,
        artist_credits.artist_name,
        chart_entries.streams,
        chart_entries.track_id
    from chart_entries
    cross join unnest(split(chart_entries.artist_names, ', ')) as artist_credits (artist_name)

),

final as (

    select
        chart_id,
        chart_date,
        rank,
        artist_name,
        'chart_file_names' as artist_source,
        streams,
        track_id
    from credits

)

select * from final
