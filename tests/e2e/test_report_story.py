"""Quarterly reporting through the fake Bot API: the cycle opens, liaisons report (with a
confirmation step, attachments and versions), reminders go to those who have not, and the
directors hear once about who is missing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from bot.rules.org import parse_org
from bot.usecases import org
from storage.models import Report, ReportFile, ReportIndicator, ReportingCycle
from tests.e2e.conftest import Desk
from tests.support.fake_bot_api import private_message
from tests.e2e.story import press, tick

TZ = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def count(desk: Desk, model) -> int:  # type: ignore[no-untyped-def]
    async with desk.services.db.session() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


@pytest.fixture
async def quarter(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 9, 20, 10, 0)
    await org.import_org(desk.services.db, parse_org({"departments": ["区科技局", "区商务委", "区统计局"]}), now=clock())
    a, b = desk.chat(4101, "科技局联络员"), desk.chat(4102, "商务委联络员")
    await a.send(f"/start {await desk.invite('区科技局')}")
    await b.send(f"/start {await desk.invite('区商务委')}")
    director = desk.chat(4900, "李主任")
    await director.send("/start")
    await desk.admin.send("/grant 4900 director")
    await tick(desk, clock, local(2026, 10, 1, 0, 5))
    return a, b, director


async def test_report_with_indicators_attachment_and_a_second_version(desk: Desk, clock, quarter):  # type: ignore[no-untyped-def]
    a, b, _ = quarter
    status = await desk.admin.send("/cycle")
    assert "2026年第四季度报送" in status and "2026-12-25 18:00" in status and "0/3" in status

    clock.current = local(2026, 11, 2, 10, 0)
    preview = await a.send_raw("/report 产值：49.6亿元\n引进项目：21个\n增长：12.5%\n本季度完成道路建设")
    assert "第 1 版" in preview.text and "产值：49.6亿元" in preview.text and "引进项目：21个" in preview.text
    assert "增长：12.5%" in preview.text and "其他内容 1 行" in preview.text
    assert await count(desk, Report) == 0  # nothing counts before confirming
    assert "已提交2026年第四季度报送（第 1 版）" in await press(desk, a, preview, "确认提交")

    assert "已在第 1 版的基础上开始新的一版" in await a.send("/report")
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, a.id, None, first_name=a.first_name, document="doc-1",
                                         caption="协议投资：179.5亿元"))
    await desk.api.wait_for_message(chat_id=a.id, after=mark)
    preview = await a.send_raw("另附现场照片说明")
    assert "第 2 版" in preview.text and "附件 1 个" in preview.text
    assert "产值：49.6亿元" in preview.text and "协议投资：179.5亿元（新增）" in preview.text  # v1's figures kept
    submitted = await press(desk, a, preview, "确认提交")
    assert "第 2 版" in submitted and "附件 1 个" in submitted and "此前提交的版本已保留" in submitted
    async with desk.services.db.session() as s:
        versions = list(await s.exec(select(Report.version, Report.late).order_by(Report.version)))
        files = list(await s.exec(select(ReportFile.file_id, ReportFile.report_id)))
        values = sorted(await s.exec(select(ReportIndicator.name, ReportIndicator.value, ReportIndicator.unit)))
    assert versions == [(1, False), (2, False)]
    assert files[0][0] == "doc-1" and files[0][1] is not None
    assert ("协议投资", "1795000", "万元") in values and ("产值", "496000", "万元") in values

    assert "1/3" in await desk.admin.send("/cycle")


async def test_a_correction_keeps_the_other_figures_and_shows_old_to_new(desk: Desk, clock, quarter):  # type: ignore[no-untyped-def]
    a, _, _ = quarter
    clock.current = local(2026, 11, 2, 10, 0)
    preview = await a.send_raw("/report 1.产值：10.5亿元\n2.增长：12.5%\n本季度完成道路建设")
    await press(desk, a, preview, "确认提交")

    clock.current = local(2026, 11, 3, 10, 0)
    preview = await a.send_raw("/report 产值：11.2亿元")  # one corrected figure
    assert "第 2 版" in preview.text and "在第 1 版基础上修改" in preview.text
    assert "产值：10.5亿元 → 11.2亿元" in preview.text and "增长：12.5%" in preview.text
    assert "其他内容 1 行" in preview.text
    assert "第 2 版" in await press(desk, a, preview, "确认提交")
    async with desk.services.db.session() as s:
        latest = (await s.exec(select(Report).where(Report.version == 2))).one()
        values = sorted(await s.exec(select(ReportIndicator.name, ReportIndicator.value)
                                     .where(ReportIndicator.report_id == latest.id)))
    assert values == [("产值", "112000"), ("增长", "12.5")] and "本季度完成道路建设" in latest.text

    preview = await a.send_raw("/report 重写 产值：12亿元")  # starts empty
    assert "第 3 版" in preview.text and "产值：11.2亿元 → 12亿元" in preview.text
    assert "上一版有、本版没有的指标：增长 12.5%" in preview.text and "其他内容 0 行" in preview.text


async def test_expected_indicators_are_asked_for_and_late_reports_marked(desk: Desk, clock, quarter):  # type: ignore[no-untyped-def]
    a, b, _ = quarter
    assert "产值（亿元）" in await desk.admin.send("/cycle indicators 产值 亿元, 引进项目 个")
    preview = await b.send_raw("/report 增长：3%")
    assert "尚未填写的指标：产值（亿元）、引进项目（个）" in preview.text
    assert "放弃" in preview.text or preview.reply_markup
    assert "已放弃" in await press(desk, b, preview, "放弃")
    assert await count(desk, Report) == 0

    clock.current = local(2026, 12, 28, 10, 0)
    preview = await b.send_raw("/report 产值：1.2亿元\n引进项目：3个")
    assert "已过截止时间" in preview.text
    assert "逾期" in await press(desk, b, preview, "确认提交")
    status = await desk.admin.send("/cycle")
    assert "1/3" in status and "逾期报送：区商务委" in status and "未报送：区科技局、区统计局" in status


async def test_a_quarter_of_ticks_opens_once_reminds_non_submitters_and_escalates_once(desk: Desk, clock, quarter):  # type: ignore[no-untyped-def]
    a, b, director = quarter
    clock.current = local(2026, 10, 9, 10, 0)
    preview = await a.send_raw("/report 产值：2亿元")
    await press(desk, a, preview, "确认提交")
    day = local(2026, 10, 1, 10, 0)
    while day <= local(2026, 12, 31, 10, 0):
        await tick(desk, clock, day)
        day += timedelta(days=1)
    await desk.delivered()
    assert await count(desk, ReportingCycle) == 1
    b_texts = [c.text or "" for c in desk.api.sent_messages(b.id)]
    reminders = [t for t in b_texts if "季度报送" in t and t.startswith("⏰")]
    assert len(reminders) == 4
    assert [t.split("（还有 ")[1][0] for t in reminders[:3]] == ["7", "3", "1"] and "今天" in reminders[3]
    assert not any("季度报送" in (c.text or "") and (c.text or "").startswith("⏰") for c in desk.api.sent_messages(a.id))
    escalations = [c.text for c in desk.api.sent_messages(director.id) if (c.text or "").startswith("🚨")]
    assert len(escalations) == 1
    assert "区商务委、区统计局" in escalations[0] and "1/3" in escalations[0]


async def test_report_needs_a_liaison_and_finds_the_cycle_before_any_tick(desk: Desk, clock):  # type: ignore[no-untyped-def]
    stranger = desk.chat(4999, "路人")
    assert "仅限联络员" in await stranger.send("/report 产值：1亿元")
    await org.import_org(desk.services.db, parse_org({"departments": ["区科技局"]}), now=clock())
    liaison = desk.chat(4998, "联络员")
    await liaison.send(f"/start {await desk.invite('区科技局')}")
    # no tick has run: the quarter's cycle was opened when the bot started (tests/e2e/test_liaisons_receive.py)
    assert "2026年第四季度" in await liaison.send("/report 产值：1亿元")
    assert "2026年第四季度" in await desk.admin.send("/cycle")
    assert (await desk.admin.send("/cycle foo")).startswith("用法：/cycle")
    assert (await desk.admin.send("/cycle indicators 多余")).startswith("用法：/cycle")
