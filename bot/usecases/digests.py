"""Gathering the directors' digest: reporting status, tasks, working groups, latest progress,
indicator figures and the change since the last digest of the same kind.

A fixed number of queries, whatever the number of departments (see benchmarks/digest.py)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.rules.digest import (Digest, DeptStanding, GroupStanding, LiaisonLine, MeetingStanding, OverdueItem, Period,
                              TaskLine, agreed_item, changes, meeting_standing, meetings_in_digest, period_for)
from bot.rules.people import display_name
from bot.rules.tasks import TargetStatus, days_overdue, is_overdue, shown_status
from bot.rules.cycles import month_of_label, reported_month_at
from bot.usecases.cycles import expected_of, figures_of, monthly_trend_in, units_of
from bot.usecases.names import resolve_department
from bot.usecases import targets as annual_targets
from storage.db import Database
from storage.models import ROOT_OFFICE_ID
from storage.repos import cycles as cycle_repo
from storage.repos import digests as digest_repo
from storage.repos import liaisons as liaison_repo
from storage.repos import org as org_repo
from storage.repos import tasks as task_repo

LINE = 60


def _one_line(text: str | None) -> str | None:
    if not text:
        return None
    line = " ".join(text.split())
    return line if len(line) <= LINE else line[: LINE - 1] + "…"


async def _gather(s: AsyncSession, period: Period, at: datetime, tz: ZoneInfo, office_id: int) -> Digest:
    depts = await org_repo.departments(s, office_id)
    names = {d.id: d.name for d in depts}
    groups = await org_repo.groups(s, office_id)
    membership = await org_repo.memberships(s, office_id)

    cycle = await cycle_repo.by_label(s, period.label, office_id) if period.kind == "quarter" \
        else await cycle_repo.current(s, at, office_id)
    members = [d.id for d in await cycle_repo.members(s, cycle.id)] if cycle else []  # type: ignore[arg-type]
    first = await cycle_repo.first_submissions(s, cycle.id) if cycle else {}  # type: ignore[arg-type]
    latest = {r.department_id: r for r in await cycle_repo.latest_reports(s, [cycle.id])} if cycle else {}  # type: ignore[list-item]
    figures = await figures_of(s, cycle.id, names) if cycle else []  # type: ignore[arg-type]
    member_set = set(members)
    units = await units_of(s, cycle, [d for d in depts if d.unit_of is not None and d.id in member_set],
                           first) if cycle else []

    tasks = await digest_repo.tasks_touching(s, period.start, office_id)
    by_task = {t.id: t for t in tasks}
    targets = await digest_repo.targets_touching(s, period.start, office_id)
    progress = await digest_repo.latest_progress(s, office_id)
    roster = await liaison_repo.roster(s, office_id)

    overdue: list[OverdueItem] = []
    unnotified: list[OverdueItem] = []
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # dept → open, done, overdue
    statuses: dict[int, dict[str, str]] = defaultdict(dict)
    done_at: dict[int, list[datetime | None]] = defaultdict(list)
    for target, dept in targets:
        task = by_task[target.task_id]
        closed = task.closed_at is not None
        due = target.due_at or task.due_at
        never_notified = target.notified_at is None and target.status != TargetStatus.DONE and not closed
        statuses[task.id][dept.name] = ("unnotified" if never_notified  # type: ignore[index]
                                        else shown_status(target.status, due, closed, at, standing=task.standing))
        done_at[task.id].append(target.done_at if target.status == TargetStatus.DONE else None)  # type: ignore[index]
        if target.status == TargetStatus.DONE:
            counts[dept.id][1] += 1  # type: ignore[index]
        elif not closed:
            counts[dept.id][0] += 1  # type: ignore[index]
        if never_notified:  # no liaison: listed apart, never blamed as overdue
            unnotified.append(OverdueItem(task.id, task.title, dept.name, target.is_lead, days_overdue(due, at, tz)))  # type: ignore[arg-type]
        elif is_overdue(target.status, due, closed, at, standing=task.standing):
            counts[dept.id][2] += 1  # type: ignore[index]
            overdue.append(OverdueItem(task.id, task.title, dept.name, target.is_lead, days_overdue(due, at, tz)))  # type: ignore[arg-type]
    opened = sum(period.start <= t.created_at < period.end for t in tasks)
    finished = sum(
        1 for t in tasks
        if (t.closed_at is not None and period.start <= t.closed_at < period.end)
        or (done_at[t.id] and all(done_at[t.id]) and period.start <= max(done_at[t.id]) < period.end)  # type: ignore[index, type-var]
    )

    posts: dict[int, LiaisonLine] = {}
    liaisons: list[LiaisonLine] = []
    for dept, appointment, person in roster:
        line = LiaisonLine(dept.name, display_name(person.full_name, person.username) if person else None,
                           appointment.kind if appointment else None, appointment.started_at if appointment else None,
                           bool(person and person.blocked_at))
        liaisons.append(line)
        if appointment is None or appointment.kind == "primary" or dept.id not in posts:
            posts.setdefault(dept.id, line)  # type: ignore[arg-type]

    standings = []
    for d in depts:
        entry = progress.get(d.id)  # type: ignore[arg-type]
        report = latest.get(d.id)  # type: ignore[arg-type]
        text, when = (_one_line(entry.text), entry.at) if entry else (None, None)
        attached = (entry.kind, entry.file_name) if entry and not text and entry.kind in ("photo", "document") else None
        if report is not None and (when is None or report.submitted_at > when):
            text, when, attached = _one_line(report.text), report.submitted_at, None
        open_, done, late_ = counts[d.id]  # type: ignore[index]
        standings.append(DeptStanding(d.name, posts[d.id].name if d.id in posts else None, d.id in first,  # type: ignore[operator]
                                      bool(first.get(d.id) and first[d.id].late), report.version if report else 0,  # type: ignore[arg-type]
                                      open_, done, late_, text, when, attached))

    group_rows = []
    for g in groups:
        mine = membership.get(g.id, {})  # type: ignore[arg-type]
        group_rows.append(GroupStanding(
            g.name, [names[d] for d, lead in mine.items() if lead], [names[d] for d, lead in mine.items() if not lead],
            sum(1 for d in mine if d in first), sum(counts[d][2] for d in mine)))

    return Digest(
        period=period, generated_at=at, cycle_label=cycle.label if cycle else None,
        cycle_deadline=cycle.deadline_at if cycle else None, submitted=len([d for d in members if d in first]),
        total=len(members), missing=[names[d] for d in members if d not in first],
        late=[names[d] for d in members if d in first and first[d].late], tasks_opened=opened,
        tasks_finished=finished, overdue=sorted(overdue, key=lambda o: (-o.days, o.task_id, o.department)),
        groups=group_rows, departments=standings, figures=figures,
        tasks=[TaskLine(t.id, t.title, t.due_at, t.created_at, t.closed_at is not None, statuses[t.id])  # type: ignore[arg-type, index]
               for t in tasks],
        liaisons=liaisons, expected=expected_of(cycle) if cycle else [],
        unnotified=sorted(unnotified, key=lambda o: (o.task_id, o.department)), units=units,
        meetings=await _meetings(s, period, at, tz, office_id),
        targets=await annual_targets.standings_in(s, office_id, period.start.astimezone(tz).year, at, tz),
        trend=await _trend(s, period, at, tz, office_id),
    )


async def _meetings(s: AsyncSession, period: Period, at: datetime, tz: ZoneInfo, office_id: int) -> list[MeetingStanding]:
    """The agreed items of the period's meetings, and of earlier meetings still overdue (one
    statement): done/total and the overdue items as of `at`, standing items never overdue."""
    rows = await digest_repo.meeting_parts(s, office_id, period.start.astimezone(tz).date(), at)
    meetings: dict[int, tuple[str, date]] = {}
    tasks: dict[int, dict[int, list]] = defaultdict(dict)  # type: ignore[type-arg]  # meeting → task → its rows
    for r in rows:
        meetings.setdefault(r.meeting_id, (r.meeting_title, r.held_on))
        tasks[r.meeting_id].setdefault(r.task_id, []).append(r)
    standings = []
    for meeting_id, (title, held_on) in meetings.items():
        items = []
        for task_id, parts in tasks[meeting_id].items():
            first = parts[0]
            items.append(agreed_item(task_id, first.title, first.task_due, standing=bool(first.standing),
                                     closed=first.closed_at is not None, at=at, tz=tz,
                                     parts=[(p.department, p.is_lead, p.status, p.due) for p in parts]))
        standings.append(meeting_standing(meeting_id, title, held_on, items))
    return meetings_in_digest(standings, period, tz)


async def _trend(s: AsyncSession, period: Period, at: datetime, tz: ZoneInfo, office_id: int) -> list:  # type: ignore[type-arg]
    """A monthly digest's trend of the monthly indicators: the six months up to the period's month,
    or up to the last month whose figures are collected by now (a month so far has none yet)."""
    if period.kind != "month":
        return []
    return await monthly_trend_in(s, office_id, min(month_of_label(period.label), reported_month_at(at, tz)))


async def build(db: Database, kind: str, *, at: datetime, tz: ZoneInfo, period: Period | None = None,
                office_id: int = ROOT_OFFICE_ID) -> Digest:
    """The office's digest of `kind` as of `at`, compared with its last scheduled digest of that
    kind before it. The period is the scheduled one (`period_for`: the one just ended) unless given
    (`/digest`: `on_demand_period`, the period so far or the one just ended). The offices below
    roll up: each unit standing for one shows that office's own `submitted/total`; its figures are
    those of the unit's report, and the totals are over every unit's and department's report.
    A fixed number of statements, whatever the number of departments and offices below."""
    period = period or period_for(kind, at, tz)
    async with db.session() as s:
        digest = await _gather(s, period, at, tz, office_id)
        previous = await digest_repo.previous_run(s, kind, period.label, office_id)
        digest.office = await _office_name(s, office_id)
    digest.changes = changes(json.loads(previous.snapshot) if previous else None, digest.snapshot())  # type: ignore[arg-type]
    return digest


async def _office_name(s: AsyncSession, office_id: int) -> str | None:
    """How the digest names its office: only in a database of several offices (one statement)."""
    offices = await org_repo.offices(s)
    if len(offices) < 2:
        return None
    office = next((o for o in offices if o.id == office_id), None)
    return (office.short_name or office.name or office.code) if office else None


async def status(db: Database, query: str, *, at: datetime, tz: ZoneInfo, office_id: int = ROOT_OFFICE_ID) -> DeptStanding:
    """`/status DEPARTMENT`: that department's standing in the office as of `at` (a typed name:
    full, alias, fragment; otherwise NotFound with candidates or suggestions)."""
    async with db.session() as s:
        dept = await resolve_department(s, query, office_id)
    digest = await build(db, "week", at=at, tz=tz, office_id=office_id)
    return next(d for d in digest.departments if d.department == dept.name)


async def already_sent(db: Database, kind: str, label: str, office_id: int = ROOT_OFFICE_ID) -> bool:
    async with db.session() as s:
        return await digest_repo.run(s, kind, label, office_id) is not None
