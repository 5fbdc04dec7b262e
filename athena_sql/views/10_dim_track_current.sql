-- dim_track_current: the latest observation of every track (data contract, section 3:
-- "the documented way to read a dimension"), one row per track_id.
create or replace view dim_track_current as

with

observations as (

    select
        track_id,
        track_name,
        track_uri,
        album_id,
        duration_ms,
        explicit,
        disc_number,
        track_number,
        isrc,
        popularity,
        linked_from_track_id,
        extracted_at,
        source_file,
        cast(snapshot_date as date) as snapshot_date,
        row_number() over (
            partition by track_id
            order by cast(snapshot_date as date) desc, extracted_at desc
        ) as observation_rank
    from dim_track

),

final as (

    select
        track_id,
        track_name,
        track_uri,
        album_id,
        duration_ms,
        explicit,
        disc_number,
        track_number,
        isrc,
        popularity,
        linked_from_track_id,
        extracted_at,
        source_file,
        snapshot_date
    from observations
    where observation_rank = 1

)

select * from final
