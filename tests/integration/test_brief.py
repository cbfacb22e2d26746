"""The office's work report (工作报告) after a scripted quarter on the example org, on SQLite and
PostgreSQL: read back with python-docx, its figures are the digest's, each reporting department's
text sits under its home working group (split at the liaison's headings), agreed items are listed
by meeting with their state, and the gathering costs a fixed number of statements."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import docx
import pytest
from docx.oxml.ns import qn

from bot.render.brief import brief_docx
from bot.rules.digest import on_demand_period
from bot.rules.indicators import number_text
from bot.rules.tasks import parse_assign
from bot.rules.workdays import china_calendar
from bot.usecases import brief, cycles, digests, org, tasks
from storage.models import Meeting
from tests.integration.test_digest import ADMIN, EXAMPLE, liaison, report
from tests.support.sql_counter import counting

TZ = ZoneInfo("Asia/Shanghai")

ECON = ("产值：50.2亿元\n一、本季度工作情况\n推进整车项目落地，完成厂房主体建设。\n引进项目：22个\n"
        "二、下季度工作计划\n力争整车下线。")
INVEST = "本季度工作：签约项目3个。\n协议投资：179.5亿元\n引进项目：3个\n增长：12.5%\n下一步工作打算\n加强产业链招商。"
FINANCE = "产值：1.4亿元\n增长：8%\n资金拨付到位。"  # no headings: shown as written


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def read(data: bytes) -> docx.Document:  # type: ignore[valid-type]
    return docx.Document(io.BytesIO(data))


def texts(document) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in document.paragraphs]


@pytest.fixture
async def quarter(db):  # type: ignore[no-untyped-def]
    start = local(2026, 10, 1, 9, 0)
    await org.import_org(db, org.read_org_file(EXAMPLE), now=start)
    await cycles.open_cycle(db, at=start, tz=TZ, calendar=china_calendar())
    econ = await liaison(db, "区经济信息委", 101, start)
    invest = await liaison(db, "区招商投资局", 102, start)
    finance = await liaison(db, "区财政局", 103, start)
    await liaison(db, "区交通局", 104, start)
    await report(db, econ, "产值：49.6亿元", local(2026, 11, 5, 10, 0))
    # the second version starts from the first: its 产值 line is replaced in place, the rest added
    await report(db, econ, ECON, local(2026, 11, 6, 10, 0))
    await report(db, invest, INVEST, local(2026, 12, 1, 10, 0))
    await report(db, finance, FINANCE, local(2026, 12, 26, 8, 0))  # late
    await tasks.create(db, ADMIN, parse_assign("区交通局 | 2026-12-10 | 道路管网建设", now=start, tz=TZ),
                       now=start, tz=TZ, default_language="zh")
    async with db.transaction() as s:
        meeting = Meeting(office_id=1, title="第三次全体会议", held_on=date(2026, 10, 15), created_by=1,
                          created_at=local(2026, 10, 15, 16, 0), state="confirmed")
        s.add(meeting)
        await s.flush()
        for line, standing in (("区交通局 | 2026-11-30 | 完成充电桩布点", False),
                               ("区财政局 | 2026-12-31 | 落实产业扶持资金", True)):
            await tasks.create_in(s, ADMIN, parse_assign(line, now=start, tz=TZ), now=local(2026, 10, 15, 17, 0),
                                  tz=TZ, default_language="zh", meeting_id=meeting.id, standing=standing)
    return db


async def test_the_work_report_reads_back_with_the_digests_figures(quarter) -> None:  # type: ignore[no-untyped-def]
    at = local(2026, 12, 28, 10, 0)
    period = on_demand_period("quarter", at, TZ)
    digest = await digests.build(quarter, "quarter", at=at, tz=TZ, period=period)
    paper = await brief.build(quarter, "quarter", at=at, tz=TZ, period=period)
    document = read(brief_docx(paper, "zh", TZ))
    lines = texts(document)

    assert lines[0] == "永川区智能网联新能源汽车特色产业发展领导小组办公室2026年第四季度工作报告"
    assert document.paragraphs[0].style.name == "Title"
    assert lines[1] == "（统计时间：2026年10月1日至2026年12月28日）"
    assert "2026年第四季度报送：应报送单位24个，已报送3个，未报送21个。其中逾期报送1个：区财政局。" in lines

    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、总体情况", "二、各工作组推进情况", "三、主要指标", "四、交办事项和议定事项", "五、未报送单位"]
    # each reporting department under its home working group, its text split at its headings
    econ = lines.index("1.区经济信息委")
    assert lines.index("（一）产业发展工作专班") < econ < lines.index("（二）招商引资工作专班")
    assert lines[econ + 1:econ + 7] == ["产值：50.2亿元", "（1）本季度工作", "推进整车项目落地，完成厂房主体建设。",
                                        "引进项目：22个", "（2）下季度计划", "力争整车下线。"]
    assert "产值：49.6亿元" not in lines and lines.count("1.区经济信息委") == 1  # in five groups, shown once
    invest = lines.index("1.区招商投资局")
    assert lines[invest + 1:invest + 3] == ["（1）本季度工作", "签约项目3个。"]
    assert lines[invest + 6:invest + 8] == ["（2）下季度计划", "加强产业链招商。"]
    finance = lines.index("1.区财政局（逾期报送）")
    assert lines.index("（五）资金保障工作专班") < finance
    assert lines[finance + 1:finance + 4] == FINANCE.splitlines()

    # the indicator table: every total the digest's, rates as a range, never summed
    table = document.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["指标", "单位", "合计", "填报单位数"]  # no targets yet: no 目标 column
    shown = {r[0]: r for r in rows[1:]}
    summaries = digest.summaries()
    assert len(shown) == len(summaries)
    for s in summaries:
        if s.total is not None:
            assert shown[s.name] == [s.name, s.unit, number_text(s.total), str(s.count)]
    assert shown["产值"][1:3] == ["亿元", "51.6"] and shown["引进项目"][1:3] == ["个", "25"]
    assert shown["增长"][2] == "8—12.5（不合计）"

    # tasks and agreed items with their state
    assert any(line.startswith("1.道路管网建设（第1号，2026年12月10日前完成）：已逾期（区交通局）") for line in lines)
    assert "1.第三次全体会议（2026年10月15日）：议定事项2项，已完成0项。" in lines
    assert any(line.startswith("（1）完成充电桩布点（第2号）：已逾期（区交通局）") for line in lines)
    assert any(line.startswith("（2）落实产业扶持资金（第3号，长期坚持）：持续推进") for line in lines)
    assert "议定事项：共2项，已完成0项。" in lines

    missing = lines[lines.index("五、未报送单位") + 1]
    assert "区交通局" in missing and "共21个单位" in missing and "区经济信息委" not in missing
    assert all(name in missing for name in digest.missing)


async def test_the_document_is_a_chinese_official_document(quarter) -> None:  # type: ignore[no-untyped-def]
    paper = await brief.build(quarter, "quarter", at=local(2026, 12, 28, 10, 0), tz=TZ)
    document = read(brief_docx(paper, "zh", TZ))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = tuple(round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                          section.right_margin))
    assert margins == (37, 35, 28, 26)
    for name, font, size in (("Normal", "仿宋_GB2312", 16), ("Title", "方正小标宋简体", 22),
                             ("Heading 1", "黑体", 16), ("Heading 2", "楷体_GB2312", 16)):
        style = document.styles[name]
        fonts = style.element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == font and fonts.get(qn("w:ascii")) == font, name
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would win over the named one
        assert style.font.size.pt == size
    body = document.styles["Normal"].paragraph_format
    assert body.line_spacing.pt == 28 and "EXACTLY" in str(body.line_spacing_rule)
    assert document.styles["Title"].paragraph_format.alignment == 1  # centred
    assert not any(r.font.name for p in document.paragraphs for r in p.runs)  # the styles name the fonts


async def test_gathering_the_report_costs_three_statements_beyond_the_digest(quarter) -> None:  # type: ignore[no-untyped-def]
    digest = await digests.build(quarter, "quarter", at=local(2026, 12, 28, 10, 0), tz=TZ)
    with counting(quarter.engine) as seen:
        paper = await brief.of_digest(quarter, digest)
    assert seen.count == 3, str(seen)  # the office, the texts, the agreed items
    assert set(paper.texts) == {"区经济信息委", "区招商投资局", "区财政局"}


async def test_user_text_is_kept_as_plain_text(db) -> None:  # type: ignore[no-untyped-def]
    from bot.rules.org import parse_org

    now = local(2026, 10, 1, 9, 0)
    hostile = '区<w:t>恶意</w:t>&"局"'
    await org.import_org(db, parse_org({"departments": [hostile]}), now=now)
    await cycles.open_cycle(db, at=now, tz=TZ, calendar=china_calendar())
    who = await liaison(db, hostile, 201, now)
    await report(db, who, "</w:p><w:p>注入\x07控制符\n产值：1亿元", local(2026, 10, 2, 9, 0))
    paper = await brief.build(db, "quarter", at=local(2026, 10, 3, 9, 0), tz=TZ)
    lines = texts(read(brief_docx(paper, "zh", TZ)))
    assert f"1.{hostile}" in lines and "</w:p><w:p>注入控制符" in lines


# ------------------------------------------------ python -m bot brief


def _cli(db_url: str, *args: str):  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).parents[2]
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(root), "BOT_TIMEZONE": "Asia/Shanghai",
           "BOT_LANGUAGE": "zh"}
    env.pop("TELEGRAM_BOT_TOKEN", None)  # writing a report needs no token
    return subprocess.run([sys.executable, "-m", "bot", "brief", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120)


async def test_the_command_line_writes_the_same_report(quarter, db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    out = tmp_path / "报告.docx"
    done = await asyncio.to_thread(_cli, db_url, "--period", "quarter", "--at", "2026-12-28T10:00", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"quarter work report 2026-Q4 written to {out}"
    lines = texts(read(out.read_bytes()))
    assert lines[0].endswith("2026年第四季度工作报告") and lines[1] == "（统计时间：2026年10月1日至2026年12月28日）"
    assert "1.区经济信息委" in lines and "区交通局" in lines[lines.index("五、未报送单位") + 1]

    done = await asyncio.to_thread(_cli, db_url, "--period", "quarter", "--at", "2027-01-05T10:00", "--last",
                                   "--out", str(out))
    assert done.returncode == 0 and "2026-Q4" in done.stdout  # the quarter just ended, whole
    assert texts(read(out.read_bytes()))[1] == "（统计时间：2026年10月1日至2026年12月31日）"


@pytest.mark.parametrize(("args", "message"), [
    (["--out", "report.txt"], "--out must name a .docx file"),
    (["--at", "next tuesday", "--out", "x.docx"], "ISO-8601"),
    (["--office", "nowhere", "--out", "x.docx"], "no office with code 'nowhere'"),
])
async def test_the_command_line_fails_in_one_line(db, db_url, args, message) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    done = await asyncio.to_thread(_cli, db_url, *args)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and message in done.stderr
    assert "Traceback" not in done.stderr
