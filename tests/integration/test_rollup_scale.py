"""Issue 13, acceptance 5: a city's `/cycle` and quarterly digest roll up its districts in a number
of SQL statements that does not depend on how many districts and departments there are — the same
for 2 districts × 3 departments as for 13 × 30 (403 units) — on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from bot.usecases import cycles, digests
from tests.support.rollup_seed import AT, TZ, seed_rollup
from tests.support.sql_counter import counting


async def _measure(db, city: int):  # type: ignore[no-untyped-def]
    with counting(db.engine) as status_sql:
        status = await cycles.status(db, now=AT, office_id=city)
    with counting(db.engine) as digest_sql:
        digest = await digests.build(db, "quarter", at=AT, tz=TZ, office_id=city)
    return status_sql, status, digest_sql, digest


async def test_the_city_rolls_up_in_the_same_statements_for_2x3_and_13x30(db):  # type: ignore[no-untyped-def]
    small = await seed_rollup(db, 2, 3, new_city=True)
    large = await seed_rollup(db, 13, 30, new_city=True)
    assert large.all_units == 403
    small_status_sql, _, small_digest_sql, _ = await _measure(db, small.city)
    status_sql, status, digest_sql, digest = await _measure(db, large.city)
    assert status_sql.count == small_status_sql.count, f"/cycle:\n{small_status_sql}\n---\n{status_sql}"
    assert digest_sql.count == small_digest_sql.count, f"digest:\n{small_digest_sql}\n---\n{digest_sql}"
    assert status_sql.count <= 10 and digest_sql.count <= 20, f"{status_sql}\n---\n{digest_sql}"

    # and what they say is right: 13 units, each with its district's own 30/30, city-wide totals
    assert (status.total, len(status.submitted), status.missing) == (13, 13, [])
    assert [(u.reported, u.inside) for u in status.units] == [(True, (30, 30))] * 13
    totals = {s.name: s for s in status.summaries}
    assert (totals["产值"].total, totals["产值"].unit) == (Decimal(390), "亿元")  # 13 districts × 30 × 1亿元
    assert totals["引进项目"].total == Decimal(780) and totals["增长"].total is None  # a rate is never summed
    assert (digest.submitted, digest.total, len(digest.units)) == (13, 13, 13)
    assert all(u.inside == (30, 30) for u in digest.units)
    assert {s.name: s.total for s in digest.summaries()} == {s.name: s.total for s in status.summaries}
    assert {d.department for d in digest.departments} == {u.name for u in digest.units}  # no district's department
