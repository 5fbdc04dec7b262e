-- entity_record_counts: how many records of each entity the lake holds. Dimensions count
-- distinct ids (their latest observation); playlist_items counts fact rows over all snapshots.
create or replace view entity_record_counts as

with

playlist_items as (

    select
        playlist_id,
        episode_id,
        item_uri,
        is_local,
        cast(snapshot_date as date) as snapshot_date
    from fact_playlist_item

),

playlists as (

    select playlist_id from dim_playlist_current

),

tracks as (

    select track_id from dim_track_current

),

albums as (

    select album_id from dim_album_current

),

artists as (

    select artist_id from dim_artist_current

),

snapshots as (

    select
        playlist_id,
        snapshot_date
    from playlist_snapshot_dates

),

final as (

    select
        'albums' as entity,
        count(*) as record_count
    from albums

    union all

    select
        'artists' as entity,
        count(*) as record_count
    from artists

    union all

    select
        'episodes' as entity,
        count(distinct episode_id) as record_count
    from playlist_items

    union all

    select
        'local_files' as entity,
        count(distinct item_uri) as record_count
    from playlist_items
    where is_local

    union all

    select
        'playlist_items' as entity,
        count(*) as record_count
    from playlist_items

    union all

    select
        'playlist_snapshots' as entity,
        count(*) as record_count
    from snapshots

    union all

    select
        'playlists' as entity,
        count(*) as record_count
    from playlists

    union all

    select
        'tracks' as entity,
        count(*) as record_count
    from tracks

)

select * from final
