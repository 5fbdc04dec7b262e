-- position_changes: every item of every snapshot that has a previous snapshot of the same
-- playlist, with its position then and now. position_change = previous_position - position,
-- so a positive number is a climb; movement is 'climbed', 'dropped', 'unchanged' or 'new'
-- (not in the previous snapshot). An item listed twice takes its first position.
create or replace view position_changes as

with

playlist_items as (

    select
        playlist_id,
        item_uri,
        item_name,
        position,
        cast(snapshot_date as date) as snapshot_date
    from fact_playlist_item

),

items as (

    select
        playlist_id,
        snapshot_date,
        item_uri,
        max(item_name) as item_name,
        min(position) as position
    from playlist_items
    group by playlist_id, snapshot_date, item_uri

),

previous_snapshots as (

    select
        playlist_id,
        snapshot_date,
        previous_snapshot_date
    from playlist_snapshot_sequence
    where previous_snapshot_date is not null

),

final as (

    select
        current_items.playlist_id,
        current_items.snapshot_date,
        previous_snapshots.previous_snapshot_date,
        current_items.position,
        previous_items.position as previous_position,
        previous_items.position - current_items.position as position_change,
        case
            when previous_items.position is null then 'new'
            when previous_items.position > current_items.position then 'climbed'
            when previous_items.position < current_items.position then 'dropped'
            else 'unchanged'
        end as movement,
        current_items.item_name,
        current_items.item_uri
    from items as current_items
    inner join previous_snapshots
        on
            current_items.playlist_id = previous_snapshots.playlist_id
            and current_items.snapshot_date = previous_snapshots.snapshot_date
    left join items as previous_items
        on
            current_items.playlist_id = previous_items.playlist_id
            and current_items.item_uri = previous_items.item_uri
            and previous_snapshots.previous_snapshot_date = previous_items.snapshot_date

)

select * from final
