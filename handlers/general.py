"""Everyone's commands: /help, /whoami, /lang."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.rules.commands import parse_lang
from bot.rules.roles import commands_for
from bot.texts import role_names
from bot.usecases import people
from handlers import menus
from handlers.context import Ctx
from handlers.replies import lang, send, text


async def help_command(update: Update, context: Ctx) -> None:
    lines = [text(context, "help.header")]
    lines += [f"/{name} — {text(context, f'cmd.{name}')}" for name in commands_for(context.caller.roles)]
    await send(update, "\n".join(lines))


async def whoami(update: Update, context: Ctx) -> None:
    caller = context.caller
    appointment = caller.appointment
    department = (
        f"{appointment.department}（{text(context, f'kind.{appointment.kind}')}）"
        if appointment else text(context, "whoami.no_department")
    )
    roles = role_names(lang(context), sorted(caller.roles)) or text(context, "whoami.no_roles")
    office = await people.office_label(context.services.db, caller)
    await send(update, text(context, "whoami", user_id=caller.telegram_id, name=caller.full_name,
                            roles=roles, department=department, language=caller.language)
               + (text(context, "whoami.office", office=office) if office else ""))


async def set_language(update: Update, context: Ctx) -> None:
    language = parse_lang(context.args or [])
    await people.set_language(context.services.db, context.caller.telegram_id, language)
    context.caller = type(context.caller)(**{**context.caller.__dict__, "language": language})
    await send(update, text(context, "lang.set"))
    await menus.refresh(context, context.caller.telegram_id)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("help", help_command),
        CommandHandler("whoami", whoami),
        CommandHandler("lang", set_language),
    ]
