"""Monthly figures (月报) through the fake Bot API: with `monthly:` in the org file the cycle of the
month just ended opens on the 1st, every liaison is asked for the month's indicators, those who
have not answered are reminded, the directors hear once who is missing, `/cycle` shows it beside
the quarter's, and a `/report` while both are open goes where the liaison meant."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.rules.org import parse_org
from bot.usecases import org
from storage.models import InboundMessage, Report, ReportIndicator, ReportingCycle
from tests.e2e.conftest import Chat, Desk
from tests.support.fake_bot_api import Call, private_message
from tests.e2e.story import press, tick

TZ = ZoneInfo("Asia/Shanghai")
ORG = {"departments": ["区科技局", "区商务委", "区统计局"],
       "monthly": {"day": 5, "indicators": ["产值 亿元", "引进项目 个"]}}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def answer(desk: Desk, chat: Chat, to: Call, text: str) -> Call:
    """`chat` replies to the bot's message `to`; the bot's first answer."""
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, chat.id, text, first_name=chat.first_name, reply_to=to.result))
    return await desk.api.wait_for_message(chat_id=chat.id, after=mark)


def monthly_texts(desk: Desk, chat: Chat) -> list[Call]:
    return [c for c in desk.api.sent_messages(chat.id) if "2026年11月" in (c.text or "")]


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 11, 20, 10, 0)
    await org.import_org(desk.services.db, parse_org(ORG), now=clock())
    a, b = desk.chat(4201, "科技局联络员"), desk.chat(4202, "商务委联络员")
    await a.send(f"/start {await desk.invite('区科技局')}")
    await b.send(f"/start {await desk.invite('区商务委')}")
    director = desk.chat(4900, "李主任")
    await director.send("/start")
    await desk.admin.send("/grant 4900 director")
    return a, b, director


async def labels(desk: Desk) -> list[str]:
    async with desk.services.db.session() as s:
        return sorted(await s.exec(select(ReportingCycle.label)))


async def test_a_month_of_ticks_opens_once_asks_reminds_non_submitters_and_escalates_once(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    a, b, director = office
    day = local(2026, 11, 21, 10, 0)
    while day <= local(2026, 12, 1, 10, 0):
        await tick(desk, clock, day)
        day += timedelta(days=1)
    await desk.delivered()
    # October's figures were due 11-05, before the org file asked for any: no cycle for them
    assert await labels(desk) == ["2026-11", "2026-Q4"]
    request = monthly_texts(desk, a)
    assert len(request) == 1
    # 12-05 is a Saturday: due Friday 12-04 at the quarter's 18:00
    assert "产值（亿元）、引进项目（个）" in request[0].text and "2026-12-04 18:00" in request[0].text  # type: ignore[operator]

    clock.current = local(2026, 12, 2, 10, 0)
    preview = await answer(desk, a, request[0], "/report 产值：12.5亿元\n引进项目：3个")
    assert "2026年11月报送（待确认，第 1 版）" in (preview.text or "")
    assert "已提交2026年11月报送（第 1 版" in await press(desk, a, preview, "确认提交")

    status = await desk.admin.send("/cycle")
    quarter, month = status.split("\n\n")[:2]
    assert "2026年第四季度报送" in quarter and "0/3" in quarter
    assert "2026年11月报送" in month and "2026-12-04 18:00" in month and "1/3" in month
    assert "未报送：区商务委、区统计局" in month and "产值：12.5亿元" in month

    day = local(2026, 12, 2, 10, 0)
    while day <= local(2026, 12, 31, 10, 0):
        await tick(desk, clock, day)
        day += timedelta(days=1)
    await desk.delivered()
    assert await labels(desk) == ["2026-11", "2026-Q4"]
    reminders = [c.text or "" for c in monthly_texts(desk, b) if (c.text or "").startswith("⏰")]
    # asked on Tuesday 12-01 (the 3-days reminder's day: the request stands for it), then
    # 1 day before (Thursday 12-03) and on the day (Friday 12-04); 7 days before is before it opened
    assert len(reminders) == 2 and "还有 1 天" in reminders[0] and "今天" in reminders[1]
    assert len(monthly_texts(desk, b)) == 3
    assert not [c for c in monthly_texts(desk, a) if (c.text or "").startswith("⏰")]  # it reported
    escalations = [c.text or "" for c in desk.api.sent_messages(director.id)
                   if (c.text or "").startswith("🚨") and "2026年11月" in (c.text or "")]
    assert len(escalations) == 1
    assert "1/3" in escalations[0] and "区商务委、区统计局" in escalations[0]
    quarterly = [c.text or "" for c in desk.api.sent_messages(director.id)
                 if (c.text or "").startswith("🚨") and "第四季度" in (c.text or "")]
    assert len(quarterly) == 1 and "0/3" in quarterly[0]  # the quarter's went its own way


async def test_with_a_quarter_and_a_month_open_report_goes_where_the_liaison_meant(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    a, b, _ = office
    # in November no month is open (October's was due before the org file asked): refused in one line
    assert "当前没有开放的月报" in await b.send("/report 月报 产值：1亿元")
    assert "2026年第四季度报送（待确认" in (await b.send_raw("/report 产值：1亿元")).text  # type: ignore[operator]
    await tick(desk, clock, local(2026, 12, 1, 10, 0))
    await desk.delivered()
    clock.current = local(2026, 12, 2, 10, 0)
    preview = await b.send_raw("/report 月报 产值：2亿元")
    assert "2026年11月报送（待确认" in (preview.text or "")
    assert "已提交2026年11月报送" in await press(desk, b, preview, "确认提交")
    preview = await b.send_raw("/report 季报 产值：30亿元\n本季度完成招商大会")
    assert "2026年第四季度报送（待确认" in (preview.text or "")
    assert "产值：2亿元" not in (preview.text or "")  # the month's figures stay in the month
    assert "已提交2026年第四季度报送" in await press(desk, b, preview, "确认提交")
    async with desk.services.db.session() as s:
        rows = sorted(await s.exec(select(ReportingCycle.label, ReportIndicator.value)
                                   .join(Report, Report.cycle_id == ReportingCycle.id)
                                   .join(ReportIndicator, ReportIndicator.report_id == Report.id)))
    assert rows == [("2026-11", "20000"), ("2026-Q4", "300000")]  # 万元
    status = await desk.admin.send("/cycle")
    assert "1/3" in status.split("\n\n")[0] and "1/3" in status.split("\n\n")[1]


async def test_an_undecided_report_asks_with_one_button_per_open_cycle(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    a, _, _ = office
    await tick(desk, clock, local(2026, 12, 1, 10, 0))
    await desk.delivered()
    clock.current = local(2026, 12, 2, 10, 0)
    question = await a.send_raw("/report 产值：7亿元")
    assert "2个报送正在进行" in (question.text or "")
    buttons = [b["text"] for row in question.reply_markup["inline_keyboard"] for b in row]
    assert buttons == ["2026年第四季度报送", "2026年11月报送"]
    preview = await press(desk, a, question, "2026年11月报送")
    assert "2026年11月报送（待确认" in preview and "产值：7亿元" in preview
    # the draft under way decides the next ones without asking
    preview_call = await a.send_raw("/report 引进项目：4个")
    assert "2026年11月报送（待确认" in (preview_call.text or "") and "引进项目：4个" in (preview_call.text or "")


async def test_a_plain_reply_to_the_request_is_the_monthly_report(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    a, _, _ = office
    await tick(desk, clock, local(2026, 12, 1, 10, 0))
    await desk.delivered()
    request = monthly_texts(desk, a)[0]
    clock.current = local(2026, 12, 2, 10, 0)
    preview = await answer(desk, a, request, "产值：12.5亿元\n引进项目：3个")
    assert "2026年11月报送（待确认" in (preview.text or "") and "引进项目：3个" in (preview.text or "")
    assert "已提交2026年11月报送" in await press(desk, a, preview, "确认提交")


async def test_a_reply_to_a_closed_months_request_is_kept_not_lost(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    """November's request answered in January, when November's cycle has closed: the message is
    kept in the office's inbox like any message the bot cannot attach, and the liaison is told so."""
    a, _, _ = office
    await tick(desk, clock, local(2026, 12, 1, 10, 0))
    await desk.delivered()
    request = [c for c in monthly_texts(desk, a) if "请报送" in (c.text or "")][0]
    await tick(desk, clock, local(2027, 1, 4, 10, 0))  # December's cycle opens: November's is closed
    await desk.delivered()
    told = await answer(desk, a, request, "产值：12.5亿元（补报）")
    assert "没有开放的月报" not in (told.text or "")
    async with desk.services.db.session() as s:
        kept = (await s.exec(select(InboundMessage).where(InboundMessage.text == "产值：12.5亿元（补报）"))).all()
    assert len(kept) == 1
    async with desk.services.db.session() as s:
        cycles = {c.id: c.label for c in (await s.exec(select(ReportingCycle))).all()}
        reports = [cycles[r.cycle_id] for r in (await s.exec(select(Report))).all()]
    assert "2026-11" not in reports  # not filed as November's report either
