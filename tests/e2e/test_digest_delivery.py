"""Scheduled digests reach each director exactly once per period, with a chart; nobody else gets
them. The directors' commands answer on demand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.rules.org import parse_org
from bot.usecases import org
from jobs.tick import run_steps
from tests.e2e.conftest import ADMIN_ID, Desk

TZ = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 11, 20, 10, 0)
    await org.import_org(desk.services.db, parse_org({
        "departments": ["区经济信息委", "区财政局", "区交通局"],
        "working_groups": [{"name": "产业发展工作专班", "lead": ["区经济信息委"], "members": ["区财政局"]}]}), now=clock())
    directors = [desk.chat(5100 + i, f"主任{i}") for i in range(2)]
    for d in directors:
        await d.send("/start")
        await desk.admin.send(f"/grant {d.id} director")
    liaison = desk.chat(5200, "联络员")
    await liaison.send(f"/start {await desk.invite('区财政局')}")
    return directors, liaison


async def test_each_director_gets_each_scheduled_digest_once(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    directors, liaison = office
    at = local(2026, 11, 30, 8, 0)
    while at < local(2026, 12, 2, 12, 0):  # through Monday 11-30 09:00 (weekly) and 12-01 09:00 (monthly)
        clock.current = at
        await run_steps(desk.services, at, datetime.now(UTC))
        await run_steps(desk.services, at, datetime.now(UTC))  # a second pass at the same moment adds nothing
        at += timedelta(minutes=30)
    await desk.delivered()
    for director in directors:
        sent = desk.api.sent_messages(director.id)
        # the first message of each (the details follow in messages titled （续）)
        weekly = [c for c in sent if "周调度" in (c.text or "") and "（续）" not in c.text and c.method == "sendMessage"]
        monthly = [c for c in sent if "月度分析" in (c.text or "") and "（续）" not in c.text and c.method == "sendMessage"]
        charts = [c for c in sent if c.method == "sendPhoto"]
        assert len(weekly) == 1 and "2026年第48周（11月23日—11月29日）" in weekly[0].text  # the week just ended
        assert len(monthly) == 1 and "2026年11月" in monthly[0].text
        assert len(charts) == 2 and all(c.files["photo"].data.startswith(PNG) for c in charts)
    for outsider in (liaison.id, ADMIN_ID):
        assert not any("周调度" in (c.text or "") or c.method == "sendPhoto" for c in desk.api.sent_messages(outsider))


async def test_directors_commands_on_demand(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    directors, liaison = office
    director = directors[0]
    await desk.admin.send("/assign 区交通局,区财政局 | 2026-11-25 | 路网数据")  # 区交通局 has no liaison
    clock.current = local(2026, 11, 30, 10, 0)
    mark = desk.api.mark()
    assert "周调度" in await director.send("/digest")
    await desk.api.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == director.id, after=mark)
    overdue = await director.send("/overdue")
    assert "#1 路网数据 — 区财政局（牵头）逾期 5 天" in overdue
    assert "未通知（无联络员）" in overdue and "区交通局" in overdue.split("未通知（无联络员）")[1]
    status = await director.send("/status 交通局")
    assert "区交通局" in status and "尚无联络员" in status
    mark = desk.api.mark()
    await director.send_raw("/export tasks")
    document = await desk.api.wait_for(lambda c: c.method == "sendDocument" and c.chat_id == director.id, after=mark)
    upload = next(iter(document.files.values()))
    assert upload.filename.endswith(".xlsx")
    import io

    book = load_workbook(io.BytesIO(upload.data))
    assert len(book.sheetnames) >= 4
    assert (await director.send("/digest decade")).startswith("用法：/digest")
    assert "仅限" in await liaison.send("/digest")
