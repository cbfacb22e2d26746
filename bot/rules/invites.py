"""Invite codes: generation, storage form and validity.

A code is shown once to the admin; only its SHA-256 digest is stored, so a copy of the database
does not yield usable codes. 128 random bits make guessing pointless.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

INVITE_TTL = timedelta(days=7)
CODE_BYTES = 16
# Deep-link payloads allow A-Z, a-z, 0-9, _ and -, up to 64 characters.
_CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def code_digest(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def looks_like_code(text: str) -> bool:
    return bool(_CODE_SHAPE.match(text.strip()))


def expires_at(created: datetime) -> datetime:
    return created + INVITE_TTL


class InviteState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class InviteFacts:
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


def invite_state(facts: InviteFacts | None, now: datetime) -> InviteState:
    if facts is None:
        return InviteState.UNKNOWN
    if facts.used_at is not None:
        return InviteState.USED
    if facts.revoked_at is not None:
        return InviteState.REVOKED
    if now >= facts.expires_at:
        return InviteState.EXPIRED
    return InviteState.VALID


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


# Wrong-code attempts: after this many inside the window, further attempts are refused outright.
MAX_FAILED_ATTEMPTS = 5
FAILED_ATTEMPT_WINDOW = timedelta(minutes=15)


def attempts_exhausted(failed_attempts_in_window: int) -> bool:
    return failed_attempts_in_window >= MAX_FAILED_ATTEMPTS
