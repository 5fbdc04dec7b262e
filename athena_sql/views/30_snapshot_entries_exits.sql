-- snapshot_entries_exits: per playlist snapshot, the distinct items it holds, how many were
-- not in the previous snapshot (new entries) and how many of the previous snapshot's items
-- are gone (exits). For a playlist's first snapshot both counts are null: there is nothing
-- to compare with.
create or replace view snapshot_entries_exits as

with

playlist_items as (

    select
        playlist_id,
        item_uri,
        cast(snapshot_date as date) as snapshot_date
    from fact_playlist_item

),

items as (

    select distinct
        playlist_id,
        snapshot_date,
        item_uri
    from playlist_items

),

snapshot_sequence as (

    select
        playlist_id,
        snapshot_date,
        previous_snapshot_date
    from playlist_snapshot_sequence

),

previous_items as (

    select
        snapshot_sequence.playlist_id,
        snapshot_sequence.snapshot_date,
        items.item_uri
    from snapshot_sequence
    inner join items
        on
            snapshot_sequence.playlist_id = items.playlist_id
            and snapshot_sequence.previous_snapshot_date = items.snapshot_date

),

compared as (

    select
        coalesce(current_items.playlist_id, previous_items.playlist_id) as playlist_id,
        coalesce(current_items.snapshot_date, previous_items.snapshot_date) as snapshot_date,
        current_items.item_uri is not null as is_in_snapshot,
        previous_items.item_uri is not null as is_in_previous_snapshot
    from items as current_items
    full outer join previous_items
        on
            current_items.playlist_id = previous_items.playlist_id
            and current_items.snapshot_date = previous_items.snapshot_date
            and current_items.item_uri = previous_items.item_uri

),

counted as (

    select
        playlist_id,
        snapshot_date,
        count_if(is_in_snapshot) as item_count,
        count_if(is_in_snapshot and not is_in_previous_snapshot) as new_entry_count,
        count_if(is_in_previous_snapshot and not is_in_snapshot) as exit_count
    from compared
    group by playlist_id, snapshot_date

),

final as (

    select
        snapshot_sequence.playlist_id,
        snapshot_sequence.snapshot_date,
        snapshot_sequence.previous_snapshot_date,
        coalesce(counted.item_count, 0) as item_count,
        case
            when snapshot_sequence.previous_snapshot_date is not null
                then coalesce(counted.new_entry_count, 0)
        end as new_entry_count,
        case
            when snapshot_sequence.previous_snapshot_date is not null
                then coalesce(counted.exit_count, 0)
        end as exit_count
    from snapshot_sequence
    left join counted
        on
            snapshot_sequence.playlist_id = counted.playlist_id
            and snapshot_sequence.snapshot_date = counted.snapshot_date

)

select * from final
