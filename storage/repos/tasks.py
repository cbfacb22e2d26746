"""Tasks, their departments, events and progress."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Department, LiaisonAppointment, OutboxMessage, Person, Task, TaskEvent, TaskProgress, TaskTarget


async def add_task(s: AsyncSession, task: Task) -> Task:
    s.add(task)
    await s.flush()
    return task


async def add_targets(s: AsyncSession, task_id: int, departments: dict[int, bool]) -> list[TaskTarget]:
    targets = [TaskTarget(task_id=task_id, department_id=d, is_lead=lead) for d, lead in departments.items()]
    s.add_all(targets)
    await s.flush()
    return targets


async def event(s: AsyncSession, *, task_id: int, kind: str, at: datetime, actor_id: int | None,
                target_id: int | None = None, note: str | None = None) -> None:
    s.add(TaskEvent(task_id=task_id, target_id=target_id, kind=kind, at=at, actor_id=actor_id,
                    note=note[:500] if note else None))
    await s.flush()


async def task(s: AsyncSession, task_id: int) -> Task | None:
    return await s.get(Task, task_id)


async def target(s: AsyncSession, target_id: int) -> TaskTarget | None:
    return await s.get(TaskTarget, target_id)


async def target_of(s: AsyncSession, task_id: int, department_id: int) -> TaskTarget | None:
    return (await s.exec(select(TaskTarget).where(TaskTarget.task_id == task_id,
                                                   TaskTarget.department_id == department_id))).first()


async def targets_with_departments(s: AsyncSession, task_ids: Sequence[int]) -> list[tuple[TaskTarget, Department]]:
    if not task_ids:
        return []
    rows = await s.exec(
        select(TaskTarget, Department).join(Department, col(Department.id) == TaskTarget.department_id)
        .where(col(TaskTarget.task_id).in_(list(task_ids)))
        .order_by(col(TaskTarget.task_id), col(TaskTarget.is_lead).desc(), col(TaskTarget.id))
    )
    return list(rows)  # type: ignore[arg-type]


async def tasks(s: AsyncSession, *, open_only: bool = False, ids: Sequence[int] | None = None) -> list[Task]:
    query = select(Task).order_by(col(Task.id))
    if open_only:
        query = query.where(col(Task.closed_at).is_(None))
    if ids is not None:
        query = query.where(col(Task.id).in_(list(ids)))
    return list(await s.exec(query))


async def open_tasks_of_department(s: AsyncSession, department_id: int) -> list[tuple[Task, TaskTarget]]:
    rows = await s.exec(
        select(Task, TaskTarget).join(TaskTarget, col(TaskTarget.task_id) == Task.id)
        .where(TaskTarget.department_id == department_id, col(Task.closed_at).is_(None))
        .order_by(col(Task.due_at), col(Task.id))
    )
    return list(rows)  # type: ignore[arg-type]


async def add_progress(s: AsyncSession, progress: TaskProgress) -> bool:
    """Store the progress once per Telegram message. False when it was stored before."""
    if progress.chat_id is not None and progress.message_id is not None:
        seen = await s.exec(select(TaskProgress.id).where(TaskProgress.chat_id == progress.chat_id,
                                                          TaskProgress.message_id == progress.message_id))
        if seen.first() is not None:
            return False
    s.add(progress)
    await s.flush()
    return True


async def progress_of(s: AsyncSession, target_ids: Sequence[int]) -> list[TaskProgress]:
    if not target_ids:
        return []
    return list(await s.exec(select(TaskProgress).where(col(TaskProgress.target_id).in_(list(target_ids)))
                             .order_by(col(TaskProgress.at), col(TaskProgress.id))))


async def progress(s: AsyncSession, progress_id: int) -> TaskProgress | None:
    return await s.get(TaskProgress, progress_id)


async def ref_of_message(s: AsyncSession, chat_id: int, message_id: int) -> tuple[str, int] | None:
    """What an outbox message the bot sent was about, found from a reply to it."""
    row = (await s.exec(select(OutboxMessage.ref_kind, OutboxMessage.ref_id).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.message_id == message_id))).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return row[0], row[1]


async def liaison_chats(s: AsyncSession, department_ids: Sequence[int]) -> dict[int, list[tuple[int, int, str | None]]]:
    """department id → [(person id, chat id, language)] of its active liaisons."""
    out: dict[int, list[tuple[int, int, str | None]]] = {}
    if not department_ids:
        return out
    rows = await s.exec(
        select(LiaisonAppointment.department_id, Person.id, Person.chat_id, Person.language)
        .join(Person, col(Person.id) == LiaisonAppointment.person_id)
        .where(col(LiaisonAppointment.department_id).in_(list(department_ids)),
               col(LiaisonAppointment.ended_at).is_(None), col(Person.chat_id).is_not(None))
        .order_by(col(LiaisonAppointment.kind).desc())
    )
    for dept, person, chat, lang in rows:
        out.setdefault(dept, []).append((person, chat, lang))
    return out


async def count_targets(s: AsyncSession, task_id: int) -> int:
    return int((await s.exec(select(func.count()).select_from(TaskTarget).where(TaskTarget.task_id == task_id))).one())
