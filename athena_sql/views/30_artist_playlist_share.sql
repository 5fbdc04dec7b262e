-- artist_playlist_share: per playlist snapshot and artist, the entries crediting the artist
-- (any credit position, with the artist credits of each song's latest observation) out of
-- all entries of the snapshot (episodes and local files included). A song with two artists
-- counts for both, so the shares of one snapshot can add up to more than 1. The snapshot sizes
-- read the fact on their own: an entries CTE read twice would be materialised (DuckDB) where
-- two reads of the fact stream.
create or replace view artist_playlist_share as

with

playlist_items as (

    select
        playlist_id,
        track_id,
        cast(snapshot_date as date) as snapshot_date
    from fact_playlist_item

),

snapshot_sizes as (

    select
        playlist_id,
        cast(snapshot_date as date) as snapshot_date,
        count(*) as playlist_entry_count
    from fact_playlist_item
    group by playlist_id, cast(snapshot_date as date)

),

artist_entries as (

    select
        playlist_items.playlist_id,
        playlist_items.snapshot_date,
        track_artists.artist_id,
        count(*) as artist_entry_count
    from playlist_items
    inner join bridge_track_artist_current as track_artists
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
            cast(artist_entries.artist_entry_count as double)
            / snapshot_sizes.playlist_entry_count,
            4
        ) as entry_share,
        artist_entries.artist_id
    from artist_entries
    inner join snapshot_sizes
        on
            artist_entries.playlist_id = snapshot_sizes.playlist_id
            and artist_entries.snapshot_date = snapshot_sizes.snapshot_date
    left join dim_artist_current as artists
        on artist_entries.artist_id = artists.artist_id

)

select * from final
