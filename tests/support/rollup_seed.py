"""A city with `districts` districts of `per_district` departments each, written straight into the
tables (bulk inserts): the city's member units are its districts, every unit and department has a
liaison, the 2026-Q4 cycle of every office with every department reported (three indicators each:
an amount, a count and a rate) and every district's unit reported upward, a few tasks with
progress in each office. For the roll-up's statement-count test and benchmarks/city_rollup.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update

from storage.db import Database
from storage.models import (CycleMember, Department, GroupMember, LiaisonAppointment, Office, Person, Report,
                            ReportIndicator, ReportingCycle, Task, TaskProgress, TaskTarget, WorkingGroup)
from storage.repos.chunking import chunks

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 10, 1, 0, 0, tzinfo=TZ)
AT = datetime(2026, 12, 26, 9, 0, tzinfo=TZ)  # the day after the city's deadline
CITY = 1
GROUPS_PER_DISTRICT = 3
TASKS_PER_DISTRICT = 3
FIGURES = (("产值", "10000", "万元", "产值：1亿元"), ("引进项目", "2", "个", "引进项目：2个"),
           ("增长", "3.5", "%", "增长：3.5%"))


@dataclass(frozen=True)
class Seeded:
    city: int  # the city's office id
    districts: int
    per_district: int
    units: int  # the city's member units (its districts)
    departments: int  # every department of every district

    @property
    def all_units(self) -> int:
        return self.units + self.departments


async def _bulk(db: Database, table, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    async with db.transaction() as s:
        for part in chunks(rows, 500):
            await s.exec(insert(table).values(list(part)))  # type: ignore[call-overload]


async def _next_ids(db: Database) -> dict[str, int]:
    """The first free id of each table written here (so several cities can share a database)."""
    tables = {"office": Office, "dept": Department, "person": Person, "group": WorkingGroup, "cycle": ReportingCycle,
              "report": Report, "task": Task, "target": TaskTarget}
    out = {}
    async with db.session() as s:
        for key, table in tables.items():
            out[key] = int((await s.exec(select(func.max(table.id)))).scalar() or 0) + 1  # type: ignore[call-overload, attr-defined]
    return out


async def seed_rollup(db: Database, districts: int, per_district: int, *, new_city: bool = False) -> Seeded:
    """Into a migrated database: the root office becomes the city, or with `new_city` a new office
    under the root does (ids continue after the rows already there)."""
    ids = await _next_ids(db)
    if new_city:
        city = ids["office"]
        await _bulk(db, Office, [{"id": city, "code": f"city{city}", "name": f"第{city}市", "short_name": f"第{city}市",
                                  "parent_id": CITY, "created_at": START}])
    else:
        city = CITY
        async with db.transaction() as s:
            await s.exec(update(Office).where(Office.id == CITY).values(code="cq-city", name="重庆市",  # type: ignore[call-overload, arg-type]
                                                                         short_name="重庆市"))
    office_ids = [city + 1 + d for d in range(districts)]
    await _bulk(db, Office, [{"id": o, "code": f"district{o}", "name": f"第{o}区", "short_name": f"第{o}区",
                              "parent_id": city, "created_at": START} for o in office_ids])
    base = ids["dept"]
    units = [{"id": base + d, "office_id": city, "name": f"第{o}区", "unit_of": o, "created_at": START}
             for d, o in enumerate(office_ids)]
    depts = [{"id": base + districts + d * per_district + j, "office_id": o, "name": f"区第{j + 1}局",
              "unit_of": None, "created_at": START} for d, o in enumerate(office_ids) for j in range(per_district)]
    await _bulk(db, Department, units + depts)
    every = units + depts
    person = {u["id"]: ids["person"] + k for k, u in enumerate(every)}
    await _bulk(db, Person, [{"id": person[u["id"]], "telegram_id": 700_000 + person[u["id"]],
                              "chat_id": 700_000 + person[u["id"]], "full_name": f"联络员{person[u['id']]}",
                              "created_at": START} for u in every])
    await _bulk(db, LiaisonAppointment, [{"department_id": u["id"], "person_id": person[u["id"]], "kind": "primary",
                                          "started_at": START} for u in every])
    gid = ids["group"]
    groups = [{"id": gid, "office_id": city, "name": "园区创建专班", "created_at": START}]
    members = [{"group_id": gid, "department_id": u["id"], "is_lead": i == 0} for i, u in enumerate(units)]
    for d, o in enumerate(office_ids):
        for g in range(GROUPS_PER_DISTRICT):
            gid += 1
            groups.append({"id": gid, "office_id": o, "name": f"工作专班{g + 1}", "created_at": START})
            mine = [x for j, x in enumerate(depts[d * per_district:(d + 1) * per_district]) if j % GROUPS_PER_DISTRICT == g]
            members += [{"group_id": gid, "department_id": x["id"], "is_lead": k == 0} for k, x in enumerate(mine)]
    await _bulk(db, WorkingGroup, groups)
    await _bulk(db, GroupMember, members)
    cycle_of = {city: ids["cycle"]} | {o: ids["cycle"] + 1 + d for d, o in enumerate(office_ids)}
    await _bulk(db, ReportingCycle, [
        {"id": cycle_of[o], "office_id": o, "label": "2026-Q4", "year": 2026, "quarter": 4, "opens_at": START,
         "deadline_at": datetime(2026, 12, 25 if o == city else 18, 18, 0, tzinfo=TZ), "created_at": START}
        for o in [city, *office_ids]])
    await _bulk(db, CycleMember, [{"cycle_id": cycle_of[u["office_id"]], "department_id": u["id"], "joined_at": START}
                                  for u in every])
    reports, indicators = [], []
    for k, u in enumerate(every):
        rid = ids["report"] + k
        upward = u["office_id"] == city
        when = datetime(2026, 12, 19 if upward else 15, 10, 0, tzinfo=TZ)
        reports.append({"id": rid, "cycle_id": cycle_of[u["office_id"]], "department_id": u["id"], "version": 1,
                        "submitted_by": 700_000 + person[u["id"]], "submitted_at": when, "late": False,
                        "text": "\n".join(raw for *_, raw in FIGURES) + "\n本季度工作推进顺利"})
        scale = per_district if upward else 1  # a district's compiled figures are its departments' totals
        indicators += [{"report_id": rid, "name": name, "value": str(int(value) * scale) if unit != "%" else value,
                        "unit": unit, "raw": raw} for name, value, unit, raw in FIGURES]
    await _bulk(db, Report, reports)
    await _bulk(db, ReportIndicator, indicators)
    tasks, targets, progress = [], [], []
    for o in [city, *office_ids]:
        mine = [u for u in every if u["office_id"] == o]
        for n in range(TASKS_PER_DISTRICT):
            tid = ids["task"] + len(tasks)
            tasks.append({"id": tid, "office_id": o, "title": f"交办事项{tid}", "due_at": START + timedelta(days=40),
                          "created_by": 1, "created_at": START})
            for j, u in enumerate(mine[n::TASKS_PER_DISTRICT]):
                target = ids["target"] + len(targets)
                targets.append({"id": target, "task_id": tid, "department_id": u["id"], "is_lead": j == 0,
                                "status": "done" if j % 2 else "in_progress", "notified_at": START,
                                "done_at": START + timedelta(days=20) if j % 2 else None})
                progress.append({"target_id": target, "sender_id": 700_000 + person[u["id"]],
                                 "at": START + timedelta(days=10), "text": "推进中", "kind": "text",
                                 "chat_id": 700_000 + person[u["id"]], "message_id": target})
    await _bulk(db, Task, tasks)
    await _bulk(db, TaskTarget, targets)
    await _bulk(db, TaskProgress, progress)
    return Seeded(city, districts, per_district, len(units), len(depts))
