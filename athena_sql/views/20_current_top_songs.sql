-- current_top_songs: the 10 most popular songs on each playlist's latest snapshot. Where no
-- song of that snapshot has a popularity (development-mode API), the songs are listed in
-- playlist order instead and ranked_by / popularity_status say so; where only some have one,
-- those without come last. Episodes and local files are not songs and are left out.
create or replace view current_top_songs as

with

playlist_items as (

    select
        playlist_id,
        track_id,
        item_name,
        position,
        popularity,
        cast(snapshot_date as date) as snapshot_date
    from fact_playlist_item

),

latest_snapshots as (

    select
        playlist_id,
        snapshot_date
    from playlist_snapshot_sequence
    where next_snapshot_date is null

),

latest_songs as (

    select
        playlist_items.playlist_id,
        playlist_items.snapshot_date,
        playlist_items.track_id,
        max(playlist_items.item_name) as track_name,
        min(playlist_items.position) as position,
        max(playlist_items.popularity) as popularity
    from playlist_items
    inner join latest_snapshots
        on
            playlist_items.playlist_id = latest_snapshots.playlist_id
            and playlist_items.snapshot_date = latest_snapshots.snapshot_date
    where playlist_items.track_id is not null
    group by playlist_items.playlist_id, playlist_items.snapshot_date, playlist_items.track_id

),

playlist_popularity as (

    select
        playlist_id,
        count(*) as track_count,
        count(popularity) as popularity_track_count
    from latest_songs
    group by playlist_id

),

artist_names as (

    select
        track_artists.track_id,
        listagg(artists.artist_name, ', ') within group (order by track_artists.artist_position)
            as artist_names
    from bridge_track_artist_current as track_artists
    inner join dim_artist_current as artists
        on track_artists.artist_id = artists.artist_id
    group by track_artists.track_id

),

ranked as (

    select
        latest_songs.playlist_id,
        latest_songs.snapshot_date,
        latest_songs.track_id,
        latest_songs.track_name,
        latest_songs.position,
        latest_songs.popularity,
        playlist_popularity.track_count,
        playlist_popularity.popularity_track_count,
        row_number() over (
            partition by latest_songs.playlist_id
            order by latest_songs.popularity desc nulls last, latest_songs.position asc
        ) as song_rank
    from latest_songs
    inner join playlist_popularity
        on latest_songs.playlist_id = playlist_popularity.playlist_id

),

final as (

    select
        ranked.playlist_id,
        playlists.playlist_name,
        ranked.snapshot_date,
        ranked.song_rank,
        ranked.track_name,
        artist_names.artist_names,
        ranked.popularity,
        ranked.position,
        ranked.track_id,
        case
            when ranked.popularity_track_count = 0 then 'playlist position'
            else 'popularity'
        end as ranked_by,
        case
            when ranked.popularity_track_count = 0 then 'unavailable (development-mode API)'
            when ranked.popularity_track_count < ranked.track_count then 'partial'
            else 'available'
        end as popularity_status
    from ranked
    left join dim_playlist_current as playlists
        on ranked.playlist_id = playlists.playlist_id
    left join artist_names
        on ranked.track_id = artist_names.track_id
    where ranked.song_rank <= 10

)

select * from final
