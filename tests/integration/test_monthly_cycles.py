"""Monthly cycles in the database (both databases): opened once per month and office, with the
monthly indicators expected; the quarter's cycle stays `current`; a month's cycle is open until
the next one opens; and the monthly trend totals each month's latest versions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.rules.cycles import Trend
from bot.rules.org import parse_org
from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.rules.workdays import china_calendar
from bot.usecases import cycles, digests, org, people, registration, reports
from bot.usecases.inbox import Incoming
from storage.models import ReportingCycle
from storage.repos import cycles as cycle_repo

TZ = ZoneInfo("Asia/Shanghai")
CAL = china_calendar()
ADMIN = Caller(telegram_id=1, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))
ORG = {"departments": ["区科技局", "区商务委"], "monthly": {"day": 5, "indicators": ["产值 亿元", "引进项目 个"]}}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def liaison(db, department: str, n: int) -> Caller:  # type: ignore[no-untyped-def]
    issued = await registration.create_invite(db, ADMIN, department, deputy=False, now=local(2026, 9, 1, 9, 0))
    user = UserInfo(n, n, f"{department}联络员")
    await registration.redeem(db, user, issued.code, now=local(2026, 9, 1, 9, 0))
    return await people.identify(db, user, admin_ids=frozenset(), default_language="zh", now=local(2026, 9, 1, 9, 0))


async def report(db, who: Caller, month: str, text: str, at: datetime, n: int) -> None:  # type: ignore[no-untyped-def]
    choice = await reports.choose(db, who, now=at, tz=TZ, calendar=CAL, kind="month")
    view = await reports.add(db, who, Incoming(who.telegram_id, n, who.telegram_id, "text", text=text), now=at,
                             cycle_id=choice.cycle_id)
    assert view.label == month
    await reports.submit(db, who, view.draft_id, now=at)


async def test_months_open_once_each_with_their_indicators_and_the_quarter_stays_current(db):  # type: ignore[no-untyped-def]
    await org.import_org(db, parse_org(ORG), now=local(2026, 9, 1, 9, 0))
    for at in (local(2026, 10, 1, 0, 5), local(2026, 10, 2, 0, 5), local(2026, 11, 1, 0, 5)):
        await cycles.open_cycle(db, at=at, tz=TZ, calendar=CAL)
        await cycles.open_monthly(db, at=at, tz=TZ, calendar=CAL)
    async with db.session() as s:
        rows = sorted((c.label, c.quarter, c.expected_indicators) for c in await s.exec(select(ReportingCycle)))
        current = await cycle_repo.current(s, local(2026, 11, 2, 9, 0))
    assert [r[:2] for r in rows] == [("2026-09", 3), ("2026-10", 4), ("2026-Q4", 4)]
    assert rows[0][2] == '[["产值", "亿元"], ["引进项目", "个"]]'
    assert current is not None and current.label == "2026-Q4"  # the month opened later is not "current"
    # too late for a month: after its deadline nothing is opened (an org file added mid-month)
    assert await cycles.open_monthly(db, at=local(2026, 12, 10, 9, 0), tz=TZ, calendar=CAL) == []
    found = await cycles.statuses(db, now=local(2026, 11, 2, 9, 0))
    assert [(f.label, f.total, len(f.submitted)) for f in found] == [("2026-Q4", 2, 0), ("2026-10", 2, 0)]


async def test_the_monthly_trend_totals_each_months_latest_versions(db):  # type: ignore[no-untyped-def]
    await org.import_org(db, parse_org(ORG), now=local(2026, 9, 1, 9, 0))
    a, b = await liaison(db, "区科技局", 501), await liaison(db, "区商务委", 502)
    await report(db, a, "2026-09", "产值：10亿元\n引进项目：2个", local(2026, 10, 8, 10, 0), 1)
    await report(db, b, "2026-09", "产值：5000万元", local(2026, 10, 8, 11, 0), 2)
    await report(db, a, "2026-11", "产值：11亿元", local(2026, 12, 2, 10, 0), 3)
    await report(db, a, "2026-11", "产值：12亿元", local(2026, 12, 3, 10, 0), 4)  # a second version replaces it
    trend = await cycles.monthly_trend(db, at=local(2026, 12, 20, 9, 0), tz=TZ, months=3)
    # September: 10 + 0.5 亿元; October: no cycle; November: a's latest, 12
    assert trend == [Trend("产值", "亿元", (("2026-09", Decimal("10.5")), ("2026-10", None), ("2026-11", Decimal("12")))),
                     Trend("引进项目", "个", (("2026-09", Decimal("2")), ("2026-10", None), ("2026-11", None)))]


async def test_the_monthly_digest_carries_the_six_months_trend_and_others_none(db):  # type: ignore[no-untyped-def]
    """The scheduled monthly digest of November (sent on 12-01) draws the monthly indicators' totals
    of the six months up to November; a weekly digest draws none."""
    await org.import_org(db, parse_org(ORG), now=local(2026, 9, 1, 9, 0))
    a, b = await liaison(db, "区科技局", 501), await liaison(db, "区商务委", 502)
    await report(db, a, "2026-09", "产值：10亿元\n引进项目：2个", local(2026, 10, 8, 10, 0), 1)
    await report(db, b, "2026-09", "产值：5000万元", local(2026, 10, 8, 11, 0), 2)
    await report(db, a, "2026-11", "产值：12亿元", local(2026, 12, 1, 8, 0), 3)
    monthly = await digests.build(db, "month", at=local(2026, 12, 1, 9, 0), tz=TZ)
    assert monthly.period.label == "2026-11"
    (value, count) = monthly.trend
    assert [label for label, _ in value.points] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert (value.name, value.unit, dict(value.points)["2026-09"], dict(value.points)["2026-11"]) == \
        ("产值", "亿元", Decimal("10.5"), Decimal("12"))
    assert count.name == "引进项目" and dict(count.points)["2026-09"] == Decimal("2")
    weekly = await digests.build(db, "week", at=local(2026, 12, 1, 9, 0), tz=TZ)
    assert weekly.trend == []
