"""The step-by-step /assign: /assign without arguments starts a dialogue (admins only; the access
layer refuses everyone else before this runs).

1. targets: a message with one toggle button per working group and per department (✅ when chosen,
   edited in place, paged beyond 40), then Next or Cancel;
2. due time, 3. title, 4. details (or /skip), 5. an optional photo or file (or /skip): typed in turn;
   a value the rules refuse is answered with the reason and asked for again;
6. a summary with Confirm or Cancel. Confirm creates the task exactly as `/assign TARGETS | DUE |
   TITLE [| DETAILS]` does (handlers/tasks.py); nothing is written to the database before it.

/cancel ends the dialogue at any step; /assign alone starts it afresh; 15 idle minutes end it with a
notice. The picker offers the office the admin acts in: its working groups, departments and child
offices' units, nothing of another office.

转办 (forwarding) is the same dialogue: a child office's admin presses `转办` under the notice of a
parent office's task to their office (`fw:go:TARGET`). The picker offers the child office's own
departments and groups; the due time defaults to the parent part's (/skip) and may not be later;
the title, details and file are the parent task's unless the admin types others (/skip keeps them).
Confirm creates the child office's task, linked to the parent's part (bot/usecases/tasks.py
`forward`). The step and the draft live in the database (handlers/stored_dialogue.py: a row per
admin, the draft as JSON by handlers/assign_draft.py), so a restart keeps an unfinished draft and
any process of several can take the next step. /assign with arguments is not this handler's (it goes
to handlers/tasks.py, also during a dialogue).

Registered alone in group 0, before every other feature (group 1), so the dialogue's messages reach
it first: while someone is in the dialogue it takes their plain messages, files and `a:` buttons;
their other commands pass through to the other handlers.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.errors import DomainError, UsageError
from bot.rules.callbacks import decode as decode_button
from bot.rules.roles import Role
from bot.rules.tasks import (DETAILS_MAX, TITLE_MAX, AssignRequest, check_title, due_allowed, parse_due,
                             parse_task_number)
from bot.services import Services
from bot.texts import fmt_time, t
from bot.usecases import assign_choices, dialogues, people, tasks
from bot.usecases.tasks import Attachment, ForwardSource
from bot.views.assign import Keyboard, chosen_names, decode, department_count, page_count, picked, picker, summary
from bot.views.tasks import office_label
from handlers.assign_draft import Draft, from_json, to_json
from handlers.context import Ctx
from handlers.dates import due_text, office_calendar, with_warning
from handlers.errors import render
from handlers.replies import lang, reply, send, text
from handlers.stored_dialogue import END, StoredDialogue
from handlers.tasks import created_reply

TIMEOUT = timedelta(minutes=15)
DRAFT = "assign_draft"  # the user_data key the stored draft is handed over in
KIND = "assign"  # the dialogue's kind in the `dialogues` table

PICK, DUE, TITLE, DETAILS, ATTACHMENT, CONFIRM = "pick", "due", "title", "details", "attachment", "confirm"

PROMPTS = {PICK: "assign_dialog.use_buttons", DUE: "assign_dialog.ask_due", TITLE: "assign_dialog.ask_title",
           DETAILS: "assign_dialog.ask_details", ATTACHMENT: "assign_dialog.ask_attachment",
           CONFIRM: "assign_dialog.use_buttons"}


def _draft(context: Ctx) -> Draft | None:
    draft = context.user_data.get(DRAFT) if context.user_data is not None else None
    return draft if isinstance(draft, Draft) else None


def _drop(context: Ctx) -> Draft | None:
    return context.user_data.pop(DRAFT, None) if context.user_data is not None else None


def _markup(keyboard: Keyboard | None, context: Ctx) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup.de_json(keyboard, context.bot) if keyboard else None


def _prompt_text(context: Ctx, state: str) -> str:
    """A step's question; forwarding says what /skip keeps (the parent task's due time, title,
    details and file)."""
    draft = _draft(context)
    source = draft.forward if draft is not None else None
    if source is not None and state == DUE:
        return text(context, "forward.ask_due", due=due_text(context, source.due))
    if source is not None and state == TITLE:
        return text(context, "forward.ask_title", title=source.title, limit=TITLE_MAX)
    if source is not None and state == DETAILS and source.details:
        return text(context, "forward.ask_details", limit=DETAILS_MAX)
    if source is not None and state == ATTACHMENT and source.attachment is not None:
        return text(context, "forward.ask_attachment")
    return text(context, PROMPTS[state], limit=TITLE_MAX if state == TITLE else DETAILS_MAX)


async def _prompt(update: Update, context: Ctx, state: str) -> str:
    await send(update, _prompt_text(context, state))
    return state


def _header(context: Ctx, draft: Draft) -> str:
    """A forwarding draft's messages start by saying what is forwarded."""
    source = draft.forward
    if source is None:
        return ""
    return text(context, "forward.header", office=office_label(source.origin, lang(context)), id=source.task_id,
                title=source.title,
                unit=source.unit, due=due_text(context, source.due)) + "\n"


def _picker(context: Ctx, draft: Draft) -> tuple[str, Keyboard]:
    body, keyboard = picker(draft.choices, draft.selected, draft.page, lang(context))
    return _header(context, draft) + body, keyboard


async def _retire_buttons(context: Ctx, chat_id: int | None, draft: Draft | None) -> None:
    """Take the buttons off the draft's last message, so nothing stale is left to press."""
    if draft is None or draft.message_id is None or chat_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, draft.message_id, reply_markup=None)
    except BadRequest:  # already gone or unchanged
        pass


async def _edit(update: Update, context: Ctx, body: str, keyboard: Keyboard | None) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(body, reply_markup=_markup(keyboard, context))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


# ---------------------------------------------------------------- step 1: targets


async def start(update: Update, context: Ctx) -> str | int:
    chat = update.effective_chat
    await _retire_buttons(context, chat.id if chat else None, _drop(context))  # /assign again: start afresh
    office = context.caller.office_id
    choices = await assign_choices.choices(context.services.db, office)
    if not choices:
        await reply(update, context, "assign_dialog.no_org")
        return END
    draft = Draft(choices, office_id=office)
    body, keyboard = _picker(context, draft)
    message = update.effective_message
    assert message is not None
    sent = await message.reply_text(body, reply_markup=_markup(keyboard, context))
    draft.message_id = sent.message_id
    context.user_data[DRAFT] = draft  # type: ignore[index]
    return PICK


async def start_forward(update: Update, context: Ctx) -> str | int | None:
    """The 转办 button under a parent office's task to the admin's office: the dialogue, pre-filled
    from the parent task, for the admin's office's departments. A button for another office's task
    (or none) is answered as a stale button; a draft in progress is kept then."""
    query = update.callback_query
    assert query is not None
    cb = decode_button(query.data)
    try:
        if cb is None or cb.kind != "fw":
            raise DomainError("button.stale")
        source = await tasks.forward_source(context.services.db, context.caller, cb.ref)
    except DomainError as error:
        await query.answer(render(error, lang(context)), show_alert=True)
        return None
    state = await _start_forwarding(update, context, source)
    await query.answer(text(context, "assign_dialog.no_org") if state is None else None,
                       show_alert=state is None)
    return state


async def forward_command(update: Update, context: Ctx) -> str | int | None:
    """`/forward N`: as the 转办 button, for the parent office's task N (its number, as the notice
    says): for an admin whose notice is gone or who was appointed after it."""
    if not context.caller.has(Role.ADMIN):
        await reply(update, context, "forward.admins_only")
        return None
    args = context.args or []
    if len(args) != 1:
        raise UsageError("forward")
    source = await tasks.forward_source(context.services.db, context.caller,
                                        task_id=parse_task_number(args[0], "forward"))
    state = await _start_forwarding(update, context, source)
    if state is None:
        await reply(update, context, "assign_dialog.no_org")
    return state


async def _start_forwarding(update: Update, context: Ctx, source: ForwardSource) -> str | None:
    choices = await assign_choices.choices(context.services.db, source.office_id)
    chat = update.effective_chat
    assert chat is not None
    if not choices:
        return None
    await _retire_buttons(context, chat.id, _drop(context))  # a draft in progress gives way
    draft = Draft(choices, office_id=source.office_id, title=source.title, details=source.details,
                  attachment=source.attachment, forward=source)
    body, keyboard = _picker(context, draft)
    sent = await context.bot.send_message(chat.id, body, reply_markup=_markup(keyboard, context))
    draft.message_id = sent.message_id
    context.user_data[DRAFT] = draft  # type: ignore[index]
    return PICK


async def _ours(update: Update, context: Ctx) -> tuple[Draft, str, int | None] | None:
    """The draft and the decoded button, when the button is this draft's; otherwise the press is
    answered with the short stale-button notice and None is returned."""
    query = update.callback_query
    assert query is not None
    draft, decoded = _draft(context), decode(query.data)
    message_id = query.message.message_id if query.message is not None else None
    if draft is None or decoded is None or message_id != draft.message_id:
        await query.answer(text(context, "button.stale"))
        return None
    return draft, decoded[0], decoded[1]


async def on_pick(update: Update, context: Ctx) -> str | int | None:
    query = update.callback_query
    assert query is not None
    found = await _ours(update, context)
    if found is None:
        return None
    draft, action, n = found
    if action == "c":
        return await _cancel_by_button(update, context)
    if action == "t" and n is not None and n < len(draft.choices):
        draft.selected ^= {n}
    elif action == "p" and n is not None and n < page_count(len(draft.choices)):
        draft.page = n
    elif action == "n":
        if not draft.selected:
            await query.answer(text(context, "assign_dialog.pick_first"), show_alert=True)
            return None
        if not department_count(draft.choices, draft.selected):  # only groups without members
            await query.answer(text(context, "assign.no_targets"), show_alert=True)
            return None
        await _edit(update, context, _header(context, draft) + picked(draft.choices, draft.selected, lang(context)), None)
        await query.answer()
        draft.message_id = None
        return await _prompt(update, context, DUE)
    else:  # a well-formed button that is not one of this step's (an index out of range, Confirm…)
        await query.answer(text(context, "button.stale"))
        return None
    body, keyboard = _picker(context, draft)
    await _edit(update, context, body, keyboard)
    await query.answer()
    return None


# ---------------------------------------------------------------- steps 2–5: typed answers


async def on_due(update: Update, context: Ctx) -> str | int | None:
    draft = _draft(context)
    message = update.effective_message
    if draft is None or message is None:
        return END
    settings = context.services.settings
    try:
        draft.due = parse_due(message.text or "", now=context.now(), tz=settings.tz, calendar=await office_calendar(context))
    except DomainError as error:  # names the value; the user types it again
        await send(update, render(error, lang(context)))
        return DUE
    return await _due_taken(update, context, draft)


async def skip_due(update: Update, context: Ctx) -> str | int | None:
    """/skip at the due step: forwarding, the parent part's due time; otherwise asked again."""
    draft = _draft(context)
    if draft is None:
        return END
    if draft.forward is None:
        return await _prompt(update, context, DUE)
    draft.due = draft.forward.due
    if draft.due <= context.now():  # the parent part is overdue: a time to come is needed
        await send(update, render(DomainError("due.past", value=fmt_time(draft.due, context.services.settings.tz)),
                                  lang(context)))
        return DUE
    return await _due_taken(update, context, draft)


async def _due_taken(update: Update, context: Ctx, draft: Draft) -> str | int | None:
    assert draft.due is not None
    source = draft.forward
    if source is not None and not due_allowed(draft.due, source.due, context.now()):
        await send(update, text(context, "forward.too_late", due=due_text(context, source.due)))
        draft.due = None
        return DUE
    understood = await with_warning(context, text(context, "due.understood", due=due_text(context, draft.due)), draft.due)
    if draft.due_then_confirm:  # the summary that follows states the date; say it and any warning first
        draft.due_then_confirm = False
        await send(update, understood)
        return await _show_summary(update, context, draft)
    # the date as understood, then the next question, in one message
    await send(update, f"{understood}\n{_prompt_text(context, TITLE)}")
    return TITLE


async def skip_title(update: Update, context: Ctx) -> str | int | None:
    """/skip at the title step: forwarding keeps the parent task's title; otherwise asked again."""
    draft = _draft(context)
    if draft is None:
        return END
    if draft.forward is None or not draft.title:
        return await _prompt(update, context, TITLE)
    return await _prompt(update, context, DETAILS)


async def on_title(update: Update, context: Ctx) -> str | int | None:
    draft = _draft(context)
    message = update.effective_message
    if draft is None or message is None:
        return END
    title = (message.text or "").strip()
    if not title:
        return await _prompt(update, context, TITLE)
    try:
        draft.title = check_title(title)
    except DomainError as error:
        await send(update, render(error, lang(context)))
        return TITLE
    return await _prompt(update, context, DETAILS)


async def on_details(update: Update, context: Ctx) -> str | int | None:
    draft = _draft(context)
    message = update.effective_message
    if draft is None or message is None:
        return END
    details = (message.text or "").strip()
    if len(details) > DETAILS_MAX:
        await send(update, render(DomainError("assign.details_too_long", limit=DETAILS_MAX), lang(context)))
        return DETAILS
    draft.details = details or None
    return await _prompt(update, context, ATTACHMENT)


async def skip_details(update: Update, context: Ctx) -> str | int | None:
    draft = _draft(context)
    if draft is None:
        return END
    if draft.forward is None:  # forwarding keeps the parent task's details
        draft.details = None
    return await _prompt(update, context, ATTACHMENT)


async def on_file(update: Update, context: Ctx) -> str | int | None:
    draft = _draft(context)
    message = update.effective_message
    if draft is None or message is None:
        return END
    if message.photo:
        draft.attachment = Attachment(message.photo[-1].file_id, None, "photo")
    elif message.document:
        draft.attachment = Attachment(message.document.file_id, message.document.file_name, "document")
    else:
        return await _prompt(update, context, ATTACHMENT)
    return await _show_summary(update, context, draft)


async def skip_file(update: Update, context: Ctx) -> str | int | None:
    draft = _draft(context)
    if draft is None:
        return END
    if draft.forward is None:  # forwarding keeps the parent task's file
        draft.attachment = None
    return await _show_summary(update, context, draft)


def _reprompt(state: str):  # type: ignore[no-untyped-def]
    """Something the step does not take (a sticker for the title, text while buttons are shown)."""

    async def again(update: Update, context: Ctx) -> str:
        return await _prompt(update, context, state)

    return again


# ---------------------------------------------------------------- step 6: confirm


async def _show_summary(update: Update, context: Ctx, draft: Draft) -> str:
    assert draft.due is not None and draft.title is not None
    attachment = (draft.attachment.name or text(context, "assign_dialog.photo_name")) if draft.attachment else None
    body, keyboard = summary(draft.choices, draft.selected, due=draft.due, title=draft.title, details=draft.details,
                             attachment=attachment, lang=lang(context), tz=context.services.settings.tz)
    message = update.effective_message
    assert message is not None
    sent = await message.reply_text(_header(context, draft) + body, reply_markup=_markup(keyboard, context))
    draft.message_id = sent.message_id
    return CONFIRM


async def on_confirm(update: Update, context: Ctx) -> str | int | None:
    query = update.callback_query
    assert query is not None
    found = await _ours(update, context)
    if found is None:
        return None
    draft, action, _ = found
    if action == "c":
        return await _cancel_by_button(update, context)
    if action != "ok":
        await query.answer(text(context, "button.stale"))
        return None
    if not context.caller.has(Role.ADMIN):  # the role was revoked during the dialogue
        await query.answer(text(context, "access.denied_button"), show_alert=True)
        await _retire_buttons(context, query.message.chat.id if query.message else None, _drop(context))
        return END
    assert draft.due is not None and draft.title is not None
    settings, now = context.services.settings, context.now()
    await query.edit_message_reply_markup(reply_markup=None)  # the summary stays, without buttons
    await query.answer()
    draft.message_id = None
    if draft.due <= now:  # the due time passed while the draft waited: ask again, then confirm again
        await send(update, render(DomainError("due.past", value=fmt_time(draft.due, settings.tz)), lang(context)))
        draft.due_then_confirm = True
        return await _prompt(update, context, DUE)
    request = AssignRequest(tuple(chosen_names(draft.choices, draft.selected)), draft.due, draft.title, draft.details)
    _drop(context)
    try:
        if draft.office_id != context.caller.office_id and draft.forward is None:  # /office meanwhile
            raise DomainError("forward.office_changed")
        if draft.forward is not None:
            created = await tasks.forward(context.services.db, context.caller, draft.forward.target_id, request,
                                          now=now, tz=settings.tz, default_language=settings.bot_language,
                                          attachment=draft.attachment)
        else:
            created = await tasks.create(context.services.db, context.caller, request, now=now, tz=settings.tz,
                                         default_language=settings.bot_language, attachment=draft.attachment)
    except DomainError as error:  # e.g. a group renamed meanwhile: nothing was created
        await send(update, render(error, lang(context)))
        return END
    context.services.wake_outbox()
    reply_text = await created_reply(context, created)
    if draft.forward is not None:
        reply_text += "\n" + text(context, "forward.created", office=office_label(draft.forward.origin, lang(context)),
                                   id=draft.forward.task_id)
    await send(update, reply_text)
    return END


# ---------------------------------------------------------------- leaving


async def _cancel_by_button(update: Update, context: Ctx) -> int:
    query = update.callback_query
    assert query is not None
    _drop(context)
    await _edit(update, context, text(context, "assign_dialog.cancelled"), None)
    await query.answer()
    return END


async def cancel(update: Update, context: Ctx) -> int:
    chat = update.effective_chat
    await _retire_buttons(context, chat.id if chat else None, _drop(context))
    await reply(update, context, "assign_dialog.cancelled")
    return END


async def stale_button(update: Update, context: Ctx) -> None:
    """An `a:` button of this dialogue pressed at a step that has no buttons."""
    query = update.callback_query
    assert query is not None
    await query.answer(text(context, "button.stale"))


async def end_idle(bot: Bot, services: Services) -> int:
    """End the dialogues idle for TIMEOUT (each by exactly one process): take the draft's buttons
    off and tell the admin the draft was dropped. Returns how many ended."""
    settings = services.settings
    ended = await dialogues.idle(services.db, now=services.now())
    for stored in ended:
        if stored.kind != KIND:
            continue
        language = await people.language_of(services.db, stored.telegram_id, default=settings.bot_language)
        draft = from_json(stored.data)
        if draft.message_id is not None:
            try:
                await bot.edit_message_reply_markup(stored.chat_id, draft.message_id, reply_markup=None)
            except BadRequest:
                pass
        await bot.send_message(stored.chat_id, t(language, "assign_dialog.timeout",
                                                 minutes=int(TIMEOUT.total_seconds() // 60)))
    return len(ended)


def dialogue() -> StoredDialogue:
    typed = filters.TEXT & ~filters.COMMAND
    other = ~filters.COMMAND & ~filters.StatusUpdate.ALL
    buttons = "^a:"

    def answers(step: str, *taking: BaseHandler) -> list[BaseHandler]:
        return [*taking, MessageHandler(other, _reprompt(step))]

    return StoredDialogue(
        KIND, key=DRAFT,
        entry_points=[CommandHandler("assign", start, has_args=False),
                      CallbackQueryHandler(start_forward, pattern=r"^fw:"),
                      CommandHandler("forward", forward_command)],
        states={
            PICK: answers(PICK, CallbackQueryHandler(on_pick, pattern=buttons)),
            DUE: answers(DUE, MessageHandler(typed, on_due), CommandHandler("skip", skip_due)),
            TITLE: answers(TITLE, MessageHandler(typed, on_title), CommandHandler("skip", skip_title)),
            DETAILS: answers(DETAILS, MessageHandler(typed, on_details), CommandHandler("skip", skip_details)),
            ATTACHMENT: answers(ATTACHMENT, MessageHandler(filters.PHOTO | filters.Document.ALL, on_file),
                                CommandHandler("skip", skip_file)),
            CONFIRM: answers(CONFIRM, CallbackQueryHandler(on_confirm, pattern=buttons)),
        },
        fallbacks=[CommandHandler("cancel", cancel), CallbackQueryHandler(stale_button, pattern=buttons)],
        timeout=lambda: TIMEOUT,  # read at each step: tests shorten it
        encode=to_json, decode=from_json,
        may_hold=lambda context: context.caller.has(Role.ADMIN),  # only admins hold /assign dialogues
    )


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """The dialogue's one handler: registered alone, in group 0 (bot/app.py)."""
    return [dialogue().handler()]
