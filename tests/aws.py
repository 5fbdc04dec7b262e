"""moto's AWS for the tests that write to S3 or read secrets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws


@contextmanager
def mocked_aws(monkeypatch: pytest.MonkeyPatch, *buckets: str) -> Iterator[Any]:
    """moto's AWS, with test credentials and a region in the environment and `buckets`
    created; yields an S3 client."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3")
        for bucket in buckets:
            s3.create_bucket(Bucket=bucket)
        yield s3
