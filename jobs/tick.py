"""The tick: one pass of the scheduler. The steps (jobs/steps.py) queue messages — reminders,
escalations, digests; then the outbox is drained.

Every step derives what is due from the database and `at`, and queues with dedup keys, so running
the tick again for the same `at` queues nothing new. A pass runs only the steps whose moment has
come (the marks, bot/rules/schedule.py): with nothing due it reads one small table. Only one tick
runs at a time (an advisory lock on PostgreSQL)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from weakref import WeakKeyDictionary

from bot.rules.schedule import is_due
from bot.services import Services
from bot.usecases import outbox, schedule
from jobs.sender import LOCK as SENDER_LOCK
from jobs.sender import DrainStats, Sender
from jobs.steps import STEPS, TickContext
from storage.db import Database
from storage.locks import exclusive

log = logging.getLogger(__name__)
LOCK = "tick"
# The moments of steps kept in the process (`Step.per_process`), per database.
_in_process: WeakKeyDictionary[Database, dict[str, schedule.Mark]] = WeakKeyDictionary()


@dataclass
class TickReport:
    at: datetime
    ran: bool
    queued: dict[str, int] = field(default_factory=dict)
    moved: dict[str, int] = field(default_factory=dict)  # rows a step changed (standing items rolled on)
    delivery: DrainStats | None = None
    backlog: int = 0

    def summary(self) -> str:
        if not self.ran:
            return f"tick at {self.at.isoformat()}: another tick is running; nothing done"
        d = self.delivery or DrainStats()
        rolled = self.moved.get("standing-roll", 0)
        return (f"tick at {self.at.isoformat()}: queued {sum(self.queued.values())}, sent {d.sent}, "
                f"to retry {d.retried}, blocked {d.blocked}, failed {d.failed}, waiting {self.backlog}"
                + (f"; standing items moved to their next checkpoint: {rolled}" if rolled else ""))


async def run_steps(services: Services, at: datetime, wall: datetime) -> TickReport:
    report = TickReport(at=at, ran=False)
    async with exclusive(services.db, LOCK) as mine:
        if not mine:
            return report
        report.ran = True
        ctx = TickContext(services, at, wall)
        local = _in_process.setdefault(services.db, {})
        marks = {**await schedule.marks(services.db), **local}
        changed = {}
        for step in list(STEPS):
            now = step.now(ctx)
            due_at, computed_at = marks.get(step.name, (None, None))
            if not is_due(due_at, computed_at, now):
                continue
            ran = await step.run(ctx)
            report.queued[step.name] = ran.queued
            if ran.moved:
                report.moved[step.name] = ran.moved
            (local if step.per_process else changed)[step.name] = (ran.next_at, now)
        await schedule.record(services.db, changed)
    return report


async def tick(services: Services, sender: Sender | None, at: datetime, *, drain_seconds: float = 60.0) -> TickReport:
    """One full pass: run the steps, then deliver what is queued (bounded by `drain_seconds`)."""
    report = await run_steps(services, at, sender.wall() if sender else at)
    if sender is not None and report.ran:
        async with exclusive(services.db, SENDER_LOCK) as leader:
            if leader:  # otherwise the running bot is draining, and will deliver it
                report.delivery = await sender.drain(max_seconds=drain_seconds)
    report.backlog = await outbox.backlog(services.db)
    return report
