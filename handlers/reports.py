"""Quarterly reports: the liaisons' /report (with a confirmation step) and the office's /cycle."""

from __future__ import annotations

import html
from dataclasses import replace

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.errors import DomainError, Refused, UsageError
from bot.rules.callbacks import Callback
from bot.rules.roles import Role
from bot.rules.callbacks import decode
from bot.rules.commands import is_indicators_word
from bot.rules.indicators import parse_expected_spec
from bot.texts import cycle_name
from bot.usecases import cycles, reports
from bot.usecases.inbox import Incoming
from bot.views.reports import cycle_status, draft, items
from bot.views.task_lists import nudge_button
from handlers.commands import command_text, with_caption_command
from handlers.context import Ctx
from handlers.incoming import incoming
from handlers.errors import render
from handlers.replies import lang, reply, send, text


async def _preview(update: Update, context: Ctx, view: reports.DraftView) -> None:
    body, keyboard = draft(view, lang(context), context.services.settings.tz)
    message = update.effective_message
    assert message is not None
    await message.reply_text(body, reply_markup=InlineKeyboardMarkup.de_json(keyboard, context.bot))


FRESH_WORDS = frozenset({"重写", "new"})  # `/report 重写`: the next version starts empty
COMPILE_WORDS = frozenset({"汇总", "compile"})  # `/report 汇总`: an office below's report, compiled


async def report(update: Update, context: Ctx) -> None:
    """/report [重写|new] [TEXT], typed or as the caption of a photo or document (the file joins the
    draft). After a submitted version the draft starts as its copy; 重写 starts it empty."""
    message = update.effective_message
    assert message is not None
    body = command_text(message)
    words = body.split(maxsplit=1) if body else []
    if len(words) == 1 and words[0].casefold() in COMPILE_WORDS and message.effective_attachment is None:
        await compile_upward(update, context)
        return
    fresh = bool(words) and words[0].casefold() in FRESH_WORDS
    if fresh:
        body = words[1] if len(words) > 1 else ""
    services, now = context.services, context.now()
    item = replace(incoming(message, context.caller.telegram_id), text=body or None)
    if item.file_id is None:
        item = replace(item, kind="text")
    if not body and item.file_id is None:
        begun = await reports.begin(services.db, context.caller, now=now, tz=services.settings.tz,
                                    calendar=services.calendar, fresh=fresh)
        if begun.copied_from:
            await reply(update, context, "report.begin_copy", version=begun.copied_from)
        else:
            await reply(update, context, "report.begin", label=cycle_name(begun.label, lang(context)))
        return
    await _preview(update, context, await reports.add(services.db, context.caller, item, now=now,
                                                      tz=services.settings.tz, calendar=services.calendar,
                                                      fresh=fresh))


async def compile_upward(update: Update, context: Ctx) -> None:
    """`/report 汇总`: the unit's liaison's draft, compiled from their office's departments."""
    services = context.services
    done = await reports.compile_upward(services.db, context.caller, now=context.now(), lang=lang(context),
                                        tz=services.settings.tz, calendar=services.calendar)
    await reply(update, context, "report.compiled", office=done.office, submitted=done.submitted, total=done.total)
    await send(update, html.escape(done.text, quote=False))  # the draft itself: what will be submitted unless changed
    await _preview(update, context, done.view)


async def add_message(update: Update, context: Ctx, item: Incoming, _ref: int | None) -> None:
    """A message sent while a report is being collected (after /report)."""
    message = update.effective_message
    assert message is not None
    services = context.services
    await _preview(update, context, await reports.add(services.db, context.caller, item, now=context.now(),
                                                      tz=services.settings.tz, calendar=services.calendar))


async def on_button(update: Update, context: Ctx) -> None:
    query = update.callback_query
    assert query is not None
    cb = decode(query.data)
    if cb is None or cb.kind != "r":
        await query.answer(text(context, "button.stale"))
        return
    db, now = context.services.db, context.now()
    try:
        if cb.action == "ok":
            done = await reports.submit(db, context.caller, cb.ref, now=now)
            note = text(context, "report.submitted", label=cycle_name(done.label, lang(context)), version=done.version,
                        late=text(context, "report.late_mark") if done.late else "", count=len(done.indicators),
                        files=done.files)
            if done.version > 1:
                note += "\n" + text(context, "report.superseded")
        else:
            await reports.discard(db, context.caller, cb.ref)
            note = text(context, "report.discarded")
    except DomainError as error:
        await query.answer(render(error, lang(context))[:200])
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await send(update, note)


async def cycle(update: Update, context: Ctx) -> None:
    args = context.args or []
    db, now, tz = context.services.db, context.now(), context.services.settings.tz
    if not args:
        status = await cycles.status(db, now=now, tz=tz, calendar=context.services.calendar,
                                     office_id=context.caller.office_id)
        cycle_id = status.cycle_id if status.missing else None
        keyboard = {"inline_keyboard": [[nudge_button(lang(context), Callback("n", "c", cycle_id))]]} if cycle_id else None
        await send(update, cycle_status(status, lang(context), tz),  # 一键催办 for directors and admins (all /cycle users)
                   reply_markup=InlineKeyboardMarkup.de_json(keyboard, context.bot) if keyboard else None)
        return
    if not is_indicators_word(args[0]):  # indicators, or 指标
        raise UsageError("cycle")
    if not context.caller.has(Role.ADMIN):  # directors read /cycle; setting what is asked is the office's
        raise Refused("cycle.indicators_admin_only")
    spec = command_text(update.effective_message).split(maxsplit=1)
    expected = parse_expected_spec(spec[1] if len(spec) > 1 else "")
    label = await cycles.set_expected(db, context.caller, expected, now=now, office_id=context.caller.office_id)
    await reply(update, context, "cycle.indicators_set", label=cycle_name(label, lang(context)), items=items(expected))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("report", report),
        MessageHandler(with_caption_command("report"), report),  # a file captioned /report [TEXT]
        CommandHandler("cycle", cycle),
        CallbackQueryHandler(on_button, pattern=r"^r:"),
    ]
