"""The office's work report through the fake Bot API (issue 14, acceptance 3): after a scripted
quarter — liaisons report with indicator lines and 本季度工作/下季度计划 headings, some do not — a
director's `/brief 季度` brings a .docx that python-docx reads back with the title, each reporting
department's text under its working group, the digest's totals, and who did not report; the
quarterly digest the tick sends carries the same document."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import docx
import pytest
from docx.oxml.ns import qn

from bot.rules.digest import on_demand_period
from bot.rules.indicators import number_text
from bot.usecases import digests
from tests.e2e.conftest import Desk
from tests.e2e.story import press, tick

TZ = ZoneInfo("Asia/Shanghai")
ORG = {
    "office": "产业发展领导小组办公室",
    "departments": ["区经济信息委", "区财政局", "区招商投资局", "区交通局", "区统计局"],
    "working_groups": [
        {"name": "产业发展工作专班", "lead": ["区经济信息委"], "members": ["区财政局", "区统计局"]},
        {"name": "招商引资工作专班", "lead": ["区招商投资局"], "members": ["区经济信息委", "区交通局"]},
    ],
}
REPORTS = {
    "区经济信息委": "一、本季度工作情况\n完成整车厂房主体建设。\n产值：50.2亿元\n引进项目：22个\n增长：12.5%\n"
                    "二、下季度工作计划\n力争首台整车下线。",
    "区招商投资局": "（一）本季度主要工作\n签约项目3个。\n协议投资：179.5亿元\n引进项目：3个\n增长：8%\n"
                    "（二）下一步工作打算\n赴长三角开展产业链招商。",
    "区财政局": "产值：1.4亿元\n拨付产业扶持资金。",  # no headings: shown as written
}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def lines_of(data: bytes) -> tuple[list[str], docx.Document]:  # type: ignore[valid-type]
    document = docx.Document(io.BytesIO(data))
    return [p.text for p in document.paragraphs], document


@pytest.fixture
async def quarter(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 10, 8, 10, 0)
    people = await desk.set_up(ORG, ["区经济信息委", "区财政局", "区招商投资局", "区交通局"], 6100)
    director = desk.chat(6900, "王主任")
    await director.send("/start")
    await desk.admin.send("/grant 6900 director")
    await tick(desk, clock, local(2026, 10, 8, 10, 5))
    for n, (dept, text) in enumerate(REPORTS.items()):
        clock.current = local(2026, 12, 1 + n, 10, 0)
        preview = await people[dept].send_raw(f"/report {text}")
        assert "确认提交" in str(preview.reply_markup)
        assert "已提交" in await press(desk, people[dept], preview, "确认提交")
    return director, people


def assert_the_report(lines: list[str], document, digest) -> None:  # type: ignore[no-untyped-def]
    assert lines[0] == "产业发展领导小组办公室2026年第四季度工作报告"
    # each reporting department's text under its (home) working group, in its two parts
    first, second = lines.index("（一）产业发展工作专班"), lines.index("（二）招商引资工作专班")
    econ = lines.index("1.区经济信息委")
    assert first < econ < second and lines.count("1.区经济信息委") == 1
    assert lines[econ + 1:econ + 3] == ["（1）本季度工作", "完成整车厂房主体建设。"]
    assert lines[econ + 6:econ + 8] == ["（2）下季度计划", "力争首台整车下线。"]
    assert first < lines.index("2.区财政局") < second
    assert lines[lines.index("2.区财政局") + 1:][:2] == ["产值：1.4亿元", "拨付产业扶持资金。"]
    invest = lines.index("1.区招商投资局")
    assert invest > second and lines[invest + 1:invest + 3] == ["（1）本季度工作", "签约项目3个。"]
    assert "（2）下季度计划" in lines[invest:] and "赴长三角开展产业链招商。" in lines[invest:]
    # the indicator table's totals are the digest's
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in document.tables[0].rows[1:]}
    for s in digest.summaries():
        total = number_text(s.total) if s.total is not None else f"{number_text(s.low)}—{number_text(s.high)}（不合计）"
        assert rows[s.name] == [s.name, s.unit, total, str(s.count)]
    assert rows["产值"][2] == "51.6" and rows["引进项目"][2] == "25" and rows["增长"][2] == "8—12.5（不合计）"
    # who did not report
    missing = lines[lines.index("五、未报送单位") + 1]
    assert missing == "区交通局、区统计局，共2个单位。" and digest.missing == ["区交通局", "区统计局"]
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    assert document.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


async def test_brief_on_demand_sends_the_work_report(desk: Desk, clock, quarter):  # type: ignore[no-untyped-def]
    director, people = quarter
    clock.current = at = local(2026, 12, 20, 10, 0)
    reply = await director.send_raw("/brief 季度")
    assert reply.method == "sendDocument" and "2026年第四季度工作报告" in reply.raw.get("caption", "")
    upload = next(iter(reply.files.values()))
    assert upload.filename == "2026年第四季度工作报告.docx"
    digest = await digests.build(desk.services.db, "quarter", at=at, tz=TZ, period=on_demand_period("quarter", at, TZ))
    lines, document = lines_of(upload.data)
    assert_the_report(lines, document, digest)
    assert lines[1] == "（统计时间：2026年10月1日至2026年12月20日）"  # the quarter so far

    assert (await director.send("/brief 周")).startswith("用法：/brief")
    assert "仅限" in await people["区财政局"].send("/brief")


async def test_the_quarterly_digest_carries_the_work_report(desk: Desk, clock, quarter):  # type: ignore[no-untyped-def]
    director, _ = quarter
    mark = desk.api.mark()
    at = local(2026, 12, 26, 9, 30)  # the day after the 12-25 deadline, after 09:00: the quarterly bulletin
    await tick(desk, clock, at)
    await tick(desk, clock, at)  # a second pass sends nothing more
    await desk.delivered()
    sent = [c for c in desk.api.sent_messages(director.id) if c.index >= mark]
    bulletin = [i for i, c in enumerate(sent) if c.method == "sendMessage" and "季度通报" in (c.text or "")
                and "（续）" not in (c.text or "")]  # the first message; the details follow titled （续）
    details = [i for i, c in enumerate(sent) if "（续）" in (c.text or "")]
    charts = [i for i, c in enumerate(sent) if c.method == "sendPhoto"]
    papers = [i for i, c in enumerate(sent) if c.method == "sendDocument"]
    assert len(bulletin) == 1 and len(charts) == 1 and len(papers) == 1
    assert papers[0] > max(bulletin + details + charts)  # after the digest's messages and chart
    assert not any(c.method == "sendDocument" for c in desk.api.sent_messages(desk.admin.id) if c.index >= mark)
    upload = next(iter(sent[papers[0]].files.values()))
    assert upload.filename.endswith(".docx")
    digest = await digests.build(desk.services.db, "quarter", at=at, tz=TZ)
    lines, document = lines_of(upload.data)
    assert_the_report(lines, document, digest)
    assert lines[1] == "（统计时间：2026年10月1日至2026年12月31日）"  # the whole quarter
