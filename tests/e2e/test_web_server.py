"""Where the dashboard is served: by the webhook's server in webhook mode, by the bot's own small
server on WEB_LISTEN:WEB_PORT when polling; a taken port stops the bot only when DASHBOARD_URL says
the dashboard is wanted."""

from __future__ import annotations

import asyncio
import logging
import socket

import httpx
import pytest

from bot import runner
from bot.app import build_application
from bot.services import Services
from bot.webhook import ListenError
from tests.e2e.conftest import make_settings
from tests.e2e.test_webhook import SECRET, free_port, full_url
from tests.support.fake_bot_api import private_message


async def served(port: int, path: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=5) as client:
        return await client.get(path)


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_the_dashboard_and_health_are_served_in_either_mode(api, db, clock, mode) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    extra = (dict(web_port=port) if mode == "polling" else
             dict(webhook_url=f"http://127.0.0.1:{port}/hook", webhook_secret=SECRET, webhook_listen="127.0.0.1",
                  webhook_port=port))
    settings = make_settings(api, full_url(db), **extra)
    app = build_application(Services(settings=settings, db=db, clock=clock))
    stop = asyncio.Event()
    serving = asyncio.create_task(runner.serve(app, settings, stop=stop))
    try:
        await api.wait_for("getUpdates" if mode == "polling" else "setWebhook", timeout=10)
        assert (await served(port, "/healthz")).json()["database"] == "ok"
        page = await served(port, "/dashboard")
        assert page.status_code == 200 and "Content-Security-Policy" in page.headers
        assert (await served(port, "/api/summary")).status_code == 401
    finally:
        stop.set()
        await asyncio.wait_for(serving, 15)


async def test_a_taken_port_is_only_fatal_when_the_dashboard_is_wanted(api, db, clock, caplog) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        wanted = make_settings(api, full_url(db), web_port=port, dashboard_url="https://desk.example.gov.cn/dashboard")
        app = build_application(Services(settings=wanted, db=db, clock=clock))
        with pytest.raises(ListenError, match=f"cannot listen on 127.0.0.1:{port}"):
            await asyncio.wait_for(runner.serve(app, wanted, stop=asyncio.Event()), 15)

        plain = make_settings(api, full_url(db), web_port=port)
        app = build_application(Services(settings=plain, db=db, clock=clock))
        stop = asyncio.Event()
        with caplog.at_level(logging.WARNING, logger="liaison-desk"):
            serving = asyncio.create_task(runner.serve(app, plain, stop=stop))
            try:
                mark = api.mark()
                api.push_update(private_message(None, 7402, "/start", first_name="轮询"))
                await api.wait_for_message(chat_id=7402, after=mark, timeout=10)
            finally:
                stop.set()
                await asyncio.wait_for(serving, 15)
        assert any("the dashboard and /healthz are off" in r.getMessage() for r in caplog.records)
