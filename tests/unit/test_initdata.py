"""The Mini App sign-in check (bot/rules/initdata.py) against Telegram's documented algorithm."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.initdata import MAX_AGE, BadInitData, sign, verify

TOKEN = "123456:ABC-secret"
NOW = 1_795_000_000


def telegram_signed(fields: dict[str, str], token: str = TOKEN) -> str:
    """initData signed by hand, step by step as core.telegram.org/bots/webapps describes it."""
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(key=b"WebAppData", msg=token.encode(), digestmod=hashlib.sha256).digest()
    return urlencode({**fields, "hash": hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()})


def fields(user_id: int = 42, auth_date: int = NOW, **extra: str) -> dict[str, str]:
    user = json.dumps({"id": user_id, "first_name": "王芳", "language_code": "zh-hans"}, ensure_ascii=False)
    return {"query_id": "AAHdF6IQAAAAAN0XohDhrOrc", "user": user, "auth_date": str(auth_date), **extra}


def test_data_signed_as_telegram_documents_is_accepted() -> None:
    who = verify(TOKEN, telegram_signed(fields(signature="abc")), now=NOW + 60)
    assert (who.user_id, who.first_name, who.language_code, who.auth_date) == (42, "王芳", "zh-hans", NOW)


def test_a_day_old_is_the_limit() -> None:
    data = telegram_signed(fields())
    assert verify(TOKEN, data, now=NOW + MAX_AGE).user_id == 42
    with pytest.raises(BadInitData, match="too old"):
        verify(TOKEN, data, now=NOW + MAX_AGE + 1)


@pytest.mark.parametrize("data, reason", [
    ("", "no initData"),
    (telegram_signed(fields(), token="654321:other-bot"), "hash does not match"),
    (urlencode(fields()), "hash does not match"),  # no hash at all
    (telegram_signed(fields(auth_date=NOW + 3600)), "in the future"),
    (telegram_signed({k: v for k, v in fields().items() if k != "user"}), "no user"),
    (telegram_signed(fields(auth_date="yesterday")), "auth_date is not a number"),  # type: ignore[arg-type]
    (telegram_signed(fields()) + "&auth_date=1", "repeated"),
    ("%%%&&==", "not a query string"),
])
def test_refusals_name_their_reason(data: str, reason: str) -> None:
    with pytest.raises(BadInitData, match=reason):
        verify(TOKEN, data, now=NOW)


def test_a_link_made_by_the_bot_passes_the_same_check_and_ends_when_it_says() -> None:
    data = sign(TOKEN, user_id=7, first_name="李主任", now=NOW, expires=NOW + 600)
    assert verify(TOKEN, data, now=NOW + 599).user_id == 7
    with pytest.raises(BadInitData, match="expired"):
        verify(TOKEN, data, now=NOW + 600)
    stretched = urlencode({**dict(parse_qsl(data)), "expires": str(NOW + 10**6)})
    with pytest.raises(BadInitData, match="hash does not match"):
        verify(TOKEN, stretched, now=NOW + 700)


@given(st.integers(min_value=1, max_value=2**52), st.text(max_size=30), st.integers(min_value=0, max_value=10**4))
def test_any_changed_field_breaks_the_signature(user_id: int, name: str, shift: int) -> None:
    data = dict(parse_qsl(sign(TOKEN, user_id=user_id, first_name=name, now=NOW)))
    assert verify(TOKEN, urlencode(data), now=NOW).user_id == user_id
    for key in ("user", "auth_date"):
        changed = {**data, key: data[key] + " " if key == "user" else str(NOW - 1 - shift)}
        with pytest.raises(BadInitData):
            verify(TOKEN, urlencode(changed), now=NOW)
