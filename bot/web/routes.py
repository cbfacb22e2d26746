"""Tornado routes of the dashboard, mounted on the webhook's server or on the bot's own small
server (bot/web/server.py):

- `GET /dashboard` — the page (holds no data; served to anyone, with a strict CSP);
- `GET /dashboard/static/…` — its script, styles and the vendored chart library;
- `GET /api/summary[?office=ID]`, `GET /api/departments/{id}[?office=ID]` — JSON, only to a request
  signed by Telegram (`Authorization: tma <initData>`, bot/rules/initdata.py): 401 without a valid
  signature, 403 for someone who is not a director or admin there, 404 outside their reach."""

from __future__ import annotations

import json
import logging
import re
from http import HTTPStatus
from pathlib import Path
from typing import Any

import tornado.web

from bot.errors import DomainError
from bot.rules.initdata import BadInitData, verify
from bot.services import Services
from bot.usecases import dashboard

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
PAGE = STATIC / "index.html"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'")
SCHEME = "tma "


class _Secure(tornado.web.RequestHandler):
    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")


class PageHandler(_Secure):
    """The page itself: the same bytes for everyone."""

    SUPPORTED_METHODS = ("GET", "HEAD")  # type: ignore[assignment]

    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("Cache-Control", "no-cache")
        self.finish(PAGE.read_bytes())

    head = get


class AssetHandler(tornado.web.StaticFileHandler):
    def set_extra_headers(self, path: str) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("Cache-Control", "no-cache")  # revalidated by ETag: a new release shows at once


class _Api(_Secure):
    SUPPORTED_METHODS = ("GET",)  # type: ignore[assignment]

    def initialize(self, services: Services) -> None:
        self.services = services

    def compute_etag(self) -> None:
        return None

    def answer(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body, ensure_ascii=False))

    async def signed_in(self) -> Any:
        """The caller, or None after answering 401/403/404/400."""
        header = self.request.headers.get("Authorization", "")
        settings = self.services.settings
        now = self.services.now()
        try:
            if not header.startswith(SCHEME):
                raise BadInitData("no Authorization: tma header")
            who = verify(settings.token(), header[len(SCHEME):].strip(), now=int(now.timestamp()))
        except BadInitData as exc:
            log.info("dashboard: refused a sign-in (%s)", exc.reason)
            self.set_header("WWW-Authenticate", "tma")
            self.answer(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized", "detail": exc.reason})
            return None
        raw = self.get_query_argument("office", None)
        if raw is not None and not re.fullmatch(r"[0-9]{1,12}", raw):
            self.answer(HTTPStatus.BAD_REQUEST, {"error": "bad_request", "detail": "office must be a number"})
            return None
        try:
            return await dashboard.viewer(self.services.db, who.user_id, office_id=int(raw) if raw else None,
                                          admin_ids=settings.bot_admin_ids, default_language=settings.bot_language)
        except DomainError as exc:
            self.refuse(exc)
            return None

    def refuse(self, exc: DomainError) -> None:
        if isinstance(exc, dashboard.Forbidden):
            self.answer(HTTPStatus.FORBIDDEN, {"error": "forbidden"})
        else:
            self.answer(HTTPStatus.NOT_FOUND, {"error": "not_found"})


class SummaryHandler(_Api):
    async def get(self) -> None:
        caller = await self.signed_in()
        if caller is None:
            return
        settings = self.services.settings
        self.answer(HTTPStatus.OK, await dashboard.summary(self.services.db, caller, at=self.services.now(),
                                                           tz=settings.tz, admin_ids=settings.bot_admin_ids))


class DepartmentHandler(_Api):
    async def get(self, department_id: str) -> None:
        caller = await self.signed_in()
        if caller is None:
            return
        try:
            body = await dashboard.department(self.services.db, caller, int(department_id),
                                              at=self.services.now(), tz=self.services.settings.tz)
        except DomainError as exc:
            self.refuse(exc)
            return
        self.answer(HTTPStatus.OK, body)


def routes(services: Services) -> list[tuple[str, type, dict[str, Any]]]:
    return [
        (r"/dashboard", PageHandler, {}),
        (r"/dashboard/", tornado.web.RedirectHandler, {"url": "/dashboard"}),
        (r"/dashboard/static/(.*)", AssetHandler, {"path": str(STATIC)}),
        (r"/api/summary", SummaryHandler, {"services": services}),
        (r"/api/departments/(\d{1,12})", DepartmentHandler, {"services": services}),
    ]
