-- partition_inventory: rows per curated table and snapshot_date partition in a date range,
-- to check that the crawler registered every partition the Glue job wrote. Parameters, in
-- order, repeated for each table: first snapshot_date, last snapshot_date (14 parameters;
-- e.g. '2026-11-01', '2026-11-30' seven times). Every branch filters the partition key.
with

fact_playlist_item_partitions as (

    select
        'fact_playlist_item' as curated_table,
        snapshot_date,
        count(*) as partition_row_count
    from fact_playlist_item
    where snapshot_date between ? and ?
    group by snapshot_date

),

dim_track_partitions as (

    select
        'dim_track' as curated_table,
        snapshot_date,
        count(*) as partition_row_count
    from dim_track
    where snapshot_date between ? and ?
    group by snapshot_date

),

dim_album_partitions as (

    select
        'dim_album' as curated_table,
        snapshot_date,
        count(*) as partition_row_count
    from dim_album
    where snapshot_date between ? and ?
    group by snapshot_date

),

dim_artist_partitions as (

    select
        'dim_artist' as curated_table,
        snapshot_date,
        count(*) as partition_row_count
    from dim_artist
    where snapshot_date between ? and ?
    group by snapshot_date

),

dim_playlist_partitions as (

    select
        'dim_playlist' as curated_table,
        snapshot_date,
        count(*) as partition_row_count
    from dim_playlist
    where snapshot_date between ? and ?
    group by snapshot_date

),

bridge_track_artist_partitions as (

    select
        'bridge_track_artist' as curated_table,
        snapshot_date,
        count(*) as partition_row_count
    from bridge_track_artist
    where snapshot_date between ? and ?
    group by snapshot_date

),

bridge_album_artist_partitions as (

    select
        'bridge_album_artist' as curated_table,
        snapshot_date,
        count(*) as partition_row_count
    from bridge_album_artist
    where snapshot_date between ? and ?
    group by snapshot_date

),

final as (

    select * from fact_playlist_item_partitions
    union all
    select * from dim_track_partitions
    union all
    select * from dim_album_partitions
    union all
    select * from dim_artist_partitions
    union all
    select * from dim_playlist_partitions
    union all
    select * from bridge_track_artist_partitions
    union all
    select * from bridge_album_artist_partitions

)

select * from final
order by curated_table asc, snapshot_date asc
