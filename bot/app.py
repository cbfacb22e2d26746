"""The application factory: wires services into a PTB Application with every handler."""

from __future__ import annotations

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

from bot import logs
from bot.services import Services
from bot.usecases import cycles, schedule
from handlers import (access, assessment, assign_dialog, brief, broadcast, dashboard, digests, directors, filing, general, inbox, meetings, menus,
                      office, roles, registration, reports, targets, task_buttons, tasks)
from jobs.delivery import TICK_INTERVAL, Delivery, tick_job
from handlers import calendar as calendar_command
from handlers.context import CONTEXT_TYPES, App
from handlers.errors import on_error


def build_application(services: Services) -> App:
    settings = services.settings
    logs.protect(settings.secrets())
    builder: ApplicationBuilder = (
        Application.builder()
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


def register_handlers(app: App) -> None:
    app.add_handler(access.handler(), group=-1)
    # assign_dialog before tasks (/assign alone opens it); inbox's fallbacks come last
    # filing's buttons (i:, ib:) and directors' 一键催办 (n:) before task_buttons, which takes every other button
    for feature in (registration, general, office, roles, broadcast, assign_dialog, tasks, reports, digests, brief, targets, assessment, dashboard, directors,
                    meetings, filing, task_buttons, calendar_command, inbox):  # meetings' buttons (m:) before task_buttons too
        app.add_handlers(feature.handlers())
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


async def _post_shutdown(app: App) -> None:
    delivery = getattr(app.bot_data, "delivery", None)
    if delivery is not None:
        await delivery.close()
    await app.bot_data.services.db.dispose()
