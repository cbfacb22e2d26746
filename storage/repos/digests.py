"""Queries for the directors' digest (each a single statement, whatever the number of
departments) and the record of digests sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DigestRun, Task, TaskProgress, TaskTarget


async def latest_progress(s: AsyncSession) -> dict[int, TaskProgress]:
    """department id → its most recent progress entry on any task."""
    newest = (select(TaskTarget.department_id, func.max(TaskProgress.id).label("pid"))
              .join(TaskTarget, col(TaskTarget.id) == TaskProgress.target_id)
              .group_by(TaskTarget.department_id).subquery())
    rows = await s.exec(select(newest.c.department_id, TaskProgress)
                        .join(TaskProgress, col(TaskProgress.id) == newest.c.pid))
    return {int(dept): progress for dept, progress in rows}


async def tasks_touching(s: AsyncSession, since: datetime) -> list[Task]:
    """Tasks still open, or closed since `since` (older closed tasks are history)."""
    return list(await s.exec(select(Task).where((col(Task.closed_at).is_(None)) | (col(Task.closed_at) >= since))
                             .order_by(col(Task.id))))


async def run(s: AsyncSession, kind: str, label: str) -> DigestRun | None:
    return (await s.exec(select(DigestRun).where(DigestRun.kind == kind, DigestRun.label == label))).first()


async def previous_run(s: AsyncSession, kind: str, label: str) -> DigestRun | None:
    return (await s.exec(select(DigestRun).where(DigestRun.kind == kind, DigestRun.label < label)
                         .order_by(col(DigestRun.label).desc()).limit(1))).first()


async def add_run(s: AsyncSession, kind: str, label: str, snapshot: str, now: datetime) -> None:
    s.add(DigestRun(kind=kind, label=label, snapshot=snapshot, created_at=now))
    await s.flush()
