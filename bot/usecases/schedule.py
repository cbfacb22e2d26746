"""The tick's marks: when each step is next due (bot/rules/schedule.py)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.repos import schedule as repo

Mark = tuple[datetime, datetime]  # (due at, computed at)


async def marks(db: Database) -> dict[str, Mark]:
    async with db.session() as s:
        return await repo.marks(s)


async def record(db: Database, marks: dict[str, Mark]) -> None:
    if marks:
        async with db.transaction() as s:
            await repo.set_marks(s, marks)


async def reset(db: Database) -> None:
    """Every step runs at the next pass (e.g. after a start with other settings)."""
    async with db.transaction() as s:
        await repo.clear(s)
