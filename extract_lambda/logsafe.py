"""Keep secrets out of logs: quiet the libraries that log them, redact whatever gets through.

spotipy logs, at DEBUG, every request's headers (``Authorization: Bearer <token>``) and every
token request's headers and body (``Basic <client id:secret>``, the refresh token). Two
layers stop that from reaching a log: the ``spotipy`` logger is raised to CRITICAL (we log
every failure ourselves, once, in words), and a redacting filter on the root handlers
replaces known secret values and token-shaped strings in every record.
"""

from __future__ import annotations

import base64
import logging
import re
import sys
from collections.abc import Iterable
from typing import Any

MASK = "***"

# Token-shaped substrings that must never be logged even when the value is unknown
# (access tokens are minted at run time).
_PATTERNS = (
    re.compile(r"(Bearer\s+)[^\s'\",}]+", re.IGNORECASE),
    re.compile(r"(Basic\s+)[A-Za-z0-9+/=]+", re.IGNORECASE),
    re.compile(  # also inside JSON held in a string (quotes escaped as \")
        r"""((?:\\?['"])?(?:access_token|refresh_token|client_secret)(?:\\?['"])?"""
        r"""\s*[:=]\s*(?:\\?['"])?)[^'"\s,&}\\]+""",
        re.IGNORECASE,
    ),
    re.compile(r"([?&]code=)[^&\s'\"]+"),  # an authorization code in a callback URL
)


class Redactor:
    """Replaces known secret values (and their Basic-auth encodings) and token-shaped text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        values = [s for s in secrets if s and len(s) >= 4]
        self._values.update(values)
        # The Basic header of every id:secret pair we know.
        for first in values:
            for second in values:
                pair = f"{first}:{second}".encode()
                self._values.add(base64.b64encode(pair).decode())

    def __call__(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text


# The attributes every LogRecord has; any other is a structured field (``extra=``).
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


def _redact_value(redactor: Redactor, value: Any) -> Any:
    if isinstance(value, str):
        return redactor(value)
    if isinstance(value, dict):
        return {k: _redact_value(redactor, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_value(redactor, v) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """A handler filter: formats the record once and stores the redacted message, and
    redacts every structured field (``extra=``) a JSON formatter would print."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__("extract_lambda.redact")
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            message = str(record.msg)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now, redacted, into the message itself: a handler must not
            # render it raw, and Lambda's JSON log format reads only exc_info (it would drop
            # an exc_text), so the message is the one place every format keeps.
            trace = logging.Formatter().formatException(record.exc_info)
            message = f"{message}\n{trace}"
            record.exc_info = None
            record.exc_text = None
        record.msg = self.redactor(message)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRIBUTES:
                setattr(record, name, _redact_value(self.redactor, value))
        return True


def structured_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The record's structured fields (what was passed as ``extra=``)."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRIBUTES}


class HumanFormatter(logging.Formatter):
    """The command line's format: the message, then the structured fields as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = " ".join(f"{k}={v}" for k, v in structured_fields(record).items())
        return f"{text} [{fields}]" if fields else text


_REDACTOR = Redactor()


def protect_logs(secrets: Iterable[str] = ()) -> Redactor:
    """Quiet spotipy and install the redacting filter on every root handler (idempotent)."""
    _REDACTOR.add(secrets)
    logging.getLogger("spotipy").setLevel(logging.CRITICAL)
    # urllib3 logs URLs only, but its DEBUG lines are per request noise.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    # botocore logs every response body at DEBUG, the Secrets Manager read (the secret
    # string) included, before the redactor can know the values: INFO at the most.
    for name in ("botocore", "boto3", "s3transfer"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(_REDACTOR))
    return _REDACTOR


def log_to_stderr() -> None:
    """The command lines' logging: INFO and up to stderr as :class:`HumanFormatter` lines,
    through the redacting filter (:func:`protect_logs`)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(HumanFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    protect_logs()


def redact(text: str) -> str:
    """Redact a string (exception messages going into summaries) with the known secrets."""
    return _REDACTOR(text)
