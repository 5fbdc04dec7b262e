"""Redaction of secrets and token-shaped text in log records."""

from __future__ import annotations

import base64
import logging
import sys

from extract_lambda.logsafe import RedactingFilter, Redactor


def test_known_values_and_their_basic_auth_form_are_masked():
    redactor = Redactor(["client-id-123", "client-secret-456"])
    basic = base64.b64encode(b"client-id-123:client-secret-456").decode()
    text = f"id client-id-123 secret client-secret-456 header Authorization: Basic {basic}"
    redacted = redactor(text)
    # Each value, and the Basic credentials, become the mask; the words around them stay.
    assert redacted == "id *** secret *** header Authorization: Basic ***"


def test_token_shaped_text_is_masked_even_when_unknown():
    redactor = Redactor()
    text = (
        "Headers: {'Authorization': 'Bearer BQD-abc.def_123'} "
        "Body: {'refresh_token': 'AQx-secret', 'grant_type': 'refresh_token'} "
        '{"access_token": "tok-999"} callback?code=AQBcode123&state=s1'
    )
    redacted = redactor(text)
    for secret in ("BQD-abc.def_123", "AQx-secret", "tok-999", "AQBcode123"):
        assert secret not in redacted
    assert "grant_type" in redacted and "state=s1" in redacted


def test_token_fields_of_json_inside_a_string_are_masked():
    """A secret string as botocore prints a response body: JSON with escaped quotes."""
    redactor = Redactor()
    text = (
        """{'SecretString': '{\\"client_id\\": \\"id-1\\", """
        """\\"client_secret\\": \\"cs-777\\", \\"refresh_token\\": \\"rt-888\\"}'}"""
    )
    assert "cs-777" in text and '\\"client_secret\\"' in text
    redacted = redactor(text)
    assert "cs-777" not in redacted and "rt-888" not in redacted
    assert "id-1" in redacted  # a client id is not a secret shape


def test_filter_rewrites_message_and_arguments():
    record = logging.LogRecord(
        "spotipy.oauth2", logging.DEBUG, __file__, 1, "sending %s", ("Bearer abc123xyz",), None
    )
    assert RedactingFilter(Redactor()).filter(record)
    assert record.getMessage() == "sending Bearer ***"


def test_a_traceback_is_kept_redacted_in_the_message():
    """Lambda's JSON log format builds its stack trace from exc_info only; the filter
    clears exc_info (it would be rendered raw), so the traceback goes into the message."""
    redactor = Redactor(["secret-value-123"])
    try:
        raise ValueError("refused secret-value-123")
    except ValueError:
        record = logging.LogRecord(
            "extract_lambda", logging.ERROR, __file__, 1, "unexpected error in %s", ("p1",), None
        )
        record.exc_info = sys.exc_info()
    assert RedactingFilter(redactor).filter(record)
    assert record.exc_info is None and record.exc_text is None
    text = record.getMessage()
    assert text.startswith("unexpected error in p1\nTraceback (most recent call last):")
    assert "ValueError: refused ***" in text and "secret-value-123" not in text
    assert logging.Formatter().format(record) == text  # nothing rendered twice
