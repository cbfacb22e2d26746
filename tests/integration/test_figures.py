"""The figures directors read (issue 11, acceptance 1 and 2), on SQLite and PostgreSQL: a scripted
quarter where two departments report 产值 in 亿元, one gives 协议投资 twice in one version and two
report 增长 in %; the digest text, `/cycle` and the workbook show 产值 as `15亿元`, 协议投资 once and
增长 per department with its range, never a sum. A second version changing one figure keeps the
others, and its preview shows `旧 → 新`."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.render.workbook import workbook_xlsx
from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.rules.workdays import china_calendar
from bot.usecases import cycles, digests, org, people, registration, reports
from bot.usecases.inbox import Incoming
from bot.views.digest import plain, render
from bot.views.reports import cycle_status, draft

TZ = ZoneInfo("Asia/Shanghai")
EXAMPLE = Path(__file__).parents[2] / "examples" / "org.yaml"
ADMIN = Caller(telegram_id=1, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))
START = datetime(2026, 10, 1, 9, 0, tzinfo=TZ)
AT = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)


async def liaison(db, department: str, n: int) -> Caller:  # type: ignore[no-untyped-def]
    issued = await registration.create_invite(db, ADMIN, department, deputy=False, now=START)
    user = UserInfo(n, n, f"{department}联络员")
    await registration.redeem(db, user, issued.code, now=START)
    return await people.identify(db, user, admin_ids=frozenset(), default_language="zh", now=START)


_message_ids = iter(range(1000, 100000))


async def send(db, who: Caller, text: str | None = None, *, file_id: str | None = None,  # type: ignore[no-untyped-def]
               fresh: bool = False) -> reports.DraftView:
    item = Incoming(who.telegram_id, next(_message_ids), who.telegram_id, "photo" if file_id else "text", text=text,
                    file_id=file_id)
    return await reports.add(db, who, item, now=AT, fresh=fresh)


@pytest.fixture
async def office(db):  # type: ignore[no-untyped-def]
    await org.import_org(db, org.read_org_file(EXAMPLE), now=START)
    await cycles.open_cycle(db, at=START, tz=TZ, calendar=china_calendar())
    return db


async def scripted_quarter(db) -> reports.DraftView:  # type: ignore[no-untyped-def]
    econ, finance, invest = (await liaison(db, "区经济信息委", 101), await liaison(db, "区财政局", 102),
                             await liaison(db, "区招商投资局", 103))
    view = await send(db, econ, "一、主要指标\n1.产值：10亿元\n2.增长：12.5%\n"
                                "本季度全区新能源汽车产业完成产值10亿元，同比增长12.5%。")
    await reports.submit(db, econ, view.draft_id, now=AT)
    view = await send(db, finance, "（一）产值 5亿元\n（二）增长：223.8%")
    await reports.submit(db, finance, view.draft_id, now=AT)
    twice = await send(db, invest, "协议投资：10亿元\n2.引进项目：3个\n更正：\n协议投资：179.5亿元")
    await reports.submit(db, invest, twice.draft_id, now=AT)
    return twice


async def test_digest_cycle_and_workbook_show_the_same_right_figures(office):  # type: ignore[no-untyped-def]
    twice = await scripted_quarter(office)
    preview, _ = draft(twice, "zh", TZ)
    assert "协议投资 出现 2 次，按最后一次计" in preview
    assert [i.name for i in twice.parsed.indicators] == ["引进项目", "协议投资"]  # numbering is not a name

    digest = await digests.build(office, "quarter", at=AT, tz=TZ)
    by_name = {i.name: i for i in digest.summaries()}
    assert set(by_name) == {"产值", "增长", "引进项目", "协议投资"}  # the sentence stayed text
    assert (by_name["产值"].unit, by_name["产值"].total) == ("亿元", Decimal("15"))
    assert (by_name["协议投资"].total, by_name["协议投资"].count) == (Decimal("179.5"), 1)
    growth = by_name["增长"]
    assert growth.total is None and (growth.low, growth.high, growth.count) == (Decimal("12.5"), Decimal("223.8"), 2)

    text = plain(render(digest, "zh", TZ))
    assert "• 产值：15亿元（2个部门合计）" in text
    assert "• 协议投资：179.5亿元（区招商投资局）" in text and "189.5" not in text
    assert "• 增长：12.5%–223.8%（2个部门，不合计：区经济信息委 12.5%、区财政局 223.8%）" in text
    assert "236.3" not in text  # 12.5 + 223.8: a rate is never summed
    assert "万元" not in text and "," not in "".join(line for line in text.splitlines() if "亿元" in line)

    status = await cycles.status(office, now=AT)
    assert status.summaries == digest.summaries()  # one function behind both
    cycle_text = plain(cycle_status(status, "zh", TZ))
    assert "• 产值：15亿元（2个部门合计）" in cycle_text and "236.3" not in cycle_text
    assert "• 增长：12.5%–223.8%" in cycle_text

    book = load_workbook(io.BytesIO(workbook_xlsx(digest, "zh", TZ)))
    totals = [tuple(row) for row in book["指标合计"].iter_rows(values_only=True)]
    assert ("产值", "亿元", 15, 5, 10, 2) in totals
    assert ("增长", "%", None, 12.5, 223.8, 2) in totals
    assert [row[0] for row in totals].count("协议投资") == 1 and ("协议投资", "亿元", 179.5, 179.5, 179.5, 1) in totals
    header = next(book["报送与指标"].iter_rows(values_only=True))
    assert "产值（亿元）" in header and "增长（%）" in header


async def test_the_office_unit_wins(office):  # type: ignore[no-untyped-def]
    econ, finance = await liaison(office, "区经济信息委", 101), await liaison(office, "区财政局", 102)
    for who, text in ((econ, "产值：100000万元"), (finance, "产值：50000万元")):
        view = await send(office, who, text)
        await reports.submit(office, who, view.draft_id, now=AT)
    digest = await digests.build(office, "quarter", at=AT, tz=TZ)
    assert "• 产值：150000万元（2个部门合计）" in plain(render(digest, "zh", TZ))  # as most departments wrote it
    await cycles.set_expected(office, ADMIN, [("产值", "亿元")], now=AT)
    digest = await digests.build(office, "quarter", at=AT, tz=TZ)
    assert "• 产值：15亿元（2个部门合计）" in plain(render(digest, "zh", TZ))
    assert "• 产值：15亿元（2个部门合计）" in plain(cycle_status(await cycles.status(office, now=AT), "zh", TZ))


async def test_a_second_version_keeps_the_other_figures_and_shows_old_to_new(office):  # type: ignore[no-untyped-def]
    econ = await liaison(office, "区经济信息委", 101)
    await send(office, econ, file_id="photo-1")
    first = await send(office, econ, "产值：10.5亿元\n增长：12.5%\n整车项目推进顺利")
    await reports.submit(office, econ, first.draft_id, now=AT)

    begun = await reports.begin(office, econ, now=AT)
    assert begun.copied_from == 1
    view = await send(office, econ, "产值：11.2亿元")
    assert view.version == 2 and view.files == 1  # the photo comes along
    assert view.text == "产值：11.2亿元\n增长：12.5%\n整车项目推进顺利"  # the line replaced in place
    preview, _ = draft(view, "zh", TZ)
    assert "• 产值：10.5亿元 → 11.2亿元" in preview and "• 增长：12.5%" in preview
    assert "在第 1 版基础上修改" in preview and "出现" not in preview
    view = await send(office, econ, "税收：2000万元")
    assert "• 税收：2000万元（新增）" in draft(view, "zh", TZ)[0]
    done = await reports.submit(office, econ, view.draft_id, now=AT)
    assert done.version == 2
    assert {(i.name, i.value) for i in done.indicators} == {
        ("产值", Decimal("112000")), ("增长", Decimal("12.5")), ("税收", Decimal("2000"))}

    fresh = await send(office, econ, "产值：12亿元", fresh=True)  # /report 重写 产值：12亿元
    assert fresh.text == "产值：12亿元" and fresh.files == 0
    preview, _ = draft(fresh, "zh", TZ)
    assert "• 产值：11.2亿元 → 12亿元" in preview
    assert "上一版有、本版没有的指标：增长 12.5%、税收 2000万元" in preview
