"""The morning round's reads and marks (bot/usecases/task_reminders.py): every query is a join
over open tasks, never a list of ids, and every update is chunked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Department, Task, TaskTarget
from storage.repos.chunking import chunks

_DUE = func.coalesce(TaskTarget.due_at, Task.due_at)


async def open_parts_due_before(s: AsyncSession, horizon: datetime) -> list[Row]:
    """Departments' parts not done, of open tasks, due before `horizon`: (target_id, task_id,
    department_id, department, is_lead, status, due, notified_at, title, task_due, created_at,
    escalated_at, office_id, standing), by task, leads first."""
    rows = await s.exec(
        select(col(TaskTarget.id).label("target_id"), col(Task.id).label("task_id"), TaskTarget.department_id,
               col(Department.name).label("department"), TaskTarget.is_lead, TaskTarget.status,
               _DUE.label("due"), TaskTarget.notified_at, Task.title, col(Task.due_at).label("task_due"),
               Task.created_at, Task.escalated_at, Task.office_id, Task.standing)
        .join(Task, col(Task.id) == TaskTarget.task_id)
        .join(Department, col(Department.id) == TaskTarget.department_id)
        .where(col(Task.closed_at).is_(None), TaskTarget.status != "done", _DUE < horizon)
        .order_by(col(Task.id), col(TaskTarget.is_lead).desc(), col(TaskTarget.id))
    )
    return list(rows)


async def unacknowledged(s: AsyncSession, notified_by: datetime) -> list[Row]:
    """Parts still pending whose notice went out at or before `notified_by` and that were not
    nudged yet: (target_id, task_id, department_id, department, title, due, standing)."""
    rows = await s.exec(
        select(col(TaskTarget.id).label("target_id"), col(Task.id).label("task_id"), TaskTarget.department_id,
               col(Department.name).label("department"), Task.title, _DUE.label("due"), Task.standing)
        .join(Task, col(Task.id) == TaskTarget.task_id)
        .join(Department, col(Department.id) == TaskTarget.department_id)
        .where(col(Task.closed_at).is_(None), TaskTarget.status == "pending",
               col(TaskTarget.notified_at).is_not(None), col(TaskTarget.notified_at) <= notified_by,
               col(TaskTarget.ack_nudged_at).is_(None))
        .order_by(col(Task.id), col(TaskTarget.id))
    )
    return list(rows)


async def unacknowledged_of(s: AsyncSession, department_id: int, notified_by: datetime) -> list[int]:
    """The department's parts still pending, of open tasks, whose notice went out at or before
    `notified_by` (what one morning nudge was about, less what was acknowledged since)."""
    rows = await s.exec(
        select(TaskTarget.id).join(Task, col(Task.id) == TaskTarget.task_id)
        .where(TaskTarget.department_id == department_id, col(Task.closed_at).is_(None),
               TaskTarget.status == "pending", col(TaskTarget.notified_at) <= notified_by)
        .order_by(col(TaskTarget.task_id))
    )
    return list(rows)


async def mark_ack_nudged(s: AsyncSession, target_ids: Sequence[int], at: datetime) -> None:
    for part in chunks(sorted(set(target_ids))):
        await s.exec(update(TaskTarget).where(col(TaskTarget.id).in_(list(part)))  # type: ignore[call-overload]
                     .values(ack_nudged_at=at).execution_options(synchronize_session=False))


async def mark_escalated(s: AsyncSession, task_ids: Sequence[int], at: datetime) -> None:
    for part in chunks(sorted(set(task_ids))):
        await s.exec(update(Task).where(col(Task.id).in_(list(part)))  # type: ignore[call-overload]
                     .values(escalated_at=at).execution_options(synchronize_session=False))
