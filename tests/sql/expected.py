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


def _added(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


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
        [
            (*row, ARTIST_IDS[row[1]])
            for row in [
                (1, "Alpha", 3),
                (2, "Bravo", 2),
                (2, "Delta", 2),
                (2, "Golf", 2),
                (5, "Charlie", 1),
            ]
        ],
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
        [
            (*row, ARTIST_IDS[row[0]])
            for row in [
                ("Alpha", 3, 75.0, 2, "partial", 203333, 8, 1, 10),
                ("Bravo", 2, 55.0, 2, "available", 210000, 6, 1, 12),
                ("Charlie", 1, 60.0, 1, "available", 210000, 2, 1, 8),
                ("Delta", 2, 45.0, 2, "available", 200000, 4, 1, 9),
                ("Echo", 1, 50.0, 1, "available", 220000, 1, 0, 0),
                ("Foxtrot", 1, None, 0, UNAVAILABLE, 150000, 2, 0, 0),
                ("Golf", 2, None, 0, UNAVAILABLE, 155000, 4, 1, 3),
            ]
        ],
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
        [
            (*row, PLAYLIST_NAMES[row[0]], ITEMS[row[3]])
            for row in [
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
            ]
        ],
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
        [
            (*row, ARTIST_IDS[row[2]])
            for row in [
                (1, 1, "Alpha", 75.0, 2, 3, "partial"),
                (2, 2, "Charlie", 60.0, 1, 1, "available"),
                (3, 3, "Bravo", 55.0, 2, 2, "available"),
                (4, 4, "Echo", 50.0, 1, 1, "available"),
                (5, 5, "Delta", 45.0, 2, 2, "available"),
                (6, None, "Foxtrot", None, 0, 1, UNAVAILABLE),
                (7, None, "Golf", None, 0, 2, UNAVAILABLE),
            ]
        ],
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
        [
            (*row, PLAYLIST_NAMES[row[0]])
            for row in [
                (LEGACY, date(2026, 9, 1), 2),
                (LEGACY, date(2026, 10, 1), 3),
                (LEGACY, date(2026, 11, 1), 2),
                (DEV, date(2026, 10, 1), 1),
                (DEV, date(2026, 11, 1), 3),
                (EMPTIED, date(2026, 11, 1), 1),
                (FADED, date(2026, 11, 1), 1),
            ]
        ],
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
        [
            (*row, ITEMS.get(row[1]), ITEM_URIS[row[1]])
            for row in [
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
            ]
        ],
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
        [
            (*row, ITEM_URIS[row[3]])
            for row in [
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
            ]
        ],
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
        [
            (*row, ARTIST_IDS[row[2]])
            for row in [
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
            ]
        ],
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
