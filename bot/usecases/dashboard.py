"""The directors' dashboard (a Telegram Mini App): who may see which office, and the data of its
two JSON endpoints. The summary is the digest of the same moment (`digests.build`), shaped by
bot/views/dashboard.py; the department page reads one department's history."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.errors import DomainError
from bot.rules.digest import home_groups, on_demand_period, GroupStanding
from bot.rules.people import Caller, display_name
from bot.rules.roles import Role
from bot.rules.tasks import TargetStatus, shown_status
from bot.usecases import digests, people
from bot.views import dashboard as view
from storage.db import Database
from storage.repos import dashboard as dashboard_repo
from storage.repos import liaisons as liaison_repo
from storage.repos import org as org_repo

PERIOD = "quarter"  # the summary is the quarter so far: `/digest 季度` of the same moment
VIEWERS = frozenset({Role.DIRECTOR, Role.ADMIN})


class Forbidden(DomainError):
    """Signed in, but not a director or admin of the office asked for (403)."""


class Missing(DomainError):
    """No such office or department within the viewer's reach (404)."""


async def viewer(db: Database, telegram_id: int, *, office_id: int | None, admin_ids: frozenset[int],
                 default_language: str) -> Caller:
    """The visitor as a caller acting in `office_id` (their own office without one). An office
    outside their reach is Missing (as if it did not exist); a person without the director's or
    admin's role there is Forbidden."""
    caller = await people.as_viewer(db, telegram_id, office_id=office_id, admin_ids=admin_ids,
                                    default_language=default_language)
    if office_id is not None and caller.office_id != office_id:
        if VIEWERS & caller.roles:
            raise Missing()
        raise Forbidden()
    if not VIEWERS & caller.roles:
        raise Forbidden()
    return caller


async def summary(db: Database, caller: Caller, *, at: datetime, tz: ZoneInfo,
                  admin_ids: frozenset[int] = frozenset()) -> dict[str, object]:
    """`/api/summary` for the caller's office: the digest's numbers, each unit standing for an
    office below with that office's id (the drill-down), and the office above when the caller
    may go there."""
    office_id = caller.office_id
    digest = await digests.build(db, PERIOD, at=at, tz=tz, period=on_demand_period(PERIOD, at, tz),
                                 office_id=office_id)
    async with db.session() as s:
        offices = {o.id: o for o in await org_repo.offices(s)}
        departments = await org_repo.departments(s, office_id)
    up = await _way_up(db, caller, offices[office_id].parent_id, admin_ids)
    return view.summary(
        digest, office=_ref(offices[office_id]), parent=_ref(offices[up]) if up is not None else None,
        department_ids={d.name: d.id for d in departments},  # type: ignore[misc]
        children=[view.ChildRef(d.unit_of, d.name) for d in departments
                  if d.unit_of is not None and d.unit_of in caller.offices],
        lang=caller.language, tz=tz)


async def _way_up(db: Database, caller: Caller, parent: int | None, admin_ids: frozenset[int]) -> int | None:
    """The office above, when the caller is a director or admin there too (a district director
    who is only the liaison of the district's unit in the city may not go up)."""
    if parent is None or parent not in caller.offices:
        return None
    there = await people.as_viewer(db, caller.telegram_id, office_id=parent, admin_ids=admin_ids,
                                   default_language=caller.language)
    return parent if there.office_id == parent and VIEWERS & there.roles else None


def _ref(office: object) -> view.OfficeRef:
    return view.OfficeRef(office.id, office.short_name or office.name or office.code or "")  # type: ignore[attr-defined]


async def department(db: Database, caller: Caller, department_id: int, *, at: datetime,
                     tz: ZoneInfo) -> dict[str, object]:
    """`/api/departments/{id}`: a department of the caller's office (else Missing) with its
    tasks, reports (and their files' names) and progress, each the latest first."""
    async with db.session() as s:
        dept = await org_repo.department(s, department_id, caller.office_id)
        if dept is None:
            raise Missing()
        office = await org_repo.office(s, caller.office_id)
        groups = await org_repo.groups(s, caller.office_id)
        membership = await org_repo.memberships(s, caller.office_id)
        names = {d.id: d.name for d in await org_repo.departments(s, caller.office_id)}
        current = [(a, p) for a, p in await liaison_repo.history(s, department_id) if a.ended_at is None]
        tasks = await dashboard_repo.tasks_of(s, department_id)
        reports = await dashboard_repo.reports_of(s, department_id)
        files = await dashboard_repo.files_of(s, [r.id for r, _ in reports])  # type: ignore[misc]
        progress = await dashboard_repo.progress_of(s, department_id)
    home = home_groups([GroupStanding(g.name, [names[d] for d, lead in membership.get(g.id, {}).items() if lead],  # type: ignore[arg-type]
                                      [names[d] for d, lead in membership.get(g.id, {}).items() if not lead], 0, 0)
                        for g in groups])
    liaison = next((display_name(p.full_name, p.username) for a, p in current if a.kind == "primary"), None)
    by_report: dict[int, list[str]] = {}
    for f in files:
        by_report.setdefault(f.report_id, []).append(f.file_name or _unnamed(f.kind, caller.language))  # type: ignore[arg-type]
    page = view.DepartmentPage(
        department_id, dept.name, _ref(office), home.get(dept.name), liaison,
        tasks=[view.TaskPart(t.id, t.title, part.due_at or t.due_at, _status(t, part, at), part.is_lead, t.standing)  # type: ignore[arg-type]
               for t, part in tasks],
        reports=[view.ReportEntry(label, r.version, r.submitted_at, r.late, r.text, tuple(by_report.get(r.id, [])))  # type: ignore[arg-type]
                 for r, label in reports],
        progress=[view.ProgressEntry(task_id, p.at, p.kind, p.text, p.file_name or (
            _unnamed(p.kind, caller.language) if p.kind in ("photo", "document") else None)) for p, task_id in progress],
    )
    return view.department(page, lang=caller.language, tz=tz)


def _status(task: object, part: object, at: datetime) -> str:
    closed = task.closed_at is not None  # type: ignore[attr-defined]
    if part.notified_at is None and part.status != TargetStatus.DONE and not closed:  # type: ignore[attr-defined]
        return "unnotified"
    if closed and part.status != TargetStatus.DONE:  # type: ignore[attr-defined]
        return "closed"
    return shown_status(part.status, part.due_at or task.due_at, closed, at,  # type: ignore[attr-defined]
                        standing=task.standing)  # type: ignore[attr-defined]


def _unnamed(kind: str, lang: str) -> str:
    """A photo has no file name on Telegram: the page still lists it."""
    if kind == "photo":
        return "photo" if lang == "en" else "照片"
    return "file" if lang == "en" else "文件"
