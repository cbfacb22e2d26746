"""Task commands: the office's /assign, /tasks, /task, /extend, /close; the liaisons' /progress,
/done, /mytasks."""

from __future__ import annotations

from dataclasses import replace

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.errors import UsageError
from bot.rules.tasks import parse_assign, parse_due, parse_numbered
from bot.texts import fmt_time
from bot.usecases import task_actions, tasks
from bot.views.task_lists import department_list, detail_view, summary_list
from handlers.commands import command_text
from handlers.context import Ctx
from handlers.inbox import progress as progress_from
from handlers.incoming import incoming
from handlers.replies import lang, reply, send, text

FILTERS = ("open", "overdue", "done", "all")


async def assign(update: Update, context: Ctx) -> None:
    raw = command_text(update.effective_message)
    if not raw:
        raise UsageError("assign")
    settings = context.services.settings
    request = parse_assign(raw, now=context.now(), tz=settings.tz)
    created = await tasks.create(context.services.db, context.caller, request, now=context.now(), tz=settings.tz,
                                 default_language=settings.bot_language)
    context.services.wake_outbox()
    await send(update, created_reply(context, created))


def created_reply(context: Ctx, created: tasks.Created) -> str:
    """What the admin is told after a task was created (by /assign or its dialogue)."""
    lines = [text(context, "assign.created", id=created.task_id, title=created.title,
                  due=fmt_time(created.due, context.services.settings.tz), notified=created.notified,
                  total=created.total)]
    if created.without_liaison:
        lines.append(text(context, "assign.no_liaison", names="、".join(created.without_liaison)))
    return "\n".join(lines)


async def list_tasks(update: Update, context: Ctx) -> None:
    args = context.args or []
    which = args[0].lower() if args else "open"
    if len(args) > 1 or which not in FILTERS:
        raise UsageError("tasks")
    rows = await tasks.summaries(context.services.db, which, now=context.now())
    await send(update, summary_list(rows, which, lang(context), context.services.settings.tz))


async def show_task(update: Update, context: Ctx) -> None:
    args = context.args or []
    if len(args) != 1:
        raise UsageError("task")
    number, _ = parse_numbered(args, "task", text_required=False)
    detail = await tasks.detail(context.services.db, number, now=context.now())
    body, keyboard = detail_view(detail, lang(context), context.services.settings.tz)
    await send(update, body, reply_markup=InlineKeyboardMarkup.de_json(keyboard, context.bot) if keyboard else None)


async def extend(update: Update, context: Ctx) -> None:
    args = context.args or []
    if len(args) not in (2, 3):
        raise UsageError("extend")
    number, _ = parse_numbered(args[:1], "extend", text_required=False)
    settings = context.services.settings
    due = parse_due(" ".join(args[1:]), now=context.now(), tz=settings.tz)
    told = await task_actions.extend(context.services.db, context.caller, number, due, now=context.now(),
                                     tz=settings.tz, default_language=settings.bot_language)
    context.services.wake_outbox()
    await reply(update, context, "extend.done", id=number, due=fmt_time(due, settings.tz), count=told)


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
    number, body = parse_numbered(raw.split(maxsplit=1) if raw else [], command, text_required=not done)
    item = replace(incoming(message, context.caller.telegram_id), text=body, kind="text")
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
        CommandHandler("tasks", list_tasks),
        CommandHandler("task", show_task),
        CommandHandler("extend", extend),
        CommandHandler("close", close),
        CommandHandler("progress", progress),
        CommandHandler("done", done),
        CommandHandler("mytasks", my_tasks),
    ]
