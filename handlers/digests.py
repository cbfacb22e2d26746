"""The directors' commands: /digest, /overdue, /status, /export."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.errors import UsageError
from bot.narrative import with_narrative
from bot.rules.commands import parse_digest_request, parse_export
from bot.rules.digest import Digest, on_demand_period
from bot.texts import fmt_date, period_name
from bot.usecases import digests, tasks
from bot.views.digest_bundle import bundle
from bot.views.task_lists import overdue_view
from handlers.context import Ctx
from handlers.replies import lang, send, text


async def _build(context: Ctx, kind: str) -> Digest:
    return await digests.build(context.services.db, kind, at=context.now(), tz=context.services.settings.tz,
                               office_id=context.caller.office_id)


async def digest(update: Update, context: Ctx) -> None:
    """`/digest [PERIOD]`: the period so far; `/digest 上周|上月|上季度|去年`: the one just ended."""
    kind, last = parse_digest_request(context.args or [])
    at, tz = context.now(), context.services.settings.tz
    period = on_demand_period(kind, at, tz, last=last)
    built = await digests.build(context.services.db, kind, at=at, tz=tz, period=period,
                                office_id=context.caller.office_id)
    result = await with_narrative(context.services.settings, built, lang(context))
    pieces, chart, caption = bundle(result, lang(context), context.services.settings.tz)
    for piece in pieces:
        await send(update, piece)
    message = update.effective_message
    assert message is not None
    await message.reply_photo(chart, caption=caption)


async def overdue(update: Update, context: Ctx) -> None:
    if context.args:
        raise UsageError("overdue")
    items = await tasks.overdue(context.services.db, now=context.now(), tz=context.services.settings.tz,
                                office_id=context.caller.office_id)
    body, keyboard = overdue_view(items, lang(context), nudge=True)  # /overdue is for directors and admins
    await send(update, body, reply_markup=InlineKeyboardMarkup.de_json(keyboard, context.bot) if keyboard else None)


async def status(update: Update, context: Ctx) -> None:
    query = " ".join(context.args or []).strip()
    if not query:
        raise UsageError("status")
    s = await digests.status(context.services.db, query, at=context.now(), tz=context.services.settings.tz,
                             office_id=context.caller.office_id)
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
                                 caption=text(context, "digest.export_caption",
                                              label=period_name(result.period.label, lang(context))))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("digest", digest),
        CommandHandler("overdue", overdue),
        CommandHandler("status", status),
        CommandHandler("export", export),
    ]
