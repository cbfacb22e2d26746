"""Names and argument words as office staff type them, end to end: a mistyped department gets a
"did you mean", an alias from the org file works wherever a department name does, and every
argument word has its Chinese form."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text as sql

from bot.rules.org import parse_org
from bot.usecases import org
from jobs.tick import run_steps
from tests.e2e.conftest import Desk

TZ = ZoneInfo("Asia/Shanghai")
ORG = {
    "departments": [{"name": "区经济信息委", "aliases": ["经信委", "区经信委"]},
                    {"name": "区发展改革委", "aliases": ["发改委"]}, "区财政局", "区水利局"],
    "working_groups": [{"name": "要素保障工作专班", "lead": ["区经济信息委"], "members": ["区发展改革委", "区水利局"]}],
}


async def count(desk: Desk, table: str) -> int:
    async with desk.services.db.engine.connect() as conn:
        return (await conn.execute(sql(f"SELECT count(*) FROM {table}"))).scalar_one()


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
    await org.import_org(desk.services.db, parse_org(ORG), now=clock())
    liaison = desk.chat(4100, "经信委联络员")
    assert "登记成功" in await liaison.send(f"/start {await desk.invite('经信委')}")  # the invite by alias
    director = desk.chat(4900, "李主任")
    await director.send("/start")
    assert "已授予" in await desk.admin.send("/grant 4900 主任")
    return liaison, director


async def test_a_typo_is_answered_with_a_suggestion_and_an_alias_works_in_assign(desk: Desk, office):  # type: ignore[no-untyped-def]
    liaison, _ = office
    queued = await count(desk, "outbox")  # the admins' note of the registration
    reply = await desk.admin.send("/assign 区财正局 | 2026-12-31 | 报送资金保障情况")
    assert "未找到“区财正局”。您是不是要找：区财政局？" in reply and "未创建任务" in reply
    assert await count(desk, "tasks") == 0 and await count(desk, "outbox") == queued

    reply = await desk.admin.send("/assign 经信委 | 2026-12-31 | 报送产业链招商进展")
    assert "#1" in reply and "已通知 1/1" in reply
    notice = await desk.api.wait_for_message(chat_id=liaison.id, contains="交办单 #1")
    assert "报送产业链招商进展" in notice.text and "牵头" in notice.text

    # the other places a department is typed: /liaisons, /invite
    assert "未找到“区水务局”。您是不是要找：区水利局？" in await desk.admin.send("/liaisons 区水务局")
    assert "区经济信息委" in await desk.admin.send("/liaisons 区经信委")
    assert "可能指" in await desk.admin.send("/invite 委")  # an ambiguous fragment still lists candidates

    # in English too
    assert "Language set to English" in await desk.admin.send("/lang 英文")
    reply = await desk.admin.send("/assign 区财正局,经信委 | 2026-12-31 | x")
    assert "Did you mean: 区财政局?" in reply and "Nothing was created" in reply
    assert "已切换为中文" in await desk.admin.send("/lang 中文")
    assert await count(desk, "tasks") == 1


async def test_a_deputy_invite_in_chinese(desk: Desk, office):  # type: ignore[no-untyped-def]
    reply = await desk.admin.send("/invite 区财政局 副联络员")
    assert "副联络员邀请码" in reply and "区财政局" in reply
    code = re.search(r"\?start=([A-Za-z0-9_-]+)", reply)
    assert code
    deputy = desk.chat(4200, "财政局副联络员")
    assert "您现在是<b>区财政局</b>的副联络员" in (await deputy.send_raw(f"/start {code.group(1)}")).raw["text"]


async def test_chinese_argument_words_for_tasks_digest_export_and_cycle(desk: Desk, office, clock):  # type: ignore[no-untyped-def]
    _, director = office
    assert "#1" in await desk.admin.send("/assign 要素保障工作专班 | 2026-12-04 | 报送道路管网建设进展")
    assert "#2" in await desk.admin.send("/assign 发改委 | 2026-12-31 | 报送项目储备")
    clock.current = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)  # #1 is overdue, #2 is not

    overdue = await desk.admin.send("/tasks 逾期")
    assert "交办单（有逾期）" in overdue and "#1" in overdue and "#2" not in overdue
    everything = await desk.admin.send("/tasks 全部")
    assert "#1" in everything and "#2" in everything
    assert "没有符合条件的交办单" in await desk.admin.send("/tasks 已办结")
    assert (await desk.admin.send("/tasks 十年")).startswith("用法：/tasks [进行中|逾期|已办结|全部]")

    async def digest(words: str) -> str:
        """The digest's first message; waits for its chart, the last thing the command sends."""
        mark = desk.api.mark()
        first = await director.send(f"/digest {words}")
        chart = await desk.api.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == director.id, after=mark)
        return first + "\n" + (chart.raw.get("caption") or "")

    quarter = await digest("季度")
    assert "季度通报</b> 2026年第四季度" in quarter and "截至 2026-12-07 10:00" in quarter  # the quarter so far
    year = await digest("年")
    assert "年度综述</b> 2026年" in year and "截至 2026-12-07 10:00" in year  # the year so far
    assert "区经济信息委" in await director.send("/status 经信委")
    assert "您是不是要找：区发展改革委？" in await director.send("/status 区发展该革委")

    mark = desk.api.mark()
    await director.send_raw("/export 任务")
    document = await desk.api.wait_for(lambda c: c.method == "sendDocument" and c.chat_id == director.id, after=mark)
    assert next(iter(document.files.values())).filename.startswith("liaison-desk-tasks-")

    await run_steps(desk.services, clock(), datetime.now(UTC))  # the quarter's cycle is open
    reply = await desk.admin.send("/cycle 指标 产值 亿元, 引进项目 个")
    assert "已设置" in reply and "产值" in reply
