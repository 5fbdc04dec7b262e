-- 08_views_trends: trend views the snapshot grain makes possible, over CORE. Same names,
-- columns and meaning as athena_sql/views/30_*.sql (docs/sql.md has the catalogue).

use database spotify_lakehouse;

-- artist_playlist_share: per playlist snapshot and artist, the entries crediting the artist
-- (any credit position, with the artist credits of each song's latest observation) out of
-- all entries of the snapshot (episodes and local files included). A song with two artists
-- counts for both, so the shares of one snapshot can add up to more than 1.
create or replace view analytics.artist_playlist_share as

with

playlist_items as (

    select
        playlist_id,
        track_id,
        snapshot_date
    from core.fact_playlist_item

),

track_artists as (

    select
        track_id,
        artist_id
    from core.bridge_track_artist_current

),

artists as (

    select
        artist_id,
        artist_name
    from core.dim_artist_current

),

snapshot_sizes as (

    select
        playlist_id,
        snapshot_date,
        count(*) as playlist_entry_count
    from playlist_items
    group by playlist_id, snapshot_date

),

artist_entries as (

    select
        playlist_items.playlist_id,
        playlist_items.snapshot_date,
        track_artists.artist_id,
        count(*) as artist_entry_count
    from playlist_items
    inner join track_artists
        on playlist_items.track_id = track_artists.track_id
    group by playlist_items.playlist_id, playlist_items.snapshot_date, track_artists.artist_id

),

final as (

    select
        artist_entries.playlist_id,
        artist_entries.snapshot_date,
        artists.artist_name,
        artist_entries.artist_entry_count,
        snapshot_sizes.playlist_entry_count,
        round(
            cast(artist_entries.artist_entry_count as float)
            / snapshot_sizes.playlist_entry_count,
            4
        ) as entry_share,
        artist_entries.artist_id
    from artist_entries
    inner join snapshot_sizes
        on
            artist_entries.playlist_id = snapshot_sizes.playlist_id
            and artist_entries.snapshot_date = snapshot_sizes.snapshot_date
    left join artists
        on artist_entries.artist_id = artists.artist_id

)

select * from final;

-- position_changes: every item of every snapshot that has a previous snapshot of the same
-- playlist, with its position then and now. position_change = previous_position - position,
-- so a positive number is a climb; movement is 'climbed', 'dropped', 'unchanged' or 'new'
-- (not in the previous snapshot). An item listed twice takes its first position.
create or replace view analytics.position_changes as

with

playlist_items as (

    select
        playlist_id,
        item_uri,
        item_name,
        position,
        snapshot_date
    from core.fact_playlist_item

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

snapshots as (

    select
        playlist_id,
        snapshot_date
    from core.playlist_snapshot_dates

),

snapshot_sequence as (

    select
        playlist_id,
        snapshot_date,
        lag(snapshot_date) over (
            partition by playlist_id order by snapshot_date
        ) as previous_snapshot_date
    from snapshots

),

final as (

    select
        current_items.playlist_id,
        current_items.snapshot_date,
        snapshot_sequence.previous_snapshot_date,
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
    inner join snapshot_sequence
        on
            current_items.playlist_id = snapshot_sequence.playlist_id
            and current_items.snapshot_date = snapshot_sequence.snapshot_date
    left join items as previous_items
        on
            current_items.playlist_id = previous_items.playlist_id
            and current_items.item_uri = previous_items.item_uri
            and snapshot_sequence.previous_snapshot_date = previous_items.snapshot_date
    where snapshot_sequence.previous_snapshot_date is not null

)

select * from final;

-- snapshot_entries_exits: per playlist snapshot, the distinct items it holds, how many were
-- not in the previous snapshot (new entries) and how many of the previous snapshot's items
-- are gone (exits). For a playlist's first snapshot both counts are null: there is nothing
-- to compare with.
create or replace view analytics.snapshot_entries_exits as

with

playlist_items as (

    select
        playlist_id,
        item_uri,
        snapshot_date
    from core.fact_playlist_item

),

items as (

    select distinct
        playlist_id,
        snapshot_date,
        item_uri
    from playlist_items

),

snapshots as (

    select
        playlist_id,
        snapshot_date
    from core.playlist_snapshot_dates

),

snapshot_sequence as (

    select
        playlist_id,
        snapshot_date,
        lag(snapshot_date) over (
            partition by playlist_id order by snapshot_date
        ) as previous_snapshot_date
    from snapshots

),

current_items as (

    select
        snapshot_sequence.playlist_id,
        snapshot_sequence.snapshot_date,
        items.item_uri
    from snapshot_sequence
    inner join items
        on
            snapshot_sequence.playlist_id = items.playlist_id
            and snapshot_sequence.snapshot_date = items.snapshot_date

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
    from current_items
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

select * from final;

-- weeks_on_playlist: for every item a playlist has held (songs, episodes and local files,
-- identified by item_uri), the number of distinct weeks (Monday-based) in which a snapshot
-- contained it, the first and last snapshot that did, and whether the latest snapshot of the
-- playlist still does. Counting weeks, not snapshots, keeps the figure right if a week is
-- extracted twice.
create or replace view analytics.weeks_on_playlist as

with

playlist_items as (

    select
        playlist_id,
        item_uri,
        item_type,
        track_id,
        item_name,
        snapshot_date
    from core.fact_playlist_item

),

snapshots as (

    select
        playlist_id,
        snapshot_date
    from core.playlist_snapshot_dates

),

latest_snapshots as (

    select
        playlist_id,
        max(snapshot_date) as latest_snapshot_date
    from snapshots
    group by playlist_id

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

select * from final;
