"""The things every handler and job needs, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

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
    # Called after something was queued in the outbox, so a running sender starts at once.
    wake_outbox: Callable[[], None] = _nothing

    def now(self) -> datetime:
        return self.clock()
