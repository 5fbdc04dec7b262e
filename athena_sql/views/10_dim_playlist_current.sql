-- dim_playlist_current: the latest observation of every playlist (data contract, section 3:
-- "the documented way to read a dimension"), one row per playlist_id.
create or replace view dim_playlist_current as

with

observations as (

    select
        playlist_id,
        playlist_name,
        description,
        owner_id,
        owner_display_name,
        is_public,
        is_collaborative,
        snapshot_id,
        followers_total,
        total_items,
        api_shape,
        extracted_at,
        source_file,
        cast(snapshot_date as date) as snapshot_date,
        row_number() over (
            partition by playlist_id
            order by cast(snapshot_date as date) desc, extracted_at desc
        ) as observation_rank
    from dim_playlist

),

final as (

    select
        playlist_id,
        playlist_name,
        description,
        owner_id,
        owner_display_name,
        is_public,
        is_collaborative,
        snapshot_id,
        followers_total,
        total_items,
        api_shape,
        extracted_at,
        source_file,
        snapshot_date
    from observations
    where observation_rank = 1

)

select * from final
