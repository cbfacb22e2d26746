"""The office's commands: /liaisons, /grant, /revoke, /audit."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.rules.commands import parse_audit, parse_role_change
from bot.texts import Raw, fmt_date, fmt_time
from bot.usecases import audit, liaisons, people
from handlers import menus
from handlers.context import Ctx
from handlers.replies import send, text


async def roster(update: Update, context: Ctx) -> None:
    if context.args:
        await _history(update, context, " ".join(context.args))
        return
    rows = await liaisons.roster(context.services.db)
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
    name, terms = await liaisons.history(context.services.db, department)
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


async def grant(update: Update, context: Ctx) -> None:
    change = parse_role_change("grant", context.args or [])
    changed = await people.grant_role(context.services.db, context.caller, change.user_id, change.role, now=context.now())
    role = text(context, f"role.{change.role}")
    await send(update, text(context, "grant.ok" if changed else "grant.already", user_id=change.user_id, role=role))
    await menus.refresh(context, change.user_id)


async def revoke(update: Update, context: Ctx) -> None:
    change = parse_role_change("revoke", context.args or [])
    await people.revoke_role(context.services.db, context.caller, change.user_id, change.role,
                             admin_ids=context.services.settings.bot_admin_ids, now=context.now())
    await send(update, text(context, "revoke.ok", user_id=change.user_id, role=text(context, f"role.{change.role}")))
    await menus.refresh(context, change.user_id)


async def audit_log(update: Update, context: Ctx) -> None:
    entries = await audit.recent(context.services.db, parse_audit(context.args or []))
    if not entries:
        await send(update, text(context, "audit.empty"))
        return
    tz = context.services.settings.tz
    lines = [text(context, "audit.header", count=len(entries))]
    lines += [
        text(context, "audit.row", at=fmt_time(e.at, tz), actor=e.actor_id if e.actor_id is not None else "—",
             action=e.action, target=e.target or "", outcome=e.outcome)
        for e in entries
    ]
    await send(update, "\n".join(lines))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("liaisons", roster),
        CommandHandler("grant", grant),
        CommandHandler("revoke", revoke),
        CommandHandler("audit", audit_log),
    ]
