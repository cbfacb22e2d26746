"""What directors (and admins) do beyond reading: `/comment N [DEPARTMENT] TEXT` (批示) and the
`一键催办` buttons (`n:`) on `/task N`, `/overdue` and `/cycle`. The access layer has checked the
role of both (commands from bot/rules/roles.py, buttons from bot/rules/callbacks.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.errors import UsageError
from bot.rules.callbacks import Callback
from bot.rules.tasks import parse_task_number
from bot.usecases import comments, nudges
from handlers.commands import command_text
from handlers.buttons import answer_button
from handlers.context import Ctx
from handlers.replies import send, text


async def comment(update: Update, context: Ctx) -> None:
    raw = command_text(update.effective_message)
    parts = raw.split(maxsplit=1) if raw else []
    if len(parts) < 2:
        raise UsageError("comment")
    number = parse_task_number(parts[0], "comment")
    settings = context.services.settings
    done = await comments.comment(context.services.db, context.caller, number, parts[1], now=context.now(),
                                  default_language=settings.bot_language)
    context.services.wake_outbox()
    lines = [text(context, "comment.sent", id=number, count=done.liaisons,
                  departments="、".join(done.departments) or "—")]
    if done.without_liaison:
        lines.append(text(context, "comment.no_liaison", names="、".join(done.without_liaison)))
    await send(update, "\n".join(lines))


def answer(context: Ctx, result: nudges.Nudged) -> str:
    """`已催办 3 个部门（其余今天已催办过）；区水利局无联络员，未催办`."""
    if not (result.reminded or result.already or result.without_liaison):
        return text(context, "nudge.nothing")
    note = text(context, "nudge.done", count=result.reminded)
    if result.already:
        note += text(context, "nudge.rest_today")
    if result.without_liaison:
        note += text(context, "nudge.no_liaison", names="、".join(result.without_liaison))
    return note


async def on_nudge(update: Update, context: Ctx) -> None:
    db, now, settings = context.services.db, context.now(), context.services.settings
    kwargs = {"now": now, "tz": settings.tz, "default_language": settings.bot_language}

    async def route(cb: Callback) -> str:
        if cb.action == "t":
            result = await nudges.nudge_task(db, context.caller, cb.ref, **kwargs)  # type: ignore[arg-type]
        elif cb.action == "c":
            result = await nudges.nudge_cycle(db, context.caller, cb.ref, **kwargs)  # type: ignore[arg-type]
        else:
            result = await nudges.nudge_overdue(db, context.caller, office_id=cb.ref, **kwargs)  # type: ignore[arg-type]
        context.services.wake_outbox()
        return answer(context, result)

    await answer_button(update, context, route, alert=True)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("comment", comment),
        CallbackQueryHandler(on_nudge, pattern=r"^n:"),
    ]
