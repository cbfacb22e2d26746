"""The things every handler and job needs, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.settings import Settings
from storage.db import Database


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Callable[[], datetime] = system_clock

    def now(self) -> datetime:
        return self.clock()
