"""What directors add to a task: their comments (批示), kept as task events of kind `comment`."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Department, Person, TaskEvent, TaskTarget

COMMENT = "comment"


async def add_comment(s: AsyncSession, *, task_id: int, target_id: int | None, at: datetime, actor_id: int,
                      text: str) -> TaskEvent:
    event = TaskEvent(task_id=task_id, target_id=target_id, kind=COMMENT, at=at, actor_id=actor_id, note=text[:500])
    s.add(event)
    await s.flush()
    return event


async def comments(s: AsyncSession, task_id: int) -> list[tuple[TaskEvent, str | None, str | None]]:
    """The task's comments, oldest first: (event, author's name, the department it was for or None)."""
    rows = await s.exec(
        select(TaskEvent, Person.full_name, Department.name)
        .outerjoin(Person, col(Person.telegram_id) == TaskEvent.actor_id)
        .outerjoin(TaskTarget, col(TaskTarget.id) == TaskEvent.target_id)
        .outerjoin(Department, col(Department.id) == TaskTarget.department_id)
        .where(TaskEvent.task_id == task_id, TaskEvent.kind == COMMENT)
        .order_by(col(TaskEvent.at), col(TaskEvent.id))
    )
    return [(event, author, dept) for event, author, dept in rows]
