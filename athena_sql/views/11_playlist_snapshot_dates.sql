-- playlist_snapshot_dates: every snapshot of every playlist, one row per (playlist_id,
-- snapshot_date). Those with entries come from the fact; the empty ones, which have no fact
-- row, from dim_playlist (total_items = 0; the two sets are disjoint). Not all of
-- dim_playlist: while a new date's fact is still being loaded (the crawlers load the tables
-- one by one), that would look like an empty snapshot of every playlist. The trend views
-- read a playlist's snapshots from here.
create or replace view playlist_snapshot_dates as

with

snapshots_with_entries as (

    select distinct
        playlist_id,
        cast(snapshot_date as date) as snapshot_date
    from fact_playlist_item

),

empty_snapshots as (

    select
        playlist_id,
        cast(snapshot_date as date) as snapshot_date
    from dim_playlist
    where total_items = 0

),

final as (

    select * from snapshots_with_entries

    union all

    select * from empty_snapshots

)

select * from final
