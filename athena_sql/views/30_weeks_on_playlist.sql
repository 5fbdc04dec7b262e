-- weeks_on_playlist: for every item a playlist has held (songs, episodes and local files,
-- identified by item_uri), the number of distinct weeks (Monday-based) in which a snapshot
-- contained it, the first and last snapshot that did, and whether the latest snapshot of the
-- playlist still does. Counting weeks, not snapshots, keeps the figure right if a week is
-- extracted twice.
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

item_history as (

    select
        playlist_id,
        item_uri,
        max(item_type) as item_type,
        max(track_id) as track_id,
        max_by(item_name, snapshot_date) as item_name,
        count(distinct date_trunc('week', snapshot_date)) as weeks_on_playlist,
        count(distinct snapshot_date) as snapshot_count,
        min(snapshot_date) as first_seen_date,
        max(snapshot_date) as last_seen_date
    from playlist_items
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
