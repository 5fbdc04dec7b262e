-- dim_artist_current: the latest observation of every artist (data contract, section 3:
-- "the documented way to read a dimension"), one row per artist_id.
create or replace view dim_artist_current as

with

observations as (

    select
        artist_id,
        artist_name,
        artist_uri,
        extracted_at,
        source_file,
        cast(snapshot_date as date) as snapshot_date,
        row_number() over (
            partition by artist_id
            order by cast(snapshot_date as date) desc, extracted_at desc
        ) as observation_rank
    from dim_artist

),

final as (

    select
        artist_id,
        artist_name,
        artist_uri,
        extracted_at,
        source_file,
        snapshot_date
    from observations
    where observation_rank = 1

)

select * from final
