"""Telegram Mini App sign-in: checking (and, for `dashboard-link`, making) `initData`.

Exactly as Telegram documents "Validating data received via the Mini App": the data-check-string
is every field but `hash`, as `key=value`, sorted by key, joined by newlines; the secret key is
HMAC-SHA256 of the bot token keyed with the constant "WebAppData"; `hash` is the hex HMAC-SHA256 of
the data-check-string under that key. `auth_date` (Unix seconds) must be at most `max_age` old.

A link signed by `python -m bot dashboard-link --minutes N` carries one more signed field,
`expires` (Unix seconds): the same check, and refused after that moment too."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

MAX_AGE = 24 * 3600  # seconds: Telegram's initData is accepted for a day
CLOCK_SKEW = 300  # seconds an auth_date may lie in the future (another machine's clock)


class BadInitData(Exception):
    """The sign-in data is missing, malformed, forged or too old; `reason` says which (in English,
    for the log and the 401's detail; the page shows its own text)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    first_name: str
    language_code: str | None
    auth_date: int


def _secret(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def signature(token: str, fields: dict[str, str]) -> str:
    """The `hash` Telegram would put on these fields."""
    return hmac.new(_secret(token), _check_string(fields).encode(), hashlib.sha256).hexdigest()


def sign(token: str, *, user_id: int, first_name: str, now: int, expires: int | None = None,
         language_code: str | None = None) -> str:
    """initData for `user_id` signed with the bot token, as a query string (for `dashboard-link`)."""
    user: dict[str, object] = {"id": user_id, "first_name": first_name}
    if language_code:
        user["language_code"] = language_code
    fields = {"auth_date": str(now), "user": json.dumps(user, ensure_ascii=False, separators=(",", ":"))}
    if expires is not None:
        fields["expires"] = str(expires)
    fields["hash"] = signature(token, fields)
    return urlencode(fields)


def verify(token: str, init_data: str, *, now: int, max_age: int = MAX_AGE) -> SignedIn:
    """The signed-in user, or BadInitData. Compares the hash in constant time."""
    if not init_data:
        raise BadInitData("no initData")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise BadInitData("initData is not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise BadInitData("a field is repeated")
    given = fields.get("hash", "")
    if not given or not hmac.compare_digest(given.encode(), signature(token, fields).encode()):
        raise BadInitData("hash does not match")
    auth_date = _int(fields.get("auth_date"), "auth_date")
    if now - auth_date > max_age:
        raise BadInitData("auth_date is too old")
    if auth_date - now > CLOCK_SKEW:
        raise BadInitData("auth_date is in the future")
    if "expires" in fields and now >= _int(fields["expires"], "expires"):
        raise BadInitData("the link has expired")
    try:
        user = json.loads(fields.get("user", ""))
        user_id = int(user["id"])
    except (ValueError, KeyError, TypeError):
        raise BadInitData("no user in initData") from None
    language = user.get("language_code")
    return SignedIn(user_id, str(user.get("first_name") or ""), language if isinstance(language, str) else None,
                    auth_date)


def _int(value: str | None, name: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise BadInitData(f"{name} is not a number") from None
