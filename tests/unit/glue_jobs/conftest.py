"""Fixtures of the Glue job's unit tests."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws


@pytest.fixture
def cloudwatch():
    """moto's CloudWatch, for the job's metrics (test_metrics*.py)."""
    with mock_aws():
        yield boto3.client("cloudwatch", region_name="eu-west-1")
