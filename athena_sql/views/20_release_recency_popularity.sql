-- release_recency_popularity: the popularity of songs released in the last quarter (the three
-- months up to the latest snapshot_date in the lake, so the answer does not drift with the
-- day the query runs) against older songs. Songs whose album has no release date form their
-- own 'unknown' group. Popularity as in artist_metrics: averaged only where present, with
-- popularity_status saying 'available', 'partial' or 'unavailable (development-mode API)'.
create or replace view release_recency_popularity as

with

tracks as (

    select
        track_id,
        album_id,
        popularity
    from dim_track_current

),

albums as (

    select
        album_id,
        release_date
    from dim_album_current

),

playlist_items as (

    select cast(snapshot_date as date) as snapshot_date
    from fact_playlist_item

),

reference as (

    select max(snapshot_date) as reference_date
    from playlist_items

),

track_releases as (

    select
        tracks.track_id,
        tracks.popularity,
        reference.reference_date,
        case
            when albums.release_date is null then 'unknown'
            when albums.release_date > date_add('month', -3, reference.reference_date)
                then 'last quarter'
            else 'older'
        end as release_period
    from tracks
    left join albums
        on tracks.album_id = albums.album_id
    cross join reference

),

grouped as (

    select
        release_period,
        reference_date,
        count(*) as track_count,
        count(popularity) as popularity_track_count,
        avg(popularity) as avg_popularity
    from track_releases
    group by release_period, reference_date

),

final as (

    select
        release_period,
        reference_date,
        track_count,
        round(avg_popularity, 1) as avg_popularity,
        popularity_track_count,
        case
            when popularity_track_count = 0 then 'unavailable (development-mode API)'
            when popularity_track_count < track_count then 'partial'
            else 'available'
        end as popularity_status
    from grouped

)

select * from final
