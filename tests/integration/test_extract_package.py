"""dist/extract_lambda.zip: built from pinned wheels for the Lambda platform, deterministic,
without boto3, and the handler imports from its unpacked content (as Lambda unpacks it)."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tools import package_lambda

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    # The wheel cache lives in build/ (kept between runs), so only the first build downloads.
    first = package_lambda.build(tmp_path_factory.mktemp("one") / "extract_lambda.zip")
    second = package_lambda.build(tmp_path_factory.mktemp("two") / "extract_lambda.zip")
    return first, second


def test_the_zip_is_deterministic(built):
    first, second = built
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256_base64 == second.sha256_base64
    with zipfile.ZipFile(first.path) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_the_zip_holds_the_package_and_spotipy_but_not_what_the_runtime_provides(built):
    with zipfile.ZipFile(built[0].path) as archive:
        names = set(archive.namelist())
    tops = {name.split("/")[0] for name in names}
    for module in (
        "extract_lambda",
        "spotipy",
        "requests",
        "urllib3",
        "certifi",
        "idna",
        "charset_normalizer",
        "aws_lambda_powertools",
        "typing_extensions.py",
    ):
        assert module in tops
    assert "extract_lambda/handler.py" in names and "spotipy/client.py" in names
    assert "spotipy-2.26.0.dist-info/METADATA" in names  # the pinned versions
    assert "aws_lambda_powertools-3.37.0.dist-info/METADATA" in names
    # The metric names shared with Terraform, and nothing else of the Glue job (Spark).
    assert {n for n in names if n.startswith("glue_jobs/")} == {
        "glue_jobs/__init__.py",
        "glue_jobs/metric_names.py",
    }
    assert not tops & {"boto3", "botocore", "s3transfer", "bin", "tools", "tests"}
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", "/RECORD"))]
    # Compiled parts are for the Lambda platform.
    binaries = [n for n in names if n.endswith(".so")]
    assert binaries and all("x86_64-linux-gnu" in n for n in binaries)


def test_the_handler_imports_from_the_unpacked_zip(built, tmp_path):
    with zipfile.ZipFile(built[0].path) as archive:
        archive.extractall(tmp_path / "task")
    task = tmp_path / "task"
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import extract_lambda.handler as h, spotipy, requests, charset_normalizer;"
        "import aws_lambda_powertools, glue_jobs.metric_names as m;"
        "assert h.lambda_handler.__module__ == 'extract_lambda.handler';"
        "print(h.__file__); print(spotipy.__file__); print(requests.__file__);"
        "print(aws_lambda_powertools.__file__); print(m.__file__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(task)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert all(line.startswith(str(task)) for line in result.stdout.split())
