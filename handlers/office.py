"""The office's commands: /liaisons, /audit."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.rules.commands import parse_audit
from bot.texts import Raw, fmt_date, fmt_time
from bot.usecases import audit, liaisons
from handlers.context import Ctx
from handlers.replies import send, text


async def roster(update: Update, context: Ctx) -> None:
    if context.args:
        await _history(update, context, " ".join(context.args))
        return
    rows = await liaisons.roster(context.services.db, context.caller.office_id)
    if not rows:
        await send(update, text(context, "liaisons.empty"))
        return
    tz = context.services.settings.tz
    lines = [text(context, "liaisons.header", registered=sum(1 for r in rows if r.posts), total=len(rows))]
    for row in rows:
        posts = "；".join(
            text(context, "liaisons.post", name=p.name, kind=text(context, f"kind.{p.kind}"), since=fmt_date(p.since, tz))
            + (text(context, "liaisons.unreachable") if p.unreachable else "")
            for p in row.posts
        )
        lines.append(text(context, "liaisons.row", department=row.department,
                          people=Raw(posts or text(context, "liaisons.none"))))
    await send(update, "\n".join(lines))


async def _history(update: Update, context: Ctx, department: str) -> None:
    name, terms = await liaisons.history(context.services.db, department, context.caller.office_id)
    if not terms:
        await send(update, text(context, "liaisons.no_history"))
        return
    tz = context.services.settings.tz
    lines = [text(context, "liaisons.history_header", department=name)]
    lines += [
        text(context, "liaisons.term", name=term.name, kind=text(context, f"kind.{term.kind}"),
             start=fmt_time(term.started_at, tz),
             end=fmt_time(term.ended_at, tz) if term.ended_at else text(context, "liaisons.current"))
        for term in terms
    ]
    await send(update, "\n".join(lines))


async def audit_log(update: Update, context: Ctx) -> None:
    found = await audit.page(context.services.db, parse_audit(context.args or []), context.caller.office_id)
    entries = found.entries
    if not entries:
        await send(update, text(context, "audit.empty"))
        return
    tz = context.services.settings.tz
    lines = [text(context, "audit.header", count=len(entries))]
    lines += [
        (text(context, "audit.office", office=found.offices[e.office_id]) if e.office_id in found.offices else "")
        + text(context, "audit.row", at=fmt_time(e.at, tz), actor=e.actor_id if e.actor_id is not None else "—",
               action=e.action, target=e.target or "", outcome=e.outcome)
        for e in entries
    ]
    await send(update, "\n".join(lines))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("liaisons", roster),
        CommandHandler("audit", audit_log),
    ]
