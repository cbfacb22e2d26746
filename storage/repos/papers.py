"""Reads for the office's own papers (the work report): each department's latest report text in a
cycle, and the tasks that carry out a meeting's agreed items. One statement each, whatever the
number of departments or tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ROOT_OFFICE_ID, Department, Meeting, Report, ReportingCycle, Task


async def latest_texts(s: AsyncSession, label: str, office_id: int = ROOT_OFFICE_ID) -> list[tuple[str, Report]]:
    """(department name, its newest report version) for every department that reported in the
    office's cycle `label`, in department order."""
    newest = (select(Report.department_id, func.max(Report.version).label("v"))
              .join(ReportingCycle, col(ReportingCycle.id) == Report.cycle_id)
              .where(ReportingCycle.label == label, ReportingCycle.office_id == office_id)
              .group_by(Report.department_id).subquery())
    rows = await s.exec(
        select(Department.name, Report)
        .join(ReportingCycle, col(ReportingCycle.id) == Report.cycle_id)
        .join(newest, (col(Report.department_id) == newest.c.department_id) & (col(Report.version) == newest.c.v))
        .join(Department, col(Department.id) == Report.department_id)
        .where(ReportingCycle.label == label, ReportingCycle.office_id == office_id)
        .order_by(col(Department.id)))
    return [(name, report) for name, report in rows]


async def agreed_items(s: AsyncSession, since: datetime,
                       office_id: int = ROOT_OFFICE_ID) -> list[tuple[int, bool, Meeting]]:
    """(task id, standing, its meeting) for the office's tasks that carry out agreed items and touch
    the period from `since` (still open, or closed since then: as the digest's tasks)."""
    rows = await s.exec(
        select(Task.id, Task.standing, Meeting).join(Meeting, col(Meeting.id) == Task.meeting_id)
        .where(Task.office_id == office_id, (col(Task.closed_at).is_(None)) | (col(Task.closed_at) >= since))
        .order_by(col(Meeting.held_on), col(Meeting.id), col(Task.id)))
    return [(int(task_id), bool(standing), meeting) for task_id, standing, meeting in rows]  # type: ignore[arg-type]
