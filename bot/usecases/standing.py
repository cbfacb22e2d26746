"""Standing items (长期坚持): agreed items with no final due date, whose departments report progress
every month. A standing task's `due_at` is the month's checkpoint (`standing_checkpoint`: the last
day of the month, 18:00): its liaisons are reminded before it as before any due date, and it is
never overdue nor escalated. When a checkpoint passes, the tick moves every open standing task on
to the next one (`roll`), before the morning round runs; a part marked done stays done."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.rules.tasks import standing_checkpoint
from storage.db import Database
from storage.repos import tasks as task_repo


async def roll(db: Database, *, at: datetime, tz: ZoneInfo) -> tuple[int, datetime]:
    """Move the open standing tasks whose checkpoint has come to the next one; (how many moved, the
    next checkpoint: when this is next due). A fixed number of statements; idempotent for `at`."""
    upcoming = standing_checkpoint(at, tz)
    async with db.transaction() as s:
        moved = await task_repo.roll_standing(s, at, upcoming)
    return moved, upcoming
