"""Queries for the directors' digest (each a single statement, whatever the number of
departments) and the record of digests sent, per office."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Row, exists, false, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ROOT_OFFICE_ID, Department, DigestRun, Meeting, Task, TaskProgress, TaskTarget


async def latest_progress(s: AsyncSession, office_id: int = ROOT_OFFICE_ID) -> dict[int, TaskProgress]:
    """department id → its most recent progress entry on any task, for the office's member units."""
    newest = (select(TaskTarget.department_id, func.max(TaskProgress.id).label("pid"))
              .join(TaskTarget, col(TaskTarget.id) == TaskProgress.target_id)
              .join(Department, col(Department.id) == TaskTarget.department_id)
              .where(Department.office_id == office_id)
              .group_by(TaskTarget.department_id).subquery())
    rows = await s.exec(select(newest.c.department_id, TaskProgress)
                        .join(TaskProgress, col(TaskProgress.id) == newest.c.pid))
    return {int(dept): progress for dept, progress in rows}


def _touching(since: datetime, office_id: int):  # type: ignore[no-untyped-def]
    return (Task.office_id == office_id) & ((col(Task.closed_at).is_(None)) | (col(Task.closed_at) >= since))


async def tasks_touching(s: AsyncSession, since: datetime, office_id: int = ROOT_OFFICE_ID) -> list[Task]:
    """The office's tasks still open, or closed since `since` (older closed tasks are history)."""
    return list(await s.exec(select(Task).where(_touching(since, office_id)).order_by(col(Task.id))))


async def targets_touching(s: AsyncSession, since: datetime,
                           office_id: int = ROOT_OFFICE_ID) -> list[tuple[TaskTarget, Department]]:
    """The departments' parts in those tasks, in one statement (lead first within a task)."""
    rows = await s.exec(
        select(TaskTarget, Department).join(Department, col(Department.id) == TaskTarget.department_id)
        .join(Task, col(Task.id) == TaskTarget.task_id).where(_touching(since, office_id))
        .order_by(col(TaskTarget.task_id), col(TaskTarget.is_lead).desc(), col(TaskTarget.id)))
    return list(rows)  # type: ignore[arg-type]


async def meeting_parts(s: AsyncSession, office_id: int, since: date, at: datetime) -> list[Row]:
    """The agreed items of the office's meetings (not cancelled) held on or after `since`, or earlier
    with an item overdue at `at` (an open task, not standing, with a part not done past its due
    time): every department's part, in one statement — (meeting_id, meeting_title, held_on,
    task_id, title, task_due, standing, closed_at, department, is_lead, status, due), by meeting
    date, task, leads first. Meetings without items are not read."""
    late_task, late_part = aliased(Task), aliased(TaskTarget)
    overdue = exists().where(
        late_task.meeting_id == Meeting.id, col(late_task.closed_at).is_(None), late_task.standing == false(),
        late_part.task_id == late_task.id, late_part.status != "done",
        func.coalesce(late_part.due_at, late_task.due_at) < at)
    wanted = select(Meeting.id).where(Meeting.office_id == office_id, Meeting.state != "cancelled",
                                      or_(col(Meeting.held_on) >= since, overdue))
    rows = await s.exec(
        select(col(Meeting.id).label("meeting_id"), col(Meeting.title).label("meeting_title"), Meeting.held_on,
               col(Task.id).label("task_id"), Task.title, col(Task.due_at).label("task_due"), Task.standing,
               Task.closed_at, col(Department.name).label("department"), TaskTarget.is_lead, TaskTarget.status,
               func.coalesce(TaskTarget.due_at, Task.due_at).label("due"))
        .join(Task, col(Task.meeting_id) == Meeting.id)
        .join(TaskTarget, col(TaskTarget.task_id) == Task.id)
        .join(Department, col(Department.id) == TaskTarget.department_id)
        .where(col(Meeting.id).in_(wanted), Task.office_id == office_id)
        .order_by(col(Meeting.held_on), col(Meeting.id), col(Task.id), col(TaskTarget.is_lead).desc(), col(TaskTarget.id)))
    return list(rows)


async def run(s: AsyncSession, kind: str, label: str, office_id: int = ROOT_OFFICE_ID) -> DigestRun | None:
    return (await s.exec(select(DigestRun).where(DigestRun.kind == kind, DigestRun.label == label,
                                                 DigestRun.office_id == office_id))).first()


async def previous_run(s: AsyncSession, kind: str, label: str, office_id: int = ROOT_OFFICE_ID) -> DigestRun | None:
    return (await s.exec(select(DigestRun).where(DigestRun.kind == kind, DigestRun.label < label,
                                                 DigestRun.office_id == office_id)
                         .order_by(col(DigestRun.label).desc()).limit(1))).first()


async def add_run(s: AsyncSession, kind: str, label: str, snapshot: str, now: datetime,
                  office_id: int = ROOT_OFFICE_ID) -> None:
    s.add(DigestRun(kind=kind, label=label, snapshot=snapshot, created_at=now, office_id=office_id))
    await s.flush()
