"""The directors' commands: /digest, /overdue, /status, /export."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.errors import UsageError
from bot.narrative import with_narrative
from bot.rules.commands import parse_digest_period, parse_export
from bot.rules.digest import Digest
from bot.texts import fmt_date
from bot.usecases import digests
from bot.views.digest_bundle import bundle
from bot.views.tasks import role_name
from handlers.context import Ctx
from handlers.replies import lang, send, text


async def _build(context: Ctx, kind: str) -> Digest:
    return await digests.build(context.services.db, kind, at=context.now(), tz=context.services.settings.tz)


async def digest(update: Update, context: Ctx) -> None:
    kind = parse_digest_period(context.args or [])
    result = await with_narrative(context.services.settings, await _build(context, kind), lang(context))
    pieces, chart, caption = bundle(result, lang(context), context.services.settings.tz)
    for piece in pieces:
        await send(update, piece)
    message = update.effective_message
    assert message is not None
    await message.reply_photo(chart, caption=caption)


async def overdue(update: Update, context: Ctx) -> None:
    if context.args:
        raise UsageError("overdue")
    items = (await _build(context, "week")).overdue
    if not items:
        await send(update, text(context, "overdue.none"))
        return
    lines = [text(context, "overdue.header", count=len(items))]
    lines += [text(context, "digest.overdue_row", id=o.task_id, title=o.title, department=o.department,
                   role=role_name(lang(context), o.is_lead), days=o.days) for o in items]
    await send(update, "\n".join(lines))


async def status(update: Update, context: Ctx) -> None:
    query = " ".join(context.args or []).strip()
    if not query:
        raise UsageError("status")
    s = await digests.status(context.services.db, query, at=context.now(), tz=context.services.settings.tz)
    report = (text(context, "digest.reported_late" if s.late else "digest.reported")
              + text(context, "status.version", version=s.version)
              if s.reported else text(context, "digest.not_reported"))
    latest = (f"{fmt_date(s.latest_at, context.services.settings.tz)} {s.latest_progress}"
              if s.latest_at and s.latest_progress else text(context, "digest.no_progress"))
    await send(update, text(context, "status.header", department=s.department,
                            liaison=s.liaison or text(context, "status.no_liaison"), report=report,
                            open=s.tasks_open, done=s.tasks_done, overdue=s.tasks_overdue, latest=latest))


async def export(update: Update, context: Ctx) -> None:
    which = parse_export(context.args or [])
    from bot.render.workbook import workbook_xlsx

    result = await _build(context, "quarter")
    data = workbook_xlsx(result, lang(context), context.services.settings.tz)
    message = update.effective_message
    assert message is not None
    await message.reply_document(data, filename=f"liaison-desk-{which}-{result.period.label}.xlsx",
                                 caption=text(context, "digest.export_caption", label=result.period.label))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("digest", digest),
        CommandHandler("overdue", overdue),
        CommandHandler("status", status),
        CommandHandler("export", export),
    ]
