"""The things every handler and job needs, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.rules.delivery import Pacer
from bot.rules.workdays import WorkCalendar, china_calendar
from bot.settings import Settings
from storage.db import Database


def system_clock() -> datetime:
    return datetime.now(UTC)


def _nothing() -> None:
    return None


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Callable[[], datetime] = system_clock
    # The holiday library only. Every rule of an office uses bot.usecases.calendar.office_calendar
    # (this, with the office's org-file days, read from the database so every process agrees).
    calendar: WorkCalendar = field(default_factory=china_calendar)
    # Telegram's limits for the outbox sender (tests may relax the per-chat interval).
    pacing: Callable[[], Pacer] = Pacer
    # Called after something was queued in the outbox, so a running sender starts at once.
    wake_outbox: Callable[[], None] = _nothing

    def now(self) -> datetime:
        return self.clock()
