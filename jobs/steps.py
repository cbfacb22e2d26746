"""The tick's steps. Each derives what is due from the database and `at`, queues messages with
dedup keys, and returns how many it queued."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.services import Services
from bot.usecases import cycles, outbox, task_reminders, tasks, updates
from jobs import digests as digest_jobs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickContext:
    services: Services
    at: datetime  # the scheduler's notion of now (`tick --at`)
    wall: datetime  # the real time, for housekeeping that must not follow a simulated clock


TickStep = Callable[[TickContext], Awaitable[int]]


async def expire_stale_sends(ctx: TickContext) -> int:
    expired = await outbox.expire_stale(ctx.services.db, now=ctx.wall)
    if expired:
        log.warning("%d outbox rows were in flight when a process stopped; marked unconfirmed", expired)
    return 0


async def prune_processed_updates(ctx: TickContext) -> int:
    await updates.prune(ctx.services.db, now=ctx.wall)
    return 0


async def task_notices_for_new_liaisons(ctx: TickContext) -> int:
    settings = ctx.services.settings
    return await tasks.notify_late_registrations(ctx.services.db, now=ctx.at, tz=settings.tz,
                                                 default_language=settings.bot_language)


async def task_reminders_and_escalations(ctx: TickContext) -> int:
    settings = ctx.services.settings
    return await task_reminders.queue_reminders(
        ctx.services.db, at=ctx.at, tz=settings.tz, calendar=ctx.services.calendar,
        default_language=settings.bot_language, admin_ids=settings.bot_admin_ids)


async def open_reporting_cycle(ctx: TickContext) -> int:
    label, opened, joined = await cycles.open_cycle(ctx.services.db, at=ctx.at, tz=ctx.services.settings.tz,
                                                    calendar=ctx.services.calendar)
    if opened:
        log.info("reporting cycle %s opened", label)
    return 0


async def reporting_reminders(ctx: TickContext) -> int:
    settings = ctx.services.settings
    return await cycles.queue_reminders(ctx.services.db, at=ctx.at, tz=settings.tz, calendar=ctx.services.calendar,
                                        default_language=settings.bot_language, admin_ids=settings.bot_admin_ids)


async def directors_digests(ctx: TickContext) -> int:
    return await digest_jobs.scheduled(ctx.services, ctx.at)


STEPS: list[tuple[str, TickStep]] = [
    ("expire-stale-sends", expire_stale_sends),
    ("prune-processed-updates", prune_processed_updates),
    ("task-notices", task_notices_for_new_liaisons),
    ("task-reminders", task_reminders_and_escalations),
    ("open-cycle", open_reporting_cycle),
    ("cycle-reminders", reporting_reminders),
    ("digests", directors_digests),
]
