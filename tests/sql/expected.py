"""What every analytics view returns for tests/sql/fixtures, worked out by hand.

The fixture is described in tests/sql/fixtures/README.md; the comments here show the
arithmetic. Both engines are held to the same numbers: the Athena views on DuckDB over the
Glue job's Parquet (test_athena.py) and the Snowflake views on fakesnow over the merged CORE
tables (test_snowflake.py). Each entry is (the columns compared, the rows, in any order).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

D02, D09, D16 = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)
LEGACY, DEV = "legacyMix", "devModeMix"
EMPTIED, FADED = "emptiedMix", "fadedMix"  # an empty snapshot in the middle, and at the end
EPISODE = "491- The Missing Middle"
UNAVAILABLE = "unavailable (development-mode API)"
PLAYLIST_NAMES = {
    LEGACY: "Legacy Mix",
    DEV: "Dev Mode Mix",
    EMPTIED: "Emptied Mix",
    FADED: "Faded Mix",
}
ARTISTS = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf")
ARTIST_IDS = {name: f"art{name}" for name in ARTISTS}
# Each item of the fixture by name: its track_id (none for the local file and the episode)
# and its Spotify URI, as the raw documents send them.
ITEMS = {
    "Sunrise": "trkSunrise",
    "Together": "trkTogether",
    "Yesterday Once": "trkYesterday",
    "Climber": "trkClimber",
    "Leaver": "trkLeaver",
    "Echoes": "trkEchoes",
    "Hole in One": "trkHoleInOne",
    "Fairway": "trkFairway",
    "Sunset": "trkSunset",
}
ITEM_URIS = {
    **{name: f"spotify:track:{track_id}" for name, track_id in ITEMS.items()},
    "Garage Demo": "spotify:local:The+Waymores:Garage+Demo:Garage+Demo:128",
    EPISODE: "spotify:episode:epMissingMiddle",
}
ITEM_TRACK_IDS = {**dict.fromkeys(ITEM_URIS), **ITEMS}


def _added(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


def _appended(rows: list[tuple], *lookups: tuple[dict, int]) -> list[tuple]:
    """Each row with a column appended per (mapping, at): the mapping's value for the row's
    column `at` (the views' ids and names that follow from a column already given)."""
    return [(*row, *(mapping[row[at]] for mapping, at in lookups)) for row in rows]


EXPECTED: dict[str, tuple[tuple[str, ...], list[tuple]]] = {
    # Dimensions count distinct ids; playlist_items counts fact rows: legacyMix 5 + 6 + 6
    # (the null item of 2026-11-02 has no row), devModeMix 3 + 4, emptiedMix 1 + 0 + 1,
    # fadedMix 1 + 0 = 27. Snapshots: 3 + 2 + 3 + 2 = 10, the two empty ones included.
    "entity_record_counts": (
        ("entity", "record_count"),
        [
            ("albums", 5),
            ("artists", 7),
            ("episodes", 1),
            ("local_files", 1),
            ("playlist_items", 27),
            ("playlist_snapshots", 10),
            ("playlists", 4),
            ("tracks", 9),
        ],
    ),
    # Songs per artist, any credit: Alpha = Sunrise, Together, Sunset; Bravo = Together,
    # Yesterday Once; Delta = Climber, Leaver; Golf = Hole in One, Fairway; then Charlie,
    # Echo and Foxtrot with 1 each, of which Charlie comes first by name.
    "top_artists_by_song_count": (
        ("song_rank", "artist_name", "song_count", "artist_id"),
        _appended(
            [
                (1, "Alpha", 3),
                (2, "Bravo", 2),
                (2, "Delta", 2),
                (2, "Golf", 2),
                (5, "Charlie", 1),
            ],
            (ARTIST_IDS, 1),
        ),
    ),
    # Alpha: popularity (80 + 70) / 2 = 75 over 2 of 3 songs (Sunset has none: partial),
    #   duration (200000 + 240000 + 170000) / 3 = 203333.3 -> 203333,
    #   appearances Sunrise 3 + Together 3 + Sunset 2 (devModeMix, fadedMix) = 8, album
    #   First Light (10 tracks).
    # Bravo: (70 + 40) / 2 = 55, (240000 + 180000) / 2 = 210000, 3 + 3 = 6, Old Times (12).
    # Charlie: 60, 210000, Climber 2, Mixtape (8).
    # Delta: (60 + 30) / 2 = 45, (210000 + 190000) / 2 = 200000, Climber 2 + Leaver 2 = 4,
    #   Delta Blues (9).
    # Echo: 50, 220000, Echoes 1, no album of its own.
    # Foxtrot: no popularity at all, 150000, Hole in One 2, no album.
    # Golf: no popularity at all, (150000 + 160000) / 2 = 155000, 2 + 2 = 4, Golf Course (3).
    "artist_metrics": (
        (
            "artist_name",
            "track_count",
            "avg_popularity",
            "popularity_track_count",
            "popularity_status",
            "avg_duration_ms",
            "track_appearance_count",
            "album_count",
            "album_total_tracks",
            "artist_id",
        ),
        _appended(
            [
                ("Alpha", 3, 75.0, 2, "partial", 203333, 8, 1, 10),
                ("Bravo", 2, 55.0, 2, "available", 210000, 6, 1, 12),
                ("Charlie", 1, 60.0, 1, "available", 210000, 2, 1, 8),
                ("Delta", 2, 45.0, 2, "available", 200000, 4, 1, 9),
                ("Echo", 1, 50.0, 1, "available", 220000, 1, 0, 0),
                ("Foxtrot", 1, None, 0, UNAVAILABLE, 150000, 2, 0, 0),
                ("Golf", 2, None, 0, UNAVAILABLE, 155000, 4, 1, 3),
            ],
            (ARTIST_IDS, 0),
        ),
    ),
    # Reference date 2026-11-16, so the last quarter is after 2026-08-16: First Light
    # (2026-10-01) and Mixtape (2026-09, read as 2026-09-01) -> Sunrise 80, Together 70,
    # Climber 60, Echoes 50: 260 / 4 = 65. Older: Yesterday Once 40 (Old Times, '1998'),
    # Leaver 30 (2020), and the three Golf Course songs (2025) without popularity:
    # (40 + 30) / 2 = 35 over 2 of 5.
    "release_recency_popularity": (
        (
            "release_period",
            "reference_date",
            "track_count",
            "avg_popularity",
            "popularity_track_count",
            "popularity_status",
        ),
        [
            ("last quarter", D16, 4, 65.0, 4, "available"),
            ("older", D16, 5, 35.0, 2, "partial"),
        ],
    ),
    # legacyMix 2026-11-16 by popularity: Sunrise 80 (position 2), Together 70 (3),
    # Climber 60 (1), Echoes 50 (5), Yesterday Once 40 (4); the local file is not a song.
    # devModeMix 2026-11-16 has no popularity: playlist order, the episode left out.
    # fadedMix's latest snapshot is empty: no songs now (not Sunset of 2026-11-09), and
    # emptiedMix's latest holds only the episode, which is not a song.
    "current_top_songs": (
        (
            "playlist_id",
            "snapshot_date",
            "song_rank",
            "track_name",
            "artist_names",
            "popularity",
            "position",
            "ranked_by",
            "popularity_status",
            "playlist_name",
            "track_id",
        ),
        _appended(
            [
                (LEGACY, D16, 1, "Sunrise", "Alpha", 80, 2, "popularity", "available"),
                (LEGACY, D16, 2, "Together", "Alpha, Bravo", 70, 3, "popularity", "available"),
                (LEGACY, D16, 3, "Climber", "Charlie, Delta", 60, 1, "popularity", "available"),
                (LEGACY, D16, 4, "Echoes", "Echo", 50, 5, "popularity", "available"),
                (LEGACY, D16, 5, "Yesterday Once", "Bravo", 40, 4, "popularity", "available"),
                (DEV, D16, 1, "Fairway", "Golf", None, 1, "playlist position", UNAVAILABLE),
                (
                    DEV,
                    D16,
                    2,
                    "Hole in One",
                    "Golf, Foxtrot",
                    None,
                    2,
                    "playlist position",
                    UNAVAILABLE,
                ),
                (DEV, D16, 3, "Sunset", "Alpha", None, 3, "playlist position", UNAVAILABLE),
            ],
            (PLAYLIST_NAMES, 0),
            (ITEMS, 3),
        ),
    ),
    # artist_metrics ordered by average popularity; Foxtrot and Golf have none: no rank.
    "top_artists_by_popularity": (
        (
            "display_order",
            "popularity_rank",
            "artist_name",
            "avg_popularity",
            "popularity_track_count",
            "track_count",
            "popularity_status",
            "artist_id",
        ),
        _appended(
            [
                (1, 1, "Alpha", 75.0, 2, 3, "partial"),
                (2, 2, "Charlie", 60.0, 1, 1, "available"),
                (3, 3, "Bravo", 55.0, 2, 2, "available"),
                (4, 4, "Echo", 50.0, 1, 1, "available"),
                (5, 5, "Delta", 45.0, 2, 2, "available"),
                (6, None, "Foxtrot", None, 0, 1, UNAVAILABLE),
                (7, None, "Golf", None, 0, 2, UNAVAILABLE),
            ],
            (ARTIST_IDS, 2),
        ),
    ),
    # 1998: Old Times (12 tracks; Yesterday Once). 2020: Delta Blues (9; Leaver).
    # 2025: Golf Course (3; Hole in One, Fairway, Sunset). 2026: First Light 10 + Mixtape 8
    # = 18 (Sunrise, Together, Climber, Echoes).
    "album_release_trends": (
        ("release_year", "album_count", "album_total_tracks", "playlist_track_count"),
        [
            (1998, 1, 12, 1),
            (2020, 1, 9, 1),
            (2025, 1, 3, 3),
            (2026, 2, 18, 4),
        ],
    ),
    # legacyMix: September Sunrise, Together; October Yesterday Once, Leaver, the local
    # file (the null item added on 2026-10-20 never reached a table); November Climber,
    # Echoes. devModeMix: October Hole in One; November the episode, Fairway, Sunset.
    # emptiedMix: November the episode; fadedMix: November Sunset.
    "monthly_playlist_additions": (
        ("playlist_id", "added_month_date", "added_item_count", "playlist_name"),
        _appended(
            [
                (LEGACY, date(2026, 9, 1), 2),
                (LEGACY, date(2026, 10, 1), 3),
                (LEGACY, date(2026, 11, 1), 2),
                (DEV, date(2026, 10, 1), 1),
                (DEV, date(2026, 11, 1), 3),
                (EMPTIED, date(2026, 11, 1), 1),
                (FADED, date(2026, 11, 1), 1),
            ],
            (PLAYLIST_NAMES, 0),
        ),
    ),
    # Weekly snapshots, so weeks = snapshots. Leaver was last seen on 2026-11-09. The
    # episode is on emptiedMix's 2026-11-02 and 2026-11-16 (not on the empty 2026-11-09);
    # Sunset is not on fadedMix's latest snapshot, the empty 2026-11-16.
    "weeks_on_playlist": (
        (
            "playlist_id",
            "item_name",
            "item_type",
            "weeks_on_playlist",
            "snapshot_count",
            "first_seen_date",
            "last_seen_date",
            "is_on_latest_snapshot",
            "track_id",
            "item_uri",
        ),
        _appended(
            [
                (LEGACY, "Sunrise", "track", 3, 3, D02, D16, True),
                (LEGACY, "Together", "track", 3, 3, D02, D16, True),
                (LEGACY, "Yesterday Once", "track", 3, 3, D02, D16, True),
                (LEGACY, "Leaver", "track", 2, 2, D02, D09, False),
                (LEGACY, "Garage Demo", "track", 3, 3, D02, D16, True),
                (LEGACY, "Climber", "track", 2, 2, D09, D16, True),
                (LEGACY, "Echoes", "track", 1, 1, D16, D16, True),
                (DEV, "Hole in One", "track", 2, 2, D09, D16, True),
                (DEV, EPISODE, "episode", 2, 2, D09, D16, True),
                (DEV, "Fairway", "track", 2, 2, D09, D16, True),
                (DEV, "Sunset", "track", 1, 1, D16, D16, True),
                (EMPTIED, EPISODE, "episode", 2, 2, D02, D16, True),
                (FADED, "Sunset", "track", 1, 1, D09, D09, False),
            ],
            (ITEM_TRACK_IDS, 1),
            (ITEM_URIS, 1),
        ),
    ),
    # position_change = previous - current: positive is a climb. The null item at position
    # 3 of 2026-11-02 left a gap, so Yesterday Once and Leaver each climb one place.
    "position_changes": (
        (
            "playlist_id",
            "snapshot_date",
            "previous_snapshot_date",
            "item_name",
            "position",
            "previous_position",
            "position_change",
            "movement",
            "item_uri",
        ),
        _appended(
            [
                (LEGACY, D09, D02, "Sunrise", 1, 1, 0, "unchanged"),
                (LEGACY, D09, D02, "Together", 2, 2, 0, "unchanged"),
                (LEGACY, D09, D02, "Yesterday Once", 3, 4, 1, "climbed"),
                (LEGACY, D09, D02, "Leaver", 4, 5, 1, "climbed"),
                (LEGACY, D09, D02, "Climber", 5, None, None, "new"),
                (LEGACY, D09, D02, "Garage Demo", 6, 6, 0, "unchanged"),
                (LEGACY, D16, D09, "Climber", 1, 5, 4, "climbed"),
                (LEGACY, D16, D09, "Sunrise", 2, 1, -1, "dropped"),
                (LEGACY, D16, D09, "Together", 3, 2, -1, "dropped"),
                (LEGACY, D16, D09, "Yesterday Once", 4, 3, -1, "dropped"),
                (LEGACY, D16, D09, "Echoes", 5, None, None, "new"),
                (LEGACY, D16, D09, "Garage Demo", 6, 6, 0, "unchanged"),
                (DEV, D16, D09, "Fairway", 1, 3, 2, "climbed"),
                (DEV, D16, D09, "Hole in One", 2, 1, -1, "dropped"),
                (DEV, D16, D09, "Sunset", 3, None, None, "new"),
                (DEV, D16, D09, EPISODE, 4, 2, -2, "dropped"),
                # The snapshot before is the empty one of 2026-11-09: the episode is new again.
                (EMPTIED, D16, D09, EPISODE, 1, None, None, "new"),
            ],
            (ITEM_URIS, 3),
        ),
    ),
    # First snapshots have nothing to compare with. legacyMix 2026-11-09: Climber in;
    # 2026-11-16: Echoes in, Leaver out. devModeMix 2026-11-16: Sunset in. emptiedMix:
    # the episode out on the empty 2026-11-09 and in again on 2026-11-16; fadedMix: Sunset
    # out on the empty 2026-11-16.
    "snapshot_entries_exits": (
        (
            "playlist_id",
            "snapshot_date",
            "previous_snapshot_date",
            "item_count",
            "new_entry_count",
            "exit_count",
        ),
        [
            (LEGACY, D02, None, 5, None, None),
            (LEGACY, D09, D02, 6, 1, 0),
            (LEGACY, D16, D09, 6, 1, 1),
            (DEV, D09, None, 3, None, None),
            (DEV, D16, D09, 4, 1, 0),
            (EMPTIED, D02, None, 1, None, None),
            (EMPTIED, D09, D02, 0, 0, 1),
            (EMPTIED, D16, D09, 1, 1, 0),
            (FADED, D09, None, 1, None, None),
            (FADED, D16, D09, 0, 0, 1),
        ],
    ),
    # Entries crediting the artist / all entries of the snapshot (local file and episode
    # included). legacyMix 2026-11-02 has 5 entries: Sunrise, Together, Yesterday Once,
    # Leaver, Garage Demo; 2026-11-09 and 2026-11-16 have 6; devModeMix 3 then 4; fadedMix
    # 2026-11-09 has Sunset alone. The episode credits no artist; empty snapshots have no row.
    "artist_playlist_share": (
        (
            "playlist_id",
            "snapshot_date",
            "artist_name",
            "artist_entry_count",
            "playlist_entry_count",
            "entry_share",
            "artist_id",
        ),
        _appended(
            [
                (LEGACY, D02, "Alpha", 2, 5, 0.4),
                (LEGACY, D02, "Bravo", 2, 5, 0.4),
                (LEGACY, D02, "Delta", 1, 5, 0.2),
                (LEGACY, D09, "Alpha", 2, 6, 0.3333),
                (LEGACY, D09, "Bravo", 2, 6, 0.3333),
                (LEGACY, D09, "Charlie", 1, 6, 0.1667),
                (LEGACY, D09, "Delta", 2, 6, 0.3333),
                (LEGACY, D16, "Alpha", 2, 6, 0.3333),
                (LEGACY, D16, "Bravo", 2, 6, 0.3333),
                (LEGACY, D16, "Charlie", 1, 6, 0.1667),
                (LEGACY, D16, "Delta", 1, 6, 0.1667),
                (LEGACY, D16, "Echo", 1, 6, 0.1667),
                (DEV, D09, "Foxtrot", 1, 3, 0.3333),
                (DEV, D09, "Golf", 2, 3, 0.6667),
                (DEV, D16, "Alpha", 1, 4, 0.25),
                (DEV, D16, "Foxtrot", 1, 4, 0.25),
                (DEV, D16, "Golf", 2, 4, 0.5),
                (FADED, D09, "Alpha", 1, 1, 1.0),
            ],
            (ARTIST_IDS, 2),
        ),
    ),
    # Every song ever on a playlist, its primary artist, its earliest added_at (Sunset: on
    # fadedMix since 2026-11-08, before devModeMix's 2026-11-12).
    "songs": (
        (
            "song_id",
            "song_name",
            "duration_ms",
            "url",
            "popularity",
            "song_added",
            "album_id",
            "artist_id",
        ),
        [
            (
                "trkSunrise",
                "Sunrise",
                200000,
                "https://open.spotify.com/track/trkSunrise",
                80,
                _added(9, 5),
                "albFirstLight",
                "artAlpha",
            ),
            (
                "trkTogether",
                "Together",
                240000,
                "https://open.spotify.com/track/trkTogether",
                70,
                _added(9, 20),
                "albFirstLight",
                "artAlpha",
            ),
            (
                "trkYesterday",
                "Yesterday Once",
                180000,
                "https://open.spotify.com/track/trkYesterday",
                40,
                _added(10, 1),
                "albOldTimes",
                "artBravo",
            ),
            (
                "trkClimber",
                "Climber",
                210000,
                "https://open.spotify.com/track/trkClimber",
                60,
                _added(11, 8),
                "albMixtape",
                "artCharlie",
            ),
            (
                "trkLeaver",
                "Leaver",
                190000,
                "https://open.spotify.com/track/trkLeaver",
                30,
                _added(10, 10),
                "albDeltaBlues",
                "artDelta",
            ),
            (
                "trkEchoes",
                "Echoes",
                220000,
                "https://open.spotify.com/track/trkEchoes",
                50,
                _added(11, 15),
                "albMixtape",
                "artEcho",
            ),
            (
                "trkHoleInOne",
                "Hole in One",
                150000,
                "https://open.spotify.com/track/trkHoleInOne",
                None,
                _added(10, 30),
                "albGolfCourse",
                "artGolf",
            ),
            (
                "trkFairway",
                "Fairway",
                160000,
                "https://open.spotify.com/track/trkFairway",
                None,
                _added(11, 5),
                "albGolfCourse",
                "artGolf",
            ),
            (
                "trkSunset",
                "Sunset",
                170000,
                "https://open.spotify.com/track/trkSunset",
                None,
                _added(11, 8),
                "albGolfCourse",
                "artAlpha",
            ),
        ],
    ),
    # Old Times was released '1998' (year precision): 1998-01-01.
    "albums": (
        ("album_id", "name", "release_date", "total_tracks", "url", "release_date_precision"),
        [
            (
                "albFirstLight",
                "First Light",
                date(2026, 10, 1),
                10,
                "https://open.spotify.com/album/albFirstLight",
                "day",
            ),
            (
                "albOldTimes",
                "Old Times",
                date(1998, 1, 1),
                12,
                "https://open.spotify.com/album/albOldTimes",
                "year",
            ),
            (
                "albMixtape",
                "Mixtape",
                date(2026, 9, 1),
                8,
                "https://open.spotify.com/album/albMixtape",
                "month",
            ),
            (
                "albGolfCourse",
                "Golf Course",
                date(2025, 5, 20),
                3,
                "https://open.spotify.com/album/albGolfCourse",
                "day",
            ),
            (
                "albDeltaBlues",
                "Delta Blues",
                date(2020, 3, 15),
                9,
                "https://open.spotify.com/album/albDeltaBlues",
                "day",
            ),
        ],
    ),
    "artists": (
        ("artist_id", "artist_name", "external_url"),
        [(f"art{name}", name, f"https://open.spotify.com/artist/art{name}") for name in ARTISTS],
    ),
}


# ---------------------------------------------------------------------------------------
# The chart views (athena_sql/views/50_*chart*.sql), for the hand-made chart history of
# tests/sql/chart_fixture.py. Per chart and date, the entries in rank order with their
# streams (A' is Aurora's single, another id of A's recording):
#
#   regional-global-weekly (GW)  W1 01-01: A 1000, B 900, C 800, D 700, E 600, F 500 (4500)
#                                W2 01-08: B 950, A 920, G 850, C 700, F 650, D 600 (4670)
#                                W3 01-15: G 1000, B 900, E 800, A' 700, F 600, H 500 (4500)
#                                W4 01-22: G 950, E 900, H 850, B 810, A 700, C 600 (4810)
#   regional-us-weekly (UW)      W1: D 500, A 400, E 300, B 200 (1400)
#                                W2: A 450, D 420, B 300, G 250 (1420)
#                                W4: G 600, A 500, E 400, H 300 (1800); the lake has no W3
#   regional-global-daily (GD)   D1 01-20: G 300, B 200, A 100 (600)
#                                D2 01-21: G 310, A 210, E 150 (670)
#                                D3 01-22: E 320, G 300, B 250 (870)
#   viral-global-weekly (VW)     W4: H, C (no streams)
#
# Songs and the file's artist_names: A Aurora (Nova), A' Aurora - Single (Nova), B Blaze
# (Nova, Rex), C Cascade (Tyler, The Creator), D Drift (Rex), E Ember (Luna), F Flare (Luna,
# Nova), G Glow (Kai), H Halo (Rex).
#
# The enrichment (dim_track, bridge_track_artist, dim_artist): A and A' share the ISRC
# QZAUR2600001, so one song_key, isrc:QZAUR2600001, and A' in GW W3 is the song A in its
# 3rd week; B isrc:QZBLZ2600002, C has no ISRC (track:trkCascade), G isrc:QZGLW2600003.
# D, E, F, H are not described: each is its own song, track:<its id>. So, song by song,
# every number follows as if A' were A: the song views give the numbers they would give
# with A in W3, with A' named where its entry is the one shown.
# Artists: the described tracks' Spotify artists (artist_source web_api, with an id): A,
# A' Nova (artNova); B Nova, Rex (artNova, artRex); C "Tyler, The Creator", one artist
# (artTylerTheCreator); G Kai (artKai). The others' are the file's names split at ", "
# (chart_file_names, no id): D Rex, E Luna, F Luna and Nova, H Rex. The two sources are not
# matched by name: "Nova" and "Rex" have a row of each.
# ---------------------------------------------------------------------------------------

GW, UW = "regional-global-weekly", "regional-us-weekly"
GD, VW = "regional-global-daily", "viral-global-weekly"
W1, W2, W3, W4 = date(2026, 1, 1), date(2026, 1, 8), date(2026, 1, 15), date(2026, 1, 22)
CD1, CD2, CD3 = date(2026, 1, 20), date(2026, 1, 21), date(2026, 1, 22)
A_KEY = "isrc:QZAUR2600001"
# letter: (track_name, artist_names as the file gives them, track_id, song_key)
CHART_SONGS = {
    "A": ("Aurora", "Nova", "trkAurora", A_KEY),
    "A'": ("Aurora - Single", "Nova", "trkAuroraSingle", A_KEY),
    "B": ("Blaze", "Nova, Rex", "trkBlaze", "isrc:QZBLZ2600002"),
    "C": ("Cascade", "Tyler, The Creator", "trkCascade", "track:trkCascade"),
    "D": ("Drift", "Rex", "trkDrift", "track:trkDrift"),
    "E": ("Ember", "Luna", "trkEmber", "track:trkEmber"),
    "F": ("Flare", "Luna, Nova", "trkFlare", "track:trkFlare"),
    "G": ("Glow", "Kai", "trkGlow", "isrc:QZGLW2600003"),
    "H": ("Halo", "Rex", "trkHalo", "track:trkHalo"),
}
DESCRIBED_SONGS = {"A", "A'", "B", "C", "G"}
FILE_NAMES, WEB_API = "chart_file_names", "web_api"
# The history above, as (chart, date, letters with streams in rank order).
CHART_LAYOUT = {
    (GW, W1): [("A", 1000), ("B", 900), ("C", 800), ("D", 700), ("E", 600), ("F", 500)],
    (GW, W2): [("B", 950), ("A", 920), ("G", 850), ("C", 700), ("F", 650), ("D", 600)],
    (GW, W3): [("G", 1000), ("B", 900), ("E", 800), ("A'", 700), ("F", 600), ("H", 500)],
    (GW, W4): [("G", 950), ("E", 900), ("H", 850), ("B", 810), ("A", 700), ("C", 600)],
    (UW, W1): [("D", 500), ("A", 400), ("E", 300), ("B", 200)],
    (UW, W2): [("A", 450), ("D", 420), ("B", 300), ("G", 250)],
    (UW, W4): [("G", 600), ("A", 500), ("E", 400), ("H", 300)],
    (GD, CD1): [("G", 300), ("B", 200), ("A", 100)],
    (GD, CD2): [("G", 310), ("A", 210), ("E", 150)],
    (GD, CD3): [("E", 320), ("G", 300), ("B", 250)],
    (VW, W4): [("H", None), ("C", None)],
}


def _song(row: tuple, at: int) -> tuple:
    """The row with the song letter at ``at`` replaced by (track_name, artist_names), and
    (song_key, track_id) appended: the views' name columns come before their ids, last."""
    name, artists, track_id, song_key = CHART_SONGS[row[at]]
    return (*row[:at], name, artists, *row[at + 1 :], song_key, track_id)


def _songs(rows: list[tuple], at: int) -> list[tuple]:
    return [_song(row, at) for row in rows]


def _api(row: tuple) -> tuple:
    return (*row, WEB_API, f"art{row[2].replace(',', '').replace(' ', '')}")


def _file(row: tuple) -> tuple:
    return (*row, FILE_NAMES, None)


CHART_EXPECTED: dict[str, tuple[tuple[str, ...], list[tuple]]] = {
    # Every entry with its song: described songs (A, A', B, C, G) their song_key, the others
    # track:<id>, not described. 6 x 4 + 4 x 3 + 3 x 3 + 2 = 47 rows.
    "chart_entry_songs": (
        (
            "chart_id",
            "period",
            "chart_date",
            "rank",
            "streams",
            "track_name",
            "artist_names",
            "is_described",
            "song_key",
            "track_id",
        ),
        [
            (
                chart_id,
                chart_id.rsplit("-", 1)[1],
                day,
                rank,
                streams,
                CHART_SONGS[letter][0],
                CHART_SONGS[letter][1],
                letter in DESCRIBED_SONGS,
                CHART_SONGS[letter][3],
                CHART_SONGS[letter][2],
            )
            for (chart_id, day), entries in CHART_LAYOUT.items()
            for rank, (letter, streams) in enumerate(entries, start=1)
        ],
    ),
    # Per chart and song: the charts it is on (weeks for weekly charts, days for daily), its
    # best rank, its first date and rank there, its last date, its streams summed, and its
    # ids; names and track_id of its best entry on its last date.
    # GW: A W1-W4 at 1, 2, 4 (as A'), 5: 4 weeks, peak 1, debut W1 at 1, 1000 + 920 + 700 +
    #       700 = 3320, 2 ids (trkAurora, trkAuroraSingle), shown as its W4 entry, trkAurora
    #     B W1-W4 at 2, 1, 2, 4: 4, peak 1, debut W1 at 2, 900 + 950 + 900 + 810 = 3560
    #     C W1, W2, W4 at 3, 4, 6: 3, peak 3, 800 + 700 + 600 = 2100
    #     D W1, W2 at 4, 6: 2, peak 4, last W2 (not on W4), 700 + 600 = 1300
    #     E W1, W3, W4 at 5, 3, 2: 3, peak 2, debut at 5, 600 + 800 + 900 = 2300
    #     F W1-W3 at 6, 5, 5: 3, peak 5, last W3, 500 + 650 + 600 = 1750
    #     G W2-W4 at 3, 1, 1: 3, peak 1, debut W2 at 3, 850 + 1000 + 950 = 2800
    #     H W3, W4 at 6, 3: 2, peak 3, debut W3 at 6, 500 + 850 = 1350
    #     longevity: A, B (4 weeks) 1; C, E, F, G (3) 3; D, H (2) 7.
    #     (Without the enrichment A would be 3 weeks and A' 1: see test_charts.py.)
    # UW: A W1, W2, W4 at 2, 1, 2: 3, 400 + 450 + 500 = 1350; D W1, W2 at 1, 2: 920;
    #     E W1, W4 at 3, 3: 700; B W1, W2 at 4, 3: 500; G W2, W4 at 4, 1: 850; H W4 at 4: 300.
    #     longevity: A 1; B, D, E, G 2; H 6.
    # GD (days): G D1-D3 at 1, 1, 2: 3 days, 300 + 310 + 300 = 910; B D1, D3 at 2, 3: 450;
    #     A D1, D2 at 3, 2: 310, last D2; E D2, D3 at 3, 1: 470. longevity: G 1; A, B, E 2.
    # VW: H at 1 and C at 2, one week each, no streams (a sum of nulls is null).
    # Every song but A in GW has one id.
    "chart_songs": (
        (
            "chart_id",
            "longevity_rank",
            "track_name",
            "artist_names",
            "weeks_on_chart",
            "days_on_chart",
            "peak_rank",
            "debut_date",
            "debut_rank",
            "last_chart_date",
            "is_on_latest_chart",
            "total_streams",
            "track_id_count",
            "song_key",
            "track_id",
        ),
        _songs(
            [
                (GW, 1, "A", 4, None, 1, W1, 1, W4, True, 3320, 2),
                (GW, 1, "B", 4, None, 1, W1, 2, W4, True, 3560, 1),
                (GW, 3, "C", 3, None, 3, W1, 3, W4, True, 2100, 1),
                (GW, 3, "E", 3, None, 2, W1, 5, W4, True, 2300, 1),
                (GW, 3, "F", 3, None, 5, W1, 6, W3, False, 1750, 1),
                (GW, 3, "G", 3, None, 1, W2, 3, W4, True, 2800, 1),
                (GW, 7, "D", 2, None, 4, W1, 4, W2, False, 1300, 1),
                (GW, 7, "H", 2, None, 3, W3, 6, W4, True, 1350, 1),
                (UW, 1, "A", 3, None, 1, W1, 2, W4, True, 1350, 1),
                (UW, 2, "B", 2, None, 3, W1, 4, W2, False, 500, 1),
                (UW, 2, "D", 2, None, 1, W1, 1, W2, False, 920, 1),
                (UW, 2, "E", 2, None, 3, W1, 3, W4, True, 700, 1),
                (UW, 2, "G", 2, None, 1, W2, 4, W4, True, 850, 1),
                (UW, 6, "H", 1, None, 4, W4, 4, W4, True, 300, 1),
                (GD, 1, "G", None, 3, 1, CD1, 1, CD3, True, 910, 1),
                (GD, 2, "A", None, 2, 2, CD1, 3, CD2, False, 310, 1),
                (GD, 2, "B", None, 2, 2, CD1, 2, CD3, True, 450, 1),
                (GD, 2, "E", None, 2, 1, CD2, 3, CD3, True, 470, 1),
                (VW, 1, "C", 1, None, 2, W4, 2, W4, True, None, 1),
                (VW, 1, "H", 1, None, 1, W4, 1, W4, True, None, 1),
            ],
            2,
        ),
    ),
    # Every song of every chart date against the chart one period before (GW/UW a week, GD a
    # day): rank_change = previous - current, streams_change = current - previous.
    # First dates (GW W1, UW W1, GD D1, VW W4) and UW W4 (the lake has no UW W3): nothing to
    # compare with, so previous_chart_date, previous_rank and movement are null.
    # GW W2: B 2 -> 1 climbed, A 1 -> 2 fell, G new, C 3 -> 4 fell, F 6 -> 5 climbed,
    #        D 4 -> 6 fell; E (5 on W1) exits.
    # GW W3: G 3 -> 1, B 1 -> 2, E back (was on W1): re-entry, A 2 -> 4 fell (its W3 entry
    #        is A', shown by A''s name and id: the song moved, no new entry and exit), F 5 -> 5
    #        unchanged, H new; C (4) and D (6) exit.
    # GW W4: G 1 -> 1, E 3 -> 2, H 6 -> 3, B 2 -> 4, A 4 (as A') -> 5, C back (W1, W2):
    #        re-entry; F (5) exits.
    # UW W2: A 2 -> 1, D 1 -> 2, B 4 -> 3, G new; E (3) exits.
    # GD D2: G 1 -> 1, A 3 -> 2, E new; B (2) exits. GD D3: E 3 -> 1, G 1 -> 2, B back (D1):
    #        re-entry; A (2) exits.
    "chart_movements": (
        (
            "chart_id",
            "chart_date",
            "previous_chart_date",
            "rank",
            "previous_rank",
            "rank_change",
            "movement",
            "streams",
            "previous_streams",
            "streams_change",
            "track_name",
            "artist_names",
            "song_key",
            "track_id",
        ),
        _songs(
            [
                (GW, W1, None, 1, None, None, None, 1000, None, None, "A"),
                (GW, W1, None, 2, None, None, None, 900, None, None, "B"),
                (GW, W1, None, 3, None, None, None, 800, None, None, "C"),
                (GW, W1, None, 4, None, None, None, 700, None, None, "D"),
                (GW, W1, None, 5, None, None, None, 600, None, None, "E"),
                (GW, W1, None, 6, None, None, None, 500, None, None, "F"),
                (GW, W2, W1, 1, 2, 1, "climbed", 950, 900, 50, "B"),
                (GW, W2, W1, 2, 1, -1, "fell", 920, 1000, -80, "A"),
                (GW, W2, W1, 3, None, None, "new", 850, None, None, "G"),
                (GW, W2, W1, 4, 3, -1, "fell", 700, 800, -100, "C"),
                (GW, W2, W1, 5, 6, 1, "climbed", 650, 500, 150, "F"),
                (GW, W2, W1, 6, 4, -2, "fell", 600, 700, -100, "D"),
                (GW, W2, W1, None, 5, None, "exit", None, 600, None, "E"),
                (GW, W3, W2, 1, 3, 2, "climbed", 1000, 850, 150, "G"),
                (GW, W3, W2, 2, 1, -1, "fell", 900, 950, -50, "B"),
                (GW, W3, W2, 3, None, None, "re-entry", 800, None, None, "E"),
                (GW, W3, W2, 4, 2, -2, "fell", 700, 920, -220, "A'"),
                (GW, W3, W2, 5, 5, 0, "unchanged", 600, 650, -50, "F"),
                (GW, W3, W2, 6, None, None, "new", 500, None, None, "H"),
                (GW, W3, W2, None, 4, None, "exit", None, 700, None, "C"),
                (GW, W3, W2, None, 6, None, "exit", None, 600, None, "D"),
                (GW, W4, W3, 1, 1, 0, "unchanged", 950, 1000, -50, "G"),
                (GW, W4, W3, 2, 3, 1, "climbed", 900, 800, 100, "E"),
                (GW, W4, W3, 3, 6, 3, "climbed", 850, 500, 350, "H"),
                (GW, W4, W3, 4, 2, -2, "fell", 810, 900, -90, "B"),
                (GW, W4, W3, 5, 4, -1, "fell", 700, 700, 0, "A"),
                (GW, W4, W3, 6, None, None, "re-entry", 600, None, None, "C"),
                (GW, W4, W3, None, 5, None, "exit", None, 600, None, "F"),
                (UW, W1, None, 1, None, None, None, 500, None, None, "D"),
                (UW, W1, None, 2, None, None, None, 400, None, None, "A"),
                (UW, W1, None, 3, None, None, None, 300, None, None, "E"),
                (UW, W1, None, 4, None, None, None, 200, None, None, "B"),
                (UW, W2, W1, 1, 2, 1, "climbed", 450, 400, 50, "A"),
                (UW, W2, W1, 2, 1, -1, "fell", 420, 500, -80, "D"),
                (UW, W2, W1, 3, 4, 1, "climbed", 300, 200, 100, "B"),
                (UW, W2, W1, 4, None, None, "new", 250, None, None, "G"),
                (UW, W2, W1, None, 3, None, "exit", None, 300, None, "E"),
                (UW, W4, None, 1, None, None, None, 600, None, None, "G"),
                (UW, W4, None, 2, None, None, None, 500, None, None, "A"),
                (UW, W4, None, 3, None, None, None, 400, None, None, "E"),
                (UW, W4, None, 4, None, None, None, 300, None, None, "H"),
                (GD, CD1, None, 1, None, None, None, 300, None, None, "G"),
                (GD, CD1, None, 2, None, None, None, 200, None, None, "B"),
                (GD, CD1, None, 3, None, None, None, 100, None, None, "A"),
                (GD, CD2, CD1, 1, 1, 0, "unchanged", 310, 300, 10, "G"),
                (GD, CD2, CD1, 2, 3, 1, "climbed", 210, 100, 110, "A"),
                (GD, CD2, CD1, 3, None, None, "new", 150, None, None, "E"),
                (GD, CD2, CD1, None, 2, None, "exit", None, 200, None, "B"),
                (GD, CD3, CD2, 1, 3, 2, "climbed", 320, 150, 170, "E"),
                (GD, CD3, CD2, 2, 1, -1, "fell", 300, 310, -10, "G"),
                (GD, CD3, CD2, 3, None, None, "re-entry", 250, None, None, "B"),
                (GD, CD3, CD2, None, 2, None, "exit", None, 210, None, "A"),
                (VW, W4, None, 1, None, None, None, None, None, None, "H"),
                (VW, W4, None, 2, None, None, None, None, None, None, "C"),
            ],
            10,
        ),
    ),
    # The climbers and fallers of chart_movements, ranked by the size of the move within
    # chart, date and direction (ties share the rank):
    # GW W2 climbed B +1, F +1 (both 1); fell D -2 (1), A -1, C -1 (both 2).
    # GW W3 climbed G +2; fell A -2 (1, as A'), B -1 (2). GW W4 climbed H +3 (1), E +1 (2);
    # fell B -2 (1), A -1 (2). UW W2 climbed A +1, B +1 (both 1); fell D -1. GD D2 climbed
    # A +1. GD D3 climbed E +2; fell G -1.
    "chart_movers": (
        (
            "chart_id",
            "chart_date",
            "movement",
            "mover_rank",
            "rank",
            "previous_rank",
            "rank_change",
            "streams",
            "streams_change",
            "previous_chart_date",
            "track_name",
            "artist_names",
            "song_key",
            "track_id",
        ),
        _songs(
            [
                (GW, W2, "climbed", 1, 1, 2, 1, 950, 50, W1, "B"),
                (GW, W2, "climbed", 1, 5, 6, 1, 650, 150, W1, "F"),
                (GW, W2, "fell", 1, 6, 4, -2, 600, -100, W1, "D"),
                (GW, W2, "fell", 2, 2, 1, -1, 920, -80, W1, "A"),
                (GW, W2, "fell", 2, 4, 3, -1, 700, -100, W1, "C"),
                (GW, W3, "climbed", 1, 1, 3, 2, 1000, 150, W2, "G"),
                (GW, W3, "fell", 1, 4, 2, -2, 700, -220, W2, "A'"),
                (GW, W3, "fell", 2, 2, 1, -1, 900, -50, W2, "B"),
                (GW, W4, "climbed", 1, 3, 6, 3, 850, 350, W3, "H"),
                (GW, W4, "climbed", 2, 2, 3, 1, 900, 100, W3, "E"),
                (GW, W4, "fell", 1, 4, 2, -2, 810, -90, W3, "B"),
                (GW, W4, "fell", 2, 5, 4, -1, 700, 0, W3, "A"),
                (UW, W2, "climbed", 1, 1, 2, 1, 450, 50, W1, "A"),
                (UW, W2, "climbed", 1, 3, 4, 1, 300, 100, W1, "B"),
                (UW, W2, "fell", 1, 2, 1, -1, 420, -80, W1, "D"),
                (GD, CD2, "climbed", 1, 2, 3, 1, 210, 110, CD1, "A"),
                (GD, CD3, "climbed", 1, 1, 3, 2, 320, 170, CD2, "E"),
                (GD, CD3, "fell", 1, 2, 1, -1, 300, -10, CD2, "G"),
            ],
            10,
        ),
    ),
    # Counted from the movements above; null where there is no previous chart (each chart's
    # first date, UW W4). GW W2: 6 songs = 1 new (G) + 2 climbers (B, F) + 3 fallers
    # (A, C, D), 1 exit (E). GW W3: 1 new (H) + 1 re-entry (E) + 1 climber (G) + 2 fallers
    # (B, A as A') + 1 unchanged (F), 2 exits (C, D). GW W4: 1 re-entry (C) + 2 climbers
    # (E, H) + 2 fallers (B, A) + 1 unchanged (G), 1 exit (F). UW W2: 1 new (G) + 2 climbers
    # (A, B) + 1 faller (D), 1 exit (E). GD D2: 1 new (E) + 1 climber (A) + 1 unchanged (G),
    # 1 exit (B). GD D3: 1 re-entry (B) + 1 climber (E) + 1 faller (G), 1 exit (A).
    "chart_turnover": (
        (
            "chart_id",
            "chart_date",
            "previous_chart_date",
            "song_count",
            "new_entry_count",
            "re_entry_count",
            "exit_count",
            "climber_count",
            "faller_count",
            "unchanged_count",
        ),
        [
            (GW, W1, None, 6, None, None, None, None, None, None),
            (GW, W2, W1, 6, 1, 0, 1, 2, 3, 0),
            (GW, W3, W2, 6, 1, 1, 2, 1, 2, 1),
            (GW, W4, W3, 6, 0, 1, 1, 2, 2, 1),
            (UW, W1, None, 4, None, None, None, None, None, None),
            (UW, W2, W1, 4, 1, 0, 1, 2, 1, 0),
            (UW, W4, None, 4, None, None, None, None, None, None),
            (GD, CD1, None, 3, None, None, None, None, None, None),
            (GD, CD2, CD1, 3, 1, 0, 1, 1, 0, 1),
            (GD, CD3, CD2, 3, 0, 1, 1, 1, 1, 0),
            (VW, W4, None, 2, None, None, None, None, None, None),
        ],
    ),
    # Per chart date and artist: songs crediting the artist, their streams, out of the
    # chart's songs and streams (no date has two ids of one song, so a chart's songs are its
    # entries); the share is rounded to 4 places. "api" is web_api, "file" chart_file_names.
    # GW W1 (4500): Nova api A + B = 1000 + 900 = 1900 -> 0.4222; Luna file E + F = 1100 ->
    #   0.2444; Rex api B 900 -> 0.2; Tyler, The Creator api C 800 -> 0.1778 (one artist);
    #   Rex file D 700 -> 0.1556; Nova file F 500 -> 0.1111.
    # GW W2 (4670): Nova api B + A = 950 + 920 = 1870 -> 0.4004; Rex api B 950 -> 0.2034;
    #   Kai api G 850 -> 0.1820; Tyler, The Creator api C 700 -> 0.1499; Luna file F 650 and
    #   Nova file F 650 -> 0.1392; Rex file D 600 -> 0.1285.
    # GW W3 (4500): Nova api B + A' = 900 + 700 = 1600 -> 0.3556; Luna file E + F = 1400 ->
    #   0.3111; Kai api 1000 -> 0.2222; Rex api B 900 -> 0.2; Nova file F 600 -> 0.1333;
    #   Rex file H 500 -> 0.1111.
    # GW W4 (4810): Nova api B + A = 810 + 700 = 1510 -> 0.3139; Kai api 950 -> 0.1975; Luna
    #   file E 900 -> 0.1871; Rex file H 850 -> 0.1767; Rex api B 810 -> 0.1684; Tyler, The
    #   Creator api 600 -> 0.1247.
    # UW W1 (1400): Nova api A + B = 600 -> 0.4286; Rex file D 500 -> 0.3571; Luna file E 300
    #   -> 0.2143; Rex api B 200 -> 0.1429.
    # UW W2 (1420): Nova api A + B = 750 -> 0.5282; Rex file D 420 -> 0.2958; Rex api B 300 ->
    #   0.2113; Kai api 250 -> 0.1761.
    # UW W4 (1800): Kai api 600 -> 0.3333; Nova api A 500 -> 0.2778; Luna file 400 -> 0.2222;
    #   Rex file H 300 -> 0.1667.
    # GD D1 (600): Kai api 300 -> 0.5; Nova api B + A = 300 -> 0.5; Rex api B 200 -> 0.3333.
    # GD D2 (670): Kai api 310 -> 0.4627; Nova api A 210 -> 0.3134; Luna file 150 -> 0.2239.
    # GD D3 (870): Luna file 320 -> 0.3678; Kai api 300 -> 0.3448; Nova api and Rex api B 250
    #   -> 0.2874 each.
    # VW W4: no streams, so no share: Rex file (H) and Tyler, The Creator api (C), one song
    #   each of 2.
    "chart_artist_share": (
        (
            "chart_id",
            "chart_date",
            "artist_name",
            "artist_song_count",
            "chart_song_count",
            "artist_streams",
            "chart_streams",
            "stream_share",
            "artist_source",
            "artist_id",
        ),
        [
            *[
                _api(row)
                for row in [
                    (GW, W1, "Nova", 2, 6, 1900, 4500, 0.4222),
                    (GW, W1, "Rex", 1, 6, 900, 4500, 0.2),
                    (GW, W1, "Tyler, The Creator", 1, 6, 800, 4500, 0.1778),
                    (GW, W2, "Nova", 2, 6, 1870, 4670, 0.4004),
                    (GW, W2, "Rex", 1, 6, 950, 4670, 0.2034),
                    (GW, W2, "Kai", 1, 6, 850, 4670, 0.1820),
                    (GW, W2, "Tyler, The Creator", 1, 6, 700, 4670, 0.1499),
                    (GW, W3, "Nova", 2, 6, 1600, 4500, 0.3556),
                    (GW, W3, "Kai", 1, 6, 1000, 4500, 0.2222),
                    (GW, W3, "Rex", 1, 6, 900, 4500, 0.2),
                    (GW, W4, "Nova", 2, 6, 1510, 4810, 0.3139),
                    (GW, W4, "Kai", 1, 6, 950, 4810, 0.1975),
                    (GW, W4, "Rex", 1, 6, 810, 4810, 0.1684),
                    (GW, W4, "Tyler, The Creator", 1, 6, 600, 4810, 0.1247),
                    (UW, W1, "Nova", 2, 4, 600, 1400, 0.4286),
                    (UW, W1, "Rex", 1, 4, 200, 1400, 0.1429),
                    (UW, W2, "Nova", 2, 4, 750, 1420, 0.5282),
                    (UW, W2, "Rex", 1, 4, 300, 1420, 0.2113),
                    (UW, W2, "Kai", 1, 4, 250, 1420, 0.1761),
                    (UW, W4, "Kai", 1, 4, 600, 1800, 0.3333),
                    (UW, W4, "Nova", 1, 4, 500, 1800, 0.2778),
                    (GD, CD1, "Kai", 1, 3, 300, 600, 0.5),
                    (GD, CD1, "Nova", 2, 3, 300, 600, 0.5),
                    (GD, CD1, "Rex", 1, 3, 200, 600, 0.3333),
                    (GD, CD2, "Kai", 1, 3, 310, 670, 0.4627),
                    (GD, CD2, "Nova", 1, 3, 210, 670, 0.3134),
                    (GD, CD3, "Kai", 1, 3, 300, 870, 0.3448),
                    (GD, CD3, "Nova", 1, 3, 250, 870, 0.2874),
                    (GD, CD3, "Rex", 1, 3, 250, 870, 0.2874),
                    (VW, W4, "Tyler, The Creator", 1, 2, None, None, None),
                ]
            ],
            *[
                _file(row)
                for row in [
                    (GW, W1, "Luna", 2, 6, 1100, 4500, 0.2444),
                    (GW, W1, "Rex", 1, 6, 700, 4500, 0.1556),
                    (GW, W1, "Nova", 1, 6, 500, 4500, 0.1111),
                    (GW, W2, "Luna", 1, 6, 650, 4670, 0.1392),
                    (GW, W2, "Nova", 1, 6, 650, 4670, 0.1392),
                    (GW, W2, "Rex", 1, 6, 600, 4670, 0.1285),
                    (GW, W3, "Luna", 2, 6, 1400, 4500, 0.3111),
                    (GW, W3, "Nova", 1, 6, 600, 4500, 0.1333),
                    (GW, W3, "Rex", 1, 6, 500, 4500, 0.1111),
                    (GW, W4, "Luna", 1, 6, 900, 4810, 0.1871),
                    (GW, W4, "Rex", 1, 6, 850, 4810, 0.1767),
                    (UW, W1, "Rex", 1, 4, 500, 1400, 0.3571),
                    (UW, W1, "Luna", 1, 4, 300, 1400, 0.2143),
                    (UW, W2, "Rex", 1, 4, 420, 1420, 0.2958),
                    (UW, W4, "Luna", 1, 4, 400, 1800, 0.2222),
                    (UW, W4, "Rex", 1, 4, 300, 1800, 0.1667),
                    (GD, CD2, "Luna", 1, 3, 150, 670, 0.2239),
                    (GD, CD3, "Luna", 1, 3, 320, 870, 0.3678),
                    (VW, W4, "Rex", 1, 2, None, None, None),
                ]
            ],
        ],
    ),
    # Per chart and artist over all its dates: distinct songs (song_keys: A and A' are one),
    # entries (song-dates), best rank, streams; the 5 first by song count, ties cut by name
    # (then web_api before chart_file_names).
    # GW: Luna file E + F = 2 songs, 3 + 3 = 6 entries, best 2, 2300 + 1750 = 4050; Nova api
    #     A (4 entries: W1, W2, W4 and A' in W3) + B (4) = 2 songs, 8 entries, best 1,
    #     3320 + 3560 = 6880; Rex file D + H = 2 songs, 2 + 2 = 4 entries, best 3 (H in W4),
    #     1300 + 1350 = 2650: rank 1. Then at 1 song, rank 4, by name: Kai api (G: 3 entries,
    #     best 1, 2800), Nova file (F: 3, best 5, 1750); Rex api (B) and Tyler, The Creator
    #     api (C) are cut.
    # UW: Nova api A (3 entries) + B (2) = 2 songs, 5 entries, best 1, 1350 + 500 = 1850; Rex
    #     file D (2) + H (1) = 2 songs, 3 entries, best 1, 920 + 300 = 1220: rank 1. Kai api
    #     (G: 2, best 1, 850), Luna file (E: 2, best 3, 700), Rex api (B: 2, best 3, 500) at
    #     1 song, rank 3.
    # GD: Nova api B + A = 2 songs, 2 + 2 = 4, best 2, 450 + 310 = 760; Kai api G (3, best 1,
    #     910), Luna file E (2, best 1, 470), Rex api B (2, best 2, 450) at 1 song, rank 2.
    # VW: Rex file (H at 1), Tyler, The Creator api (C at 2): 1 song, 1 entry, no streams.
    "chart_top_artists": (
        (
            "chart_id",
            "artist_rank",
            "artist_name",
            "song_count",
            "entry_count",
            "best_rank",
            "total_streams",
            "artist_source",
            "artist_id",
        ),
        [
            _file((GW, 1, "Luna", 2, 6, 2, 4050)),
            _api((GW, 1, "Nova", 2, 8, 1, 6880)),
            _file((GW, 1, "Rex", 2, 4, 3, 2650)),
            _api((GW, 4, "Kai", 1, 3, 1, 2800)),
            _file((GW, 4, "Nova", 1, 3, 5, 1750)),
            _api((UW, 1, "Nova", 2, 5, 1, 1850)),
            _file((UW, 1, "Rex", 2, 3, 1, 1220)),
            _api((UW, 3, "Kai", 1, 2, 1, 850)),
            _file((UW, 3, "Luna", 1, 2, 3, 700)),
            _api((UW, 3, "Rex", 1, 2, 3, 500)),
            _api((GD, 1, "Nova", 2, 4, 2, 760)),
            _api((GD, 2, "Kai", 1, 3, 1, 910)),
            _file((GD, 2, "Luna", 1, 2, 1, 470)),
            _api((GD, 2, "Rex", 1, 2, 2, 450)),
            _file((VW, 1, "Rex", 1, 1, 1, None)),
            _api((VW, 1, "Tyler, The Creator", 1, 1, 2, None)),
        ],
    ),
}


# chart_song_ids: chart_songs' songs with their ids (first charted first) and how many of
# them the lake describes: A in GW charted as trkAurora (W1) then trkAuroraSingle (W3), both
# described; A elsewhere, B, C, G one described id; D, E, F, H one id, not described.
CHART_EXPECTED["chart_song_ids"] = (
    (
        "chart_id",
        "song_key",
        "track_name",
        "artist_names",
        "weeks_on_chart",
        "days_on_chart",
        "peak_rank",
        "debut_date",
        "last_chart_date",
        "total_streams",
        "track_id_count",
        "has_several_track_ids",
        "described_track_id_count",
        "track_ids",
    ),
    [
        (
            chart_id,
            key,
            name,
            artists,
            weeks,
            days,
            peak,
            debut,
            last,
            streams,
            ids,
            ids > 1,
            ids if tid in {CHART_SONGS[s][2] for s in DESCRIBED_SONGS} else 0,
            "trkAurora, trkAuroraSingle" if ids > 1 else tid,
        )
        for (
            chart_id,
            _r,
            name,
            artists,
            weeks,
            days,
            peak,
            debut,
            _dr,
            last,
            _l,
            streams,
            ids,
            key,
            tid,
        ) in (CHART_EXPECTED["chart_songs"][1])
    ],
)
