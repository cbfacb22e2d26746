"""Logging set-up: plain lines on stderr, with secrets (the bot token) never written out."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable

REDACTED = "[REDACTED]"


class RedactSecrets(logging.Filter):
    """Replaces every secret in a record's message and traceback before any handler sees it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg, record.args = self._clean(record.getMessage()), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self._clean("".join(traceback.format_exception(*record.exc_info)).rstrip())
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


def configure(secrets: Iterable[str], level: int = logging.INFO) -> RedactSecrets:
    """Log to stderr with the secrets removed; quiet the HTTP client, whose lines carry URLs."""
    redact = RedactSecrets(secrets)
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    for handler in root.handlers:
        handler.addFilter(redact)
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return redact
