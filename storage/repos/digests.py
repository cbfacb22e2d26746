"""Queries for the directors' digest (each a single statement, whatever the number of
departments) and the record of digests sent, per office."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ROOT_OFFICE_ID, Department, DigestRun, Task, TaskProgress, TaskTarget


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
