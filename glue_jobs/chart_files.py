"""Spotify Charts CSV files: recognise one from its name and header, parse it, or say why not.

Pure Python (the standard library only): the Glue chart job ships it in its library and the
drop-zone tool (``tools/charts_add``) runs it on a laptop before anything is stored. Three
formats are read (docs/charts.md has the evidence for each rule):

- ``current``: charts.spotify.com, ``regional-us-daily-2023-01-21.csv``, header
  ``rank,uri,artist_names,track_name,source,peak_rank,previous_rank,weeks_on_chart|
  days_on_chart[,streams]`` (viral charts have no ``streams``);
- ``older``: spotifycharts.com, ``regional-global-weekly-2020-02-07--2020-02-14.csv`` or
  ``...-latest.csv``, an optional note line, then ``Position,Track Name,Artist[,Streams],URL``;
- ``archive``: one long CSV of many daily charts,
  ``title,rank,date,artist,url,region,chart,trend,streams`` (any file name).

A chart file is judged whole: one bad row rejects the file with a reason from
``REJECTION_REASONS`` (raised as ``ChartFileError``), since a chart with a row missing is not
the chart. An archive is judged chart by chart: a bad row rejects its chart, a row that names
no usable chart is rejected alone, both counted by reason in ``ArchiveReport``; only the
problems that make the whole file unreadable reject the file.

The drop zone's key layout is defined here too, once: :func:`drop_key` builds the canonical
key of a file (``tools/charts_add`` writes with it) and :func:`parse_drop_key` reads one back
(the chart job reads with it); docs/charts-contract.md.

Parsing uses the ``csv`` module on a streaming text wrapper: rows are read one at a time, an
archive is never held in memory (one chart of at most 200 rows at a time).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import BinaryIO, NamedTuple

FORMAT_CURRENT = "current"
FORMAT_OLDER = "older"
FORMAT_ARCHIVE = "archive"

CHART_TYPES = ("regional", "viral")
PERIODS = ("weekly", "daily")

# The most entries a chart of each type has: the Top 200 and the Viral 50.
MAX_RANK = {"regional": 200, "viral": 50}

# Every reason a file, a chart or a row is rejected, in the order they are checked.
REJECTION_REASONS = (
    "empty_file",  # no bytes, only whitespace, or a header and no rows
    "html_page",  # a web page saved instead of the CSV (starts with '<')
    "not_utf8",  # not UTF-8 text (a spreadsheet saved it as Windows-1252, say)
    "malformed_csv",  # the csv module cannot read it (a NUL byte, an unclosed quote)
    "semicolon_separated",  # a spreadsheet wrote ';' between the fields
    "doubled_quoting",  # a spreadsheet quoted the quotes: '"""rank"""' or '"1,""spotify:..."'
    "missing_header",  # the first line is already a data row
    "wrong_columns",  # a header, but not one of the known ones (or not this chart's kind)
    "unknown_file_name",  # not a chart file name, and not an archive header
    "chart_date_required",  # a '-latest' file, and no chart date given
    "bad_chart_date",  # a date in the name that is no date, or not the chart week's shape
    "bad_row_shape",  # a row with another number of fields than the header
    "bad_rank",  # a rank that is not a positive integer
    "repeated_rank",  # the same rank twice in one chart
    "missing_rank",  # ranks are not 1..N without gaps
    "rank_out_of_range",  # a rank beyond 200 (regional) or 50 (viral)
    "bad_streams",  # streams not an integer of 0 to 16 digits, missing, or on a viral chart
    "bad_number",  # peak_rank, previous_rank, weeks/days_on_chart not a 32-bit integer
    "bad_track_uri",  # not spotify:track:<22 base62> / https://open.spotify.com/track/<id>
    "repeated_track",  # the same track id at two ranks of one chart
    # archive rows only
    "bad_date",  # the row's date is not YYYY-MM-DD
    "unknown_region",  # the row's region is no known region name or code
    "unknown_chart",  # the row's chart is neither top200 nor viral50
    "chart_not_contiguous",  # the chart's rows are split by other charts' rows in the file
)

CURRENT_COLUMNS = ("rank", "uri", "artist_names", "track_name", "source", "peak_rank")
OLDER_REGIONAL_HEADER = ("Position", "Track Name", "Artist", "Streams", "URL")
OLDER_VIRAL_HEADER = ("Position", "Track Name", "Artist", "URL")
ARCHIVE_HEADER = ("title", "rank", "date", "artist", "url", "region", "chart", "trend", "streams")

# The fact_chart_entry columns, in order.
ENTRY_FIELDS = (
    "chart_type",
    "region",
    "period",
    "chart_date",
    "rank",
    "track_id",
    "streams",
    "peak_rank",
    "previous_rank",
    "weeks_on_chart",
    "days_on_chart",
    "label",
    "artist_names",
    "track_name",
    "trend",
)


def current_header(chart_type: str, period: str) -> tuple[str, ...]:
    """The charts.spotify.com header of one chart kind."""
    on_chart = "weeks_on_chart" if period == "weekly" else "days_on_chart"
    tail = ("streams",) if chart_type == "regional" else ()
    return (*CURRENT_COLUMNS, "previous_rank", on_chart, *tail)


_CURRENT_HEADERS = {current_header(t, p): (t, p) for t in CHART_TYPES for p in PERIODS}
_OLDER_HEADERS = {OLDER_REGIONAL_HEADER: "regional", OLDER_VIRAL_HEADER: "viral"}
_KNOWN_HEADERS = {*_CURRENT_HEADERS, *_OLDER_HEADERS, ARCHIVE_HEADER}

# The public archives name regions as Spotify's region drop-down did (docs/charts.md lists
# the sources); lower-case ISO 3166-1 alpha-2 codes are accepted as they are.
ARCHIVE_REGION_CODES = {
    "global": "global",
    "andorra": "ad",
    "argentina": "ar",
    "australia": "au",
    "austria": "at",
    "belarus": "by",
    "belgium": "be",
    "bolivia": "bo",
    "brazil": "br",
    "bulgaria": "bg",
    "canada": "ca",
    "chile": "cl",
    "colombia": "co",
    "costa rica": "cr",
    "cyprus": "cy",
    "czech republic": "cz",
    "czechia": "cz",
    "denmark": "dk",
    "dominican republic": "do",
    "ecuador": "ec",
    "egypt": "eg",
    "el salvador": "sv",
    "estonia": "ee",
    "finland": "fi",
    "france": "fr",
    "germany": "de",
    "greece": "gr",
    "guatemala": "gt",
    "honduras": "hn",
    "hong kong": "hk",
    "hungary": "hu",
    "iceland": "is",
    "india": "in",
    "indonesia": "id",
    "ireland": "ie",
    "israel": "il",
    "italy": "it",
    "japan": "jp",
    "kazakhstan": "kz",
    "latvia": "lv",
    "lithuania": "lt",
    "luxembourg": "lu",
    "malaysia": "my",
    "malta": "mt",
    "mexico": "mx",
    "monaco": "mc",
    "morocco": "ma",
    "netherlands": "nl",
    "new zealand": "nz",
    "nicaragua": "ni",
    "nigeria": "ng",
    "norway": "no",
    "pakistan": "pk",
    "panama": "pa",
    "paraguay": "py",
    "peru": "pe",
    "philippines": "ph",
    "poland": "pl",
    "portugal": "pt",
    "romania": "ro",
    "russia": "ru",
    "saudi arabia": "sa",
    "singapore": "sg",
    "slovakia": "sk",
    "south africa": "za",
    "south korea": "kr",
    "korea": "kr",
    "spain": "es",
    "sweden": "se",
    "switzerland": "ch",
    "taiwan": "tw",
    "thailand": "th",
    "turkey": "tr",
    "uae": "ae",
    "united arab emirates": "ae",
    "ukraine": "ua",
    "united kingdom": "gb",
    "uk": "gb",
    "united states": "us",
    "usa": "us",
    "uruguay": "uy",
    "venezuela": "ve",
    "vietnam": "vn",
}
ARCHIVE_CHARTS = {"top200": "regional", "viral50": "viral"}

_TRACK_ID = r"[0-9A-Za-z]{22}"
_URI = re.compile(rf"spotify:track:({_TRACK_ID})")
_URL = re.compile(rf"https?://open\.spotify\.com/track/({_TRACK_ID})(?:\?[^\s]*)?")
# A date's text, YYYY-MM-DD in ASCII digits: compiled with re.ASCII here, and used as it is by
# the Spark job's archive reader (Java's \d is ASCII unless asked otherwise).
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
# A chart name anywhere at the end of the base name, after a separator, so that copies renamed
# with a prefix (``jmtellez__run-jam__regional-...``) or a browser's " (1)" still count. In
# any case, but ASCII only: without re.ASCII, IGNORECASE lets [a-z] match U+017F (long s) and
# U+0131 (dotless i), making a region no drop-zone key can hold.
_NAME = re.compile(
    rf"(?:^|[_\s.])(?P<type>regional|viral)-(?P<region>global|[a-z]{{2}})-(?P<period>weekly|daily)-"
    rf"(?:(?P<start>{DATE_PATTERN})--(?P<end>{DATE_PATTERN})|(?P<date>{DATE_PATTERN})|(?P<latest>latest))"
    r"(?: ?\(\d+\))?\.csv",
    re.IGNORECASE | re.ASCII,
)
_ISO_DATE = re.compile(DATE_PATTERN, re.ASCII)
_HEAD_BYTES = 4096
_INTEGER = re.compile(r"-?[0-9]+")
# The table's int columns (rank, peak_rank, previous_rank, weeks/days_on_chart) are 32-bit.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
# Streams have at most 16 digits: a chart's total_streams (a bigint) is the sum of at most
# 200 of them, and 200 * (10**16 - 1) < 2**63, so no total can overflow. The Spark job's
# archive reader (charts_pipeline.archive_row_checks) uses this constant too.
STREAMS_MAX_DIGITS = 16
# More significant digits than any column's number has (a bigint has 19).
_MAX_DIGITS = 19
# The most digits of a rank (the largest chart's last rank).
_RANK_DIGITS = len(str(max(MAX_RANK.values())))
_THURSDAY = 3
_FRIDAY = 4


# The detail of an empty_file that has its header: a chart file's or an archive's.
NO_ROWS = "a header and no rows"
# The detail of a malformed_csv archive whose quoted field spans lines (both readers).
LINE_BREAK = "a quoted field holds a line break"


class ChartFileError(ValueError):
    """A file (or, in an archive, a chart or a row) rejected with one of REJECTION_REASONS."""

    def __init__(self, reason: str, detail: str) -> None:
        if reason not in REJECTION_REASONS:
            raise ValueError(f"not a rejection reason: {reason}")
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ChartIdentity:
    """Which chart: ``regional``/``viral``, ``global`` or a 2-letter code, period, date."""

    chart_type: str
    region: str
    period: str
    chart_date: date

    @property
    def max_rank(self) -> int:
        return MAX_RANK[self.chart_type]


class ChartEntry(NamedTuple):
    """One row of a chart, with exactly the fact_chart_entry columns (ENTRY_FIELDS)."""

    chart_type: str
    region: str
    period: str
    chart_date: date
    rank: int
    track_id: str
    streams: int | None
    peak_rank: int | None
    previous_rank: int | None
    weeks_on_chart: int | None
    days_on_chart: int | None
    label: str | None
    artist_names: str
    track_name: str
    trend: str | None


@dataclass(frozen=True)
class Chart:
    identity: ChartIdentity
    source_format: str
    entries: tuple[ChartEntry, ...]


@dataclass(frozen=True)
class NameInfo:
    """What a chart file name says: the identity, or None for an archive (any other name)."""

    identity: ChartIdentity | None
    name_form: str  # 'date', 'range', 'latest' or 'archive'


@dataclass
class ArchiveReport:
    """Counts of one archive's reading, filled as its charts are iterated.

    ``rows_read = rows_accepted + sum(rows_rejected.values())``; ``rows_rejected`` counts the
    rows of rejected charts under the chart's reason. ``chart_rejections`` keeps the first
    ``MAX_DETAILS`` rejected charts' identities and details for the user.
    """

    MAX_DETAILS = 1000

    rows_read: int = 0
    rows_accepted: int = 0
    charts_accepted: int = 0
    rows_rejected: Counter = field(default_factory=Counter)
    charts_rejected: Counter = field(default_factory=Counter)
    chart_rejections: list[tuple[ChartIdentity, str, str]] = field(default_factory=list)
    row_rejections: list[tuple[int, str, str]] = field(default_factory=list)

    def reject_chart(self, identity: ChartIdentity, rows: int, error: ChartFileError) -> None:
        self.charts_rejected[error.reason] += 1
        self.rows_rejected[error.reason] += rows
        if len(self.chart_rejections) < self.MAX_DETAILS:
            self.chart_rejections.append((identity, error.reason, error.detail))

    def reject_row(self, line: int, error: ChartFileError) -> None:
        self.rows_rejected[error.reason] += 1
        if len(self.row_rejections) < self.MAX_DETAILS:
            self.row_rejections.append((line, error.reason, error.detail))


Opener = Callable[[], BinaryIO]


def recognise_name(file_name: str, chart_date: date | None = None) -> NameInfo:
    """The chart a file name names, mapping older date ranges onto today's chart dates.

    ``chart_date`` is required for ``-latest`` names and must not be given for others (a
    dated name knows its date). A name that is no chart name is an archive candidate; the
    header decides (``open_chart_file``).
    """
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    match = _NAME.search(base)
    if match is None or match.end() != len(base):
        return NameInfo(None, "archive")
    chart_type = match["type"].lower()
    region = match["region"].lower()
    period = match["period"].lower()
    if match["latest"]:
        if chart_date is None:
            raise ChartFileError(
                "chart_date_required",
                f"{base}: a '-latest' file does not say which chart it is; give its chart "
                "date (the Thursday that ends its week for weekly charts, the day for daily)",
            )
        _check_chart_date(chart_date, period, base)
        return NameInfo(ChartIdentity(chart_type, region, period, chart_date), "latest")
    if chart_date is not None:
        raise ChartFileError(
            "bad_chart_date",
            f"{base}: the name already has a date; a chart date is only for '-latest' files",
        )
    if match["date"]:
        day = _parse_date(match["date"], base)
        _check_chart_date(day, period, base)
        return NameInfo(ChartIdentity(chart_type, region, period, day), "date")
    start, end = _parse_date(match["start"], base), _parse_date(match["end"], base)
    day = _range_chart_date(chart_type, period, start, end, base)
    return NameInfo(ChartIdentity(chart_type, region, period, day), "range")


def iso_date(text: str) -> date:
    """A ``YYYY-MM-DD`` date; ValueError for any other text (``date.fromisoformat`` alone
    also reads ``20210104`` and ISO week dates such as ``2021-W01-1``)."""
    if _ISO_DATE.fullmatch(text) is None:
        raise ValueError(f"not YYYY-MM-DD: {text!r}")
    return date.fromisoformat(text)


def _parse_date(text: str, base: str) -> date:
    try:
        return iso_date(text)
    except ValueError:
        raise ChartFileError("bad_chart_date", f"{base}: {text} is not a date") from None


def _check_chart_date(day: date, period: str, base: str) -> None:
    if period == "weekly" and day.weekday() != _THURSDAY:
        raise ChartFileError(
            "bad_chart_date",
            f"{base}: a weekly chart's date is the Thursday that ends its Friday-to-Thursday "
            f"week; {day.isoformat()} is a {day.strftime('%A')}",
        )


def _range_chart_date(chart_type: str, period: str, start: date, end: date, base: str) -> date:
    """The chart date of an older ``START--END`` name: the day before END.

    spotifycharts.com named a weekly chart by the Friday it started and the Friday after its
    last day (``2020-02-07--2020-02-14`` is Friday 7 to Thursday 13 February), so the current
    chart date, the week's last day, is END - 1 day.
    """
    if period != "weekly" or end - start != timedelta(days=7):
        raise ChartFileError(
            "bad_chart_date",
            f"{base}: a date range names a weekly chart and spans exactly 7 days",
        )
    if chart_type == "regional" and start.weekday() != _FRIDAY:
        raise ChartFileError(
            "bad_chart_date",
            f"{base}: an older weekly chart runs Friday to Friday; "
            f"{start.isoformat()} is a {start.strftime('%A')}",
        )
    return end - timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# Drop-zone keys: the one layout that tools/charts_add writes and the chart job reads
#
#   <chart_type>/<region>/<period>/chart_date=YYYY-MM-DD/<added>_<sha256>.csv   a chart file
#   archive/<added>_<sha256>.csv                                               an archive
#
# relative to the drop root. <added> is the UTC instant the file was added, to the
# microsecond (ADDED_FORMAT: it sorts as text in time order); <sha256> the hex digest of the
# file's bytes. The key keeps what the file's own name may not: a '-latest' file's chart date.

ARCHIVE_PREFIX = "archive/"
ADDED_FORMAT = "%Y%m%dT%H%M%S%fZ"
_ADDED = r"\d{8}T\d{12}Z"
_KEY_FILE = rf"(?P<added>{_ADDED})_(?P<sha256>[0-9a-f]{{64}})\.csv"
_CHART_KEY = re.compile(
    r"(?P<type>regional|viral)/(?P<region>global|[a-z]{2})/(?P<period>weekly|daily)/"
    rf"chart_date=(?P<date>{DATE_PATTERN})/{_KEY_FILE}"
)
_ARCHIVE_KEY = re.compile(rf"{ARCHIVE_PREFIX}{_KEY_FILE}")


@dataclass(frozen=True)
class DropKey:
    """One canonical drop-zone key: the chart (None for an archive), when, which bytes."""

    identity: ChartIdentity | None
    added: str  # ADDED_FORMAT text
    sha256: str

    @property
    def key(self) -> str:
        """The key, relative to the drop root."""
        return f"{drop_folder(self.identity)}{self.added}_{self.sha256}.csv"

    @property
    def added_at(self) -> datetime:
        """``added`` as an aware UTC datetime."""
        return parse_added(self.added)

    @property
    def parse_name(self) -> str:
        """The name to recognise the file by: the chart's dated name (a '-latest' file's
        chart date is known from the key), or the key's own name for an archive."""
        if self.identity is None:
            return self.key.rsplit("/", 1)[-1]
        return chart_file_name(self.identity)


def format_added(instant: datetime) -> str:
    """``<added>`` of a datetime: an aware one converted to UTC, a naive one taken as UTC."""
    utc = instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
    return utc.strftime(ADDED_FORMAT)


def parse_added(text: str) -> datetime:
    """The aware UTC datetime of an ``<added>`` text."""
    return datetime.strptime(text, ADDED_FORMAT).replace(tzinfo=UTC)


def chart_file_name(identity: ChartIdentity) -> str:
    """The current site's name of a chart: ``regional-global-weekly-2022-01-13.csv``."""
    i = identity
    return f"{i.chart_type}-{i.region}-{i.period}-{i.chart_date.isoformat()}.csv"


def series_prefix(identity: ChartIdentity | None) -> str:
    """The folder of one chart series (``regional/global/weekly/``), or ``archive/``."""
    if identity is None:
        return ARCHIVE_PREFIX
    return f"{identity.chart_type}/{identity.region}/{identity.period}/"


def drop_folder(identity: ChartIdentity | None) -> str:
    """The folder of one chart date (``.../chart_date=2022-01-13/``), or ``archive/``."""
    if identity is None:
        return ARCHIVE_PREFIX
    return f"{series_prefix(identity)}chart_date={identity.chart_date.isoformat()}/"


def drop_key(identity: ChartIdentity | None, added: str, sha256: str) -> str:
    """The canonical key of a file (``identity`` None: an archive); see :class:`DropKey`."""
    key = DropKey(identity, added, sha256)
    if parse_drop_key(key.key) != key:
        raise ValueError(f"not a canonical drop-zone key: {key.key}")
    return key.key


def parse_drop_key(relative: str) -> DropKey | None:
    """The :class:`DropKey` of a path relative to the drop root, None for any other path
    (a file dropped under the site's name, or a key whose date is no date)."""
    chart = _CHART_KEY.fullmatch(relative)
    if chart is not None:
        try:
            day = iso_date(chart["date"])
            parse_added(chart["added"])
        except ValueError:
            return None
        identity = ChartIdentity(chart["type"], chart["region"], chart["period"], day)
        return DropKey(identity, chart["added"], chart["sha256"])
    archive = _ARCHIVE_KEY.fullmatch(relative)
    if archive is not None:
        try:
            parse_added(archive["added"])
        except ValueError:
            return None
        return DropKey(None, archive["added"], archive["sha256"])
    return None


# ---------------------------------------------------------------------------------------------
# Reading bytes as CSV rows


class _Prefixed(io.RawIOBase):
    """The bytes already read (the head), then the rest of the stream: a rewound stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n


def _check_head(head: bytes) -> None:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text:
        raise ChartFileError("empty_file", "the file has no content")
    if text[:1] == b"<":
        raise ChartFileError(
            "html_page", "the file is a web page (it starts with '<'), not the chart's CSV"
        )
    if b"\x00" in head:
        # Text has no NUL bytes: a binary file, or UTF-16 from a spreadsheet's "Unicode" save.
        raise ChartFileError("malformed_csv", "NUL bytes: a binary or UTF-16 file, not CSV")


class _Rows:
    """csv rows of a binary stream, with the line number of the last row and clear errors."""

    def __init__(self, stream: BinaryIO) -> None:
        head = stream.read(_HEAD_BYTES)
        _check_head(head)
        raw = io.BufferedReader(_Prefixed(head, stream), buffer_size=1 << 20)
        # utf-8-sig drops the byte-order mark the current site writes; newline='' is what
        # the csv module needs to read quoted line breaks and CRLF files correctly.
        self._text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        self._reader = csv.reader(self._text, strict=True)

    @property
    def line(self) -> int:
        return self._reader.line_num

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def __next__(self) -> list[str]:
        while True:
            try:
                row = next(self._reader)
            except UnicodeDecodeError as error:
                raise ChartFileError(
                    "not_utf8", f"after line {self.line}: not UTF-8 text ({error.reason})"
                ) from None
            except csv.Error as error:
                raise ChartFileError("malformed_csv", f"line {self.line}: {error}") from None
            if any("\x00" in field for field in row):
                # The csv module reads NUL bytes; text has none (_check_head).
                raise ChartFileError(
                    "malformed_csv", f"line {self.line}: NUL bytes: a binary file, not CSV"
                )
            # Blank lines (and a spreadsheet's rows of empty cells) carry nothing.
            if any(row):
                return row


def _is_note_line(row: list[str]) -> bool:
    """spotifycharts.com's first line: ``,,,"Note that these figures are ...",``."""
    return len(row) == 5 and row[:3] == ["", "", ""] and row[3].startswith("Note that")


def _classify_header(row: list[str]) -> tuple[str, ...]:
    """The row as a known header, or the reason it is not one."""
    header = tuple(cell.strip() for cell in row)
    if header in _KNOWN_HEADERS:
        return header
    joined = ",".join(row)
    if ";" in joined and _tokens(joined, ";") in _KNOWN_HEADERS:
        raise ChartFileError("semicolon_separated", "fields are separated by ';', not ','")
    unquoted = tuple(cell.strip().strip('"').strip() for cell in row)
    if unquoted in _KNOWN_HEADERS or (len(row) == 1 and _tokens(row[0], ",") in _KNOWN_HEADERS):
        raise ChartFileError(
            "doubled_quoting",
            "the header's fields carry their own quotes: the file was quoted twice",
        )
    first = row[0].strip().strip('"')
    if first.isdigit():
        if len(row) == 1 and ";" in row[0]:
            raise ChartFileError("semicolon_separated", "fields are separated by ';', not ','")
        raise ChartFileError(
            "missing_header", f"the first line is a data row ({first}, ...), not a header"
        )
    raise ChartFileError(
        "wrong_columns",
        f"columns {list(header)} are none of the known charts' headers (docs/charts.md)",
    )


def _tokens(text: str, separator: str) -> tuple[str, ...]:
    return tuple(cell.strip().strip('"').strip() for cell in text.split(separator))


def _read_header(rows: _Rows) -> tuple[str, ...]:
    try:
        row = next(rows)
    except StopIteration:
        raise ChartFileError("empty_file", "the file has no content") from None
    if _is_note_line(row):
        try:
            row = next(rows)
        except StopIteration:
            raise ChartFileError("empty_file", "only the note line, no header") from None
    return _classify_header(row)


# ---------------------------------------------------------------------------------------------
# Values


def _int(text: str, reason: str, what: str, line: int) -> int:
    """A decimal integer (the csv module leaves text; quoting is already gone).

    A number of more significant digits than a bigint has is read as -+10**19: beyond every
    bound it is checked against, and Python's int() refuses a text of over 4300 digits.
    """
    stripped = text.strip()
    if _INTEGER.fullmatch(stripped):
        digits = stripped.lstrip("-").lstrip("0")
        value = int(digits or "0") if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS
        return -value if stripped.startswith("-") else value
    if '"' in text:
        raise ChartFileError(
            "doubled_quoting", f"line {line}: {what} {text!r} carries quotes: quoted twice"
        )
    raise ChartFileError(reason, f"line {line}: {what} {text!r} is not an integer")


def _rank(text: str, line: int, max_rank: int) -> int:
    rank = _int(text, "bad_rank", "rank", line)
    shown = text.strip()  # not the value: a rank of too many digits is read as -+10**19
    if rank < 1:
        raise ChartFileError("bad_rank", f"line {line}: rank {shown} is not positive")
    if rank > max_rank:
        raise ChartFileError(
            "rank_out_of_range", f"line {line}: rank {shown} is beyond this chart's {max_rank}"
        )
    return rank


def _streams(text: str, line: int, allow_float: bool = False) -> int:
    stripped = text.strip()
    # pandas writes an integer column that has gaps (the viral rows) as floats: "253019.0".
    if allow_float and stripped.endswith(".0"):
        stripped = stripped[:-2]
    if stripped.isascii() and stripped.isdigit():
        if len(stripped) > STREAMS_MAX_DIGITS:
            raise ChartFileError(
                "bad_streams",
                f"line {line}: streams {text!r} have more than {STREAMS_MAX_DIGITS} digits",
            )
        return int(stripped)
    if '"' in text:
        raise ChartFileError(
            "doubled_quoting", f"line {line}: streams {text!r} carry quotes: quoted twice"
        )
    raise ChartFileError(
        "bad_streams", f"line {line}: streams {text!r} is not a non-negative integer"
    )


def _optional_int(text: str, what: str, line: int, none_for: str | None = None) -> int | None:
    stripped = text.strip()
    if stripped == "" or stripped == none_for:
        return None
    value = _int(text, "bad_number", what, line)
    if not _INT_MIN <= value <= _INT_MAX:
        raise ChartFileError(
            "bad_number", f"line {line}: {what} {text!r} does not fit a 32-bit integer"
        )
    return value


def _track_id(text: str, pattern: re.Pattern[str], line: int) -> str:
    match = pattern.fullmatch(text.strip())
    if match is None:
        if '"' in text:
            raise ChartFileError(
                "doubled_quoting", f"line {line}: track {text!r} carries quotes: quoted twice"
            )
        raise ChartFileError("bad_track_uri", f"line {line}: {text!r} names no Spotify track")
    return match.group(1)


def _check_once(values: Sequence[Hashable], name: str, where: str) -> None:
    """Each value once: the first repeated one is ``repeated_<name>``."""
    seen: set[Hashable] = set()
    for value in values:
        if value in seen:
            raise ChartFileError(f"repeated_{name}", f"{where}{name} {value} appears twice")
        seen.add(value)


def _check_tracks(track_ids: list[str], where: str) -> None:
    """A chart ranks tracks: each track id once (docs/charts.md, "One track, one rank")."""
    _check_once(track_ids, "track", where)


def _check_ranks(ranks: list[int], where: str) -> None:
    _check_once(ranks, "rank", where)
    missing = sorted(set(range(1, len(ranks) + 1)) - set(ranks))
    if missing:
        raise ChartFileError(
            "missing_rank",
            f"{where}{len(ranks)} rows but rank {missing[0]} is missing "
            f"({len(missing)} missing in all)",
        )


# ---------------------------------------------------------------------------------------------
# Single-chart files


def _rows_of_width(rows: _Rows, width: int) -> Iterator[tuple[list[str], int]]:
    """Each row with its line number; a row with another number of fields than the header's
    ``width`` stops the file."""
    for row in rows:
        line = rows.line
        if len(row) != width:
            raise ChartFileError(
                "bad_row_shape", f"line {line}: {len(row)} fields, the header has {width}"
            )
        yield row, line


def _entry(
    identity: ChartIdentity,
    rank: int,
    track_id: str,
    streams: int | None,
    *,
    artist_names: str,
    track_name: str,
    peak_rank: int | None = None,
    previous_rank: int | None = None,
    weeks_on_chart: int | None = None,
    days_on_chart: int | None = None,
    label: str | None = None,
    trend: str | None = None,
) -> ChartEntry:
    """A row of ``identity``'s chart; what the file's format does not give is null."""
    return ChartEntry(
        identity.chart_type,
        identity.region,
        identity.period,
        identity.chart_date,
        rank,
        track_id,
        streams,
        peak_rank,
        previous_rank,
        weeks_on_chart,
        days_on_chart,
        label,
        artist_names,
        track_name,
        trend,
    )


def _entries_current(rows: _Rows, identity: ChartIdentity, width: int) -> Iterator[ChartEntry]:
    weekly = identity.period == "weekly"
    regional = identity.chart_type == "regional"
    for row, line in _rows_of_width(rows, width):
        on_chart = _optional_int(row[7], "weeks/days_on_chart", line)
        yield _entry(
            identity,
            _rank(row[0], line, identity.max_rank),
            _track_id(row[1], _URI, line),
            _streams(row[8], line) if regional else None,
            artist_names=row[2],
            track_name=row[3],
            peak_rank=_optional_int(row[5], "peak_rank", line),
            previous_rank=_optional_int(row[6], "previous_rank", line, none_for="-1"),
            weeks_on_chart=on_chart if weekly else None,
            days_on_chart=None if weekly else on_chart,
            label=row[4] or None,
        )


def _entries_older(rows: _Rows, identity: ChartIdentity, width: int) -> Iterator[ChartEntry]:
    regional = width == len(OLDER_REGIONAL_HEADER)
    url_at = width - 1
    for row, line in _rows_of_width(rows, width):
        yield _entry(
            identity,
            _rank(row[0], line, identity.max_rank),
            _track_id(row[url_at], _URL, line),
            _streams(row[3], line) if regional else None,
            artist_names=row[2],
            track_name=row[1],
        )


def _read_single(rows: _Rows, header: tuple[str, ...], identity: ChartIdentity) -> Chart:
    if header in _CURRENT_HEADERS:
        chart_type, period = _CURRENT_HEADERS[header]
        source_format, read = FORMAT_CURRENT, _entries_current
    else:
        chart_type, period = _OLDER_HEADERS[header], identity.period
        source_format, read = FORMAT_OLDER, _entries_older
    if (chart_type, period) != (identity.chart_type, identity.period):
        raise ChartFileError(
            "wrong_columns",
            f"the name says a {identity.chart_type} {identity.period} chart, the header "
            f"{list(header)} belongs to a {chart_type} {period} one",
        )
    entries = tuple(read(rows, identity, len(header)))
    if not entries:
        raise ChartFileError("empty_file", NO_ROWS)
    _check_ranks([entry.rank for entry in entries], "")
    _check_tracks([entry.track_id for entry in entries], "")
    return Chart(identity, source_format, entries)


# ---------------------------------------------------------------------------------------------
# Archives


ArchiveKey = tuple[str, str, date]


def _archive_key(chart: str, region_name: str, day: str, line: int) -> ArchiveKey:
    """(chart_type, region, date) of an archive row, or the row's rejection."""
    chart_type = ARCHIVE_CHARTS.get(chart.strip())
    if chart_type is None:
        raise ChartFileError("unknown_chart", f"line {line}: chart {chart!r} is not top200/viral50")
    name = region_name.strip()
    region = ARCHIVE_REGION_CODES.get(name.lower())
    if region is None and len(name) == 2 and name.isascii() and name.isalpha():
        region = name.lower()
    if region is None:
        raise ChartFileError("unknown_region", f"line {line}: region {name!r} is not known")
    text = day.strip()
    try:
        return chart_type, region, iso_date(text)
    except ValueError:
        raise ChartFileError("bad_date", f"line {line}: date {text!r} is not YYYY-MM-DD") from None


class _ArchiveKeys:
    """The archive key of each row, worked out once per distinct (chart, region, date) text.

    An archive repeats the same three strings on every row of a chart: a dictionary lookup
    replaces the parsing for all rows but the first.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[str, str, str], ArchiveKey | str] = {}

    def key(self, row: list[str], line: int) -> ArchiveKey:
        raw = (row[6], row[5], row[2])
        known = self._known.get(raw)
        if known is None:
            try:
                known = _archive_key(row[6], row[5], row[2], line)
            except ChartFileError as error:
                known = error.reason
            self._known[raw] = known
        if isinstance(known, str):
            # Rebuilt for this row so that the detail names this row's line.
            _archive_key(row[6], row[5], row[2], line)
        return known  # type: ignore[return-value]


def _archive_entry(row: list[str], identity: ChartIdentity, line: int) -> ChartEntry:
    if identity.chart_type == "regional":
        streams = _streams(row[8], line, allow_float=True)
    elif row[8].strip():
        raise ChartFileError("bad_streams", f"line {line}: a viral chart row with streams")
    else:
        streams = None
    rank_text = row[1]
    if not (
        rank_text.isdigit()
        and rank_text.isascii()
        and len(rank_text) <= _RANK_DIGITS
        and 0 < (rank := int(rank_text)) <= identity.max_rank
    ):
        rank = _rank(rank_text, line, identity.max_rank)  # the general path, with its reasons
    return _entry(
        identity,
        rank,
        _track_id(row[4], _URL, line),
        streams,
        artist_names=row[3],
        track_name=row[0],
        trend=row[7].strip() or None,
    )


def _archive_groups(
    rows: _Rows, report: ArchiveReport, build: bool = True
) -> Iterator[tuple[ArchiveKey, list[ChartEntry], int, ChartFileError | None]]:
    """(key, entries, rows, first error) per run of consecutive rows of one chart.

    Rows that name no chart are counted in ``report``; ``build=False`` only finds the runs.
    """
    width = len(ARCHIVE_HEADER)
    keys = _ArchiveKeys()
    key = None
    entries: list[ChartEntry] = []
    count = 0
    error: ChartFileError | None = None
    identity = None
    for row in rows:
        line = rows.line
        report.rows_read += 1
        if any("\n" in value or "\r" in value for value in row):
            # Spark's CSV reader, which splits an archive by lines, cannot read it whole.
            raise ChartFileError("malformed_csv", f"line {line}: {LINE_BREAK}")
        if len(row) != width:
            report.reject_row(
                line,
                ChartFileError("bad_row_shape", f"line {line}: {len(row)} fields, not {width}"),
            )
            continue
        try:
            row_key = keys.key(row, line)
        except ChartFileError as row_error:
            report.reject_row(line, row_error)
            continue
        if row_key != key:
            if key is not None:
                yield key, entries, count, error
            key, entries, count, error = row_key, [], 0, None
            identity = ChartIdentity(row_key[0], row_key[1], "daily", row_key[2])
        count += 1
        if build and error is None:
            try:
                entries.append(_archive_entry(row, identity, line))
            except ChartFileError as row_error:
                error = row_error
    if key is not None:
        yield key, entries, count, error


def _split_chart_keys(opener: Opener) -> set[ArchiveKey]:
    """Charts whose rows come in more than one run: the first pass over an archive."""
    seen: set[ArchiveKey] = set()
    split: set[ArchiveKey] = set()
    with opener() as stream:
        rows = _Rows(stream)
        _read_header(rows)
        for key, _entries, _count, _error in _archive_groups(rows, ArchiveReport(), build=False):
            if key in seen:
                split.add(key)
            seen.add(key)
    return split


def iter_archive(opener: Opener, report: ArchiveReport) -> Iterator[Chart]:
    """The good charts of an archive, counting the rejected ones (and rows) in ``report``;
    an archive of no rows is ``empty_file``.

    Two passes: the first finds the charts whose rows are not together in the file (their
    earlier rows could not be taken back once a chart was handed on), the second reads and
    checks each chart, holding at most one chart at a time.
    """
    split = _split_chart_keys(opener)
    with opener() as stream:
        rows = _Rows(stream)
        _read_header(rows)
        for key, entries, count, error in _archive_groups(rows, report):
            identity = ChartIdentity(key[0], key[1], "daily", key[2])
            where = f"{key[0]} {key[1]} {key[2].isoformat()}: "
            try:
                if key in split:
                    raise ChartFileError(
                        "chart_not_contiguous",
                        f"{where}its rows are split by other charts' rows in the file",
                    )
                if error is not None:
                    raise error
                _check_ranks([entry.rank for entry in entries], where)
                _check_tracks([entry.track_id for entry in entries], where)
            except ChartFileError as chart_error:
                report.reject_chart(identity, count, chart_error)
                continue
            report.charts_accepted += 1
            report.rows_accepted += count
            yield Chart(identity, FORMAT_ARCHIVE, tuple(entries))
    if report.rows_read == 0:
        raise ChartFileError("empty_file", NO_ROWS)


# ---------------------------------------------------------------------------------------------
# The entry point


@dataclass
class ChartSource:
    """A recognised file: its format, its identity (None for an archive) and its charts."""

    file_name: str
    source_format: str
    identity: ChartIdentity | None
    opener: Opener
    report: ArchiveReport | None = None

    def charts(self) -> Iterator[Chart]:
        """Every good chart (one for a chart file, which raises ChartFileError when bad)."""
        if self.source_format == FORMAT_ARCHIVE:
            self.report = ArchiveReport()
            yield from iter_archive(self.opener, self.report)
            return
        with self.opener() as stream:
            rows = _Rows(stream)
            header = _read_header(rows)
            assert self.identity is not None
            yield _read_single(rows, header, self.identity)


def open_chart_file(
    file_name: str, opener: Opener, *, chart_date: date | None = None
) -> ChartSource:
    """Recognise a file from its name and header, or raise ChartFileError with the reason.

    ``opener`` returns a new binary stream of the file each time (a file, an S3 body): the
    header is read here, the rows when ``charts()`` is iterated.
    """
    with opener() as stream:
        rows = _Rows(stream)
        header = _read_header(rows)
    if header == ARCHIVE_HEADER:
        return ChartSource(file_name, FORMAT_ARCHIVE, None, opener)
    name = recognise_name(file_name, chart_date)
    if name.identity is None:
        raise ChartFileError(
            "unknown_file_name",
            f"{file_name}: not a chart file name such as regional-global-weekly-2022-01-13.csv "
            "or regional-global-weekly-2020-02-07--2020-02-14.csv (docs/charts.md)",
        )
    source_format = FORMAT_CURRENT if header in _CURRENT_HEADERS else FORMAT_OLDER
    return ChartSource(file_name, source_format, name.identity, opener)


def parse_chart_bytes(file_name: str, data: bytes, *, chart_date: date | None = None) -> Chart:
    """The one chart of a chart file's bytes (not an archive), or ChartFileError."""
    source = open_chart_file(file_name, lambda: io.BytesIO(data), chart_date=chart_date)
    if source.source_format == FORMAT_ARCHIVE:
        raise ValueError(f"{file_name} is an archive of many charts: use charts()")
    return next(source.charts())
