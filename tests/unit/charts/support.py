"""Chart files for the tests: hand-made bytes built line by line, as the sites write them, and
where the real samples are."""

from __future__ import annotations

from tests.conftest import PROJECT_ROOT

# Two real chart files beside the project (docs/charts.md), read by path: they are
# third-party and stay outside the repository, so the tests that read them skip without them.
SAMPLES = PROJECT_ROOT.parent / "shared" / "spotify-charts"
CURRENT_SAMPLE = SAMPLES / "jmtellez__run-jam__regional-global-weekly-2022-01-13.csv"
LATEST_SAMPLE = (
    SAMPLES
    / "anastasiya-c__Assignment-1---Top-Streaming-Artists__regional-global-weekly-latest.csv"
)

BOM = b"\xef\xbb\xbf"
CURRENT_WEEKLY_HEADER = (
    "rank,uri,artist_names,track_name,source,peak_rank,previous_rank,weeks_on_chart,streams"
)
CURRENT_DAILY_HEADER = (
    "rank,uri,artist_names,track_name,source,peak_rank,previous_rank,days_on_chart,streams"
)
VIRAL_WEEKLY_HEADER = (
    "rank,uri,artist_names,track_name,source,peak_rank,previous_rank,weeks_on_chart"
)
OLDER_NOTE = (
    ',,,"Note that these figures are generated using a formula that protects against any '
    'artificial inflation of chart positions.",'
)
OLDER_HEADER = 'Position,"Track Name",Artist,Streams,URL'
ARCHIVE_HEADER = "title,rank,date,artist,url,region,chart,trend,streams"


def track_id(rank: int) -> str:
    """A valid 22-character base62 id that says which rank it was made for."""
    return f"T{rank:021d}"


def current_line(rank: int, streams: str | None = None, previous: str = "-1") -> str:
    streams = streams if streams is not None else f'"{1000 - rank}"'
    return (
        f'{rank},"spotify:track:{track_id(rank)}","Artist {rank}","Song {rank}","Label {rank}",'
        f"{rank},{previous},1,{streams}"
    )


def current_file(lines: list[str], header: str = CURRENT_WEEKLY_HEADER) -> bytes:
    """A charts.spotify.com file: BOM, LF line endings, a final newline."""
    return BOM + ("\n".join([header, *lines]) + "\n").encode("utf-8")


def current_chart(ranks: range | list[int]) -> bytes:
    return current_file([current_line(rank) for rank in ranks])


def older_line(rank: int, streams: str | None = None) -> str:
    streams = streams if streams is not None else str(5000 - rank)
    return (
        f'{rank},"Song {rank}","Artist {rank}",{streams},'
        f"https://open.spotify.com/track/{track_id(rank)}"
    )


def older_file(lines: list[str], note: bool = True, header: str = OLDER_HEADER) -> bytes:
    """A spotifycharts.com file: no BOM, the note line, no final newline."""
    head = [OLDER_NOTE] if note else []
    return "\n".join([*head, header, *lines]).encode("utf-8")


def archive_line(
    rank: int,
    date: str = "2017-01-01",
    region: str = "Argentina",
    chart: str = "top200",
    streams: str = "",
    trend: str = "MOVE_UP",
) -> str:
    if chart == "top200" and streams == "":
        streams = str(300000 - rank)
    return (
        f"Song {rank},{rank},{date},Artist {rank},https://open.spotify.com/track/{track_id(rank)},"
        f"{region},{chart},{trend},{streams}"
    )


def archive_file(lines: list[str]) -> bytes:
    return ("\n".join([ARCHIVE_HEADER, *lines]) + "\n").encode("utf-8")
