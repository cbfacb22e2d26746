"""Logging set-up: plain lines on stderr, and secrets (the bot token) never written out.

Secrets are removed when a log record is created (a record factory), so no handler — ours, a
test's, or one a library adds — ever sees them."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from typing import Any

REDACTED = "[REDACTED]"
_ORIGINAL_FACTORY = logging.getLogRecordFactory()
_secrets: set[str] = set()


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return text


def _factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _ORIGINAL_FACTORY(*args, **kwargs)
    if not _secrets:
        return record
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is logging's business, not ours
        return record
    record.msg, record.args = redact(message), ()
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def protect(secrets: Iterable[str | None]) -> None:
    """From now on, every log record has these strings replaced by [REDACTED]."""
    _secrets.update(s for s in secrets if s and len(s) >= 6)
    logging.setLogRecordFactory(_factory)


def configure(level: int = logging.INFO) -> None:
    """Log to stderr; keep the chatty libraries (whose lines carry URLs) at warnings."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
