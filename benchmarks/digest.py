"""Building the quarterly digest for 100, 1,000 and 5,000 departments (20 progress entries each):
how many SQL statements it takes (it must not grow with the departments) and how long it takes,
with the text, the chart and the workbook.

    .venv/bin/python -m benchmarks.digest [--db sqlite|postgres|both] [--sizes 100,1000,5000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert

from benchmarks.common import new_log_dir, scratch_database, table, write_results
from bot.render.chart import chart_png
from bot.render.workbook import workbook_xlsx
from bot.rules.workdays import china_calendar
from bot.usecases import cycles, digests
from bot.views.digest import messages
from storage import migrate
from storage.db import Database
from storage.models import (CycleMember, Department, GroupMember, LiaisonAppointment, Person, Report, ReportIndicator,
                            Task, TaskProgress, TaskTarget, WorkingGroup)

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 10, 1, 9, 0, tzinfo=TZ)
AT = datetime(2026, 12, 26, 9, 0, tzinfo=TZ)
PROGRESS_PER_DEPT = 20
GROUPS = 7


async def seed(db: Database, n: int) -> None:
    """n departments in 7 working groups, a liaison each, the 2026-Q4 cycle with 80% reported
    (3 indicators each), one task per 10 departments, and 20 progress entries per department."""
    await migrate.upgrade_to_head(db)
    await cycles.open_cycle(db, at=START, tz=TZ, calendar=china_calendar())  # opens with no members yet
    async with db.engine.begin() as conn:
        async def rows(model, items):  # type: ignore[no-untyped-def]
            for i in range(0, len(items), 2000):
                await conn.execute(insert(model), items[i:i + 2000])

        await rows(Department, [{"id": i + 1, "name": f"测试部门{i:05d}", "created_at": START} for i in range(n)])
        await rows(WorkingGroup, [{"id": g + 1, "name": f"工作专班{g}", "created_at": START} for g in range(GROUPS)])
        await rows(GroupMember, [{"group_id": i % GROUPS + 1, "department_id": i + 1, "is_lead": i < GROUPS}
                                 for i in range(n)])
        await rows(Person, [{"id": i + 1, "telegram_id": 10_000 + i, "chat_id": 10_000 + i, "full_name": f"联络员{i}",
                             "created_at": START} for i in range(n)])
        await rows(LiaisonAppointment, [{"department_id": i + 1, "person_id": i + 1, "kind": "primary",
                                         "started_at": START} for i in range(n)])
        await rows(CycleMember, [{"cycle_id": 1, "department_id": i + 1, "joined_at": START} for i in range(n)])
        reported = [i for i in range(n) if i % 5]
        await rows(Report, [{"id": k + 1, "cycle_id": 1, "department_id": i + 1, "version": 1, "submitted_by": 10_000 + i,
                             "submitted_at": START + timedelta(days=30), "late": False, "text": "产值：1亿元"}
                            for k, i in enumerate(reported)])
        await rows(ReportIndicator, [{"report_id": k + 1, "name": name, "value": value, "unit": unit, "raw": name}
                                     for k in range(len(reported))
                                     for name, value, unit in (("产值", "10000", "万元"), ("引进项目", "2", "个"),
                                                               ("增长", "3.5", "%"))])
        tasks = max(n // 10, 1)
        await rows(Task, [{"id": t + 1, "title": f"交办事项{t}", "due_at": START + timedelta(days=40), "created_by": 1,
                           "created_at": START} for t in range(tasks)])
        await rows(TaskTarget, [{"id": i + 1, "task_id": i % tasks + 1, "department_id": i + 1, "is_lead": i < tasks,
                                 "status": "done" if i % 3 == 0 else "in_progress",
                                 "done_at": START + timedelta(days=20) if i % 3 == 0 else None} for i in range(n)])
        await rows(TaskProgress, [{"target_id": i + 1, "sender_id": 10_000 + i, "at": START + timedelta(hours=p),
                                   "text": f"第{p}次进展：推进中", "kind": "text", "chat_id": 10_000 + i,
                                   "message_id": p + 1} for i in range(n) for p in range(PROGRESS_PER_DEPT)])


class StatementCounter:
    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: object) -> None:
        self.count += 1


async def measure(url: str, n: int) -> dict[str, object]:
    db = Database(url)
    try:
        await seed(db, n)
        counter = StatementCounter(db)
        timings = []
        for _ in range(3):
            counter.count = 0
            began = time.perf_counter()
            digest = await digests.build(db, "quarter", at=AT, tz=TZ)
            timings.append(time.perf_counter() - began)
            statements = counter.count
        began = time.perf_counter()
        pieces = messages(digest, "zh", TZ)
        text_s = time.perf_counter() - began
        began = time.perf_counter()
        chart_png(digest, "zh", TZ)
        chart_s = time.perf_counter() - began
        began = time.perf_counter()
        workbook_xlsx(digest, "zh", TZ)
        book_s = time.perf_counter() - began
        assert digest.total == n and digest.submitted == len([i for i in range(n) if i % 5])
        return {"departments": n, "statements": statements, "build_s": statistics.median(timings),
                "text_s": text_s, "messages": len(pieces), "chart_s": chart_s, "workbook_s": book_s}
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--sizes", default="100,1000,5000")
    args = parser.parse_args()
    new_log_dir("digest")
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        for n in sizes:
            with scratch_database(kind, f"digest{n}") as url:
                row = asyncio.run(measure(url, n))
            row["db"] = kind
            results.append(row)
            print(f"{kind} {n}: {row}", flush=True)
    print(table(["db", "departments", "SQL statements", "build s", "text s", "messages", "chart s", "workbook s"],
                [[r["db"], r["departments"], r["statements"], r["build_s"], r["text_s"], r["messages"], r["chart_s"],
                  r["workbook_s"]] for r in results]))
    print(f"results: {write_results('digest', {'runs': results})}")


if __name__ == "__main__":
    main()
