"""The quarterly digest for the example org after a scripted quarter: exact counts, names and
indicator totals, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.rules.tasks import parse_assign
from bot.rules.workdays import china_calendar
from bot.usecases import cycles, digests, org, people, registration, reports, task_actions, tasks
from bot.usecases.inbox import Incoming
from bot.views.digest import messages, plain, render

TZ = ZoneInfo("Asia/Shanghai")
EXAMPLE = Path(__file__).parents[2] / "examples" / "org.yaml"
ADMIN = Caller(telegram_id=1, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def liaison(db, department: str, n: int, now: datetime) -> Caller:  # type: ignore[no-untyped-def]
    issued = await registration.create_invite(db, ADMIN, department, deputy=False, now=now)
    user = UserInfo(n, n, f"{department}联络员")
    await registration.redeem(db, user, issued.code, now=now)
    return await people.identify(db, user, admin_ids=frozenset(), default_language="zh", now=now)


async def report(db, who: Caller, text: str, now: datetime) -> None:  # type: ignore[no-untyped-def]
    view = await reports.add(db, who, Incoming(who.telegram_id, int(now.timestamp()), who.telegram_id, "text", text=text),
                             now=now)
    await reports.submit(db, who, view.draft_id, now=now)


@pytest.fixture
async def quarter(db):  # type: ignore[no-untyped-def]
    start = local(2026, 10, 1, 9, 0)
    await org.import_org(db, org.read_org_file(EXAMPLE), now=start)
    await cycles.open_cycle(db, at=start, tz=TZ, calendar=china_calendar())
    econ = await liaison(db, "区经济信息委", 101, start)
    invest = await liaison(db, "区招商投资局", 102, start)
    finance = await liaison(db, "区财政局", 103, start)
    transport = await liaison(db, "区交通局", 104, start)
    await report(db, econ, "产值：49.6亿元\n引进项目：21个\n本季度推进整车项目", local(2026, 11, 5, 10, 0))
    await report(db, econ, "产值：50.2亿元\n引进项目：22个\n更正数据", local(2026, 11, 6, 10, 0))  # v2 supersedes
    await report(db, invest, "协议投资：179.5亿元\n引进项目：3个", local(2026, 12, 1, 10, 0))
    created = await tasks.create(db, ADMIN, parse_assign("要素保障工作专班 | 2026-12-10 | 道路管网建设", now=start, tz=TZ),
                                 now=start, tz=TZ, default_language="zh")
    await task_actions.record_progress(db, econ, Incoming(101, 9001, 101, "text", text="主干道完工"),
                                       now=local(2026, 12, 9, 10, 0), task_id=created.task_id, done=True)
    await task_actions.record_progress(db, transport, Incoming(104, 9002, 104, "text", text="管网施工过半"),
                                       now=local(2026, 12, 9, 11, 0), task_id=created.task_id)
    return db, finance


async def late_finance_report(db, finance: Caller) -> None:  # type: ignore[no-untyped-def]
    await report(db, finance, "产值：1.4亿元", local(2026, 12, 26, 8, 0))  # after the 12-25 18:00 deadline


async def test_quarterly_digest_counts_names_and_totals_exactly(quarter):  # type: ignore[no-untyped-def]
    quarter, finance = quarter
    await late_finance_report(quarter, finance)
    digest = await digests.build(quarter, "quarter", at=local(2026, 12, 26, 9, 0), tz=TZ)
    assert (digest.cycle_label, digest.submitted, digest.total) == ("2026-Q4", 3, 24)
    assert digest.late == ["区财政局"]
    assert len(digest.missing) == 21 and "区交通局" in digest.missing and "区经济信息委" not in digest.missing
    totals = {(i.name, i.unit): i.total for i in digest.summaries()}  # in the unit the liaisons wrote
    assert totals[("产值", "亿元")] == Decimal("51.6")  # 50.2 亿 (the newer version) + 1.4 亿
    assert totals[("引进项目", "个")] == Decimal("25")
    assert totals[("协议投资", "亿元")] == Decimal("179.5")
    overdue = {(o.department, o.days) for o in digest.overdue}
    assert overdue == {("区交通局", 16)}  # the others have no liaison: never notified, not overdue
    assert {o.department for o in digest.unnotified} == {"区发展改革委", "区水利局", "区规划自然资源局"}
    assert (digest.tasks_opened, digest.tasks_finished) == (1, 0)
    group = next(g for g in digest.groups if g.name == "要素保障工作专班")
    assert group.leads == ["区经济信息委"] and group.reported == 1 and group.overdue == 1
    transport = next(d for d in digest.departments if d.department == "区交通局")
    assert (transport.reported, transport.tasks_open, transport.tasks_overdue) == (False, 1, 1)
    assert transport.latest_progress == "管网施工过半"
    econ = next(d for d in digest.departments if d.department == "区经济信息委")
    assert econ.version == 2 and econ.tasks_done == 1

    text = plain(render(digest, "zh", TZ))
    assert "已报送 3/24" in text and "逾期报送（1）：区财政局" in text
    assert "• 产值：51.6亿元（2个部门合计）" in text and "• 引进项目：25个（2个部门合计）" in text
    assert "#1 道路管网建设 — 区交通局（配合）逾期 16 天" in text


async def test_changes_since_the_previous_digest_of_the_same_kind(quarter):  # type: ignore[no-untyped-def]
    from bot.usecases import digest_delivery

    quarter, finance = quarter
    first = await digests.build(quarter, "week", at=local(2026, 12, 21, 9, 0), tz=TZ)
    assert first.changes == []
    await digest_delivery.send(quarter, first, lambda d, lang: (["x"], None, ""), default_language="zh",
                               now=local(2026, 12, 21, 9, 0))
    await late_finance_report(quarter, finance)
    second = await digests.build(quarter, "week", at=local(2026, 12, 28, 9, 0), tz=TZ)
    moved = {c.key: (c.before, c.after) for c in second.changes}
    assert moved["submitted"] == (Decimal(2), Decimal(3))
    assert moved["total:产值|万元"] == (Decimal("502000"), Decimal("516000"))
    assert "已报送部门：2 → 3" in plain(render(second, "zh", TZ))
    assert "产值合计：50.2亿元 → 51.6亿元" in plain(render(second, "zh", TZ))  # kept in 万元, shown as written


async def test_hostile_names_and_text_cannot_break_the_html(db):  # type: ignore[no-untyped-def]
    from bot.rules.org import parse_org

    now = local(2026, 10, 1, 9, 0)
    hostile = '区<b>恶意</b>&"局"'
    await org.import_org(db, parse_org({"departments": [hostile]}), now=now)
    await cycles.open_cycle(db, at=now, tz=TZ, calendar=china_calendar())
    who = await liaison(db, hostile, 201, now)
    await report(db, who, "</i><a href='x'>点我</a>\n产值：1亿元", local(2026, 10, 2, 9, 0))
    digest = await digests.build(db, "quarter", at=local(2026, 10, 3, 9, 0), tz=TZ)
    html_text = render(digest, "zh", TZ)
    assert "<a href" not in html_text and "</i><a" not in html_text and "<b>恶意</b>" not in html_text
    assert "区&lt;b&gt;恶意&lt;/b&gt;&amp;\"局\"" in html_text
    assert hostile in plain(html_text)


async def test_a_long_digest_is_split_without_losing_a_line(db):  # type: ignore[no-untyped-def]
    from bot.rules.org import parse_org

    now = local(2026, 10, 1, 9, 0)
    names = [f"区第{i:03d}号测试部门" for i in range(300)]
    await org.import_org(db, parse_org({"departments": names}), now=now)
    await cycles.open_cycle(db, at=now, tz=TZ, calendar=china_calendar())
    digest = await digests.build(db, "quarter", at=now, tz=TZ)
    pieces = messages(digest, "zh", TZ)
    assert len(pieces) > 1 and all(len(p) <= 4096 for p in pieces)
    joined = "\n".join(pieces)
    assert all(name in joined for name in names)
    lines = [line for line in render(digest, "zh", TZ).split("\n") if line]
    assert [line for line in joined.split("\n") if line] == lines  # every line, in order


# ------------------------------------------------ what directors read (issue 11, part 2), with real data


async def test_on_demand_digest_is_the_period_so_far(quarter):  # type: ignore[no-untyped-def]
    """On a Friday `/digest` counts the three tasks created that day; `/digest 上周` and the
    scheduled weekly digest are the week just ended, which had none."""
    from bot.rules.digest import on_demand_period

    db, _ = quarter
    friday = local(2026, 12, 11, 9, 0)
    for n in range(3):
        await tasks.create(db, ADMIN, parse_assign(f"区财政局 | 2026-12-31 | 今天的事项{n}", now=friday, tz=TZ),
                           now=friday + timedelta(hours=n), tz=TZ, default_language="zh")
    at = local(2026, 12, 11, 15, 0)
    so_far = await digests.build(db, "week", at=at, tz=TZ, period=on_demand_period("week", at, TZ))
    assert so_far.tasks_opened == 3 and so_far.period.label == "2026-W50"
    assert "本期新增 3" in plain(messages(so_far, "zh", TZ)[0]) and "截至 2026-12-11 15:00" in plain(render(so_far, "zh", TZ))
    last = await digests.build(db, "week", at=at, tz=TZ, period=on_demand_period("week", at, TZ, last=True))
    scheduled = await digests.build(db, "week", at=at, tz=TZ)
    assert last.tasks_opened == scheduled.tasks_opened == 0
    assert last.period.label == scheduled.period.label == "2026-W49"
    assert "2026年第49周（11月30日—12月6日）" in messages(last, "zh", TZ)[0]


@pytest.mark.parametrize("kind", ["week", "month", "quarter", "year"])
async def test_every_digest_opens_with_a_short_message_and_names_every_department(quarter, kind):  # type: ignore[no-untyped-def]
    """Acceptance 4 on the example org (24 departments, 7 working groups); the chart counts each
    (task, department) assignment once, though departments belong to several groups."""
    from bot.render.chart import rows_of

    db, finance = quarter
    await late_finance_report(db, finance)
    digest = await digests.build(db, kind, at=local(2026, 12, 26, 9, 0), tz=TZ)
    pieces = messages(digest, "zh", TZ)
    assert len(plain(pieces[0]).split("\n")) <= 15
    assert not re.search(r"Q[1-4]|W\d|v\d", "\n".join(pieces))
    joined = plain("\n".join(pieces))
    everyone = [d.department for d in digest.departments]
    assert len(everyone) == 24 and all(name in joined for name in everyone)
    assignments = sum(len(t.statuses) for t in digest.tasks if not t.closed)
    assert assignments == 5  # 要素保障工作专班: one lead, four members
    bars = rows_of(digest, "zh")
    assert sum(r.done + r.open + r.overdue for r in bars) == assignments
    assert sum(r.size for r in bars) == 24
