-- bridge_album_artist_current: the artists of every album as its latest observation lists them,
-- in order (artist_position 1 = primary). A credit dropped in a later snapshot is not kept.
-- Only credits with an artist id are bridged, so for an album whose latest observation credits
-- no artist with an id, the latest observation that does is used.
create or replace view bridge_album_artist_current as

with

observations as (

    select
        album_id,
        artist_id,
        artist_position,
        extracted_at,
        source_file,
        cast(snapshot_date as date) as snapshot_date,
        dense_rank() over (
            partition by album_id
            order by cast(snapshot_date as date) desc, extracted_at desc
        ) as observation_rank
    from bridge_album_artist

),

final as (

    select
        album_id,
        artist_id,
        artist_position,
        extracted_at,
        source_file,
        snapshot_date
    from observations
    where observation_rank = 1

)

select * from final
