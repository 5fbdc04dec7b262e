-- 06_streams_tasks: a stream on every LANDING table and a task that MERGEs what it holds into
-- the CORE table, every 15 minutes and only when the stream has data (the warehouse is not
-- woken otherwise).
--
-- CORE mirrors the lake: the same rows at the same grain (one row per key and snapshot_date).
-- The Glue job rewrites a date partition of a table as a whole whenever anything of that
-- date changes (a playlist extracted again the same day, a late document), in one Spark
-- write; Snowpipe then loads that write's files. So each merge lets the newest write of
-- every date that landed replace that date in CORE as a whole: rows it has are inserted or
-- updated, rows CORE holds for that date and the write lacks are deleted (an entry, an
-- observation or a credit that a re-extraction no longer has). The current dimensions are
-- the views of 05_core_tables.sql over these tables, as in Athena.
--
-- Every merge is idempotent: merging the same landed rows again, or rows a pipe loaded
-- twice, changes nothing, and a write loaded before the one CORE holds for its date (an old
-- file loaded late) changes nothing either.
-- The tasks are created suspended (create or replace) and resumed at the end.

use database spotify_lakehouse;

create stream if not exists landing.fact_playlist_item_stream
on table landing.fact_playlist_item
append_only = true
comment = 'Rows landed in LANDING.FACT_PLAYLIST_ITEM and not yet merged';

create stream if not exists landing.dim_track_stream
on table landing.dim_track
append_only = true
comment = 'Rows landed in LANDING.DIM_TRACK and not yet merged';

create stream if not exists landing.dim_album_stream
on table landing.dim_album
append_only = true
comment = 'Rows landed in LANDING.DIM_ALBUM and not yet merged';

create stream if not exists landing.dim_artist_stream
on table landing.dim_artist
append_only = true
comment = 'Rows landed in LANDING.DIM_ARTIST and not yet merged';

create stream if not exists landing.dim_playlist_stream
on table landing.dim_playlist
append_only = true
comment = 'Rows landed in LANDING.DIM_PLAYLIST and not yet merged';

create stream if not exists landing.bridge_track_artist_stream
on table landing.bridge_track_artist
append_only = true
comment = 'Rows landed in LANDING.BRIDGE_TRACK_ARTIST and not yet merged';

create stream if not exists landing.bridge_album_artist_stream
on table landing.bridge_album_artist
append_only = true
comment = 'Rows landed in LANDING.BRIDGE_ALBUM_ARTIST and not yet merged';

create or replace task core.merge_fact_playlist_item
    warehouse = spotify_wh
    schedule = '15 MINUTE'
    comment = 'Merges LANDING.FACT_PLAYLIST_ITEM_STREAM into CORE.FACT_PLAYLIST_ITEM'
when system$stream_has_data('landing.fact_playlist_item_stream')
as
    merge into core.fact_playlist_item as tgt
    using (

        with

        -- What landed since the last merge, by write: one Spark job's files of this table,
        -- named alike but for the part number (part-00000-<write uuid>-c000...).
        landed as (

            select
                snapshot_date,
                regexp_replace(source_file_name, '^.*/part-[0-9]+-', '') as write_id,
                loaded_at
            from landing.fact_playlist_item_stream

        ),

        landed_writes as (

            select
                snapshot_date,
                write_id,
                max(loaded_at) as loaded_at
            from landed
            group by snapshot_date, write_id

        ),

        newest_writes as (

            select *
            from landed_writes
            qualify row_number() over (
                partition by snapshot_date
                order by loaded_at desc, write_id desc
            ) = 1

        ),

        held_dates as (

            select
                snapshot_date,
                max(loaded_at) as loaded_at
            from core.fact_playlist_item
            where snapshot_date in (select newest_writes.snapshot_date from newest_writes)
            group by snapshot_date

        ),

        -- Each such write replaces its date as a whole, unless CORE holds a later load of
        -- that date (an old file loaded late changes nothing).
        replacing as (

            select
                newest_writes.snapshot_date,
                newest_writes.write_id
            from newest_writes
            left join held_dates
                on newest_writes.snapshot_date = held_dates.snapshot_date
            where
                held_dates.loaded_at is null
                or newest_writes.loaded_at >= held_dates.loaded_at

        ),

        -- Every row of those writes, from the landing table (the stream may hold only some
        -- of a write's files); a file loaded twice counts once.
        incoming as (

            select
                rows_landed.playlist_id,
                rows_landed.snapshot_id,
                rows_landed.position,
                rows_landed.item_type,
                rows_landed.track_id,
                rows_landed.episode_id,
                rows_landed.album_id,
                rows_landed.item_uri,
                rows_landed.item_name,
                rows_landed.added_at,
                rows_landed.added_by_id,
                rows_landed.popularity,
                rows_landed.duration_ms,
                rows_landed.is_local,
                rows_landed.extracted_at,
                rows_landed.source_file,
                rows_landed.snapshot_date,
                rows_landed.source_file_name,
                rows_landed.loaded_at,
                false as is_stale
            from landing.fact_playlist_item as rows_landed
            inner join replacing
                on
                    rows_landed.snapshot_date = replacing.snapshot_date
                    and regexp_replace(rows_landed.source_file_name, '^.*/part-[0-9]+-', '')
                    = replacing.write_id
            qualify row_number() over (
                partition by
                    rows_landed.playlist_id,
                    rows_landed.position,
                    rows_landed.snapshot_date
                order by rows_landed.loaded_at desc
            ) = 1

        ),

        -- What CORE holds for a replaced date that the new write lacks: deleted.
        stale as (

            select
                held.playlist_id,
                held.snapshot_id,
                held.position,
                held.item_type,
                held.track_id,
                held.episode_id,
                held.album_id,
                held.item_uri,
                held.item_name,
                held.added_at,
                held.added_by_id,
                held.popularity,
                held.duration_ms,
                held.is_local,
                held.extracted_at,
                held.source_file,
                held.snapshot_date,
                held.source_file_name,
                held.loaded_at,
                true as is_stale
            from core.fact_playlist_item as held
            inner join replacing
                on held.snapshot_date = replacing.snapshot_date
            left join incoming
                on
                    held.playlist_id = incoming.playlist_id
                    and held.position = incoming.position
                    and held.snapshot_date = incoming.snapshot_date
            where incoming.playlist_id is null

        ),

        final as (

            select * from incoming
            union all
            select * from stale

        )

        select * from final

    ) as src
        on
            tgt.playlist_id = src.playlist_id
            and tgt.position = src.position
            and tgt.snapshot_date = src.snapshot_date
    when matched and src.is_stale then delete
    -- A row of another write replaces the held one; loading a file again changes nothing.
    when matched and tgt.source_file_name <> src.source_file_name then
        update set
            tgt.snapshot_id = src.snapshot_id,
            tgt.item_type = src.item_type,
            tgt.track_id = src.track_id,
            tgt.episode_id = src.episode_id,
            tgt.album_id = src.album_id,
            tgt.item_uri = src.item_uri,
            tgt.item_name = src.item_name,
            tgt.added_at = src.added_at,
            tgt.added_by_id = src.added_by_id,
            tgt.popularity = src.popularity,
            tgt.duration_ms = src.duration_ms,
            tgt.is_local = src.is_local,
            tgt.extracted_at = src.extracted_at,
            tgt.source_file = src.source_file,
            tgt.source_file_name = src.source_file_name,
            tgt.loaded_at = src.loaded_at
    when not matched and not src.is_stale then insert (
        playlist_id,
        snapshot_id,
        position,
        item_type,
        track_id,
        episode_id,
        album_id,
        item_uri,
        item_name,
        added_at,
        added_by_id,
        popularity,
        duration_ms,
        is_local,
        extracted_at,
        source_file,
        snapshot_date,
        source_file_name,
        loaded_at
    ) values (
        src.playlist_id,
        src.snapshot_id,
        src.position,
        src.item_type,
        src.track_id,
        src.episode_id,
        src.album_id,
        src.item_uri,
        src.item_name,
        src.added_at,
        src.added_by_id,
        src.popularity,
        src.duration_ms,
        src.is_local,
        src.extracted_at,
        src.source_file,
        src.snapshot_date,
        src.source_file_name,
        src.loaded_at
    );

create or replace task core.merge_dim_track
    warehouse = spotify_wh
    schedule = '15 MINUTE'
    comment = 'Merges LANDING.DIM_TRACK_STREAM into CORE.DIM_TRACK'
when system$stream_has_data('landing.dim_track_stream')
as
    merge into core.dim_track as tgt
    using (

        with

        -- What landed since the last merge, by write: one Spark job's files of this table,
        -- named alike but for the part number (part-00000-<write uuid>-c000...).
        landed as (

            select
                snapshot_date,
                regexp_replace(source_file_name, '^.*/part-[0-9]+-', '') as write_id,
                loaded_at
            from landing.dim_track_stream

        ),

        landed_writes as (

            select
                snapshot_date,
                write_id,
                max(loaded_at) as loaded_at
            from landed
            group by snapshot_date, write_id

        ),

        newest_writes as (

            select *
            from landed_writes
            qualify row_number() over (
                partition by snapshot_date
                order by loaded_at desc, write_id desc
            ) = 1

        ),

        held_dates as (

            select
                snapshot_date,
                max(loaded_at) as loaded_at
            from core.dim_track
            where snapshot_date in (select newest_writes.snapshot_date from newest_writes)
            group by snapshot_date

        ),

        -- Each such write replaces its date as a whole, unless CORE holds a later load of
        -- that date (an old file loaded late changes nothing).
        replacing as (

            select
                newest_writes.snapshot_date,
                newest_writes.write_id
            from newest_writes
            left join held_dates
                on newest_writes.snapshot_date = held_dates.snapshot_date
            where
                held_dates.loaded_at is null
                or newest_writes.loaded_at >= held_dates.loaded_at

        ),

        -- Every row of those writes, from the landing table (the stream may hold only some
        -- of a write's files); a file loaded twice counts once.
        incoming as (

            select
                rows_landed.track_id,
                rows_landed.track_name,
                rows_landed.track_uri,
                rows_landed.album_id,
                rows_landed.duration_ms,
                rows_landed.explicit,
                rows_landed.disc_number,
                rows_landed.track_number,
                rows_landed.isrc,
                rows_landed.popularity,
                rows_landed.linked_from_track_id,
                rows_landed.extracted_at,
                rows_landed.source_file,
                rows_landed.snapshot_date,
                rows_landed.source_file_name,
                rows_landed.loaded_at,
                false as is_stale
            from landing.dim_track as rows_landed
            inner join replacing
                on
                    rows_landed.snapshot_date = replacing.snapshot_date
                    and regexp_replace(rows_landed.source_file_name, '^.*/part-[0-9]+-', '')
                    = replacing.write_id
            qualify row_number() over (
                partition by
                    rows_landed.track_id,
                    rows_landed.snapshot_date
                order by rows_landed.loaded_at desc
            ) = 1

        ),

        -- What CORE holds for a replaced date that the new write lacks: deleted.
        stale as (

            select
                held.track_id,
                held.track_name,
                held.track_uri,
                held.album_id,
                held.duration_ms,
                held.explicit,
                held.disc_number,
                held.track_number,
                held.isrc,
                held.popularity,
                held.linked_from_track_id,
                held.extracted_at,
                held.source_file,
                held.snapshot_date,
                held.source_file_name,
                held.loaded_at,
                true as is_stale
            from core.dim_track as held
            inner join replacing
                on held.snapshot_date = replacing.snapshot_date
            left join incoming
                on
                    held.track_id = incoming.track_id
                    and held.snapshot_date = incoming.snapshot_date
            where incoming.track_id is null

        ),

        final as (

            select * from incoming
            union all
            select * from stale

        )

        select * from final

    ) as src
        on
            tgt.track_id = src.track_id
            and tgt.snapshot_date = src.snapshot_date
    when matched and src.is_stale then delete
    -- A row of another write replaces the held one; loading a file again changes nothing.
    when matched and tgt.source_file_name <> src.source_file_name then
        update set
            tgt.track_name = src.track_name,
            tgt.track_uri = src.track_uri,
            tgt.album_id = src.album_id,
            tgt.duration_ms = src.duration_ms,
            tgt.explicit = src.explicit,
            tgt.disc_number = src.disc_number,
            tgt.track_number = src.track_number,
            tgt.isrc = src.isrc,
            tgt.popularity = src.popularity,
            tgt.linked_from_track_id = src.linked_from_track_id,
            tgt.extracted_at = src.extracted_at,
            tgt.source_file = src.source_file,
            tgt.source_file_name = src.source_file_name,
            tgt.loaded_at = src.loaded_at
    when not matched and not src.is_stale then insert (
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
        snapshot_date,
        source_file_name,
        loaded_at
    ) values (
        src.track_id,
        src.track_name,
        src.track_uri,
        src.album_id,
        src.duration_ms,
        src.explicit,
        src.disc_number,
        src.track_number,
        src.isrc,
        src.popularity,
        src.linked_from_track_id,
        src.extracted_at,
        src.source_file,
        src.snapshot_date,
        src.source_file_name,
        src.loaded_at
    );

create or replace task core.merge_dim_album
    warehouse = spotify_wh
    schedule = '15 MINUTE'
    comment = 'Merges LANDING.DIM_ALBUM_STREAM into CORE.DIM_ALBUM'
when system$stream_has_data('landing.dim_album_stream')
as
    merge into core.dim_album as tgt
    using (

        with

        -- What landed since the last merge, by write: one Spark job's files of this table,
        -- named alike but for the part number (part-00000-<write uuid>-c000...).
        landed as (

            select
                snapshot_date,
                regexp_replace(source_file_name, '^.*/part-[0-9]+-', '') as write_id,
                loaded_at
            from landing.dim_album_stream

        ),

        landed_writes as (

            select
                snapshot_date,
                write_id,
                max(loaded_at) as loaded_at
            from landed
            group by snapshot_date, write_id

        ),

        newest_writes as (

            select *
            from landed_writes
            qualify row_number() over (
                partition by snapshot_date
                order by loaded_at desc, write_id desc
            ) = 1

        ),

        held_dates as (

            select
                snapshot_date,
                max(loaded_at) as loaded_at
            from core.dim_album
            where snapshot_date in (select newest_writes.snapshot_date from newest_writes)
            group by snapshot_date

        ),

        -- Each such write replaces its date as a whole, unless CORE holds a later load of
        -- that date (an old file loaded late changes nothing).
        replacing as (

            select
                newest_writes.snapshot_date,
                newest_writes.write_id
            from newest_writes
            left join held_dates
                on newest_writes.snapshot_date = held_dates.snapshot_date
            where
                held_dates.loaded_at is null
                or newest_writes.loaded_at >= held_dates.loaded_at

        ),

        -- Every row of those writes, from the landing table (the stream may hold only some
        -- of a write's files); a file loaded twice counts once.
        incoming as (

            select
                rows_landed.album_id,
                rows_landed.album_name,
                rows_landed.album_uri,
                rows_landed.album_type,
                rows_landed.release_date,
                rows_landed.release_date_precision,
                rows_landed.release_date_raw,
                rows_landed.release_year,
                rows_landed.total_tracks,
                rows_landed.extracted_at,
                rows_landed.source_file,
                rows_landed.snapshot_date,
                rows_landed.source_file_name,
                rows_landed.loaded_at,
                false as is_stale
            from landing.dim_album as rows_landed
            inner join replacing
                on
                    rows_landed.snapshot_date = replacing.snapshot_date
                    and regexp_replace(rows_landed.source_file_name, '^.*/part-[0-9]+-', '')
                    = replacing.write_id
            qualify row_number() over (
                partition by
                    rows_landed.album_id,
                    rows_landed.snapshot_date
                order by rows_landed.loaded_at desc
            ) = 1

        ),

        -- What CORE holds for a replaced date that the new write lacks: deleted.
        stale as (

            select
                held.album_id,
                held.album_name,
                held.album_uri,
                held.album_type,
                held.release_date,
                held.release_date_precision,
                held.release_date_raw,
                held.release_year,
                held.total_tracks,
                held.extracted_at,
                held.source_file,
                held.snapshot_date,
                held.source_file_name,
                held.loaded_at,
                true as is_stale
            from core.dim_album as held
            inner join replacing
                on held.snapshot_date = replacing.snapshot_date
            left join incoming
                on
                    held.album_id = incoming.album_id
                    and held.snapshot_date = incoming.snapshot_date
            where incoming.album_id is null

        ),

        final as (

            select * from incoming
            union all
            select * from stale

        )

        select * from final

    ) as src
        on
            tgt.album_id = src.album_id
            and tgt.snapshot_date = src.snapshot_date
    when matched and src.is_stale then delete
    -- A row of another write replaces the held one; loading a file again changes nothing.
    when matched and tgt.source_file_name <> src.source_file_name then
        update set
            tgt.album_name = src.album_name,
            tgt.album_uri = src.album_uri,
            tgt.album_type = src.album_type,
            tgt.release_date = src.release_date,
            tgt.release_date_precision = src.release_date_precision,
            tgt.release_date_raw = src.release_date_raw,
            tgt.release_year = src.release_year,
            tgt.total_tracks = src.total_tracks,
            tgt.extracted_at = src.extracted_at,
            tgt.source_file = src.source_file,
            tgt.source_file_name = src.source_file_name,
            tgt.loaded_at = src.loaded_at
    when not matched and not src.is_stale then insert (
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
        snapshot_date,
        source_file_name,
        loaded_at
    ) values (
        src.album_id,
        src.album_name,
        src.album_uri,
        src.album_type,
        src.release_date,
        src.release_date_precision,
        src.release_date_raw,
        src.release_year,
        src.total_tracks,
        src.extracted_at,
        src.source_file,
        src.snapshot_date,
        src.source_file_name,
        src.loaded_at
    );

create or replace task core.merge_dim_artist
    warehouse = spotify_wh
    schedule = '15 MINUTE'
    comment = 'Merges LANDING.DIM_ARTIST_STREAM into CORE.DIM_ARTIST'
when system$stream_has_data('landing.dim_artist_stream')
as
    merge into core.dim_artist as tgt
    using (

        with

        -- What landed since the last merge, by write: one Spark job's files of this table,
        -- named alike but for the part number (part-00000-<write uuid>-c000...).
        landed as (

            select
                snapshot_date,
                regexp_replace(source_file_name, '^.*/part-[0-9]+-', '') as write_id,
                loaded_at
            from landing.dim_artist_stream

        ),

        landed_writes as (

            select
                snapshot_date,
                write_id,
                max(loaded_at) as loaded_at
            from landed
            group by snapshot_date, write_id

        ),

        newest_writes as (

            select *
            from landed_writes
            qualify row_number() over (
                partition by snapshot_date
                order by loaded_at desc, write_id desc
            ) = 1

        ),

        held_dates as (

            select
                snapshot_date,
                max(loaded_at) as loaded_at
            from core.dim_artist
            where snapshot_date in (select newest_writes.snapshot_date from newest_writes)
            group by snapshot_date

        ),

        -- Each such write replaces its date as a whole, unless CORE holds a later load of
        -- that date (an old file loaded late changes nothing).
        replacing as (

            select
                newest_writes.snapshot_date,
                newest_writes.write_id
            from newest_writes
            left join held_dates
                on newest_writes.snapshot_date = held_dates.snapshot_date
            where
                held_dates.loaded_at is null
                or newest_writes.loaded_at >= held_dates.loaded_at

        ),

        -- Every row of those writes, from the landing table (the stream may hold only some
        -- of a write's files); a file loaded twice counts once.
        incoming as (

            select
                rows_landed.artist_id,
                rows_landed.artist_name,
                rows_landed.artist_uri,
                rows_landed.extracted_at,
                rows_landed.source_file,
                rows_landed.snapshot_date,
                rows_landed.source_file_name,
                rows_landed.loaded_at,
                false as is_stale
            from landing.dim_artist as rows_landed
            inner join replacing
                on
                    rows_landed.snapshot_date = replacing.snapshot_date
                    and regexp_replace(rows_landed.source_file_name, '^.*/part-[0-9]+-', '')
                    = replacing.write_id
            qualify row_number() over (
                partition by
                    rows_landed.artist_id,
                    rows_landed.snapshot_date
                order by rows_landed.loaded_at desc
            ) = 1

        ),

        -- What CORE holds for a replaced date that the new write lacks: deleted.
        stale as (

            select
                held.artist_id,
                held.artist_name,
                held.artist_uri,
                held.extracted_at,
                held.source_file,
                held.snapshot_date,
                held.source_file_name,
                held.loaded_at,
                true as is_stale
            from core.dim_artist as held
            inner join replacing
                on held.snapshot_date = replacing.snapshot_date
            left join incoming
                on
                    held.artist_id = incoming.artist_id
                    and held.snapshot_date = incoming.snapshot_date
            where incoming.artist_id is null

        ),

        final as (

            select * from incoming
            union all
            select * from stale

        )

        select * from final

    ) as src
        on
            tgt.artist_id = src.artist_id
            and tgt.snapshot_date = src.snapshot_date
    when matched and src.is_stale then delete
    -- A row of another write replaces the held one; loading a file again changes nothing.
    when matched and tgt.source_file_name <> src.source_file_name then
        update set
            tgt.artist_name = src.artist_name,
            tgt.artist_uri = src.artist_uri,
            tgt.extracted_at = src.extracted_at,
            tgt.source_file = src.source_file,
            tgt.source_file_name = src.source_file_name,
            tgt.loaded_at = src.loaded_at
    when not matched and not src.is_stale then insert (
        artist_id,
        artist_name,
        artist_uri,
        extracted_at,
        source_file,
        snapshot_date,
        source_file_name,
        loaded_at
    ) values (
        src.artist_id,
        src.artist_name,
        src.artist_uri,
        src.extracted_at,
        src.source_file,
        src.snapshot_date,
        src.source_file_name,
        src.loaded_at
    );

create or replace task core.merge_dim_playlist
    warehouse = spotify_wh
    schedule = '15 MINUTE'
    comment = 'Merges LANDING.DIM_PLAYLIST_STREAM into CORE.DIM_PLAYLIST'
when system$stream_has_data('landing.dim_playlist_stream')
as
    merge into core.dim_playlist as tgt
    using (

        with

        -- What landed since the last merge, by write: one Spark job's files of this table,
        -- named alike but for the part number (part-00000-<write uuid>-c000...).
        landed as (

            select
                snapshot_date,
                regexp_replace(source_file_name, '^.*/part-[0-9]+-', '') as write_id,
                loaded_at
            from landing.dim_playlist_stream

        ),

        landed_writes as (

            select
                snapshot_date,
                write_id,
                max(loaded_at) as loaded_at
            from landed
            group by snapshot_date, write_id

        ),

        newest_writes as (

            select *
            from landed_writes
            qualify row_number() over (
                partition by snapshot_date
                order by loaded_at desc, write_id desc
            ) = 1

        ),

        held_dates as (

            select
                snapshot_date,
                max(loaded_at) as loaded_at
            from core.dim_playlist
            where snapshot_date in (select newest_writes.snapshot_date from newest_writes)
            group by snapshot_date

        ),

        -- Each such write replaces its date as a whole, unless CORE holds a later load of
        -- that date (an old file loaded late changes nothing).
        replacing as (

            select
                newest_writes.snapshot_date,
                newest_writes.write_id
            from newest_writes
            left join held_dates
                on newest_writes.snapshot_date = held_dates.snapshot_date
            where
                held_dates.loaded_at is null
                or newest_writes.loaded_at >= held_dates.loaded_at

        ),

        -- Every row of those writes, from the landing table (the stream may hold only some
        -- of a write's files); a file loaded twice counts once.
        incoming as (

            select
                rows_landed.playlist_id,
                rows_landed.playlist_name,
                rows_landed.description,
                rows_landed.owner_id,
                rows_landed.owner_display_name,
                rows_landed.is_public,
                rows_landed.is_collaborative,
                rows_landed.snapshot_id,
                rows_landed.followers_total,
                rows_landed.total_items,
                rows_landed.api_shape,
                rows_landed.extracted_at,
                rows_landed.source_file,
                rows_landed.snapshot_date,
                rows_landed.source_file_name,
                rows_landed.loaded_at,
                false as is_stale
            from landing.dim_playlist as rows_landed
            inner join replacing
                on
                    rows_landed.snapshot_date = replacing.snapshot_date
                    and regexp_replace(rows_landed.source_file_name, '^.*/part-[0-9]+-', '')
                    = replacing.write_id
            qualify row_number() over (
                partition by
                    rows_landed.playlist_id,
                    rows_landed.snapshot_date
                order by rows_landed.loaded_at desc
            ) = 1

        ),

        -- What CORE holds for a replaced date that the new write lacks: deleted.
        stale as (

            select
                held.playlist_id,
                held.playlist_name,
                held.description,
                held.owner_id,
                held.owner_display_name,
                held.is_public,
                held.is_collaborative,
                held.snapshot_id,
                held.followers_total,
                held.total_items,
                held.api_shape,
                held.extracted_at,
                held.source_file,
                held.snapshot_date,
                held.source_file_name,
                held.loaded_at,
                true as is_stale
            from core.dim_playlist as held
            inner join replacing
                on held.snapshot_date = replacing.snapshot_date
            left join incoming
                on
                    held.playlist_id = incoming.playlist_id
                    and held.snapshot_date = incoming.snapshot_date
            where incoming.playlist_id is null

        ),

        final as (

            select * from incoming
            union all
            select * from stale

        )

        select * from final

    ) as src
        on
            tgt.playlist_id = src.playlist_id
            and tgt.snapshot_date = src.snapshot_date
    when matched and src.is_stale then delete
    -- A row of another write replaces the held one; loading a file again changes nothing.
    when matched and tgt.source_file_name <> src.source_file_name then
        update set
            tgt.playlist_name = src.playlist_name,
            tgt.description = src.description,
            tgt.owner_id = src.owner_id,
            tgt.owner_display_name = src.owner_display_name,
            tgt.is_public = src.is_public,
            tgt.is_collaborative = src.is_collaborative,
            tgt.snapshot_id = src.snapshot_id,
            tgt.followers_total = src.followers_total,
            tgt.total_items = src.total_items,
            tgt.api_shape = src.api_shape,
            tgt.extracted_at = src.extracted_at,
            tgt.source_file = src.source_file,
            tgt.source_file_name = src.source_file_name,
            tgt.loaded_at = src.loaded_at
    when not matched and not src.is_stale then insert (
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
        snapshot_date,
        source_file_name,
        loaded_at
    ) values (
        src.playlist_id,
        src.playlist_name,
        src.description,
        src.owner_id,
        src.owner_display_name,
        src.is_public,
        src.is_collaborative,
        src.snapshot_id,
        src.followers_total,
        src.total_items,
        src.api_shape,
        src.extracted_at,
        src.source_file,
        src.snapshot_date,
        src.source_file_name,
        src.loaded_at
    );

create or replace task core.merge_bridge_track_artist
    warehouse = spotify_wh
    schedule = '15 MINUTE'
    comment = 'Merges LANDING.BRIDGE_TRACK_ARTIST_STREAM into CORE.BRIDGE_TRACK_ARTIST'
when system$stream_has_data('landing.bridge_track_artist_stream')
as
    merge into core.bridge_track_artist as tgt
    using (

        with

        -- What landed since the last merge, by write: one Spark job's files of this table,
        -- named alike but for the part number (part-00000-<write uuid>-c000...).
        landed as (

            select
                snapshot_date,
                regexp_replace(source_file_name, '^.*/part-[0-9]+-', '') as write_id,
                loaded_at
            from landing.bridge_track_artist_stream

        ),

        landed_writes as (

            select
                snapshot_date,
                write_id,
                max(loaded_at) as loaded_at
            from landed
            group by snapshot_date, write_id

        ),

        newest_writes as (

            select *
            from landed_writes
            qualify row_number() over (
                partition by snapshot_date
                order by loaded_at desc, write_id desc
            ) = 1

        ),

        held_dates as (

            select
                snapshot_date,
                max(loaded_at) as loaded_at
            from core.bridge_track_artist
            where snapshot_date in (select newest_writes.snapshot_date from newest_writes)
            group by snapshot_date

        ),

        -- Each such write replaces its date as a whole, unless CORE holds a later load of
        -- that date (an old file loaded late changes nothing).
        replacing as (

            select
                newest_writes.snapshot_date,
                newest_writes.write_id
            from newest_writes
            left join held_dates
                on newest_writes.snapshot_date = held_dates.snapshot_date
            where
                held_dates.loaded_at is null
                or newest_writes.loaded_at >= held_dates.loaded_at

        ),

        -- Every row of those writes, from the landing table (the stream may hold only some
        -- of a write's files); a file loaded twice counts once.
        incoming as (

            select
                rows_landed.track_id,
                rows_landed.artist_id,
                rows_landed.artist_position,
                rows_landed.extracted_at,
                rows_landed.source_file,
                rows_landed.snapshot_date,
                rows_landed.source_file_name,
                rows_landed.loaded_at,
                false as is_stale
            from landing.bridge_track_artist as rows_landed
            inner join replacing
                on
                    rows_landed.snapshot_date = replacing.snapshot_date
                    and regexp_replace(rows_landed.source_file_name, '^.*/part-[0-9]+-', '')
                    = replacing.write_id
            qualify row_number() over (
                partition by
                    rows_landed.track_id,
                    rows_landed.artist_position,
                    rows_landed.snapshot_date
                order by rows_landed.loaded_at desc
            ) = 1

        ),

        -- What CORE holds for a replaced date that the new write lacks: deleted.
        stale as (

            select
                held.track_id,
                held.artist_id,
                held.artist_position,
                held.extracted_at,
                held.source_file,
                held.snapshot_date,
                held.source_file_name,
                held.loaded_at,
                true as is_stale
            from core.bridge_track_artist as held
            inner join replacing
                on held.snapshot_date = replacing.snapshot_date
            left join incoming
                on
                    held.track_id = incoming.track_id
                    and held.artist_position = incoming.artist_position
                    and held.snapshot_date = incoming.snapshot_date
            where incoming.track_id is null

        ),

        final as (

            select * from incoming
            union all
            select * from stale

        )

        select * from final

    ) as src
        on
            tgt.track_id = src.track_id
            and tgt.artist_position = src.artist_position
            and tgt.snapshot_date = src.snapshot_date
    when matched and src.is_stale then delete
    -- A row of another write replaces the held one; loading a file again changes nothing.
    when matched and tgt.source_file_name <> src.source_file_name then
        update set
            tgt.artist_id = src.artist_id,
            tgt.extracted_at = src.extracted_at,
            tgt.source_file = src.source_file,
            tgt.source_file_name = src.source_file_name,
            tgt.loaded_at = src.loaded_at
    when not matched and not src.is_stale then insert (
        track_id,
        artist_id,
        artist_position,
        extracted_at,
        source_file,
        snapshot_date,
        source_file_name,
        loaded_at
    ) values (
        src.track_id,
        src.artist_id,
        src.artist_position,
        src.extracted_at,
        src.source_file,
        src.snapshot_date,
        src.source_file_name,
        src.loaded_at
    );

create or replace task core.merge_bridge_album_artist
    warehouse = spotify_wh
    schedule = '15 MINUTE'
    comment = 'Merges LANDING.BRIDGE_ALBUM_ARTIST_STREAM into CORE.BRIDGE_ALBUM_ARTIST'
when system$stream_has_data('landing.bridge_album_artist_stream')
as
    merge into core.bridge_album_artist as tgt
    using (

        with

        -- What landed since the last merge, by write: one Spark job's files of this table,
        -- named alike but for the part number (part-00000-<write uuid>-c000...).
        landed as (

            select
                snapshot_date,
                regexp_replace(source_file_name, '^.*/part-[0-9]+-', '') as write_id,
                loaded_at
            from landing.bridge_album_artist_stream

        ),

        landed_writes as (

            select
                snapshot_date,
                write_id,
                max(loaded_at) as loaded_at
            from landed
            group by snapshot_date, write_id

        ),

        newest_writes as (

            select *
            from landed_writes
            qualify row_number() over (
                partition by snapshot_date
                order by loaded_at desc, write_id desc
            ) = 1

        ),

        held_dates as (

            select
                snapshot_date,
                max(loaded_at) as loaded_at
            from core.bridge_album_artist
            where snapshot_date in (select newest_writes.snapshot_date from newest_writes)
            group by snapshot_date

        ),

        -- Each such write replaces its date as a whole, unless CORE holds a later load of
        -- that date (an old file loaded late changes nothing).
        replacing as (

            select
                newest_writes.snapshot_date,
                newest_writes.write_id
            from newest_writes
            left join held_dates
                on newest_writes.snapshot_date = held_dates.snapshot_date
            where
                held_dates.loaded_at is null
                or newest_writes.loaded_at >= held_dates.loaded_at

        ),

        -- Every row of those writes, from the landing table (the stream may hold only some
        -- of a write's files); a file loaded twice counts once.
        incoming as (

            select
                rows_landed.album_id,
                rows_landed.artist_id,
                rows_landed.artist_position,
                rows_landed.extracted_at,
                rows_landed.source_file,
                rows_landed.snapshot_date,
                rows_landed.source_file_name,
                rows_landed.loaded_at,
                false as is_stale
            from landing.bridge_album_artist as rows_landed
            inner join replacing
                on
                    rows_landed.snapshot_date = replacing.snapshot_date
                    and regexp_replace(rows_landed.source_file_name, '^.*/part-[0-9]+-', '')
                    = replacing.write_id
            qualify row_number() over (
                partition by
                    rows_landed.album_id,
                    rows_landed.artist_position,
                    rows_landed.snapshot_date
                order by rows_landed.loaded_at desc
            ) = 1

        ),

        -- What CORE holds for a replaced date that the new write lacks: deleted.
        stale as (

            select
                held.album_id,
                held.artist_id,
                held.artist_position,
                held.extracted_at,
                held.source_file,
                held.snapshot_date,
                held.source_file_name,
                held.loaded_at,
                true as is_stale
            from core.bridge_album_artist as held
            inner join replacing
                on held.snapshot_date = replacing.snapshot_date
            left join incoming
                on
                    held.album_id = incoming.album_id
                    and held.artist_position = incoming.artist_position
                    and held.snapshot_date = incoming.snapshot_date
            where incoming.album_id is null

        ),

        final as (

            select * from incoming
            union all
            select * from stale

        )

        select * from final

    ) as src
        on
            tgt.album_id = src.album_id
            and tgt.artist_position = src.artist_position
            and tgt.snapshot_date = src.snapshot_date
    when matched and src.is_stale then delete
    -- A row of another write replaces the held one; loading a file again changes nothing.
    when matched and tgt.source_file_name <> src.source_file_name then
        update set
            tgt.artist_id = src.artist_id,
            tgt.extracted_at = src.extracted_at,
            tgt.source_file = src.source_file,
            tgt.source_file_name = src.source_file_name,
            tgt.loaded_at = src.loaded_at
    when not matched and not src.is_stale then insert (
        album_id,
        artist_id,
        artist_position,
        extracted_at,
        source_file,
        snapshot_date,
        source_file_name,
        loaded_at
    ) values (
        src.album_id,
        src.artist_id,
        src.artist_position,
        src.extracted_at,
        src.source_file,
        src.snapshot_date,
        src.source_file_name,
        src.loaded_at
    );

-- One case the merges cannot see: a playlist extracted again on a day and found empty (or
-- with no entry that makes a fact row). The lake then has no fact row of it for that day;
-- if no other playlist of the day has one either, the Glue job writes no fact file for the
-- date, and MERGE_FACT_PLAYLIST_ITEM never hears of the rewrite. The newer document is in
-- CORE.DIM_PLAYLIST all the same (every snapshot, an empty one too, has its playlist row),
-- so after every MERGE_DIM_PLAYLIST run the fact rows of an older extraction of a playlist
-- and day than the one CORE.DIM_PLAYLIST holds are deleted: the lake never keeps them (the
-- latest extraction of a playlist and day wins). It only ever deletes, and only what a newer
-- document supersedes, so the order in which the tables' files land does not matter.
create or replace task core.sweep_superseded_facts
    warehouse = spotify_wh
    comment = 'Deletes CORE.FACT_PLAYLIST_ITEM rows superseded by a newer CORE.DIM_PLAYLIST row'
    after core.merge_dim_playlist
as
    delete from core.fact_playlist_item
    where exists (
        select 1 as superseded
        from core.dim_playlist
        where
            core.dim_playlist.playlist_id = core.fact_playlist_item.playlist_id
            and core.dim_playlist.snapshot_date = core.fact_playlist_item.snapshot_date
            and core.dim_playlist.extracted_at > core.fact_playlist_item.extracted_at
    );

-- A child task is resumed before its root.
alter task core.sweep_superseded_facts resume;
alter task core.merge_fact_playlist_item resume;
alter task core.merge_dim_track resume;
alter task core.merge_dim_album resume;
alter task core.merge_dim_artist resume;
alter task core.merge_dim_playlist resume;
alter task core.merge_bridge_track_artist resume;
alter task core.merge_bridge_album_artist resume;
