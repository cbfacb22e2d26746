"""Issue 15, acceptance 5: the annual assessment reads an office's year in a number of SQL
statements that does not depend on its size — the same for 20 units as for 400 units, each with a
year of reports (4 quarterly and 12 monthly cycles), task parts and targets — on SQLite and
PostgreSQL; and what it reports for the large office is what the seed wrote."""

from __future__ import annotations

from datetime import datetime

from bot.usecases import assessment
from storage.models import Office
from tests.support.assessment_seed import AT, TZ, YEAR, seed_year
from tests.support.sql_counter import counting

BUDGET = 9  # the office's settings, six reads of the year, the targets' two (their settings, the figures)


async def test_the_assessment_takes_the_same_statements_for_20_and_400_units(db):  # type: ignore[no-untyped-def]
    async with db.transaction() as s:
        s.add(Office(id=2, code="big", name="大区", parent_id=1, created_at=datetime(2026, 1, 1, tzinfo=TZ)))
    small = await seed_year(db, 20, office_id=1, name_prefix="小区第")
    large = await seed_year(db, 400, office_id=2, name_prefix="大区第")
    with counting(db.engine) as small_sql:
        small_result = await assessment.build(db, YEAR, now=AT, tz=TZ, office_id=1)
    with counting(db.engine) as large_sql:
        result = await assessment.build(db, YEAR, now=AT, tz=TZ, office_id=2)
    assert large_sql.count == small_sql.count, f"{small_sql}\n---\n{large_sql}"
    assert large_sql.count <= BUDGET, str(large_sql)

    assert len(small_result.standings) == 20 and len(result.standings) == 400
    assert result.cycles[:4] == ("2026-01", "2026-02", "2026-Q1", "2026-03")  # every cycle of the year, by deadline
    assert len(result.cycles) == large.cycles == 16  # December's monthly cycle is due in January: counted
    parts = sum(s.counts.due for s in result.standings)
    assert parts == large.parts  # every task of the year is due in it (the last due 12-28)
    assert sum(s.counts.reports_expected for s in result.standings) == 400 * 16
    assert sum(s.counts.reports_on_time + s.counts.reports_late for s in result.standings) == large.submitted
    assert sum(s.counts.reports_late for s in result.standings) == large.late
    assert sum(s.counts.on_time for s in result.standings) == large.parts_on_time
    assert sum(s.counts.late for s in result.standings) == large.parts_late
    assert all(s.score is not None and s.rank is not None for s in result.standings)
    assert [s.rank for s in result.standings] == sorted(s.rank for s in result.standings)  # type: ignore[type-var]
    with_targets = [s for s in result.standings if s.counts.targets_total]
    assert len(with_targets) == 200  # every other unit has a 产值 target

