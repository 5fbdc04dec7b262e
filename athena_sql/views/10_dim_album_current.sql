-- dim_album_current: the latest observation of every album (data contract, section 3:
-- "the documented way to read a dimension"), one row per album_id.
create or replace view dim_album_current as

with

observations as (

    select
        album_id,
        album_name,
        album_uri,
        album_type,
        release_date,
        release_date_precision,
        release_date_raw,
        release_year,
        total_tracks,
        extracted_at,
        source_file,
        cast(snapshot_date as date) as snapshot_date,
        row_number() over (
            partition by album_id
            order by cast(snapshot_date as date) desc, extracted_at desc
        ) as observation_rank
    from dim_album

),

final as (

    select
        album_id,
        album_name,
        album_uri,
        album_type,
        release_date,
        release_date_precision,
        release_date_raw,
        release_year,
        total_tracks,
        extracted_at,
        source_file,
        snapshot_date
    from observations
    where observation_rank = 1

)

select * from final
