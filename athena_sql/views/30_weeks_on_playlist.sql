-- weeks_on_playlist: for every item a playlist has held (songs, episodes and local files,
-- identified by item_uri), the number of distinct weeks (Monday-based) in which a snapshot
-- contained it, the first and last snapshot that did, and whether the latest snapshot of the
-- playlist still does. Counting weeks, not snapshots, keeps the figure right if a week is
-- extracted twice. The entries are grouped by item and week first, a week's snapshot dates
-- counted with one flag per day of the week: no count(distinct) over every entry.
create or replace view weeks_on_playlist as

with

playlist_items as (

    select
        playlist_id,
        item_uri,
        item_type,
        track_id,
        item_name,
        cast(snapshot_date as date) as snapshot_date
    from fact_playlist_item

),

latest_snapshots as (

    select
        playlist_id,
        snapshot_date as latest_snapshot_date
    from playlist_snapshot_sequence
    where next_snapshot_date is null

),

item_weeks as (

    select
        playlist_id,
        item_uri,
        max(item_type) as item_type,
        max(track_id) as track_id,
        max_by(item_name, snapshot_date) as item_name,
        max(if(day_of_week(snapshot_date) = 1, 1, 0)) as on_mon,
        max(if(day_of_week(snapshot_date) = 2, 1, 0)) as on_tue,
        max(if(day_of_week(snapshot_date) = 3, 1, 0)) as on_wed,
        max(if(day_of_week(snapshot_date) = 4, 1, 0)) as on_thu,
        max(if(day_of_week(snapshot_date) = 5, 1, 0)) as on_fri,
        max(if(day_of_week(snapshot_date) = 6, 1, 0)) as on_sat,
        max(if(day_of_week(snapshot_date) = 7, 1, 0)) as on_sun,
        min(snapshot_date) as first_seen_date,
        max(snapshot_date) as last_seen_date
    from playlist_items
    group by playlist_id, item_uri, date_trunc('week', snapshot_date)

),

item_history as (

    select
        playlist_id,
        item_uri,
        max(item_type) as item_type,
        max(track_id) as track_id,
        max_by(item_name, last_seen_date) as item_name,
        count(*) as weeks_on_playlist,
        cast(sum(on_mon + on_tue + on_wed + on_thu + on_fri + on_sat + on_sun) as bigint)
            as snapshot_count,
        min(first_seen_date) as first_seen_date,
        max(last_seen_date) as last_seen_date
    from item_weeks
    group by playlist_id, item_uri

),

final as (

    select
        item_history.playlist_id,
        item_history.item_name,
        item_history.weeks_on_playlist,
        item_history.snapshot_count,
        item_history.first_seen_date,
        item_history.last_seen_date,
        item_history.last_seen_date = latest_snapshots.latest_snapshot_date
            as is_on_latest_snapshot,
        item_history.item_type,
        item_history.track_id,
        item_history.item_uri
    from item_history
    inner join latest_snapshots
        on item_history.playlist_id = latest_snapshots.playlist_id

)

select * from final
