"""The command line (CONTRACT.md, "Processes and commands"): run, migrate, org import.

Operator errors end with one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from pydantic import ValidationError

from bot import logs
from bot.rules.org import OrgFileError
from bot.services import Services, system_clock
from bot.settings import Settings
from bot.usecases import org
from storage import migrate
from storage.db import Database, DatabaseConfigError
from storage.models import ROOT_OFFICE_ID

log = logging.getLogger("liaison-desk")
T = TypeVar("T")


class OperatorError(Exception):
    """A problem the operator must fix; printed as one line."""


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "configuration"
        raise OperatorError(f"invalid configuration {field.upper()}: {first.get('msg')}") from None


def _database(settings: Settings) -> Database:
    try:
        return Database(settings.database_url)
    except DatabaseConfigError as exc:
        raise OperatorError(str(exc)) from None


def _require_token(settings: Settings) -> None:
    token = settings.token()
    if not token:
        raise OperatorError("TELEGRAM_BOT_TOKEN is not set (put it in the environment or in .env)")
    head, sep, tail = token.partition(":")
    if not (sep and head.isdigit() and tail):
        raise OperatorError("TELEGRAM_BOT_TOKEN does not look like a bot token (expected 123456:ABC...)")


async def _with_db(db: Database, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work`, turning a database failure into one line that names it: an unreachable database,
    or a statement the database refused (which is not the same thing); always release the pool."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return await work()
    except (OSError, TimeoutError) as exc:
        await _settle()
        raise OperatorError(f"cannot reach the database at {db.display_url}: {exc}") from None
    except SQLAlchemyError as exc:
        await _settle()
        if _is_connection_error(exc) and not await _answers(db):
            raise OperatorError(f"cannot reach the database at {db.display_url}: {_first_line(exc)}") from None
        log.debug("statement failed", exc_info=True)
        raise OperatorError(_statement_failed(db, exc)) from None
    finally:
        await db.dispose()


async def _settle() -> None:
    """Let a driver thread whose connection failed finish before the event loop closes (aiosqlite
    would otherwise print a traceback after our one-line message)."""
    await asyncio.sleep(0.2)


async def _answers(db: Database) -> bool:
    """Whether the database takes a trivial statement now (a failure was the statement's, not the
    connection's, when it does)."""
    from sqlalchemy import text

    try:
        async with asyncio.timeout(5):
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "does not answer"
        await _settle()
        return False


_SCHEMA_HINTS = ("no such table", "no such column", "does not exist", "undefined")


def _statement_failed(db: Database, exc: BaseException) -> str:
    reason = _first_line(exc)
    statement = " ".join(str(getattr(exc, "statement", "") or "").split())[:100]
    hint = "; is the schema current? run `python -m bot migrate`" if any(h in reason.lower() for h in _SCHEMA_HINTS) else ""
    where = f" in: {statement}…" if statement else ""
    return f"a database statement failed (the database at {db.display_url} answers): {reason}{where}{hint}"


def _is_connection_error(exc: Exception) -> bool:
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


async def _migrate(db: Database) -> tuple[str | None, str]:
    return await _with_db(db, lambda: migrate.upgrade_to_head(db))


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    db = _database(settings)
    before, after = asyncio.run(_migrate(db))
    print(f"database {db.display_url}: " + (f"already at {after}" if before == after else f"upgraded {before or 'empty'} -> {after}"))
    return 0


def cmd_org_import(settings: Settings, args: argparse.Namespace) -> int:
    try:
        spec = org.read_org_file(Path(args.file))
    except OrgFileError as exc:
        raise OperatorError(f"{args.file}: {exc}") from None
    db = _database(settings)

    async def work() -> org.ImportReport:
        await migrate.upgrade_to_head(db)
        return await org.import_org(db, spec, now=system_clock())

    try:
        report = asyncio.run(_with_db(db, work))
    except OrgFileError as exc:
        raise OperatorError(f"{args.file}: {exc}; nothing was imported") from None
    if not report.changed:
        print(f"{args.file}: no changes ({len(spec.departments)} departments, {len(spec.working_groups)} working groups)")
        return 0
    for code in report.offices_created:
        print(f"created office {code}")
    for name in report.departments_created:
        print(f"created department {name}")
    for name in report.groups_created:
        print(f"created working group {name}")
    for line in report.groups_changed:
        print(f"changed working group {line}")
    for key in report.settings_changed:
        print(f"updated {key}")
    for line in report.aliases_changed:
        print(f"aliases of {line}")
    return 0


def cmd_run(settings: Settings, _args: argparse.Namespace) -> int:
    _require_token(settings)
    _check_webhook(settings)
    from bot import runner  # telegram is imported only when the bot runs
    from bot.app import build_application
    from bot.webhook import ListenError

    db = _database(settings)
    before, after = asyncio.run(_migrate(db))
    if before != after:
        log.info("database upgraded %s -> %s", before or "empty", after)
    app = build_application(Services(settings=settings, db=db))
    log.info("starting (database %s)", db.display_url)

    async def serve() -> None:
        try:
            await runner.serve(app, settings)
        except ListenError as exc:
            raise OperatorError(str(exc)) from None

    asyncio.run(_with_db(db, _telegram_errors(serve, settings.telegram_api_base_url)))
    return 0


_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _check_webhook(settings: Settings) -> None:
    """Webhook mode needs a secret Telegram accepts and an http(s) URL."""
    if not settings.webhook_url:
        return
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not secret:
        raise OperatorError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
    if not _WEBHOOK_SECRET.fullmatch(secret):
        raise OperatorError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    url = urlsplit(settings.webhook_url)
    if url.scheme not in ("https", "http") or not url.hostname:
        raise OperatorError(f"WEBHOOK_URL must be an https:// (or http://) URL, not {settings.webhook_url!r}")


def _parse_at(raw: str | None, settings: Settings) -> datetime:
    if raw is None:
        return datetime.now(settings.tz)
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise OperatorError(f"--at {raw!r} is not an ISO-8601 time (e.g. 2026-12-25T09:00 or 2026-12-25T09:00+08:00)") from None
    return at if at.tzinfo else at.replace(tzinfo=settings.tz)


def cmd_tick(settings: Settings, args: argparse.Namespace) -> int:
    _require_token(settings)
    at = _parse_at(args.at, settings)
    from jobs.delivery import outbox_bot  # telegram is imported only when it is needed
    from jobs.sender import Sender
    from jobs.tick import tick

    db = _database(settings)
    services = Services(settings=settings, db=db)

    async def work() -> str:
        await migrate.upgrade_to_head(db)
        bot = outbox_bot(settings)
        sender = Sender(db, bot, default_language=settings.bot_language)
        async with bot:
            report = await tick(services, sender, at, drain_seconds=args.wait)
        return report.summary()

    print(asyncio.run(_with_db(db, _telegram_errors(work, settings.telegram_api_base_url))))
    return 0


def _telegram_errors(work: Callable[[], Awaitable[T]], base_url: str) -> Callable[[], Awaitable[T]]:
    """Turn a refused token or an unreachable Bot API into operator errors."""

    async def wrapped() -> T:
        from telegram.error import InvalidToken, NetworkError

        try:
            return await work()
        except InvalidToken:
            raise OperatorError("the Bot API refused TELEGRAM_BOT_TOKEN") from None
        except NetworkError as exc:
            raise OperatorError(f"cannot reach the Bot API at {base_url}: {exc}") from None

    return wrapped


async def _office_id(db: Database, code: str | None) -> int:
    """The office `--office CODE` names (the root office without one)."""
    from bot.usecases import offices

    known = await offices.codes(db)
    if code is None:
        return ROOT_OFFICE_ID
    if code not in known:
        raise OperatorError(f"no office with code {code!r}; the offices are: {', '.join(sorted(known)) or 'none with a code'}")
    return known[code]


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    """Build the directors' digest offline: text to stdout, or --out FILE (.xlsx, .png, or text)."""
    at = _parse_at(args.at, settings)
    from bot.narrative import with_narrative
    from bot.rules.digest import on_demand_period
    from bot.usecases import digests

    db = _database(settings)
    lang = settings.bot_language

    async def work():  # type: ignore[no-untyped-def]
        await migrate.upgrade_to_head(db)
        period = on_demand_period(args.period, at, settings.tz) if args.so_far else None
        office_id = await _office_id(db, args.office)
        built = await digests.build(db, args.period, at=at, tz=settings.tz, period=period, office_id=office_id)
        return await with_narrative(settings, built, lang)

    digest = asyncio.run(_with_db(db, work))

    def workbook() -> bytes:
        from bot.render.workbook import workbook_xlsx
        return workbook_xlsx(digest, lang, settings.tz)

    def chart() -> bytes:
        from bot.render.chart import chart_png
        return chart_png(digest, lang, settings.tz)

    def text() -> str:
        from bot.views.digest import plain, render
        return plain(render(digest, lang, settings.tz))

    _write_out(args.out, workbook, chart, text, f"{digest.period.kind} digest {digest.period.label}")
    return 0


def _write_out(raw: str | None, workbook: Callable[[], bytes], chart: Callable[[], bytes], text: Callable[[], str],
               what: str) -> None:
    """`--out`: an .xlsx gets the workbook, a .png the chart, any other name the text (no `--out`: the
    text on stdout); a file that cannot be written is an operator's error in one line."""
    out = Path(raw) if raw else None
    try:
        if out is not None and out.suffix.lower() == ".xlsx":
            out.write_bytes(workbook())
        elif out is not None and out.suffix.lower() == ".png":
            out.write_bytes(chart())
        elif out is None:
            print(text())
        else:
            out.write_text(text() + "\n", encoding="utf-8")
    except OSError as exc:
        raise OperatorError(f"cannot write {raw}: {exc.strerror or exc}") from None
    if out is not None:
        print(f"{what} written to {out}")


def cmd_brief(settings: Settings, args: argparse.Namespace) -> int:
    """Write the office's work report (工作报告) for the period as a Word document (--out FILE.docx):
    the period --at falls in, up to --at (as /brief in chat), or with --last the one just ended."""
    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        raise OperatorError(f"--out must name a .docx file, not {args.out!r}")
    at = _parse_at(args.at, settings)
    from bot.render.brief import brief_docx
    from bot.rules.digest import on_demand_period
    from bot.usecases import brief

    db = _database(settings)

    async def work():  # type: ignore[no-untyped-def]
        await migrate.upgrade_to_head(db)
        office_id = await _office_id(db, args.office)
        period = on_demand_period(args.period, at, settings.tz, last=args.last)
        return await brief.build(db, args.period, at=at, tz=settings.tz, period=period, office_id=office_id)

    built = asyncio.run(_with_db(db, work))
    try:
        out.write_bytes(brief_docx(built, settings.bot_language, settings.tz))
    except OSError as exc:
        raise OperatorError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"{built.digest.period.kind} work report {built.digest.period.label} written to {out}")
    return 0


def cmd_assessment(settings: Settings, args: argparse.Namespace) -> int:
    """The office's annual assessment (年度考核) offline: text to stdout, or --out FILE (.xlsx
    workbook, .png chart, anything else text). Without --year: as /assessment (last year until this
    year's send_on, then this year so far). `--at` reproduces an assessment as of that moment."""
    at = _parse_at(args.at, settings)
    from bot.usecases import assessment

    db = _database(settings)

    async def work():  # type: ignore[no-untyped-def]
        await migrate.upgrade_to_head(db)
        office_id = await _office_id(db, args.office)
        return await assessment.build(db, args.year, now=at, tz=settings.tz, office_id=office_id)

    built = asyncio.run(_with_db(db, work))
    lang = settings.bot_language

    def workbook() -> bytes:
        from bot.render.assessment_workbook import assessment_xlsx
        return assessment_xlsx(built, lang, settings.tz)

    def chart() -> bytes:
        from bot.render.assessment_chart import assessment_png
        return assessment_png(built, lang)

    def text() -> str:
        from bot.views.assessment import render
        from bot.views.digest import plain
        return plain(render(built, lang, settings.tz))

    _write_out(args.out, workbook, chart, text, f"assessment {built.year}")
    return 0


LINK_MINUTES = 60  # a printed link is as good as a password: short-lived unless asked otherwise


def cmd_dashboard_link(settings: Settings, args: argparse.Namespace) -> int:
    """Print a dashboard address signed for USER_ID, for a desktop browser: initData signed with
    the bot token exactly as Telegram signs a Mini App's, in the URL fragment (never sent to a
    server's log), valid --minutes (at most a day, as Telegram's own). The user must be a director
    or admin: the link of anyone else would only be refused."""
    _require_token(settings)
    if not 1 <= args.minutes <= 24 * 60:
        raise OperatorError("--minutes must be between 1 and 1440 (a day, as Telegram's own sign-in)")
    from urllib.parse import quote

    from bot.errors import DomainError
    from bot.rules.initdata import sign
    from bot.usecases import dashboard

    db = _database(settings)

    async def work():  # type: ignore[no-untyped-def]
        await migrate.upgrade_to_head(db)
        return await dashboard.viewer(db, args.user_id, office_id=None, admin_ids=settings.bot_admin_ids,
                                      default_language=settings.bot_language)

    try:
        caller = asyncio.run(_with_db(db, work))
    except DomainError:
        raise OperatorError(f"user {args.user_id} is not a director or admin of any office: the dashboard "
                            "would refuse them (/grant director first)") from None
    now = int(system_clock().timestamp())
    expires = now + args.minutes * 60
    init_data = sign(settings.token(), user_id=args.user_id, first_name=caller.full_name or str(args.user_id),
                     now=now, expires=expires)
    print(f"{_dashboard_base(settings)}#tgWebAppData={quote(init_data, safe='')}")
    until = datetime.fromtimestamp(expires, settings.tz).strftime("%Y-%m-%d %H:%M")
    print(f"valid until {until} ({settings.bot_timezone}); anyone holding it sees what this user sees", file=sys.stderr)
    return 0


def _dashboard_base(settings: Settings) -> str:
    if settings.dashboard_url:
        return settings.dashboard_url
    host = "127.0.0.1" if settings.web_listen in ("0.0.0.0", "::", "") else settings.web_listen
    return f"http://{host}:{settings.web_port}/dashboard"


def _user_id(raw: str) -> int:
    if not raw.isdigit():
        raise argparse.ArgumentTypeError(f"{raw!r} is not a numeric Telegram user id")
    return int(raw)


def _year(raw: str) -> int:
    if not (raw.isdigit() and 2000 <= int(raw) <= 2100):
        raise argparse.ArgumentTypeError(f"{raw!r} is not a year like 2026")
    return int(raw)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="liaison-desk", description="联络员协同助手 — the liaison office bot")
    p.set_defaults(func=cmd_run)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="run the bot (the default)").set_defaults(func=cmd_run)
    sub.add_parser("migrate", help="upgrade the database to the newest schema").set_defaults(func=cmd_migrate)
    org_p = sub.add_parser("org", help="the org structure")
    org_sub = org_p.add_subparsers(dest="org_command", metavar="ACTION", required=True)
    imp = org_sub.add_parser("import", help="create or update departments and working groups from a YAML file")
    imp.add_argument("file", metavar="FILE")
    imp.set_defaults(func=cmd_org_import)
    tick_p = sub.add_parser("tick", help="one pass of the scheduler, then deliver what is queued")
    tick_p.add_argument("--at", metavar="ISO-8601", help="as if the clock read this (default: now; BOT_TIMEZONE when no offset)")
    tick_p.add_argument("--wait", type=float, default=60.0, metavar="SECONDS", help="longest time to spend delivering (default 60)")
    tick_p.set_defaults(func=cmd_tick)
    digest_p = sub.add_parser("digest", help="build the directors' digest offline")
    digest_p.add_argument("--period", choices=("week", "month", "quarter"), default="week")
    digest_p.add_argument("--at", metavar="ISO-8601", help="as if the clock read this (default: now)")
    digest_p.add_argument("--out", metavar="FILE", help="write FILE: .xlsx workbook, .png chart, anything else text")
    digest_p.add_argument("--office", metavar="CODE", help="the office's digest (default: the root office)")
    digest_p.add_argument("--so-far", action="store_true",
                          help="the period --at falls in, up to --at (as /digest in chat); default: the scheduled "
                               "digest's period, the week or month just ended or the current quarter")
    digest_p.set_defaults(func=cmd_digest)
    brief_p = sub.add_parser("brief", help="write the office's work report (工作报告) as a Word document")
    brief_p.add_argument("--period", choices=("month", "quarter", "year"), default="quarter")
    brief_p.add_argument("--at", metavar="ISO-8601", help="as if the clock read this (default: now)")
    brief_p.add_argument("--office", metavar="CODE", help="the office's report (default: the root office)")
    brief_p.add_argument("--last", action="store_true",
                         help="the period just ended (as /brief 上季度); default: the period --at falls in, up to --at")
    brief_p.add_argument("--out", metavar="FILE.docx", required=True, help="the Word document to write")
    brief_p.set_defaults(func=cmd_brief)
    assess_p = sub.add_parser("assessment", help="the annual assessment (年度考核): scores and ranks")
    assess_p.add_argument("--year", type=_year, metavar="YYYY",
                          help="the year (default: last year up to this year's assessment.send_on, then this year)")
    assess_p.add_argument("--office", metavar="CODE", help="the office's assessment (default: the root office)")
    assess_p.add_argument("--at", metavar="ISO-8601", help="as of this moment (default: now)")
    assess_p.add_argument("--out", metavar="FILE", help="write FILE: .xlsx workbook, .png chart, anything else text")
    assess_p.set_defaults(func=cmd_assessment)
    link_p = sub.add_parser("dashboard-link", help="print a signed dashboard address for a director or admin")
    link_p.add_argument("user_id", type=_user_id, metavar="USER_ID", help="the person's numeric Telegram id")
    link_p.add_argument("--minutes", type=int, default=LINK_MINUTES, metavar="N",
                        help=f"how long the link works (default {LINK_MINUTES}, at most 1440)")
    link_p.set_defaults(func=cmd_dashboard_link)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB's future behaviour: durations as timedelta
    try:
        settings = _settings()
        logs.protect(settings.secrets())
        logs.configure()
        return int(args.func(settings, args) or 0)
    except OperatorError as exc:
        print(f"liaison-desk: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
