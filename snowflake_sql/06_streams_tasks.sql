-- 06_streams_tasks: a stream on every LANDING table and a task that MERGEs what it holds into
-- the CORE table, every 15 minutes and only when the stream has data (the warehouse is not
-- woken otherwise). Every merge is idempotent: merging the same landed rows again, or
-- rows a pipe loaded twice, changes nothing.
--   fact_playlist_item   keyed by (playlist_id, snapshot_date, position); the latest
--                        extracted_at of a playlist snapshot wins, as a whole: rows of an
--                        older extraction that the newer one lacks are deleted
--   dim_*                one row per id, its latest observation (snapshot_date, then
--                        extracted_at), as the data contract reads a dimension
--   bridge_*_artist      the artist list of each track / album as its newest observation
--                        has it, replaced as a whole like a fact snapshot
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

        landed as (

            select
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
            from landing.fact_playlist_item_stream

        ),

        -- One row per (playlist_id, snapshot_date, position): the newest extraction;
        -- a file loaded twice counts once.
        latest_landed as (

            select *
            from landed
            qualify row_number() over (
                partition by playlist_id, snapshot_date, position
                order by extracted_at desc, loaded_at desc
            ) = 1

        ),

        touched as (

            select distinct
                playlist_id,
                snapshot_date
            from latest_landed

        ),

        -- What CORE already holds for each playlist snapshot that landed.
        held as (

            select
                held_rows.playlist_id,
                held_rows.snapshot_id,
                held_rows.position,
                held_rows.item_type,
                held_rows.track_id,
                held_rows.episode_id,
                held_rows.album_id,
                held_rows.item_uri,
                held_rows.item_name,
                held_rows.added_at,
                held_rows.added_by_id,
                held_rows.popularity,
                held_rows.duration_ms,
                held_rows.is_local,
                held_rows.extracted_at,
                held_rows.source_file,
                held_rows.snapshot_date,
                held_rows.source_file_name,
                held_rows.loaded_at
            from core.fact_playlist_item as held_rows
            inner join touched
                on
                    held_rows.playlist_id = touched.playlist_id
                    and held_rows.snapshot_date = touched.snapshot_date

        ),

        extractions as (

            select
                playlist_id,
                snapshot_date,
                extracted_at
            from latest_landed

            union all

            select
                playlist_id,
                snapshot_date,
                extracted_at
            from held

        ),

        -- The playlist snapshot as its newest extraction (landed or held) has it wins as a whole.
        winners as (

            select
                playlist_id,
                snapshot_date,
                max(extracted_at) as extracted_at
            from extractions
            group by playlist_id, snapshot_date

        ),

        incoming as (

            select
                latest_landed.*,
                false as is_stale
            from latest_landed
            inner join winners
                on
                    latest_landed.playlist_id = winners.playlist_id
                    and latest_landed.snapshot_date = winners.snapshot_date
                    and latest_landed.extracted_at = winners.extracted_at

        ),

        -- Rows of an older extraction that the winning one has no row for (a playlist that got
        -- shorter, a credit that was dropped): they are deleted.
        stale as (

            select
                held.*,
                true as is_stale
            from held
            inner join winners
                on
                    held.playlist_id = winners.playlist_id
                    and held.snapshot_date = winners.snapshot_date
            left join incoming
                on
                    held.playlist_id = incoming.playlist_id
                    and held.snapshot_date = incoming.snapshot_date
                    and held.position = incoming.position
            where
                held.extracted_at < winners.extracted_at
                and incoming.position is null

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
            and tgt.position = src.position
    when matched and src.is_stale then delete
    -- Only a newer extraction replaces a row: re-loading a file changes nothing.
    when matched and src.extracted_at > tgt.extracted_at then
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

        landed as (

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
                snapshot_date,
                source_file_name,
                loaded_at
            from landing.dim_track_stream

        ),

        -- One row per track_id: its latest observation in what landed (a file loaded twice
        -- counts once).
        final as (

            select *
            from landed
            qualify row_number() over (
                partition by track_id
                order by snapshot_date desc, extracted_at desc, loaded_at desc
            ) = 1

        )

        select * from final

    ) as src
        on tgt.track_id = src.track_id
    -- Only a newer observation replaces the one held: re-loading a file changes nothing.
    when matched and (
        src.snapshot_date > tgt.snapshot_date
        or (src.snapshot_date = tgt.snapshot_date and src.extracted_at > tgt.extracted_at)
    ) then
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
            tgt.snapshot_date = src.snapshot_date,
            tgt.source_file_name = src.source_file_name,
            tgt.loaded_at = src.loaded_at
    when not matched then insert (
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

        landed as (

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
                snapshot_date,
                source_file_name,
                loaded_at
            from landing.dim_album_stream

        ),

        -- One row per album_id: its latest observation in what landed (a file loaded twice
        -- counts once).
        final as (

            select *
            from landed
            qualify row_number() over (
                partition by album_id
                order by snapshot_date desc, extracted_at desc, loaded_at desc
            ) = 1

        )

        select * from final

    ) as src
        on tgt.album_id = src.album_id
    -- Only a newer observation replaces the one held: re-loading a file changes nothing.
    when matched and (
        src.snapshot_date > tgt.snapshot_date
        or (src.snapshot_date = tgt.snapshot_date and src.extracted_at > tgt.extracted_at)
    ) then
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
            tgt.snapshot_date = src.snapshot_date,
            tgt.source_file_name = src.source_file_name,
            tgt.loaded_at = src.loaded_at
    when not matched then insert (
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

        landed as (

            select
                artist_id,
                artist_name,
                artist_uri,
                extracted_at,
                source_file,
                snapshot_date,
                source_file_name,
                loaded_at
            from landing.dim_artist_stream

        ),

        -- One row per artist_id: its latest observation in what landed (a file loaded twice
        -- counts once).
        final as (

            select *
            from landed
            qualify row_number() over (
                partition by artist_id
                order by snapshot_date desc, extracted_at desc, loaded_at desc
            ) = 1

        )

        select * from final

    ) as src
        on tgt.artist_id = src.artist_id
    -- Only a newer observation replaces the one held: re-loading a file changes nothing.
    when matched and (
        src.snapshot_date > tgt.snapshot_date
        or (src.snapshot_date = tgt.snapshot_date and src.extracted_at > tgt.extracted_at)
    ) then
        update set
            tgt.artist_name = src.artist_name,
            tgt.artist_uri = src.artist_uri,
            tgt.extracted_at = src.extracted_at,
            tgt.source_file = src.source_file,
            tgt.snapshot_date = src.snapshot_date,
            tgt.source_file_name = src.source_file_name,
            tgt.loaded_at = src.loaded_at
    when not matched then insert (
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

        landed as (

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
                snapshot_date,
                source_file_name,
                loaded_at
            from landing.dim_playlist_stream

        ),

        -- One row per playlist_id: its latest observation in what landed (a file loaded twice
        -- counts once).
        final as (

            select *
            from landed
            qualify row_number() over (
                partition by playlist_id
                order by snapshot_date desc, extracted_at desc, loaded_at desc
            ) = 1

        )

        select * from final

    ) as src
        on tgt.playlist_id = src.playlist_id
    -- Only a newer observation replaces the one held: re-loading a file changes nothing.
    when matched and (
        src.snapshot_date > tgt.snapshot_date
        or (src.snapshot_date = tgt.snapshot_date and src.extracted_at > tgt.extracted_at)
    ) then
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
            tgt.snapshot_date = src.snapshot_date,
            tgt.source_file_name = src.source_file_name,
            tgt.loaded_at = src.loaded_at
    when not matched then insert (
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

        landed as (

            select
                track_id,
                artist_id,
                artist_position,
                extracted_at,
                source_file,
                snapshot_date,
                source_file_name,
                loaded_at
            from landing.bridge_track_artist_stream

        ),

        -- One row per (track_id, artist_position): the newest extraction;
        -- a file loaded twice counts once.
        latest_landed as (

            select *
            from landed
            qualify row_number() over (
                partition by track_id, artist_position
                order by extracted_at desc, loaded_at desc
            ) = 1

        ),

        touched as (

            select distinct track_id
            from latest_landed

        ),

        -- What CORE already holds for each track that landed.
        held as (

            select
                held_rows.track_id,
                held_rows.artist_id,
                held_rows.artist_position,
                held_rows.extracted_at,
                held_rows.source_file,
                held_rows.snapshot_date,
                held_rows.source_file_name,
                held_rows.loaded_at
            from core.bridge_track_artist as held_rows
            inner join touched
                on held_rows.track_id = touched.track_id

        ),

        extractions as (

            select
                track_id,
                extracted_at
            from latest_landed

            union all

            select
                track_id,
                extracted_at
            from held

        ),

        -- The track as its newest extraction (landed or held) has it wins as a whole.
        winners as (

            select
                track_id,
                max(extracted_at) as extracted_at
            from extractions
            group by track_id

        ),

        incoming as (

            select
                latest_landed.*,
                false as is_stale
            from latest_landed
            inner join winners
                on
                    latest_landed.track_id = winners.track_id
                    and latest_landed.extracted_at = winners.extracted_at

        ),

        -- Rows of an older extraction that the winning one has no row for (a playlist that got
        -- shorter, a credit that was dropped): they are deleted.
        stale as (

            select
                held.*,
                true as is_stale
            from held
            inner join winners
                on held.track_id = winners.track_id
            left join incoming
                on
                    held.track_id = incoming.track_id
                    and held.artist_position = incoming.artist_position
            where
                held.extracted_at < winners.extracted_at
                and incoming.artist_position is null

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
    when matched and src.is_stale then delete
    -- Only a newer extraction replaces a row: re-loading a file changes nothing.
    when matched and src.extracted_at > tgt.extracted_at then
        update set
            tgt.artist_id = src.artist_id,
            tgt.extracted_at = src.extracted_at,
            tgt.source_file = src.source_file,
            tgt.snapshot_date = src.snapshot_date,
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

        landed as (

            select
                album_id,
                artist_id,
                artist_position,
                extracted_at,
                source_file,
                snapshot_date,
                source_file_name,
                loaded_at
            from landing.bridge_album_artist_stream

        ),

        -- One row per (album_id, artist_position): the newest extraction;
        -- a file loaded twice counts once.
        latest_landed as (

            select *
            from landed
            qualify row_number() over (
                partition by album_id, artist_position
                order by extracted_at desc, loaded_at desc
            ) = 1

        ),

        touched as (

            select distinct album_id
            from latest_landed

        ),

        -- What CORE already holds for each album that landed.
        held as (

            select
                held_rows.album_id,
                held_rows.artist_id,
                held_rows.artist_position,
                held_rows.extracted_at,
                held_rows.source_file,
                held_rows.snapshot_date,
                held_rows.source_file_name,
                held_rows.loaded_at
            from core.bridge_album_artist as held_rows
            inner join touched
                on held_rows.album_id = touched.album_id

        ),

        extractions as (

            select
                album_id,
                extracted_at
            from latest_landed

            union all

            select
                album_id,
                extracted_at
            from held

        ),

        -- The album as its newest extraction (landed or held) has it wins as a whole.
        winners as (

            select
                album_id,
                max(extracted_at) as extracted_at
            from extractions
            group by album_id

        ),

        incoming as (

            select
                latest_landed.*,
                false as is_stale
            from latest_landed
            inner join winners
                on
                    latest_landed.album_id = winners.album_id
                    and latest_landed.extracted_at = winners.extracted_at

        ),

        -- Rows of an older extraction that the winning one has no row for (a playlist that got
        -- shorter, a credit that was dropped): they are deleted.
        stale as (

            select
                held.*,
                true as is_stale
            from held
            inner join winners
                on held.album_id = winners.album_id
            left join incoming
                on
                    held.album_id = incoming.album_id
                    and held.artist_position = incoming.artist_position
            where
                held.extracted_at < winners.extracted_at
                and incoming.artist_position is null

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
    when matched and src.is_stale then delete
    -- Only a newer extraction replaces a row: re-loading a file changes nothing.
    when matched and src.extracted_at > tgt.extracted_at then
        update set
            tgt.artist_id = src.artist_id,
            tgt.extracted_at = src.extracted_at,
            tgt.source_file = src.source_file,
            tgt.snapshot_date = src.snapshot_date,
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

alter task core.merge_fact_playlist_item resume;
alter task core.merge_dim_track resume;
alter task core.merge_dim_album resume;
alter task core.merge_dim_artist resume;
alter task core.merge_dim_playlist resume;
alter task core.merge_bridge_track_artist resume;
alter task core.merge_bridge_album_artist resume;
