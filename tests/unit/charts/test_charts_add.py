"""tools.charts_add: good files stored once, byte for byte, under their chart's key; bad ones named.

A local folder and a moto S3 bucket. Keys are built from a fixed clock, so every expected
key is written out here: ``<series>/chart_date=<date>/<added>_<sha256 of the bytes>.csv``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import boto3
import pytest

from tests.aws import mocked_aws
from tests.unit.charts.support import (
    archive_file,
    archive_line,
    current_chart,
    current_file,
    current_line,
    older_file,
    older_line,
)
from tools.charts_add.add import AddedClock, LocalDrop, S3Drop, add_files, main

T0 = "20261207T100000000000Z"
T1 = "20261207T100000000001Z"
T2 = "20261207T100000000002Z"
BUCKET = "raw-bucket"


def fixed_clock() -> AddedClock:
    return AddedClock(now=lambda: datetime(2026, 12, 7, 10, 0, 0, tzinfo=UTC))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.fixture
def files(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return {
        "weekly": write(inbox, "regional-global-weekly-2022-01-13.csv", current_chart(range(1, 4))),
        "older": write(
            inbox, "regional-us-weekly-2020-02-07--2020-02-14.csv", older_file([older_line(1)])
        ),
        "latest": write(
            inbox, "regional-global-weekly-latest.csv", older_file([older_line(1, streams="77")])
        ),
        "semicolons": write(
            inbox,
            "regional-global-weekly-2022-01-20.csv",
            current_chart(range(1, 4)).replace(b",", b";"),
        ),
        "archive": write(
            inbox,
            "charts.csv",
            archive_file([archive_line(1), archive_line(2), archive_line(1, region="Atlantis")]),
        ),
    }


def test_local_drop_stores_good_files_under_their_keys_and_names_the_bad_one(
    tmp_path, files, capsys
):
    drop = tmp_path / "drop"
    outcomes = add_files(
        [files["weekly"], files["semicolons"], files["older"], files["archive"]],
        LocalDrop(drop),
        clock=fixed_clock(),
    )
    assert [o.status for o in outcomes] == ["added", "rejected", "added", "added"]
    assert outcomes[1].path == files["semicolons"]
    assert outcomes[1].message == "semicolon_separated: fields are separated by ';', not ','"
    weekly, older, archive = (files[k].read_bytes() for k in ("weekly", "older", "archive"))
    expected = {
        f"regional/global/weekly/chart_date=2022-01-13/{T0}_{sha(weekly)}.csv": weekly,
        f"regional/us/weekly/chart_date=2020-02-13/{T1}_{sha(older)}.csv": older,
        f"archive/{T2}_{sha(archive)}.csv": archive,
    }
    stored = {
        p.relative_to(drop).as_posix(): p.read_bytes()
        for p in drop.rglob("*")
        if p.is_file() and "_incoming" not in p.parts
    }
    assert stored == expected
    assert list((drop / "_incoming").iterdir()) == []
    assert outcomes[3].message.startswith(
        "archive: 1 charts, 2 rows; rejected 0 charts and rows by reason: unknown_region 1 -> "
    )


def test_the_same_bytes_are_stored_once_and_other_bytes_of_the_chart_again(tmp_path, files):
    drop = LocalDrop(tmp_path / "drop")
    first = add_files([files["weekly"], files["weekly"]], drop, clock=fixed_clock())
    assert [o.status for o in first] == ["added", "already"]
    copy = write(
        tmp_path, "regional-global-weekly-2022-01-13 (1).csv", files["weekly"].read_bytes()
    )
    again = add_files([copy], drop, clock=fixed_clock())
    key = f"regional/global/weekly/chart_date=2022-01-13/{T0}_{sha(copy.read_bytes())}.csv"
    assert [(o.status, o.message) for o in again] == [
        ("already", f"the same bytes are stored: {tmp_path / 'drop' / key}")
    ]
    # A corrected download of the same chart is another file, added after the first.
    fixed = write(tmp_path, "regional-global-weekly-2022-01-13.csv", current_chart(range(1, 3)))
    later = AddedClock(now=lambda: datetime(2026, 12, 8, 9, 30, 0, 123456, tzinfo=UTC))
    assert [o.status for o in add_files([fixed], drop, clock=later)] == ["added"]
    folder = tmp_path / "drop/regional/global/weekly/chart_date=2022-01-13"
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{T0}_{sha(files['weekly'].read_bytes())}.csv",
        f"20261208T093000123456Z_{sha(fixed.read_bytes())}.csv",
    ]


def test_main_needs_a_chart_date_for_latest_and_exits_1_after_adding_the_good_ones(
    tmp_path, files, capsys
):
    drop = tmp_path / "drop"
    code = main([str(files["latest"]), str(files["weekly"]), "--drop", str(drop)])
    out = capsys.readouterr()
    assert code == 1
    assert "rejected" in out.err and "chart_date_required" in out.err
    assert "1 added, 0 already stored, 1 rejected" in out.out
    assert len(list((drop / "regional/global/weekly/chart_date=2022-01-13").iterdir())) == 1

    code = main([str(files["latest"]), "--drop", str(drop), "--chart-date", "2020-02-13"])
    assert code == 0
    stored = list((drop / "regional/global/weekly/chart_date=2020-02-13").iterdir())
    assert [p.read_bytes() for p in stored] == [files["latest"].read_bytes()]


def test_a_name_with_non_ascii_letters_is_rejected_and_the_batch_goes_on(tmp_path, files):
    """A long s (U+017F) or a dotless i (U+0131) is no region letter: such names once matched
    [a-z]{2} and stopped the batch with "not a canonical drop-zone key"."""
    inbox = files["weekly"].parent
    odd = [
        write(inbox, f"regional-{region}-weekly-2022-01-13.csv", current_chart(range(1, 3)))
        for region in ("\u017fe", "\u0131t")
    ]
    outcomes = add_files([*odd, files["weekly"]], LocalDrop(tmp_path / "drop"), clock=fixed_clock())
    assert [o.status for o in outcomes] == ["rejected", "rejected", "added"]
    assert all(o.message.startswith("unknown_file_name: ") for o in outcomes[:2])


@pytest.mark.parametrize("day", ["2020-W07-4", "20200213"])
def test_main_takes_a_chart_date_as_yyyy_mm_dd_only(tmp_path, files, capsys, day):
    """2020-W07-4 and 20200213 are 2020-02-13 to date.fromisoformat, not to chart_files."""
    drop = tmp_path / "drop"
    with pytest.raises(SystemExit) as exited:
        main([str(files["latest"]), "--drop", str(drop), "--chart-date", day])
    assert exited.value.code == 2
    assert "--chart-date" in capsys.readouterr().err
    assert not drop.exists()


def test_main_exits_0_when_every_file_is_good_or_already_stored(tmp_path, files):
    drop = str(tmp_path / "drop")
    assert main([str(files["weekly"]), "--drop", drop]) == 0
    assert main([str(files["weekly"]), "--drop", drop]) == 0
    assert main([str(tmp_path / "nope.csv"), "--drop", drop]) == 2


def test_the_clock_never_repeats_an_instant():
    clock = fixed_clock()
    assert [clock.next(), clock.next(), clock.next()] == [T0, T1, T2]


class CountingS3:
    """A boto3 S3 client that counts the listing pages asked for."""

    def __init__(self, client) -> None:
        self.client = client
        self.listings: list[str] = []

    def get_paginator(self, name):
        paginator = self.client.get_paginator(name)
        listings = self.listings

        class Counting:
            def paginate(self, **kwargs):
                listings.append(kwargs["Prefix"])
                return paginator.paginate(**kwargs)

        return Counting()

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.fixture
def s3(monkeypatch):
    with mocked_aws(monkeypatch, BUCKET) as client:
        yield client


def test_s3_drop_writes_once_with_kms_and_text_csv_listing_each_series_once(tmp_path, s3):
    kms = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    days = ["2022-01-06", "2022-01-13", "2022-01-20"]
    paths = [
        write(inbox, f"regional-global-weekly-{day}.csv", current_file([current_line(1)]))
        for day in days
    ] + [write(inbox, "regional-gb-daily-2022-01-13.csv", current_file(
        [current_line(1)],
        header="rank,uri,artist_names,track_name,source,peak_rank,previous_rank,days_on_chart,streams",
    ))]  # fmt: skip
    client = CountingS3(s3)
    drop = S3Drop(f"s3://{BUCKET}/charts/", kms_key_id=kms, client=client)
    outcomes = add_files(paths, drop, clock=fixed_clock())
    assert [o.status for o in outcomes] == ["added"] * 4
    assert client.listings == ["charts/regional/global/weekly/", "charts/regional/gb/daily/"]
    body = paths[0].read_bytes()
    key = f"charts/regional/global/weekly/chart_date=2022-01-06/{T0}_{sha(body)}.csv"
    head = s3.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentType"] == "text/csv"
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == kms
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == body
    assert outcomes[0].message == (
        f"regional global weekly 2022-01-06 (current) -> s3://{BUCKET}/{key}"
    )

    client.listings.clear()
    again = add_files(paths[:3], drop, clock=fixed_clock())
    assert [o.status for o in again] == ["already"] * 3
    assert client.listings == ["charts/regional/global/weekly/"]
    listed = s3.list_objects_v2(Bucket=BUCKET)["KeyCount"]
    assert listed == 4


def test_s3_drop_without_a_key_id_leaves_encryption_to_the_bucket(tmp_path, s3, files):
    drop = S3Drop(f"s3://{BUCKET}", client=s3)
    assert drop.prefix == ""
    outcomes = add_files([files["older"]], drop, clock=fixed_clock())
    key = f"regional/us/weekly/chart_date=2020-02-13/{T0}_{sha(files['older'].read_bytes())}.csv"
    assert outcomes[0].message.endswith(f"s3://{BUCKET}/{key}")
    assert "SSEKMSKeyId" not in s3.head_object(Bucket=BUCKET, Key=key)
    assert date.fromisoformat("2020-02-13").weekday() == 3  # the chart date is a Thursday
