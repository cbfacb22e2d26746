"""A large office written straight into the tables (bulk inserts, chunked): departments with a
liaison each, directors, and many open tasks. For the scheduler's scale tests; the shapes are
those of the benchmarks' seed (benchmarks/scheduler.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, text

from storage.db import Database
from storage.models import Department, LiaisonAppointment, Person, RoleGrant, Task, TaskTarget
from storage.repos.chunking import chunks

FIRST_LIAISON = 500_000
FIRST_DIRECTOR = 900_000


@dataclass(frozen=True)
class Seeded:
    departments: list[str]  # index i: department id i + 1, liaison FIRST_LIAISON + i
    directors: list[int]
    task_due: dict[int, datetime]  # task id → due
    task_departments: dict[int, list[int]]  # task id → department ids


async def _bulk(db: Database, table, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    async with db.transaction() as s:
        for part in chunks(rows):
            await s.exec(insert(table).values(list(part)))  # type: ignore[call-overload]


async def seed_office(db: Database, *, departments: int, directors: int, now: datetime) -> Seeded:
    names = [f"区第{i + 1}局" for i in range(departments)]
    await _bulk(db, Department, [{"id": i + 1, "name": n, "created_at": now} for i, n in enumerate(names)])
    people = [{"id": i + 1, "telegram_id": FIRST_LIAISON + i, "chat_id": FIRST_LIAISON + i, "full_name": f"联络员{i + 1}",
               "created_at": now} for i in range(departments)]
    chiefs = [FIRST_DIRECTOR + i for i in range(directors)]
    people += [{"id": departments + i + 1, "telegram_id": c, "chat_id": c, "full_name": f"主任{i + 1}", "created_at": now}
               for i, c in enumerate(chiefs)]
    await _bulk(db, Person, people)
    await _bulk(db, LiaisonAppointment, [{"department_id": i + 1, "person_id": i + 1, "kind": "primary",
                                          "started_at": now} for i in range(departments)])
    await _bulk(db, RoleGrant, [{"telegram_id": c, "role": "director", "granted_at": now} for c in chiefs])
    await _fix_sequences(db)
    return Seeded(names, chiefs, {}, {})


async def seed_tasks(db: Database, seeded: Seeded, *, dues: list[datetime], per_task: int, created: datetime,
                     notified: datetime | None) -> None:
    """One open task per due time, each to `per_task` consecutive departments, every part pending
    (notified at `notified`, or never when None)."""
    count = len(seeded.departments)
    tasks, targets = [], []
    for n, due in enumerate(dues):
        task_id = n + 1
        tasks.append({"id": task_id, "title": f"第{task_id}项交办", "due_at": due, "created_by": 1, "created_at": created})
        depts = [(n * per_task + k) % count + 1 for k in range(per_task)]
        seeded.task_due[task_id] = due
        seeded.task_departments[task_id] = depts
        targets += [{"task_id": task_id, "department_id": d, "is_lead": k == 0, "status": "pending",
                     "notified_at": notified} for k, d in enumerate(depts)]
    await _bulk(db, Task, tasks)
    await _bulk(db, TaskTarget, targets)
    await _fix_sequences(db)


async def _fix_sequences(db: Database) -> None:
    """Rows inserted with explicit ids: move PostgreSQL's sequences past them."""
    if db.is_sqlite:
        return
    async with db.transaction() as s:
        for table in ("departments", "people", "tasks"):
            await s.exec(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # type: ignore[call-overload]
                              f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"))


def spread(start: datetime, count: int, step: timedelta) -> list[datetime]:
    return [start + step * i for i in range(count)]
