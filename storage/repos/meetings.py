"""Meetings, their proposal being confirmed, and the tasks that carry out their agreed items.

Every read is of one office: another office's meeting is not found (None), never shown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Department, Meeting, Task, TaskTarget
from storage.repos.chunking import chunks


async def add(s: AsyncSession, meeting: Meeting) -> Meeting:
    s.add(meeting)
    await s.flush()
    return meeting


async def get(s: AsyncSession, meeting_id: int, office_id: int) -> Meeting | None:
    """The office's meeting with that id; None for a missing one and for another office's."""
    row = await s.get(Meeting, meeting_id)
    return row if row is not None and row.office_id == office_id else None


async def save(s: AsyncSession, meeting_id: int, *, states: Sequence[str], **values: object) -> bool:
    """Change the meeting only while it is in one of `states` (one UPDATE): False when it no longer
    is (confirmed or cancelled meanwhile, e.g. by a second press), so nothing is done twice."""
    result = await s.exec(update(Meeting).where(col(Meeting.id) == meeting_id, col(Meeting.state).in_(list(states)))  # type: ignore[call-overload]
                          .values(**values))
    return bool(result.rowcount)


async def of_office(s: AsyncSession, office_id: int) -> list[Meeting]:
    """The office's meetings, the latest held first."""
    return list(await s.exec(select(Meeting).where(Meeting.office_id == office_id)
                             .order_by(col(Meeting.held_on).desc(), col(Meeting.id).desc())))


async def held_between(s: AsyncSession, office_id: int, first: date, last: date, states: Sequence[str]) -> list[Meeting]:
    """The office's meetings in `states` held from `first` to `last` (both included), earliest first."""
    return list(await s.exec(select(Meeting).where(
        Meeting.office_id == office_id, col(Meeting.held_on) >= first, col(Meeting.held_on) <= last,
        col(Meeting.state).in_(list(states))).order_by(col(Meeting.held_on), col(Meeting.id))))


async def by_ids(s: AsyncSession, office_id: int, meeting_ids: Sequence[int]) -> list[Meeting]:
    found: list[Meeting] = []
    for part in chunks(sorted(set(meeting_ids))):
        found += await s.exec(select(Meeting).where(Meeting.office_id == office_id, col(Meeting.id).in_(list(part))))
    return sorted(found, key=lambda m: (m.held_on, m.id or 0))


async def parts(s: AsyncSession, meeting_ids: Sequence[int]) -> list[tuple[Task, TaskTarget, Department]]:
    """Every task of these meetings with each department's part (lead first), in task order: one
    statement per thousand meetings."""
    out: list[tuple[Task, TaskTarget, Department]] = []
    for part in chunks(sorted(set(meeting_ids))):
        out += await s.exec(
            select(Task, TaskTarget, Department).join(TaskTarget, col(TaskTarget.task_id) == Task.id)
            .join(Department, col(Department.id) == TaskTarget.department_id)
            .where(col(Task.meeting_id).in_(list(part)))
            .order_by(col(Task.id), col(TaskTarget.is_lead).desc(), col(TaskTarget.id)))
    return out
