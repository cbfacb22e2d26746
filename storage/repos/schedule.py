"""When each of the tick's steps is next due (bot/rules/schedule.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import SchedulerMark


async def marks(s: AsyncSession) -> dict[str, tuple[datetime, datetime]]:
    """step name → (due at, computed at)."""
    rows = await s.exec(select(SchedulerMark.name, SchedulerMark.due_at, SchedulerMark.computed_at))
    return {name: (due, computed) for name, due, computed in rows}


async def set_marks(s: AsyncSession, marks: dict[str, tuple[datetime, datetime]]) -> None:
    if not marks:
        return
    insert = (postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert)(SchedulerMark)
    statement = insert.values([{"name": n, "due_at": due, "computed_at": computed}
                               for n, (due, computed) in marks.items()])
    await s.exec(statement.on_conflict_do_update(  # type: ignore[call-overload]
        index_elements=["name"], set_={"due_at": statement.excluded.due_at,
                                       "computed_at": statement.excluded.computed_at}))


async def clear(s: AsyncSession) -> None:
    """Forget every mark: the next pass runs every step and computes them again."""
    await s.exec(delete(SchedulerMark))  # type: ignore[call-overload]
