"""The application factory: wires services into a PTB Application with every handler."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

from bot import logs
from bot.services import Services
from bot.usecases import cycles, schedule
from handlers import (access, assessment, assign_dialog, brief, broadcast, dashboard, digests, directors, filing, general, inbox, meetings, menus,
                      office, roles, registration, reports, targets, task_buttons, tasks)
from bot.webhook import queue_update
from jobs.delivery import TICK_INTERVAL, Delivery, tick_job
from jobs.intake import SWEEP_EVERY, Intake
from handlers import calendar as calendar_command
from handlers.context import CONTEXT_TYPES, App, Ctx
from handlers.errors import on_error

log = logging.getLogger("liaison-desk")


class DeskApplication(Application):  # type: ignore[type-arg]
    """PTB's Application, telling the webhook's intake when an update it stored has been handled
    (whatever its handlers did: an error was answered by the error handler)."""

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            intake = getattr(self.bot_data, "intake", None)
            if intake is not None and isinstance(update, Update):
                try:
                    await intake.finished(update.update_id)
                except Exception:  # noqa: BLE001 - its lease runs out and it is handled again: not lost
                    log.exception("could not mark update %d handled", update.update_id)


def build_application(services: Services) -> App:
    settings = services.settings
    logs.protect(settings.secrets())
    builder: ApplicationBuilder = (
        Application.builder()
        .application_class(DeskApplication)
        .token(settings.token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .context_types(CONTEXT_TYPES)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    app: App = builder.build()
    app.bot_data.services = services
    register_handlers(app)
    return app


FEATURES = 1  # the group of every feature's handlers, after the /assign dialogue's


def register_handlers(app: App) -> None:
    app.add_handler(access.handler(), group=-1)
    # the /assign dialogue alone in group 0: it takes a message only when it is the dialogue's (its
    # state is in the database), else the message goes on to the features; inbox's fallbacks come last
    app.add_handlers(assign_dialog.handlers(), group=0)
    # filing's buttons (i:, ib:) and directors' 一键催办 (n:) before task_buttons, which takes every other button
    for feature in (registration, general, office, roles, broadcast, tasks, reports, digests, brief, targets, assessment, dashboard, directors,
                    meetings, filing, task_buttons, calendar_command, inbox):  # meetings' buttons (m:) before task_buttons too
        app.add_handlers(feature.handlers(), group=FEATURES)
    app.add_error_handler(on_error)


async def _post_init(app: App) -> None:
    services = app.bot_data.services
    # The quarter's reporting cycle exists before the first update is answered, not only after the
    # first tick (which opens it too; opening is idempotent, and /report opens it on demand).
    await cycles.open_cycle(services.db, at=services.now(), tz=services.settings.tz, calendar=services.calendar)
    await schedule.reset(services.db)  # settings may have changed: the first tick runs every step
    await menus.install_all(app.bot, services)
    app.bot_data.delivery = Delivery.create(services)
    await app.bot_data.delivery.start()
    if app.job_queue is not None:
        app.job_queue.run_repeating(tick_job, interval=TICK_INTERVAL, first=5, data=services, name="tick")
    if app.job_queue is not None:
        app.job_queue.run_repeating(_end_idle_dialogues, interval=IDLE_SWEEP, first=IDLE_SWEEP, name="idle-dialogues")
    if services.settings.webhook_url:  # updates are stored before they are answered (jobs/intake.py)
        app.bot_data.intake = Intake(services.db)
        if app.job_queue is not None:
            app.job_queue.run_repeating(_sweep_intake, interval=SWEEP_EVERY, first=SWEEP_EVERY, name="intake")


IDLE_SWEEP = 30.0  # seconds between looks for /assign dialogues idle past their end


async def _end_idle_dialogues(context: Ctx) -> None:
    try:
        await assign_dialog.end_idle(context.bot, context.bot_data.services)
    except Exception:  # noqa: BLE001 - the next sweep tries again
        log.exception("ending idle dialogues failed")


async def _sweep_intake(context: Ctx) -> None:
    app = context.application

    async def handle(data: dict[str, object]) -> None:
        await queue_update(app, Update.de_json(data, app.bot))

    try:
        await app.bot_data.intake.sweep(handle)
    except Exception:  # noqa: BLE001 - e.g. the database is down for a moment: the next sweep retries
        log.exception("the intake's sweep failed")


async def _post_shutdown(app: App) -> None:
    delivery = getattr(app.bot_data, "delivery", None)
    if delivery is not None:
        await delivery.close()
    await app.bot_data.services.db.dispose()
