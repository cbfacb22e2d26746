"""Task commands: the office's /assign, /extend, /close; the office's and directors' /tasks, /task
(read only, with 一键催办); the liaisons' /progress, /done, /mytasks. The office's commands are about
the office the caller acts in (`caller.office_id`): another office's task answers as one that does
not exist; a liaison acts on their own department's parts."""

from __future__ import annotations

from dataclasses import replace

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler

from bot.errors import UsageError
from bot.rules.commands import parse_task_filter
from bot.rules.roles import Role
from bot.rules.tasks import parse_assign, parse_due, parse_numbered
from bot.usecases import task_actions, tasks
from bot.views.task_lists import department_list, detail_view, summary_list
from handlers.commands import command_text, with_caption_command
from handlers.context import Ctx
from handlers.dates import due_text, office_calendar, with_warning
from handlers.inbox import progress as progress_from
from handlers.incoming import incoming
from handlers.replies import lang, reply, send, text


async def assign(update: Update, context: Ctx) -> None:
    raw = command_text(update.effective_message)
    if not raw:
        raise UsageError("assign")
    settings = context.services.settings
    request = parse_assign(raw, now=context.now(), tz=settings.tz, calendar=await office_calendar(context))
    created = await tasks.create(context.services.db, context.caller, request, now=context.now(), tz=settings.tz,
                                 default_language=settings.bot_language,
                                 attachment=attachment_of(update, context))  # a file captioned /assign …
    context.services.wake_outbox()
    await send(update, await created_reply(context, created))


async def created_reply(context: Ctx, created: tasks.Created) -> str:
    """What the admin is told after a task was created (by /assign or its dialogue)."""
    lines = [await with_warning(context, text(context, "assign.created", id=created.task_id, title=created.title,
                                        due=due_text(context, created.due), notified=created.notified,
                                        total=created.total), created.due)]
    if created.without_liaison:
        lines.append(text(context, "assign.no_liaison", names="、".join(created.without_liaison)))
    return "\n".join(lines)


async def list_tasks(update: Update, context: Ctx) -> None:
    which = parse_task_filter(context.args or [])  # open|overdue|done|all, or 进行中|逾期|已办结|全部
    rows = await tasks.summaries(context.services.db, which, now=context.now(), office_id=context.caller.office_id)
    await send(update, summary_list(rows, which, lang(context), context.services.settings.tz))


async def show_task(update: Update, context: Ctx) -> None:
    args = context.args or []
    if len(args) != 1:
        raise UsageError("task")
    number, _ = parse_numbered(args, "task", text_required=False)
    detail = await tasks.detail(context.services.db, number, now=context.now(), office_id=context.caller.office_id)
    body, keyboard = detail_view(detail, lang(context), context.services.settings.tz,
                                 nudge=context.caller.has(Role.DIRECTOR) or context.caller.has(Role.ADMIN))
    await send(update, body, reply_markup=InlineKeyboardMarkup.de_json(keyboard, context.bot) if keyboard else None)


async def extend(update: Update, context: Ctx) -> None:
    args = context.args or []
    if len(args) < 2:  # N and a date, which may be several words (下周五 下午6点)
        raise UsageError("extend")
    number, _ = parse_numbered(args[:1], "extend", text_required=False)
    settings = context.services.settings
    due = parse_due(" ".join(args[1:]), now=context.now(), tz=settings.tz, calendar=await office_calendar(context))
    told = await task_actions.extend(context.services.db, context.caller, number, due, now=context.now(),
                                     tz=settings.tz, default_language=settings.bot_language)
    context.services.wake_outbox()
    await send(update, await with_warning(context, text(context, "extend.done", id=number, due=due_text(context, due),
                                                  count=told), due))


async def close(update: Update, context: Ctx) -> None:
    args = context.args or []
    if len(args) != 1:
        raise UsageError("close")
    number, _ = parse_numbered(args, "close", text_required=False)
    await task_actions.close(context.services.db, context.caller, number, now=context.now(),
                             default_language=context.services.settings.bot_language)
    context.services.wake_outbox()
    await reply(update, context, "close.done", id=number)


async def _progress_command(update: Update, context: Ctx, *, done: bool) -> None:
    command = "done" if done else "progress"
    message = update.effective_message
    assert message is not None
    raw = command_text(message)
    with_file = bool(message.photo or message.document)  # a file captioned /progress N [TEXT]: the file is progress
    number, body = parse_numbered(raw.split(maxsplit=1) if raw else [], command,
                                  text_required=not (done or with_file))
    item = incoming(message, context.caller.telegram_id)
    item = replace(item, text=body) if with_file else replace(item, text=body, kind="text")
    await progress_from(update, context, item, task_id=number, done=done)


async def progress(update: Update, context: Ctx) -> None:
    await _progress_command(update, context, done=False)


async def done(update: Update, context: Ctx) -> None:
    await _progress_command(update, context, done=True)


async def my_tasks(update: Update, context: Ctx) -> None:
    if context.args:
        raise UsageError("mytasks")
    department, views = await tasks.department_tasks(context.services.db, context.caller, now=context.now())
    await send(update, department_list(department, views, lang(context), context.services.settings.tz))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("assign", assign),
        MessageHandler(with_caption_command("assign"), assign),  # a file captioned /assign TARGETS | DUE | TITLE
        CommandHandler("tasks", list_tasks),
        CommandHandler("task", show_task),
        CommandHandler("extend", extend),
        CommandHandler("close", close),
        CommandHandler("progress", progress),
        MessageHandler(with_caption_command("progress"), progress),  # a photo or file captioned /progress N
        CommandHandler("done", done),
        MessageHandler(with_caption_command("done"), done),
        CommandHandler("mytasks", my_tasks),
    ]


def attachment_of(update: Update, context: Ctx) -> tasks.Attachment | None:
    """The photo or document a command came with (as its caption), kept by Telegram file id."""
    message = update.effective_message
    if message is None or not (message.photo or message.document):
        return None
    item = incoming(message, context.caller.telegram_id)
    return tasks.Attachment(item.file_id, item.file_name, item.kind)  # type: ignore[arg-type]
