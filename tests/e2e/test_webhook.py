"""Webhook mode end to end: updates POSTed with the secret header, /healthz, and the run command."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url
from telegram.error import BadRequest

from bot import runner
from bot.app import build_application
from bot.services import Services
from bot.webhook import SECRET_HEADER, start_webhook_server, webhook_path
from storage.db import Database
from tests.e2e.conftest import ADMIN_ID, TOKEN, make_settings
from tests.support.fake_bot_api import FakeBotAPI, private_message

ROOT = Path(__file__).parents[2]
SECRET = "hook_Secret-123"
HOOK_PATH = "/tg/hook"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def full_url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


class Hook:
    """The running bot in webhook mode, seen from Telegram's side."""

    def __init__(self, api: FakeBotAPI, client: httpx.AsyncClient, url: str, app: Any) -> None:
        self.api, self.client, self.url, self.app = api, client, url, app

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        return await self.client.post(HOOK_PATH, json=update, headers=headers)

    def message(self, user_id: int, text: str) -> dict[str, Any]:
        return private_message(self.api.next_update_id(), user_id, text, first_name=f"用户{user_id}")

    async def answered(self, user_id: int, text: str = "/start") -> str:
        """POST a fresh update from `user_id`; return the bot's reply."""
        mark = self.api.mark()
        assert (await self.post(self.message(user_id, text))).status_code == 200
        return (await self.api.wait_for_message(chat_id=user_id, after=mark)).text or ""


@pytest.fixture
async def hook(api: FakeBotAPI, db: Database, clock) -> AsyncIterator[Hook]:  # type: ignore[no-untyped-def]
    port = free_port()
    url = f"http://127.0.0.1:{port}{HOOK_PATH}"
    settings = make_settings(api, full_url(db), webhook_url=url, webhook_secret=SECRET,
                             webhook_listen="127.0.0.1", webhook_port=port)
    app = build_application(Services(settings=settings, db=db, clock=clock))
    stop = asyncio.Event()
    serving = asyncio.create_task(runner.serve(app, settings, stop=stop))
    try:
        await api.wait_for("setWebhook", timeout=10)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=5) as client:
            yield Hook(api, client, url, app)
    finally:
        stop.set()
        await asyncio.wait_for(serving, 15)


async def test_an_update_with_the_secret_is_answered_and_set_webhook_carries_secret_and_url(hook):
    assert "您好" in await hook.answered(7001)
    call = hook.api.calls_to("setWebhook")[0]
    assert call.raw["url"] == hook.url and call.raw["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "edited_message", "callback_query"]
    assert not hook.api.calls_to("getUpdates")  # no polling in webhook mode


@pytest.mark.parametrize("secret", ["wrong-secret", None, "", SECRET + "x"])
async def test_a_wrong_or_missing_secret_gets_403_and_nothing_is_processed(hook, secret):
    refused = await hook.post(hook.message(7101, "/start"), secret=secret)
    assert refused.status_code == 403 and len(refused.text) < 100
    await hook.answered(7102)  # a later good update is handled, so the refused one would have been too
    assert hook.api.sent_messages(7101) == []


async def test_a_redelivered_update_is_answered_once(hook):
    update = hook.message(7201, "/start")
    assert (await hook.post(update)).status_code == 200
    assert (await hook.post(update)).status_code == 200  # Telegram retrying the same update_id
    await hook.answered(7202)
    assert len(hook.api.sent_messages(7201)) == 1


async def test_malformed_bodies_get_400_and_other_paths_404(hook):
    bad_json = await hook.client.post(HOOK_PATH, content=b"{not json", headers={SECRET_HEADER: SECRET})
    not_an_update = await hook.client.post(HOOK_PATH, content=b"[1, 2]", headers={SECRET_HEADER: SECRET})
    elsewhere = await hook.client.post("/other", json={}, headers={SECRET_HEADER: SECRET})
    get_hook = await hook.client.get(HOOK_PATH)
    assert (bad_json.status_code, not_an_update.status_code) == (400, 400)
    assert elsewhere.status_code == 404 and get_hook.status_code == 405
    await hook.answered(7301)  # still serving


async def test_healthz_reports_the_database_and_the_outbox_backlog(hook):
    response = await hook.client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and isinstance(body["outbox_backlog"], int) and body["outbox_backlog"] >= 0


def dead_url(db: Database, tmp_path: Path) -> str:
    if db.is_sqlite:
        return f"sqlite+aiosqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}"
    return make_url(full_url(db)).set(port=free_port(), password="pw-Do-Not-Show").render_as_string(hide_password=False)


async def test_healthz_is_503_with_a_one_line_detail_when_the_database_is_unreachable(api, db, tmp_path):
    dead = Database(dead_url(db, tmp_path))
    settings = make_settings(api, dead_url(db, tmp_path), webhook_url="https://bot.example.org/", webhook_secret=SECRET,
                             webhook_listen="127.0.0.1", webhook_port=0)
    app = build_application(Services(settings=settings, db=dead))
    server = await start_webhook_server(app, settings)
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
            response = await client.get(f"http://127.0.0.1:{server.port}/healthz")
    finally:
        await server.stop()
        await dead.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "unreachable" and body["detail"]
    assert "\n" not in body["detail"] and "pw-Do-Not-Show" not in body["detail"] and "Traceback" not in body["detail"]


async def test_a_failure_while_starting_stops_what_had_started(api, db, clock):
    port = free_port()
    settings = make_settings(api, full_url(db), webhook_url=f"http://127.0.0.1:{port}/", webhook_secret=SECRET,
                             webhook_listen="127.0.0.1", webhook_port=port)
    app = build_application(Services(settings=settings, db=db, clock=clock))
    api.fail_next("setWebhook", status=400, description="Bad Request: bad webhook: HTTPS url must be provided")
    with pytest.raises(BadRequest):
        await asyncio.wait_for(runner.serve(app, settings, stop=asyncio.Event()), 15)
    assert not app.running and app.bot_data.delivery.task.done()
    with pytest.raises(OSError):  # the webhook server is closed again
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


async def test_without_webhook_url_serve_polls(api, db, clock):
    settings = make_settings(api, full_url(db))
    app = build_application(Services(settings=settings, db=db, clock=clock))
    stop = asyncio.Event()
    serving = asyncio.create_task(runner.serve(app, settings, stop=stop))
    try:
        mark = api.mark()
        api.push_update(private_message(None, 7401, "/start", first_name="轮询"))
        await api.wait_for_message(chat_id=7401, after=mark, timeout=10)
        assert api.calls_to("deleteWebhook") and not api.calls_to("setWebhook")
    finally:
        stop.set()
        await asyncio.wait_for(serving, 15)


def test_the_webhook_path_defaults_to_root():
    assert webhook_path("https://bot.example.org") == "/" and webhook_path("https://h/a/b") == "/a/b"


def run_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "TELEGRAM_", "DATABASE_URL"))}
    return {**env, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN, **extra}


@pytest.mark.parametrize("extra, message", [
    ({"WEBHOOK_URL": "https://bot.example.org/hook"}, "WEBHOOK_SECRET is required when WEBHOOK_URL is set"),
    ({"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": "has spaces!"}, "WEBHOOK_SECRET must be"),
    ({"WEBHOOK_URL": "ftp://bot.example.org/hook", "WEBHOOK_SECRET": SECRET}, "WEBHOOK_URL must be"),
])
def test_run_refuses_a_bad_webhook_configuration_in_one_line(tmp_path, extra, message):
    env = run_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", **extra)
    done = subprocess.run([sys.executable, "-m", "bot"], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert not (tmp_path / "x.db").exists()  # refused before touching the database


async def test_python_m_bot_serves_the_webhook_and_stops_cleanly_on_sigterm(api, db, db_url, tmp_path):
    """`db` empties the (shared) PostgreSQL database, so update ids from earlier tests are not "seen"."""
    port = free_port()
    env = run_env(
        DATABASE_URL=db_url, TELEGRAM_API_BASE_URL=api.base_url, TELEGRAM_API_FILE_URL=api.base_file_url,
        BOT_ADMIN_IDS=str(ADMIN_ID), WEBHOOK_URL=f"http://127.0.0.1:{port}{HOOK_PATH}", WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port),
    )
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", env=env, cwd=tmp_path,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await api.wait_for("setWebhook", timeout=60)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=10) as client:
            assert (await client.get("/healthz")).json()["database"] == "ok"
            mark = api.mark()
            update = private_message(api.next_update_id(), 7501, "/start", first_name="进程")
            response = await client.post(HOOK_PATH, content=json.dumps(update), headers={SECRET_HEADER: SECRET})
            assert response.status_code == 200
            await api.wait_for_message(chat_id=7501, after=mark, timeout=10)
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr and SECRET.encode() not in stderr and TOKEN.encode() not in stderr
