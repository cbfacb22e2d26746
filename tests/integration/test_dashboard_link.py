"""`python -m bot dashboard-link USER_ID [--minutes N]` as an operator runs it: a dashboard address
for a director or admin whose fragment carries initData signed as Telegram signs it; anyone else,
or a bad argument, is one line on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from bot.rules.initdata import BadInitData, verify

ROOT = Path(__file__).parents[2]
TOKEN = "123456:TEST-token-link"
ADMIN = 4242


def link(db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN,
                   "BOT_ADMIN_IDS": str(ADMIN), "BOT_TIMEZONE": "Asia/Shanghai", **env}
    if "DASHBOARD_URL" not in env:
        environment.pop("DASHBOARD_URL", None)
    return subprocess.run([sys.executable, "-m", "bot", "dashboard-link", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("minutes", [None, "5"])
async def test_the_link_signs_in_for_its_minutes_only(db_url: str, minutes: str | None) -> None:
    done = link(db_url, str(ADMIN), *(["--minutes", minutes] if minutes else []),
                DASHBOARD_URL="https://desk.example.gov.cn/dashboard")
    assert done.returncode == 0, done.stderr
    address = done.stdout.strip()
    parts = urlsplit(address)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "desk.example.gov.cn", "/dashboard")
    assert parts.fragment.startswith("tgWebAppData=") and "valid until" in done.stderr
    init_data = unquote(parts.fragment.removeprefix("tgWebAppData="))
    now = int(time.time())
    assert verify(TOKEN, init_data, now=now).user_id == ADMIN
    lasts = 60 * int(minutes or 60)  # an hour unless asked otherwise
    with pytest.raises(BadInitData, match="expired"):
        verify(TOKEN, init_data, now=now + lasts + 5)
    with pytest.raises(BadInitData, match="hash does not match"):
        verify("123456:another-bot", init_data, now=now)


async def test_without_a_dashboard_url_the_link_is_the_bots_own_address(db_url: str) -> None:
    done = link(db_url, str(ADMIN), WEB_LISTEN="0.0.0.0", WEB_PORT="8099")
    assert done.returncode == 0 and done.stdout.startswith("http://127.0.0.1:8099/dashboard#tgWebAppData=")


@pytest.mark.parametrize("args, said", [
    (["5"], "user 5 is not a director or admin"),
    ([str(ADMIN), "--minutes", "2000"], "--minutes must be between 1 and 1440"),
])
async def test_who_may_not_sign_in_gets_one_line(db_url: str, args: list[str], said: str) -> None:
    done = link(db_url, *args)
    assert done.returncode == 2 and done.stdout == ""
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


async def test_a_bad_dashboard_url_is_a_configuration_error(db_url: str) -> None:
    done = link(db_url, str(ADMIN), DASHBOARD_URL="http://desk.example.gov.cn/dashboard")
    assert done.returncode == 2 and "invalid configuration DASHBOARD_URL" in done.stderr and "https" in done.stderr
