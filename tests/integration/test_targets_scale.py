"""`/targets` reads in a number of SQL statements that does not depend on how many departments,
cycles and report versions there are (issue 15): the same for 3 departments as for 60, each with
two versions in each of four quarters, on SQLite and PostgreSQL — and the figures are the latest
version of the latest quarter."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.rules.org import parse_org
from bot.rules.people import Caller
from bot.usecases import org, targets
from storage.models import Report, ReportIndicator, ReportingCycle
from storage.repos import org as org_repo
from tests.support.sql_counter import counting

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)  # 334 of 365 days gone: 91.5%


async def _seed(db, code: str, n: int, parent: str | None = None) -> int:  # type: ignore[no-untyped-def]
    names = [f"{code}部门{i}" for i in range(n)]
    above = {"parent": parent} if parent else {}
    await org.import_org(db, parse_org({"code": code, **above, "office": f"{code}办公室", "departments": names, "targets": {
        2026: {"产值": {"unit": "亿元", "total": 10 * n, "departments": {name: 10 for name in names}}}}}),
        now=AT - timedelta(days=400))
    async with db.session() as s:
        office = (await org_repo.office_by_code(s, code)).id
        depts = await org_repo.departments(s, office)
        for q in range(1, 5):
            opens = datetime(2026, 3 * q - 2, 1, tzinfo=TZ)
            cycle = ReportingCycle(office_id=office, label=f"2026-Q{q}", year=2026, quarter=q, opens_at=opens,
                                   deadline_at=opens + timedelta(days=80), created_at=opens)
            s.add(cycle)
            await s.flush()
            for d in depts:
                for version in (1, 2):  # v2 corrects v1: Q figure = q × 2亿元 (v1 said q亿元)
                    report = Report(cycle_id=cycle.id, department_id=d.id, version=version, submitted_by=1,
                                    submitted_at=opens + timedelta(days=10 + version), text="")
                    s.add(report)
                    await s.flush()
                    s.add(ReportIndicator(report_id=report.id, name="产值", value=str(q * version * 10000), unit="万元",
                                          raw=f"产值：{q * version}亿元"))
        await s.commit()
    return office  # type: ignore[return-value]


async def test_targets_read_in_the_same_statements_for_3_and_60_departments(db):  # type: ignore[no-untyped-def]
    small = await _seed(db, "small", 3)
    large = await _seed(db, "large", 60, parent="small")  # a second office: its own departments only
    caller = Caller(1, None, "主任", "zh", office_id=small)
    with counting(db.engine) as small_sql:
        await targets.report(db, caller, 2026, at=AT, tz=TZ)
    with counting(db.engine) as large_sql:
        found = await targets.report(db, Caller(1, None, "主任", "zh", office_id=large), 2026, at=AT, tz=TZ)
    assert small_sql.count == large_sql.count <= 4, f"{small_sql}\n---\n{large_sql}"
    (output,) = found.targets
    # each department: Q4's v2 = 4 × 2 = 8亿元 of 10 = 80.0% < 91.5; the office: 60 × 8 = 480 of 600 = 80.0%
    assert (output.office.figure, output.office.target, output.office.rate) == (Decimal(480), Decimal(600), Decimal("80.0"))
    assert len(output.departments) == 60 and {(p.figure, p.rate, p.on_pace) for p in output.departments} == {
        (Decimal(8), Decimal("80.0"), False)}
    async with db.session() as s:
        met = await targets.targets_met(s, large, 2026, AT, TZ)
    assert len(met) == 60 and set(met.values()) == {(0, 1)}
