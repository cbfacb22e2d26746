"""The tick's steps. Each derives what is due from the database and `at`, queues messages with
dedup keys, and says how many it queued and when it is next due (bot/rules/schedule.py): a pass
runs only the steps whose moment has come."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.rules import cycles as cycle_rules
from bot.rules import schedule as when
from bot.rules import tasks as task_rules
from bot.services import Services
from bot.usecases import calendar as calendars
from bot.usecases import cycles, standing, task_reminders, tasks, updates
from jobs import assessment as assessment_jobs
from jobs import digests as digest_jobs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickContext:
    services: Services
    at: datetime  # the scheduler's notion of now (`tick --at`)
    wall: datetime  # the real time, for housekeeping that must not follow a simulated clock


@dataclass(frozen=True)
class Ran:
    queued: int
    next_at: datetime
    moved: int = 0  # rows the step changed other than by queueing (standing items rolled on)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[TickContext], Awaitable[Ran]]
    wall_clock: bool = False  # due by the real time, not `at`
    per_process: bool = False  # its moment is kept in the process, not in the database

    def now(self, ctx: TickContext) -> datetime:
        return ctx.wall if self.wall_clock else ctx.at


async def housekeeping(ctx: TickContext) -> Ran:
    # Outbox rows a stopped process left in flight are taken back by the sender itself, which looks
    # every few seconds while it works (jobs/sender.py): five minutes would be too late for them.
    await updates.prune(ctx.services.db, now=ctx.wall)
    return Ran(0, ctx.wall + when.HOUSEKEEPING_EVERY)


async def roll_standing_items(ctx: TickContext) -> Ran:
    """Standing items (长期坚持) whose monthly checkpoint has come move on to the next: due only at
    checkpoints (the last day of each month, 18:00), and before the morning round in the list, so a
    pass late after a checkpoint never reminds or escalates a standing item as overdue."""
    moved, upcoming = await standing.roll(ctx.services.db, at=ctx.at, tz=ctx.services.settings.tz)
    if moved:
        log.info("%d standing items moved to their next checkpoint %s", moved, upcoming.isoformat())
    return Ran(0, upcoming, moved)


async def morning_round(ctx: TickContext) -> Ran:
    settings, calendar = ctx.services.settings, ctx.services.calendar
    # A liaison's registration queues the notices their department was owed; this catches any
    # that could not be (e.g. written to the database by hand), once a day rather than every pass.
    queued = await tasks.notify_late_registrations(ctx.services.db, now=ctx.at, tz=settings.tz,
                                                   default_language=settings.bot_language)
    queued += await task_reminders.queue_reminders(
        ctx.services.db, at=ctx.at, tz=settings.tz, calendar=calendar,
        default_language=settings.bot_language, admin_ids=settings.bot_admin_ids)
    # the next working day of any office (each office's own calendar, read from the database)
    office_cals = calendars.AnyOffice(await calendars.office_calendars(ctx.services.db, calendar))
    return Ran(queued, task_rules.next_round(ctx.at, settings.tz, office_cals))


async def open_reporting_cycle(ctx: TickContext) -> Ran:
    tz = ctx.services.settings.tz
    label, opened, _joined = await cycles.open_cycle(ctx.services.db, at=ctx.at, tz=tz,
                                                     calendar=ctx.services.calendar)
    if opened:
        log.info("reporting cycle %s opened", label)
    for month in await cycles.open_monthly(ctx.services.db, at=ctx.at, tz=tz, calendar=ctx.services.calendar):
        log.info("monthly reporting cycle %s opened", month)  # its request goes out with the reminders, 09:00
    return Ran(0, when.next_midnight(ctx.at, tz))


async def reporting_reminders(ctx: TickContext) -> Ran:
    settings = ctx.services.settings
    queued = await cycles.queue_reminders(ctx.services.db, at=ctx.at, tz=settings.tz, calendar=ctx.services.calendar,
                                          default_language=settings.bot_language, admin_ids=settings.bot_admin_ids)
    today = ctx.at.astimezone(settings.tz).date()
    clocks = (cycle_rules.REMINDER_TIME, cycle_rules.ESCALATION_TIME)  # the hours they go out, every day
    moments = [datetime.combine(day, c, tzinfo=settings.tz) for day in (today, today + timedelta(days=1)) for c in clocks]
    return Ran(queued, when.earliest_after(ctx.at, moments, moments[-1]))


async def directors_digests(ctx: TickContext) -> Ran:
    settings = ctx.services.settings
    queued, waiting = await digest_jobs.scheduled(ctx.services, ctx.at)
    if waiting:  # due, but no director yet: one registering today still gets it
        return Ran(queued, ctx.at + when.RETRY_WITHOUT_RECIPIENTS)
    today = ctx.at.astimezone(settings.tz).date()
    clocks = (settings.schedule.weekly, settings.schedule.monthly, settings.schedule.quarterly)
    moments = [datetime.combine(today, c, tzinfo=settings.tz) for c in clocks]
    return Ran(queued, when.earliest_after(ctx.at, moments, when.next_midnight(ctx.at, settings.tz)))


async def annual_assessment(ctx: TickContext) -> Ran:
    """Last year's assessment (年度考核) to each office's directors on its `assessment.send_on`."""
    queued, _waiting, upcoming = await assessment_jobs.scheduled(ctx.services, ctx.at)
    return Ran(queued, upcoming)

STEPS: list[Step] = [
    # Idempotent, and harmless when two processes both do it: not worth a write to the database.
    Step("housekeeping", housekeeping, wall_clock=True, per_process=True),
    Step("standing-roll", roll_standing_items),  # before the round: it reads the moved checkpoints
    Step("morning-round", morning_round),
    Step("open-cycle", open_reporting_cycle),
    Step("cycle-reminders", reporting_reminders),
    Step("digests", directors_digests),
    Step("assessment", annual_assessment),
]
