"""The dashboard's JSON (`/api/summary`, `/api/departments/{id}`): the digest's own numbers as
plain data. Nothing is counted here that the digest does not count (DESIGN.md: a number shown two
ways comes from one function); this module only names and shapes them.

Names stay as typed (the page escapes them); decimals become JSON numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.rules.digest import Digest, UnitStanding, home_groups
from bot.texts import cycle_name, period_name

REPORTED, LATE, MISSING, NONE = "reported", "late", "missing", "none"


@dataclass(frozen=True)
class OfficeRef:
    id: int
    name: str


@dataclass(frozen=True)
class ChildRef:
    """A member unit that stands for an office below (its id, to drill down)."""

    office_id: int
    unit: str  # the unit's department name in the parent's cycle


def number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _iso(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None


def summary(d: Digest, *, office: OfficeRef, parent: OfficeRef | None, department_ids: Mapping[str, int],
            children: Sequence[ChildRef], lang: str, tz: ZoneInfo) -> dict[str, object]:
    """`/api/summary` from the digest of the same moment (see the module's docstring)."""
    home = home_groups(d.groups)
    missing, late = set(d.missing), set(d.late)
    members = missing | {s.department for s in d.departments if s.reported}
    departments = []
    for s in d.departments:
        state = (NONE if s.department not in members else MISSING if s.department in missing
                 else LATE if s.department in late else REPORTED)
        departments.append({
            "id": department_ids.get(s.department), "name": s.department, "group": home.get(s.department),
            "liaison": s.liaison, "state": state, "version": s.version, "tasks_open": s.tasks_open,
            "tasks_done": s.tasks_done, "tasks_overdue": s.tasks_overdue,
            "latest": s.latest_progress or (s.latest_file[1] if s.latest_file else None),
            "latest_at": _iso(s.latest_at, tz),
        })
    units = {u.name: u for u in d.units}
    return {
        "office": {"id": office.id, "name": office.name},
        "parent": {"id": parent.id, "name": parent.name} if parent else None,
        "lang": lang,
        "generated_at": _iso(d.generated_at, tz),
        "period": {"kind": d.period.kind, "label": d.period.label, "name": period_name(d.period.label, lang)},
        "cycle": {
            "name": cycle_name(d.cycle_label, lang) if d.cycle_label else None, "label": d.cycle_label,
            "deadline": _iso(d.cycle_deadline, tz), "submitted": d.submitted, "total": d.total,
            "missing": list(d.missing), "late": list(d.late),
        },
        "groups": [{"name": g.name, "reported": g.reported, "overdue": g.overdue,
                    "departments": len(set(g.leads) | set(g.members))} for g in d.groups],
        "departments": departments,
        "overdue": [{"task": o.task_id, "title": o.title, "department": o.department, "days": o.days,
                     "lead": o.is_lead} for o in d.overdue],
        "meetings": [{"id": m.meeting_id, "title": m.title, "held_on": m.held_on.isoformat(), "done": m.done,
                      "total": m.total, "overdue": [{"task": t, "title": title, "days": days}
                                                    for t, title, days in m.overdue]} for m in d.meetings],
        "indicators": indicators(d),
        "children": [_child(c, units.get(c.unit)) for c in children],
    }


def _child(child: ChildRef, unit: UnitStanding | None) -> dict[str, object]:
    """A child office's row; `reported` None when its unit is not in the cycle (or none is open)."""
    inside = unit.inside if unit is not None else None
    return {"id": child.office_id, "name": child.unit, "reported": unit.reported if unit is not None else None,
            "submitted": inside[0] if inside else None, "total": inside[1] if inside else None}


def indicators(d: Digest) -> list[dict[str, object]]:
    """The digest's indicator totals (`Digest.summaries`), each with the year's target when the
    office has one for it (`Digest.targets`, the same standing `/targets` shows); targets nobody
    reported yet follow, with no total."""
    targets = {t.indicator: t for t in d.targets}
    out: list[dict[str, object]] = []
    for i in d.summaries():
        target = targets.pop(i.name, None)
        out.append({"name": i.name, "unit": i.unit, "total": number(i.total), "low": number(i.low),
                    "high": number(i.high), "count": i.count, **_target(target),
                    "values": [{"department": dept, "value": number(v)} for dept, v in i.values]})
    for target in targets.values():
        out.append({"name": target.indicator, "unit": target.unit, "total": None, "low": None, "high": None,
                    "count": 0, **_target(target), "values": []})
    return out


def _target(target: object) -> dict[str, object]:
    if target is None:
        return {"target": None, "completion": None, "on_pace": None, "target_figure": None}
    line = target.office  # type: ignore[attr-defined]
    return {"target": number(line.target), "completion": number(line.rate), "on_pace": line.on_pace,
            "target_figure": number(line.figure)}


@dataclass(frozen=True)
class TaskPart:
    task: int
    title: str
    due: datetime
    status: str  # shown status (bot.rules.tasks.shown_status), or "unnotified"
    lead: bool
    standing: bool


@dataclass(frozen=True)
class ReportEntry:
    cycle: str
    version: int
    submitted_at: datetime
    late: bool
    text: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class ProgressEntry:
    task: int
    at: datetime
    kind: str
    text: str | None
    file: str | None


@dataclass(frozen=True)
class DepartmentPage:
    id: int
    name: str
    office: OfficeRef
    group: str | None
    liaison: str | None
    tasks: list[TaskPart]
    reports: list[ReportEntry]
    progress: list[ProgressEntry]


def department(page: DepartmentPage, *, lang: str, tz: ZoneInfo) -> dict[str, object]:
    """`/api/departments/{id}`."""
    return {
        "id": page.id, "name": page.name, "office": {"id": page.office.id, "name": page.office.name},
        "group": page.group, "liaison": page.liaison, "lang": lang,
        "tasks": [{"task": p.task, "title": p.title, "due": p.due.astimezone(tz).date().isoformat(),
                   "status": p.status, "lead": p.lead, "standing": p.standing} for p in page.tasks],
        "reports": [{"cycle": r.cycle, "cycle_name": cycle_name(r.cycle, lang), "version": r.version,
                     "submitted_at": _iso(r.submitted_at, tz), "late": r.late, "text": r.text, "files": list(r.files)}
                    for r in page.reports],
        "progress": [{"task": p.task, "at": _iso(p.at, tz), "kind": p.kind, "text": p.text, "file": p.file}
                     for p in page.progress],
    }
