"""The annual assessment at scale (issue 15, acceptance 5): an office of N units with a year of
data (tests/support/assessment_seed.py: 4 quarterly and 12 monthly cycles with two indicators asked,
most units reporting — some late, some in two versions —, 6 task parts per unit done on time, late
or never, 产值 targets for every other unit). How many SQL statements the assessment takes (it must
not grow with the units) and how long: the reads and the computation (`assessment.build`), the
text, the workbook and the chart.

    .venv/bin/python -m benchmarks.assessment [--db sqlite|postgres|both] [--sizes 100,400]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import Counter
from datetime import datetime
from typing import Any

from benchmarks.common import new_log_dir, print_statements, scratch_database, table, write_results
from bot.render.assessment_chart import assessment_png
from bot.render.assessment_workbook import assessment_xlsx
from bot.usecases import assessment
from bot.views.assessment import messages
from storage import migrate
from storage.db import Database
from tests.support.assessment_seed import AT, TZ, YEAR, seed_year
from tests.support.sql_counter import counting

RUNS = 5


def _median_ms(work: Any) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(RUNS):
        began = time.perf_counter()
        result = work()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings), result


async def measure(url: str, units: int) -> dict[str, object]:
    db = Database(url)
    try:
        await migrate.upgrade_to_head(db)
        seeded = await seed_year(db, units)
        await assessment.build(db, YEAR, now=AT, tz=TZ)  # warm-up
        timings, statements, built = [], None, None
        for _ in range(RUNS):
            with counting(db.engine) as seen:
                began = time.perf_counter()
                built = await assessment.build(db, YEAR, now=AT, tz=TZ)
                timings.append((time.perf_counter() - began) * 1000)
            statements = seen
        assert built is not None and statements is not None and len(built.standings) == units
        text_ms, pieces = _median_ms(lambda: messages(built, "zh", TZ))
        book_ms, _ = _median_ms(lambda: assessment_xlsx(built, "zh", TZ))
        chart_ms, _ = _median_ms(lambda: assessment_png(built, "zh"))
        return {"units": units, "cycles": seeded.cycles, "reports": seeded.reports, "parts": seeded.parts,
                "sql": statements.count, "build_ms": statistics.median(timings), "text_ms": text_ms,
                "messages": len(pieces), "workbook_ms": book_ms, "chart_ms": chart_ms,
                "statements": [(n, sql[:160]) for sql, n in Counter(statements.sql).most_common()]}
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--sizes", default="100,400")
    args = parser.parse_args()
    new_log_dir("assessment")
    results = []
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        for units in (int(n) for n in args.sizes.split(",")):
            with scratch_database(kind, f"assess{units}") as url:
                row = asyncio.run(measure(url, units))
            row["db"] = kind
            results.append(row)
            print(f"{kind} {units} units: {row['sql']} statements, build {row['build_ms']:.1f} ms", flush=True)
    print(table(["db", "units", "cycles", "report versions", "task parts", "SQL", "build ms", "text ms", "messages",
                 "workbook ms", "chart ms"],
                [[r["db"], r["units"], r["cycles"], r["reports"], r["parts"], r["sql"], r["build_ms"], r["text_ms"],
                  r["messages"], r["workbook_ms"], r["chart_ms"]] for r in results]))
    last = results[-1]
    print_statements(f"statements of one assessment ({last['db']}, {last['units']} units)", last["statements"])  # type: ignore[arg-type]
    print(f"results: {write_results('assessment', {'runs': results, 'at': datetime.now().isoformat()})}")


if __name__ == "__main__":
    main()
