"""The demo's command line: argument and credential checks offline, and the live path
run against the fake Spotify API (SPOTIFY_API_URL / SPOTIFY_AUTH_URL pointing at it)."""

from __future__ import annotations

import io
import json

import pytest

from tools.demo import __main__ as cli
from tools.demo import report, runner
from tools.fake_spotify import Catalogue, FakeSpotifyServer

SECRET = "s3cr3t-value-that-must-never-show"


def _main(capsys, argv, monkeypatch, env):
    for name in list(runner.os.environ):
        if name.startswith("SPOTIFY_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_live_without_playlist_ids_is_a_usage_error(tmp_path, capsys, monkeypatch):
    env = {"SPOTIFY_CLIENT_ID": "id", "SPOTIFY_CLIENT_SECRET": SECRET}
    status, output = _main(capsys, ["--dir", str(tmp_path / "l"), "--live"], monkeypatch, env)
    assert status == 2
    assert 'make demo-live PLAYLISTS="' in output
    assert not (tmp_path / "l").exists()  # nothing was created before the checks


def test_live_without_credentials_names_them_and_shows_no_secret(tmp_path, capsys, monkeypatch):
    env = {"SPOTIFY_CLIENT_SECRET": SECRET, "SPOTIFY_REFRESH_TOKEN": SECRET + "-refresh"}
    argv = ["--dir", str(tmp_path / "l"), "--live", "3cEYpjA9oz9GiPac4AsH4n"]
    status, output = _main(capsys, argv, monkeypatch, env)
    assert status == 2
    assert "SPOTIFY_CLIENT_ID" in output
    assert SECRET not in output
    assert not (tmp_path / "l").exists()


def test_live_with_an_invalid_playlist_reference_is_a_usage_error(tmp_path, capsys, monkeypatch):
    env = {"SPOTIFY_CLIENT_ID": "id", "SPOTIFY_CLIENT_SECRET": SECRET}
    argv = ["--dir", str(tmp_path / "l"), "--live", "not a playlist!"]
    status, output = _main(capsys, argv, monkeypatch, env)
    assert status == 2
    assert "is not a playlist id" in output
    assert SECRET not in output


def test_a_foreign_directory_is_never_wiped(tmp_path, capsys, monkeypatch):
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    status, output = _main(capsys, ["--dir", str(tmp_path)], monkeypatch, {})
    assert status == 2
    assert "was not created by the demo" in output
    assert precious.read_text() == "keep me"


def test_a_simulated_run_never_wipes_a_live_lake(tmp_path, capsys, monkeypatch):
    # Review finding: the simulated demo emptied its --dir before checking the lake's kind,
    # so `make demo DEMO_DIR=build/demo-live` deleted weeks of real snapshots.
    lake = tmp_path / "demo-live"
    runner.prepare_lake(lake, "live", fresh=False)
    week = lake / runner.RAW_DIR / "snapshot_date=2026-11-16" / "real.json.gz"
    week.parent.mkdir(parents=True)
    week.write_bytes(b"a real snapshot")
    status, output = _main(capsys, ["--dir", str(lake)], monkeypatch, {})
    assert status == 2
    assert "holds a live demo lake" in output
    assert week.read_bytes() == b"a real snapshot"


def test_bad_sizes_are_usage_errors(tmp_path, capsys, monkeypatch):
    status, output = _main(capsys, ["--dir", str(tmp_path / "l"), "--weeks", "0"], monkeypatch, {})
    assert status == 2
    assert "--weeks" in output


@pytest.mark.spark
@pytest.mark.slow
def test_live_path_against_the_fake_api(spark, tmp_path):
    catalogue = Catalogue(seed=5, playlists=2, weeks=1, editorial=0, not_owned=1)
    with FakeSpotifyServer(catalogue, mode="development") as server:
        environ = {**server.env(), "SPOTIFY_CLIENT_SECRET": server.client_secret}
        ids = [*catalogue.user_playlist_ids, *catalogue.not_owned_ids]
        out = io.StringIO()
        # The same spelling as the Makefile's --live $(PLAYLISTS), as one argument.
        result = runner.run_live(
            tmp_path / "live", [" ".join(ids)], environ=environ, spark=spark, out=out
        )
    output = out.getvalue()
    assert result.requested == 3
    assert result.landed == 2
    assert [(f["playlist_id"], f["reason"]) for f in result.failed] == [
        (catalogue.not_owned_ids[0], "forbidden")
    ]
    landed = sorted((tmp_path / "live" / runner.RAW_DIR).rglob("*.json.gz"))
    assert len(landed) == 2
    assert result.table_rows["dim_playlist"] == 2
    points = report.chart_points(result.report.read_text(encoding="utf-8"))
    assert points["chart-top-artists"] > 0
    assert points["chart-new-entries"] == 0  # one snapshot per playlist: nothing to compare
    meta = json.loads((tmp_path / "live" / "demo.json").read_text())
    assert meta["kind"] == "live"
    assert meta["extraction"]["failed_by_reason"] == {"forbidden": 1}
    for secret in (server.client_secret, server.refresh_token):
        assert secret not in output
        assert secret not in (tmp_path / "live" / "demo.log").read_text()
        assert secret not in result.report.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("pending", "remaining", "time_left", "run_s", "expected"),
    [
        # 26 weeks of 20 files at 0.1 s a file (52 s) and 1 s of extraction a week (25 s):
        # weekly runs at 3 s fit in 200 s (78 + 77), at 6 s every 2 weeks (78 + 77).
        (1, 25, 200.0, 3.0, 1),
        (1, 25, 200.0, 6.0, 2),
        # 9 runs x 6 s + 77 = 131 s <= 135 s; 13 runs (every 2 weeks) = 155 s.
        (1, 25, 135.0, 6.0, 3),
        # Nothing fits, not even one run: one run at the end.
        (1, 25, 50.0, 6.0, 26),
        # Nothing left to plan.
        (0, 0, 10.0, 6.0, 1),
    ],
)
def test_glue_interval_is_the_smallest_that_fits(pending, remaining, time_left, run_s, expected):
    chosen = runner.glue_interval(
        pending,
        remaining,
        time_left,
        run_s=run_s,
        file_s=0.1,
        files_per_week=20,
        extract_s=1.0,
    )
    assert chosen == expected


def test_run_cost_model_leaves_out_the_warm_up_and_fits_a_line():
    # Runs after the first: 20 files in 12 s, 60 files in 16 s -> 0.1 s a file, 10 s a run.
    run_s, file_s = runner.run_cost_model([(20, 70.0), (20, 12.0), (60, 16.0)])
    assert file_s == pytest.approx(0.1)
    assert run_s == pytest.approx(10.0)
    # One size only: a quarter of the run is taken as per-file work.
    run_s, file_s = runner.run_cost_model([(20, 70.0), (20, 12.0)])
    assert (run_s, file_s) == (pytest.approx(9.0), pytest.approx(0.15))
    # A single run: the only estimate there is.
    assert runner.run_cost_model([(10, 40.0)]) == (pytest.approx(30.0), pytest.approx(1.0))


def test_ctrl_c_is_remembered_and_passed_on_to_sparks_handler():
    # Review finding: Ctrl-C during a Spark call ended as "the demo failed" with pages of
    # Py4J tracebacks; the demo now remembers the signal and says "interrupted" (130). A
    # real Ctrl-C was checked by hand (SIGINT to the process and to its process group).
    import logging
    import signal

    calls = []
    original = signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
    root = logging.getLogger()
    try:
        runner.INTERRUPTED.clear()
        runner.note_interrupts()
        handler = signal.getsignal(signal.SIGINT)
        handler(signal.SIGINT, None)
        assert runner.INTERRUPTED.is_set()
        assert calls == [signal.SIGINT]  # Spark's handler (here a stand-in) still runs
        py4j_record = logging.LogRecord(
            "root", logging.ERROR, "/x/py4j/clientserver.py", 1, "Exception", None, None
        )
        other = logging.LogRecord("root", logging.ERROR, "/x/tools/demo/a.py", 1, "x", None, None)
        assert (root.filter(py4j_record), bool(root.filter(other))) == (False, True)
    finally:
        signal.signal(signal.SIGINT, original)
        root.removeFilter(runner._drop_py4j_records)
        runner.INTERRUPTED.clear()
