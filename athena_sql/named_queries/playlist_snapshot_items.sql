-- playlist_snapshot_items: the entries of one playlist in the snapshots of a date range, with
-- song and artist names. Parameters (Athena execution parameters, in order): playlist_id,
-- first snapshot_date, last snapshot_date, e.g. 'legacyMix', '2026-11-01', '2026-11-30'.
-- The range filters the snapshot_date partition key itself, so Athena reads only those
-- partitions (the crawler types the key as a string; ISO dates compare correctly as strings).
with

playlist_items as (

    select
        playlist_id,
        position,
        item_type,
        item_name,
        track_id,
        album_id,
        added_at,
        popularity,
        duration_ms,
        is_local,
        cast(snapshot_date as date) as snapshot_date
    from fact_playlist_item
    where
        playlist_id = ?
        and snapshot_date between ? and ?

),

albums as (

    select
        album_id,
        album_name
    from dim_album_current

),

artist_names as (

    select
        track_artists.track_id,
        array_join(
            array_agg(artists.artist_name order by track_artists.artist_position), ', '
        ) as artist_names
    from bridge_track_artist_current as track_artists
    inner join dim_artist_current as artists
        on track_artists.artist_id = artists.artist_id
    group by track_artists.track_id

),

final as (

    select
        playlist_items.playlist_id,
        playlist_items.snapshot_date,
        playlist_items.position,
        playlist_items.item_type,
        playlist_items.item_name,
        artist_names.artist_names,
        albums.album_name,
        playlist_items.added_at,
        playlist_items.popularity,
        playlist_items.duration_ms,
        playlist_items.is_local,
        playlist_items.track_id
    from playlist_items
    left join artist_names
        on playlist_items.track_id = artist_names.track_id
    left join albums
        on playlist_items.album_id = albums.album_id

)

select * from final
order by snapshot_date asc, position asc
