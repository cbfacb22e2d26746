"""A city rolling up its districts (issue 13, acceptance 5): 13 districts × 30 departments (403
units, counting the districts' 13 units in the city), every department and unit reported, a few
tasks with progress in every office. How many SQL statements the city's `/cycle` and quarterly
digest take (they must not grow with the districts or departments) and how long, with the digest's
text and workbook, and a district liaison's `/report 汇总` (compiling 30 departments' reports).

    .venv/bin/python -m benchmarks.city_rollup [--db sqlite|postgres|both] [--sizes 2x3,13x30,13x100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import datetime
from typing import Any

from benchmarks.common import new_log_dir, scratch_database, table, write_results
from bot.render.workbook import workbook_xlsx
from bot.rules.people import Appointment, Caller
from bot.rules.workdays import china_calendar
from bot.usecases import cycles, digests, reports
from bot.views.digest import messages
from bot.views.reports import cycle_status
from storage import migrate
from storage.db import Database
from tests.support.rollup_seed import AT, CITY, START, TZ, seed_rollup
from tests.support.sql_counter import counting

RUNS = 5


async def _timed(db: Database, work: Any) -> tuple[int, float, Any]:
    """(statements of one run, median milliseconds of RUNS runs after a warm-up one, the last result)."""
    await work()
    timings, statements, result = [], 0, None
    for _ in range(RUNS):
        with counting(db.engine) as seen:
            began = time.perf_counter()
            result = await work()
            timings.append((time.perf_counter() - began) * 1000)
        statements = seen.count
    return statements, statistics.median(timings), result


async def measure(url: str, districts: int, per_district: int) -> dict[str, object]:
    db = Database(url)
    calendar = china_calendar()
    try:
        await migrate.upgrade_to_head(db)
        seeded = await seed_rollup(db, districts, per_district)
        cycle_sql, cycle_ms, status = await _timed(db, lambda: cycles.status(
            db, now=AT, tz=TZ, calendar=calendar, office_id=CITY))
        digest_sql, digest_ms, digest = await _timed(db, lambda: digests.build(
            db, "quarter", at=AT, tz=TZ, office_id=CITY))
        began = time.perf_counter()
        cycle_status(status, "zh", TZ)
        pieces = messages(digest, "zh", TZ)
        text_ms = (time.perf_counter() - began) * 1000
        began = time.perf_counter()
        workbook_xlsx(digest, "zh", TZ)
        book_ms = (time.perf_counter() - began) * 1000
        unit = CITY + 1  # the first district's unit: department ids start at 1 in a fresh database
        liaison = Caller(telegram_id=700_001, person_id=1, full_name="联络员", language="zh",
                         appointment=Appointment(unit, "district", "primary", START, CITY))
        compile_sql, compile_ms, compiled = await _timed(db, lambda: reports.compile_upward(
            db, liaison, now=AT, lang="zh", tz=TZ, calendar=calendar))
        assert status.total == digest.total == seeded.units and len(status.submitted) == seeded.units
        assert all(u.inside == (per_district, per_district) for u in status.units)
        assert (compiled.submitted, compiled.total) == (per_district, per_district)
        return {"offices": f"{districts}×{per_district}", "units": seeded.all_units, "cycle_sql": cycle_sql,
                "cycle_ms": cycle_ms, "digest_sql": digest_sql, "digest_ms": digest_ms, "text_ms": text_ms,
                "messages": len(pieces), "workbook_ms": book_ms, "compile_sql": compile_sql, "compile_ms": compile_ms}
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--sizes", default="2x3,13x30,13x100")
    args = parser.parse_args()
    new_log_dir("city_rollup")
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes.split(",")]
    results = []
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        for districts, per_district in sizes:
            with scratch_database(kind, f"rollup{districts}x{per_district}") as url:
                row = asyncio.run(measure(url, districts, per_district))
            row["db"] = kind
            results.append(row)
            print(f"{kind} {districts}×{per_district}: {row}", flush=True)
    print(table(["db", "districts×departments", "units", "/cycle SQL", "/cycle ms", "digest SQL", "digest ms",
                 "text ms", "messages", "workbook ms", "/report 汇总 SQL", "/report 汇总 ms"],
                [[r["db"], r["offices"], r["units"], r["cycle_sql"], r["cycle_ms"], r["digest_sql"], r["digest_ms"],
                  r["text_ms"], r["messages"], r["workbook_ms"], r["compile_sql"], r["compile_ms"]] for r in results]))
    print(f"results: {write_results('city_rollup', {'runs': results, 'at': datetime.now().isoformat()})}")


if __name__ == "__main__":
    main()
