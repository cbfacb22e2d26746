"""Reports: the liaisons' /report (with a confirmation step) and the office's /cycle, for the
quarter's cycle and the month's (月报). With both open, `/report` goes to the cycle whose request
it replies to, or the one named (`/report 月报` / `/report 季报`), or the draft's under way; else
the liaison is asked with one button per open cycle (the question quotes their message, so the
button press reads it back from there)."""

from __future__ import annotations

import html
from dataclasses import replace

from telegram import InlineKeyboardMarkup, Message, Update
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
from bot.views.tasks import button
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


MONTHLY_WORDS = frozenset({"月报", "monthly"})  # `/report 月报 …`: the month's cycle
QUARTERLY_WORDS = frozenset({"季报", "quarterly"})  # `/report 季报 …`: the quarter's cycle


def _kind_word(body: str) -> tuple[str | None, str]:
    """The cycle kind a leading word names ('month' | 'quarter' | None), and the rest of the body."""
    words = body.split(maxsplit=1) if body else []
    if words and words[0].casefold() in MONTHLY_WORDS:
        return "month", words[1] if len(words) > 1 else ""
    if words and words[0].casefold() in QUARTERLY_WORDS:
        return "quarter", words[1] if len(words) > 1 else ""
    return None, body


def _replied_to_bot(message: Message, context: Ctx) -> int | None:
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id:
        return replied.message_id
    return None


async def report(update: Update, context: Ctx, *, source: Message | None = None, cycle_id: int | None = None) -> None:
    """/report [月报|季报] [重写|new] [TEXT], typed or as the caption of a photo or document (the
    file joins the draft). After a submitted version the draft starts as its copy; 重写 starts it
    empty. `source` and `cycle_id`: the message read back after the liaison chose the cycle."""
    message = source or update.effective_message
    assert message is not None
    kind, body = _kind_word(command_text(message))
    words = body.split(maxsplit=1) if body else []
    if kind != "month" and len(words) == 1 and words[0].casefold() in COMPILE_WORDS \
            and message.effective_attachment is None:
        await compile_upward(update, context)
        return
    fresh = bool(words) and words[0].casefold() in FRESH_WORDS
    if fresh:
        body = words[1] if len(words) > 1 else ""
    services, now = context.services, context.now()
    if cycle_id is None:
        replied = _replied_to_bot(message, context)
        choice = await reports.choose(services.db, context.caller, now=now, tz=services.settings.tz,
                                      calendar=services.calendar, kind=kind,
                                      reply_to=(message.chat_id, replied) if replied is not None else None)
        if choice.cycle_id is None and choice.options:
            await _ask(message, context, choice.options)
            return
        cycle_id = choice.cycle_id
    item = replace(incoming(message, context.caller.telegram_id), text=body or None)
    if item.file_id is None:
        item = replace(item, kind="text")
    if not body and item.file_id is None:
        begun = await reports.begin(services.db, context.caller, now=now, tz=services.settings.tz,
                                    calendar=services.calendar, fresh=fresh, cycle_id=cycle_id)
        if begun.copied_from:
            await reply(update, context, "report.begin_copy", version=begun.copied_from)
        else:
            await reply(update, context, "report.begin", label=cycle_name(begun.label, lang(context)))
        return
    await _preview(update, context, await reports.add(services.db, context.caller, item, now=now,
                                                      tz=services.settings.tz, calendar=services.calendar,
                                                      fresh=fresh, cycle_id=cycle_id))


async def _ask(message: Message, context: Ctx, options: list[tuple[int, str]]) -> None:
    """Which open cycle this report is for: one button each, on a reply quoting the liaison's
    message (the chosen button reads it back from there)."""
    keyboard = {"inline_keyboard": [[button(text(context, "report.choose_button", label=cycle_name(label, lang(context))),
                                            Callback("r", "c", cycle_id))] for cycle_id, label in options]}
    await message.reply_text(text(context, "report.choose", count=len(options)), do_quote=True,
                             reply_markup=InlineKeyboardMarkup.de_json(keyboard, context.bot))


async def _chosen(update: Update, context: Ctx, cycle_id: int) -> None:
    """The liaison chose the cycle: their quoted /report message goes to it (a bare /report, or
    one no longer quoted, begins the draft)."""
    query = update.callback_query
    assert query is not None
    if not isinstance(query.message, Message):  # too old for the bot to see: the button is stale
        await query.answer(text(context, "button.stale"))
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    original = query.message.reply_to_message
    if original is not None and original.from_user is not None and original.from_user.id == context.caller.telegram_id:
        await report(update, context, source=original, cycle_id=cycle_id)
        return
    begun = await reports.begin(context.services.db, context.caller, now=context.now(), tz=context.services.settings.tz,
                                calendar=context.services.calendar, cycle_id=cycle_id)
    await reply(update, context, "report.begin", label=cycle_name(begun.label, lang(context)))


async def compile_upward(update: Update, context: Ctx) -> None:
    """`/report 汇总`: the unit's liaison's draft, compiled from their office's departments."""
    services = context.services
    done = await reports.compile_upward(services.db, context.caller, now=context.now(), lang=lang(context),
                                        tz=services.settings.tz, calendar=services.calendar)
    await reply(update, context, "report.compiled", office=done.office, submitted=done.submitted, total=done.total)
    await send(update, html.escape(done.text, quote=False))  # the draft itself: what will be submitted unless changed
    await _preview(update, context, done.view)


async def add_message(update: Update, context: Ctx, item: Incoming, ref: int | None) -> None:
    """A message sent while a report is being collected (after /report): to the cycle the pending
    input names (`ref`) while it is open."""
    message = update.effective_message
    assert message is not None
    services = context.services
    await _preview(update, context, await reports.add(services.db, context.caller, item, now=context.now(),
                                                      tz=services.settings.tz, calendar=services.calendar, prefer=ref))


async def reply_to_request(update: Update, context: Ctx, item: Incoming, replied_to: int) -> bool:
    """A plain message replying to a cycle's request (the month's 月报 request) is the
    department's report in that cycle: added to the draft, previewed. False when the message it
    replies to asked for no cycle (for handlers/inbox.py to try the next reading)."""
    services = context.services
    if await reports.asked_for(services.db, item.chat_id, replied_to) is None:
        return False
    try:
        choice = await reports.choose(services.db, context.caller, now=context.now(), tz=services.settings.tz,
                                      calendar=services.calendar, reply_to=(item.chat_id, replied_to))
        view = await reports.add(services.db, context.caller, item, now=context.now(), tz=services.settings.tz,
                                 calendar=services.calendar, cycle_id=choice.cycle_id)
    except DomainError:  # that month is closed, or the sender is no liaison any more: kept like any message
        return False
    await _preview(update, context, view)
    return True


async def on_button(update: Update, context: Ctx) -> None:
    query = update.callback_query
    assert query is not None
    cb = decode(query.data)
    if cb is None or cb.kind != "r":
        await query.answer(text(context, "button.stale"))
        return
    db, now = context.services.db, context.now()
    if cb.action == "c":
        try:
            await _chosen(update, context, cb.ref)
        except DomainError as error:
            await send(update, render(error, lang(context)))
        return
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
        found = await cycles.statuses(db, now=now, tz=tz, calendar=context.services.calendar,
                                      office_id=context.caller.office_id)
        rows = [[nudge_button(lang(context), Callback("n", "c", status.cycle_id)) if len(found) == 1
                 else button(text(context, "btn.nudge_cycle", label=cycle_name(status.label, lang(context))),
                             Callback("n", "c", status.cycle_id))]
                for status in found if status.missing and status.cycle_id]
        keyboard = {"inline_keyboard": rows} if rows else None
        await send(update, "\n\n".join(cycle_status(status, lang(context), tz) for status in found),  # 一键催办 per cycle
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
