"""The webhook's HTTP server: Telegram POSTs updates to WEBHOOK_URL's path; GET /healthz reports
health; the dashboard's page and API (bot/web/routes.py) are served beside them.

Our own tornado application rather than PTB's `Updater.start_webhook`, so it can carry the extra
routes. Updates go into the Application's update queue, exactly where polling would put them."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram import Update
from telegram.ext import Application, ExtBot

from bot.services import Services
from bot.settings import Settings
from bot.usecases import health
from bot.web.routes import routes

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
MAX_BODY = 1 << 20  # an update is a few kilobytes; files arrive by file_id, never inline
CLOSE_TIMEOUT = 5.0


class ListenError(Exception):
    """The server cannot bind its address; the message says which, in one line."""


def webhook_path(url: str | None) -> str:
    """The path Telegram will POST to: WEBHOOK_URL's path, or "/"."""
    return urlsplit(url or "").path or "/"


class _Plain(tornado.web.RequestHandler):
    def compute_etag(self) -> None:
        return None  # never a 304: every answer is fresh

    def answer(self, status: int, body: dict[str, Any] | str) -> None:
        self.set_status(status)
        if isinstance(body, dict):
            self.set_header("Content-Type", "application/json; charset=utf-8")
            body = json.dumps(body)
        else:
            self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(body)


class UpdateHandler(_Plain):
    """Checks the secret header, then queues the update; answers at once."""

    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, app: Application, secret: str) -> None:  # type: ignore[type-arg]
        self.app, self.secret = app, secret.encode()

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.secret):
            self.answer(HTTPStatus.FORBIDDEN, "wrong or missing secret token\n")
            return
        try:
            data = json.loads(self.request.body)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:  # noqa: BLE001 - anything unparsable is the sender's mistake
            log.info("webhook: refused a malformed update (%s)", type(exc).__name__)
            self.answer(HTTPStatus.BAD_REQUEST, "malformed update\n")
            return
        intake = self.app.bot_data.intake
        if intake is not None:  # stored before the 200, so a process dying now loses nothing
            try:
                stored = await intake.accept(update.update_id, data)
            except Exception as exc:  # noqa: BLE001 - e.g. the database is unreachable: Telegram retries
                log.warning("webhook: could not store update %d (%s); asking Telegram to retry",
                            update.update_id, type(exc).__name__)
                self.answer(HTTPStatus.SERVICE_UNAVAILABLE, "try again later\n")
                return
            if not stored:  # a redelivery of an update stored before: its holder handles it
                self.answer(HTTPStatus.OK, "")
                return
        await queue_update(self.app, update)
        self.answer(HTTPStatus.OK, "")


async def queue_update(app: Application, update: Update) -> None:  # type: ignore[type-arg]
    """Into the Application's update queue, exactly where polling would put it."""
    if isinstance(app.bot, ExtBot):
        app.bot.insert_callback_data(update)
    await app.update_queue.put(update)


class HealthHandler(_Plain):
    """200 with the outbox backlog while the database answers, else 503."""

    SUPPORTED_METHODS = ("GET",)  # type: ignore[assignment]

    def initialize(self, services: Services) -> None:
        self.services = services

    async def get(self) -> None:
        state = await health.check(self.services.db)
        self.set_header("Cache-Control", "no-store")
        if state.database_ok:
            self.answer(HTTPStatus.OK, {"database": "ok", "outbox_backlog": state.outbox_backlog})
        else:
            self.answer(HTTPStatus.SERVICE_UNAVAILABLE, {"database": "unreachable", "detail": state.detail})


def make_app(app: Application, settings: Settings) -> tornado.web.Application:  # type: ignore[type-arg]
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not secret:
        raise ValueError("the webhook needs WEBHOOK_SECRET")
    services = app.bot_data.services
    return tornado.web.Application(
        [
            (re.escape(HEALTH_PATH), HealthHandler, {"services": services}),
            (re.escape(webhook_path(settings.webhook_url)), UpdateHandler, {"app": app, "secret": secret}),
            *routes(services),
        ],
        log_function=_log_request,
    )


def make_web_app(services: Services) -> tornado.web.Application:
    """Outside webhook mode: /healthz and the dashboard on WEB_LISTEN:WEB_PORT."""
    return tornado.web.Application([(re.escape(HEALTH_PATH), HealthHandler, {"services": services}),
                                    *routes(services)], log_function=_log_request)


def _log_request(handler: tornado.web.RequestHandler) -> None:
    status = handler.get_status()
    log.log(logging.DEBUG if status < 400 else logging.INFO, "http: %s %s -> %d",
            handler.request.method, handler.request.path, status)


@dataclass
class WebhookServer:
    """A running server: `port` is the bound port (useful with WEBHOOK_PORT=0)."""

    server: tornado.httpserver.HTTPServer
    host: str
    port: int

    async def stop(self) -> None:
        """Stop accepting connections, then close the open ones."""
        self.server.stop()
        try:
            await asyncio.wait_for(self.server.close_all_connections(), CLOSE_TIMEOUT)
        except TimeoutError:
            log.warning("webhook: connections still open after %.0fs; leaving them", CLOSE_TIMEOUT)


async def start_webhook_server(app: Application, settings: Settings) -> WebhookServer:  # type: ignore[type-arg]
    """Listen on WEBHOOK_LISTEN:WEBHOOK_PORT on the running loop."""
    server = listen(make_app(app, settings), settings.webhook_listen, settings.webhook_port)
    log.info("webhook: listening on %s:%d (path %s, health %s, dashboard /dashboard)", server.host, server.port,
             webhook_path(settings.webhook_url), HEALTH_PATH)
    return server


async def start_web_server(services: Services) -> WebhookServer:
    """Outside webhook mode: the dashboard and /healthz on WEB_LISTEN:WEB_PORT."""
    settings = services.settings
    server = listen(make_web_app(services), settings.web_listen, settings.web_port)
    log.info("web: dashboard and health on %s:%d (/dashboard, %s)", server.host, server.port, HEALTH_PATH)
    return server


def listen(handlers: tornado.web.Application, host: str, port: int) -> WebhookServer:
    try:
        sockets = tornado.netutil.bind_sockets(port, host)
    except OSError as exc:
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    server = tornado.httpserver.HTTPServer(handlers, max_body_size=MAX_BODY)
    server.add_sockets(sockets)
    return WebhookServer(server, host, sockets[0].getsockname()[1])
