"""When each of the scheduler's steps is next due.

The tick runs every minute, but almost every minute nothing is due. Each step says, after it
ran, the next moment it needs to run; the tick keeps these moments in the database and a pass
runs only the steps whose moment has come, so a pass with nothing due reads one small table.

A moment is recorded with the clock reading it was computed at: if the clock reads earlier than
that (a simulated `tick --at` going back, a corrected system clock), the step is due again."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HOUSEKEEPING_EVERY = timedelta(minutes=5)
RETRY_WITHOUT_RECIPIENTS = timedelta(minutes=15)  # a digest due while there is no director yet


def is_due(due_at: datetime | None, computed_at: datetime | None, now: datetime) -> bool:
    """A step with no record, whose moment has come, or whose record is from a later clock."""
    if due_at is None or computed_at is None:
        return True
    return now >= due_at or now < computed_at


def next_midnight(at: datetime, tz: ZoneInfo) -> datetime:
    day: date = at.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def earliest_after(at: datetime, moments: Iterable[datetime | None], fallback: datetime) -> datetime:
    """The first of `moments` after `at`, and never later than `fallback`."""
    later = [m for m in moments if m is not None and m > at]
    return min([*later, fallback])
