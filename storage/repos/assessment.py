"""What the annual assessment reads (bot/rules/assessment.py computes it): an office's member units,
their task parts, the year's reporting cycles with their members, the reports' first and newest
versions and the newest versions' indicators. Six statements, whatever the number of units, tasks,
cycles and reports: acceptance 5 of issue 15 (400 units over a year in a constant number)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CycleMember, Department, OrgMeta, Report, ReportIndicator, ReportingCycle, Task, TaskTarget


@dataclass
class YearRows:
    """Plain rows, in the shapes the rule's inputs take (the use case converts them)."""

    # (id, name, unit_of)
    units: list[tuple[int, str, int | None]] = field(default_factory=list)
    # (department_id, created_at, due_at, standing, closed_at, notified_at, acknowledged_at, done_at)
    parts: list[tuple] = field(default_factory=list)  # type: ignore[type-arg]
    # (id, label, deadline_at, expected_indicators JSON or None)
    cycles: list[tuple[int, str, datetime, str | None]] = field(default_factory=list)
    # (cycle_id, department_id)
    members: list[tuple[int, int]] = field(default_factory=list)
    # (cycle_id, department_id, version, late), every version submitted by `as_of`
    versions: list[tuple[int, int, int, bool]] = field(default_factory=list)
    # (cycle_id, department_id, name, unit) of each newest version submitted by `as_of`
    indicators: list[tuple[int, int, str, str]] = field(default_factory=list)


def _year_cycles(office_id: int, year: int):  # type: ignore[no-untyped-def]
    return select(ReportingCycle.id).where(ReportingCycle.office_id == office_id, ReportingCycle.year == year)


async def year_rows(s: AsyncSession, office_id: int, year: int, start: datetime, end: datetime,
                    as_of: datetime) -> YearRows:
    """Everything one office's assessment of `year` needs; [start, end) is the year in the office's
    zone. Task parts are those of tasks created in the year or due in it."""
    out = YearRows()
    out.units = [(int(i), n, u) for i, n, u in await s.exec(
        select(Department.id, Department.name, Department.unit_of)
        .where(Department.office_id == office_id).order_by(col(Department.id)))]
    due = func.coalesce(TaskTarget.due_at, Task.due_at)
    out.parts = list(await s.exec(
        select(TaskTarget.department_id, Task.created_at, due, Task.standing, Task.closed_at, TaskTarget.notified_at,
               TaskTarget.acknowledged_at, TaskTarget.done_at)
        .join(Task, col(Task.id) == TaskTarget.task_id)
        .where(Task.office_id == office_id,
               or_(and_(col(Task.created_at) >= start, col(Task.created_at) < end), and_(due >= start, due < end)))))
    out.cycles = [(int(i), label, deadline, expected) for i, label, deadline, expected in await s.exec(
        select(ReportingCycle.id, ReportingCycle.label, ReportingCycle.deadline_at, ReportingCycle.expected_indicators)
        .where(ReportingCycle.office_id == office_id, ReportingCycle.year == year)
        .order_by(col(ReportingCycle.deadline_at), col(ReportingCycle.id)))]
    cycles = _year_cycles(office_id, year)
    out.members = [(int(c), int(d)) for c, d in await s.exec(
        select(CycleMember.cycle_id, CycleMember.department_id).where(col(CycleMember.cycle_id).in_(cycles)))]
    submitted = and_(col(Report.cycle_id).in_(cycles), col(Report.submitted_at) <= as_of)
    out.versions = [(int(c), int(d), int(v), bool(late)) for c, d, v, late in await s.exec(
        select(Report.cycle_id, Report.department_id, Report.version, Report.late).where(submitted)
        .order_by(col(Report.cycle_id), col(Report.department_id), col(Report.version)))]
    newest = (select(Report.cycle_id, Report.department_id, func.max(Report.version).label("v"))
              .where(submitted).group_by(Report.cycle_id, Report.department_id).subquery())
    out.indicators = [(int(c), int(d), n, u) for c, d, n, u in await s.exec(
        select(Report.cycle_id, Report.department_id, ReportIndicator.name, ReportIndicator.unit)
        .join(Report, col(Report.id) == ReportIndicator.report_id)
        .join(newest, (col(Report.cycle_id) == newest.c.cycle_id) & (col(Report.department_id) == newest.c.department_id)
              & (col(Report.version) == newest.c.v))
        .order_by(col(ReportIndicator.id)))]
    return out


async def assessment_settings(s: AsyncSession) -> dict[int, str]:
    """office id → its stored `assessment` section (JSON), for every office that has one."""
    rows = await s.exec(select(OrgMeta.office_id, OrgMeta.value).where(OrgMeta.key == "assessment"))
    return {int(office): value for office, value in rows}
