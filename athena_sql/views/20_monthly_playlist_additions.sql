-- monthly_playlist_additions: entries added to each playlist per calendar month of added_at
-- (UTC). An entry is counted once however many snapshots saw it (it is identified by its item
-- and its added_at), including entries removed since. Entries Spotify sends without added_at
-- form the null month. Null payloads never reach the fact table and are not counted.
create or replace view monthly_playlist_additions as

with

playlist_items as (

    select
        playlist_id,
        item_uri,
        added_at
    from fact_playlist_item

),

additions as (

    select distinct
        playlist_id,
        item_uri,
        added_at,
        cast(date_trunc('month', added_at at time zone 'UTC') as date) as added_month_date
    from playlist_items

),

final as (

    select
        additions.playlist_id,
        playlists.playlist_name,
        additions.added_month_date,
        count(*) as added_item_count
    from additions
    left join dim_playlist_current as playlists
        on additions.playlist_id = playlists.playlist_id
    group by
        additions.playlist_id,
        playlists.playlist_name,
        additions.added_month_date

)

select * from final
