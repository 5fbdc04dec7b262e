-- playlist_snapshot_sequence: every snapshot of every playlist (playlist_snapshot_dates) with
-- the playlist's snapshot before it and the one after it, null for its first and its latest
-- snapshot. The one definition of a playlist's previous snapshot (position_changes,
-- snapshot_entries_exits) and of its latest one, "now" (current_top_songs,
-- weeks_on_playlist). The file is named 20_0_ so that it is created before the views that
-- read it.
create or replace view playlist_snapshot_sequence as

with

final as (

    select
        playlist_id,
        snapshot_date,
        lag(snapshot_date) over (
            partition by playlist_id order by snapshot_date
        ) as previous_snapshot_date,
        lead(snapshot_date) over (
            partition by playlist_id order by snapshot_date
        ) as next_snapshot_date
    from playlist_snapshot_dates

)

select * from final
