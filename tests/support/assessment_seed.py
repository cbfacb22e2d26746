"""A year of an office's work, written straight into the tables (bulk inserts), for the annual
assessment's statement-count test and benchmarks/assessment.py: `units` departments; the four
quarterly cycles and twelve monthly cycles of 2026 (two indicators asked in each), every unit a
member; for every cycle most units reported (some late, some in two versions, with one or both
indicators), the rest missing; tasks created through the year, each to four units, with parts done
on time, done late and never done, acknowledged after a few hours; 产值 targets for every other
unit. Rows per unit are the same whatever the size, so only the number of units changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from storage.db import Database
from storage.models import (CycleMember, Department, OrgMeta, Report, ReportIndicator, ReportingCycle, Task,
                            TaskTarget)
from storage.repos.chunking import chunks

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
AT = datetime(2027, 1, 10, 9, 0, tzinfo=TZ)  # the default send_on of the year after
TASKS_PER_UNIT = 6  # each task has PER_TASK parts: TASKS_PER_UNIT × PER_TASK parts per unit
PER_TASK = 4
ASKED = [["产值", "亿元"], ["引进项目", "个"]]


@dataclass(frozen=True)
class SeededYear:
    office_id: int
    units: int
    cycles: int
    reports: int  # versions
    submitted: int  # (cycle, unit) with a report
    late: int  # of those, late
    parts: int
    parts_on_time: int
    parts_late: int


async def _bulk(db: Database, table, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    async with db.transaction() as s:
        for part in chunks(rows, 500):
            await s.exec(insert(table).values(list(part)))  # type: ignore[call-overload]


async def _next_id(db: Database, table) -> int:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return int((await s.exec(select(func.max(table.id)))).scalar() or 0) + 1  # type: ignore[call-overload]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def seed_year(db: Database, units: int, *, office_id: int = 1, name_prefix: str = "区第") -> SeededYear:
    """Into a migrated database (ids continue after the rows already there; several offices may be
    seeded side by side with `office_id` and a distinct `name_prefix`)."""
    dept0 = await _next_id(db, Department)
    start = local(YEAR, 1, 1)
    names = [f"{name_prefix}{i + 1}局" for i in range(units)]
    ids = [dept0 + i for i in range(units)]
    await _bulk(db, Department, [{"id": d, "office_id": office_id, "name": n, "created_at": start}
                                 for d, n in zip(ids, names, strict=True)])
    cycle0 = await _next_id(db, ReportingCycle)
    cycles = []
    for q in range(1, 5):
        cycles.append({"label": f"{YEAR}-Q{q}", "quarter": q, "opens_at": local(YEAR, 3 * q - 2, 1),
                       "deadline_at": local(YEAR, 3 * q, 25, 18, 0)})
    for m in range(1, 13):
        due = local(YEAR + (m == 12), m % 12 + 1, 5, 18, 0)
        cycles.append({"label": f"{YEAR}-{m:02d}", "quarter": (m - 1) // 3 + 1, "opens_at": local(YEAR, m, 1), "deadline_at": due})
    for k, c in enumerate(cycles):
        c.update({"id": cycle0 + k, "office_id": office_id, "year": YEAR, "created_at": c["opens_at"],
                  "expected_indicators": '[["产值", "亿元"], ["引进项目", "个"]]'})
    await _bulk(db, ReportingCycle, cycles)
    await _bulk(db, CycleMember, [{"cycle_id": c["id"], "department_id": d, "joined_at": c["opens_at"]}
                                  for c in cycles for d in ids])
    report0 = await _next_id(db, Report)
    reports, indicators = [], []
    submitted = late_count = 0
    for c in cycles:
        for i, d in enumerate(ids):
            kind = (i + c["id"]) % 5  # 0 missing, 1 late, 2 two versions, 3-4 on time
            if kind == 0:
                continue
            submitted += 1
            late_count += kind == 1
            versions = 2 if kind == 2 else 1
            for v in range(1, versions + 1):
                rid = report0 + len(reports)
                late = kind == 1
                at = c["deadline_at"] + (timedelta(days=1) if late else -timedelta(days=3 - v))
                reports.append({"id": rid, "cycle_id": c["id"], "department_id": d, "version": v,
                                "submitted_by": 1, "submitted_at": at, "late": late,
                                "text": "产值：10亿元\n引进项目：2个"})
                for name, unit, value in (("产值", "万元", "100000"), ("引进项目", "个", "2"))[: 1 + (i % 2)]:
                    indicators.append({"report_id": rid, "name": name, "value": value, "unit": unit,
                                       "raw": f"{name}：{value}{unit}"})
    await _bulk(db, Report, reports)
    await _bulk(db, ReportIndicator, indicators)
    task0 = await _next_id(db, Task)
    tasks, parts = [], []
    on_time = late_parts = 0
    count = units * TASKS_PER_UNIT // PER_TASK
    for n in range(count):
        created = start + timedelta(days=(n * 347) // max(count, 1), hours=9)
        due = created + timedelta(days=14)
        tid = task0 + n
        tasks.append({"id": tid, "office_id": office_id, "title": f"第{n + 1}项交办", "due_at": due, "created_by": 1,
                      "created_at": created})
        for k in range(PER_TASK):
            d = ids[(n * PER_TASK + k) % units]
            kind = (n + k) % 4  # 0 never done, 1 late, 2-3 on time
            on_time += kind >= 2
            late_parts += kind == 1
            done = None if kind == 0 else due + (timedelta(days=2) if kind == 1 else -timedelta(days=3))
            parts.append({"task_id": tid, "department_id": d, "is_lead": k == 0,
                          "status": "done" if done else "acknowledged", "notified_at": created,
                          "acknowledged_at": created + timedelta(hours=1 + k), "done_at": done})
    await _bulk(db, Task, tasks)
    await _bulk(db, TaskTarget, parts)
    targets = [{"year": YEAR, "indicator": "产值", "unit": "亿元", "total": None,
                "departments": [[n, "30"] for n in names[::2]]}]
    import json

    async with db.transaction() as s:
        await s.merge(OrgMeta(office_id=office_id, key="targets", value=json.dumps(targets, ensure_ascii=False)))
    if not db.is_sqlite:
        async with db.transaction() as s:
            from sqlalchemy import text

            for table in ("departments", "reporting_cycles", "reports", "tasks"):
                await s.exec(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # type: ignore[call-overload]
                                  f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"))
    return SeededYear(office_id, units, len(cycles), len(reports), submitted, late_count, len(parts), on_time,
                      late_parts)
