"""Decoding one raw file's bytes: gzip or plain, and the reasons a file has no text."""

from __future__ import annotations

import gzip
import json

import pytest

from glue_jobs.raw_io import decode_raw_bytes

DOC = '{"contract_version": 1, "playlist_id": "p"}\n'


def test_plain_utf8_text_is_returned_as_is():
    assert decode_raw_bytes(DOC.encode()) == (None, None, DOC)


def test_gzip_is_recognised_by_magic_not_by_name():
    assert decode_raw_bytes(gzip.compress(DOC.encode())) == (None, None, DOC)


def test_concatenated_gzip_members_are_one_text():
    data = gzip.compress(b"line one\n") + gzip.compress(b"line two\n")
    assert decode_raw_bytes(data)[2] == "line one\nline two\n"


def test_non_ascii_survives_and_a_bom_is_dropped():
    text = '{"name": "Beyoncé, \\"Halo\\" — 日本"}\n'
    assert decode_raw_bytes(b"\xef\xbb\xbf" + text.encode())[2] == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            gzip.compress(DOC.encode(), mtime=0)[:-6],
            "corrupt_gzip",
        ),  # truncated: no CRC/size trailer
        (
            gzip.compress(DOC.encode(), mtime=0)[:12],
            "corrupt_gzip",
        ),  # truncated in the deflate stream
        (b"", "empty_file"),
        (b" \n\n\t\n", "empty_file"),
        (gzip.compress(b"\n", mtime=0), "empty_file"),
        (b"\xff\xfe{}", "invalid_json"),  # not UTF-8
    ],
    ids=[
        "truncated-trailer",
        "truncated-stream",
        "zero-bytes",
        "whitespace",
        "gzip-of-newline",
        "not-utf8",
    ],
)
def test_unreadable_files_get_their_reason(data, reason):
    got_reason, detail, text = decode_raw_bytes(data)
    assert (got_reason, text) == (reason, None)
    assert detail


def test_bad_crc_is_corrupt_gzip():
    data = bytearray(gzip.compress(DOC.encode()))
    data[-8] ^= 0xFF  # flip a byte of the CRC32 trailer
    reason, detail, _ = decode_raw_bytes(bytes(data))
    assert reason == "corrupt_gzip"
    assert "CRC" in detail


def test_spark_reader_gives_the_decoder_text_for_every_kind_of_file(spark, tmp_path):
    """``read_raw_files`` (bytes back from the Python worker, cast in the JVM) yields exactly
    the text and reasons of ``decode_raw_bytes`` (a Python ``str``): non-ASCII, a BOM,
    gzip by magic, multi-member gzip, corrupt gzip, non-UTF-8, blank."""
    from glue_jobs.lakefs import qualify
    from glue_jobs.raw_io import read_raw_files

    text = '{"name": "Beyoncé — “Halo”", "emoji": "🎧"}\n{"n": 2}\n'
    member = gzip.compress(text.encode())
    files = {
        "plain.json": text.encode(),
        "bom.json.gz": gzip.compress(b"\xef\xbb\xbf" + text.encode()),
        "gzip-named-json.json": member,
        "multi.json.gz": member + gzip.compress(b'{"n": 3}\n'),
        "truncated.json.gz": member[: len(member) // 2],
        "latin1.json": '{"name": "café"}'.encode("latin-1"),
        "blank.json.gz": gzip.compress(b" \n\t\n"),
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(qualify(str(tmp_path / name)))
    rows = read_raw_files(spark, paths).collect()
    got = {r["source_file"].rsplit("/", 1)[-1]: tuple(r["decoded"]) for r in rows}
    expected = {name: decode_raw_bytes(data) for name, data in files.items()}
    assert got == expected
    assert got["plain.json"][2] == text  # and the decoder itself is right (tested above)


def test_each_file_is_read_as_itself_whatever_its_name(spark, tmp_path):
    """Spark globs the paths it is given: without escaping, ``a[1].json`` is a pattern that
    matches ``a1.json`` (another file's text, silently) and ``notes [draft].json`` matches
    nothing (the whole read fails). Every file is read as itself, named as listed."""
    from glue_jobs.lakefs import literal, qualify
    from glue_jobs.raw_io import read_raw_files

    names = ["a[1].json", "a1.json", "notes [draft].json", "{x,y} *?.json", "back\\slash.json"]

    def text(name: str) -> str:
        return json.dumps({"name": name}) + "\n"

    for name in names:
        (tmp_path / name).write_text(text(name))
    assert literal("file:/d/a[1].json") == "file:/d/a\\[1\\].json"
    for chosen in (["a[1].json"], [n for n in names if n != "a1.json"]):
        paths = [qualify(str(tmp_path / n)) for n in chosen]
        rows = read_raw_files(spark, paths).collect()
        got = {r["source_file"]: r["decoded"]["text"] for r in rows}
        assert got == {qualify(str(tmp_path / n)): text(n) for n in chosen}
