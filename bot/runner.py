"""Running the bot: what PTB's run_polling / run_webhook do, under our control.

`serve` starts the Application (long polling, or our webhook server when WEBHOOK_URL is set), waits
for a stop event or SIGINT/SIGTERM, and takes down whatever was brought up, in reverse order — also
when starting failed half way."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram.ext import Application

from bot.services import Services
from bot.settings import Settings
from bot.webhook import ListenError, WebhookServer, start_web_server, start_webhook_server, webhook_path

log = logging.getLogger("liaison-desk")

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class Running:
    """What `start` has brought up so far, so `shutdown` takes down exactly that."""

    app: Application  # type: ignore[type-arg]
    server: WebhookServer | None = None


async def start(running: Running, settings: Settings) -> None:
    """initialize, post_init, the update source (polling or webhook), then the Application."""
    app = running.app
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    if settings.webhook_url:
        running.server = await start_webhook_server(app, settings)
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        await app.bot.set_webhook(url=settings.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        where = urlsplit(settings.webhook_url)
        log.info("receiving updates by webhook for %s://%s%s", where.scheme, where.netloc,
                 webhook_path(settings.webhook_url))
    else:
        if app.updater is None:
            raise RuntimeError("long polling needs the Application's Updater")
        running.server = await _web_server(app.bot_data.services)
        await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
        log.info("polling Telegram for updates")
    await app.start()


async def _web_server(services: Services) -> WebhookServer | None:
    """The dashboard and /healthz on WEB_LISTEN:WEB_PORT. A port already taken stops the bot only
    when DASHBOARD_URL says the dashboard is wanted; otherwise the bot polls on without it."""
    try:
        return await start_web_server(services)
    except ListenError as exc:
        if services.settings.dashboard_url:
            raise
        log.warning("web: %s; the dashboard and /healthz are off (set WEB_PORT to a free port)", exc)
        return None


async def shutdown(running: Running) -> None:
    """Stop the update source, the Application, then shut it down; each step runs even if one fails."""
    app = running.app
    if app.updater is not None and app.updater.running:
        await _step("stopping the updater", app.updater.stop())
    if running.server is not None:
        server, running.server = running.server, None
        await _step("stopping the web server", server.stop())
    if app.running:
        await _step("stopping the application", app.stop())
        if app.post_stop:
            await _step("post_stop", app.post_stop(app))
    await _step("shutting down the application", app.shutdown())
    if app.post_shutdown:
        await _step("post_shutdown", app.post_shutdown(app))


async def _step(what: str, work: Awaitable[object]) -> None:
    try:
        await work
    except Exception:  # noqa: BLE001 - the remaining steps must still run
        log.exception("error while %s", what)


async def serve(app: Application, settings: Settings, *, stop: asyncio.Event | None = None) -> None:  # type: ignore[type-arg]
    """Run until `stop` is set (without one: until SIGINT or SIGTERM), then shut down cleanly.

    A failure while starting is raised after everything already started has been stopped."""
    stopping = stop if stop is not None else asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = _install_signals(loop, stopping) if stop is None else []
    running = Running(app)
    try:
        if await _start_unless_stopped(running, settings, stopping):
            await stopping.wait()
            log.info("stopping")
    finally:
        _remove_signals(loop, installed)  # a second Ctrl-C now interrupts a stuck shutdown
        await shutdown(running)


async def _start_unless_stopped(running: Running, settings: Settings, stopping: asyncio.Event) -> bool:
    """Start; False when a stop came first (starting is then cancelled)."""
    starting = asyncio.ensure_future(start(running, settings))
    waiting = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({starting, waiting}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
        if not starting.done():
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
    if starting.cancelled():
        return False
    starting.result()  # raises what starting raised
    return True


def _install_signals(loop: asyncio.AbstractEventLoop, stopping: asyncio.Event) -> list[signal.Signals]:
    installed = []
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, stopping.set)
        except (NotImplementedError, RuntimeError):  # e.g. Windows, or not the main thread
            continue
        installed.append(sig)
    return installed


def _remove_signals(loop: asyncio.AbstractEventLoop, installed: list[signal.Signals]) -> None:
    for sig in installed:
        loop.remove_signal_handler(sig)
