"""Issue 16, acceptance 1: `/dashboard` answers with a Web App button to DASHBOARD_URL, and the
chat's menu button opens the dashboard for directors and admins only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import build_application
from storage.db import Database
from tests.e2e.conftest import ADMIN_ID, Desk, FakeBotAPI, desk_services, pause_minute_job, running, start, stop

URL = "https://desk.example.gov.cn/dashboard"


@pytest.fixture
async def desk_with_dashboard(api: FakeBotAPI, db: Database, clock) -> AsyncIterator[Desk]:  # type: ignore[no-untyped-def]
    async with running(api, desk_services(api, db, clock, dashboard_url=URL)) as opened:
        yield opened


def web_app_buttons(call) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    rows = (call.reply_markup or {}).get("inline_keyboard", [])
    return [(b["text"], b["web_app"]["url"]) for row in rows for b in row if "web_app" in b]


async def test_a_director_gets_the_web_app_button_and_menu_a_liaison_does_not(desk_with_dashboard: Desk) -> None:
    desk = desk_with_dashboard
    liaison = (await desk.set_up({"departments": ["区财政局"]}, ["区财政局"], 8101))["区财政局"]
    director = desk.chat(8201, "李主任")
    await director.send("/start")
    assert desk.api.menu_button(director.id) == {"type": "default"}
    assert "已授予" in await desk.admin.send("/grant 8201 主任")

    opened = await director.send_raw("/dashboard")
    assert "工作看板" in (opened.text or "") and web_app_buttons(opened) == [("打开看板", URL)]
    assert desk.api.menu_button(director.id) == {"type": "web_app", "text": "看板", "web_app": {"url": URL}}
    assert desk.api.menu_button(ADMIN_ID)["web_app"] == {"url": URL}
    assert desk.api.menu_button(liaison.id) == {"type": "default"}
    assert "仅限" in await liaison.send("/dashboard")

    mark = desk.api.mark()
    assert "已撤销" in await desk.admin.send("/revoke 8201 主任")
    await desk.api.wait_for(lambda c: c.method == "setChatMenuButton" and c.chat_id == director.id, after=mark)
    assert desk.api.menu_button(director.id) == {"type": "default"}


async def test_without_a_dashboard_url_the_command_says_how_to_set_it_up(desk: Desk) -> None:
    answer = await desk.admin.send_raw("/dashboard")
    assert "看板尚未开通" in (answer.text or "") and web_app_buttons(answer) == []
    assert desk.api.menu_button(ADMIN_ID) == {"type": "default"}


async def test_a_menu_telegram_refuses_at_start_does_not_keep_the_bot_from_starting(
        desk_with_dashboard: Desk) -> None:
    desk = desk_with_dashboard
    director = desk.chat(8202, "王主任")
    await director.send("/start")
    assert "已授予" in await desk.admin.send("/grant 8202 主任")
    await stop(desk.app)
    desk.api.fail_next("setChatMenuButton", times=5, status=400, description="Bad Request: chat not found")
    desk.app = build_application(desk.services)
    await start(desk.app)  # post_init sets every role holder's menus: the refusals are logged, not raised
    pause_minute_job(desk.app)
    assert "工作看板" in await director.send("/dashboard")
