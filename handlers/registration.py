"""Registration: /start (with or without an invite code) and the admins' /invite (for the
departments of the office they act in)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.rules.commands import parse_invite
from bot.rules.invites import deep_link
from bot.rules.roles import Role
from bot.texts import fmt_time, role_names
from bot.usecases import org, registration
from bot.usecases.people import MenuProfile
from handlers import menus
from handlers.access import user_info
from handlers.context import Ctx
from handlers.replies import lang, send, text


async def start(update: Update, context: Ctx) -> None:
    if context.args:
        await _register(update, context, context.args[0])
        return
    caller = context.caller
    if caller.appointment is not None:
        await send(update, text(context, "start.known", name=caller.full_name,
                                department=caller.appointment.department,
                                kind=text(context, f"kind.{caller.appointment.kind}")))
    elif caller.roles:
        await send(update, text(context, "start.staff", name=caller.full_name,
                                roles=role_names(lang(context), sorted(caller.roles))))
    else:
        office = await org.office_name(context.services.db, caller.office_id) or text(context, "office.default")
        await send(update, text(context, "start.guest", name=caller.full_name, office=office))


async def _register(update: Update, context: Ctx, code: str) -> None:
    info = user_info(update)
    assert info is not None  # the access layer stops updates without a user
    settings = context.services.settings
    caller = context.caller
    result = await registration.redeem(context.services.db, info, code, now=context.now(),
                                       admin_ids=settings.bot_admin_ids, default_language=settings.bot_language,
                                       tz=settings.tz, person_id=caller.person_id)
    context.services.wake_outbox()  # the admins' note, and the department's open tasks' notices
    kind = text(context, f"kind.{result.kind}")
    if result.already:
        await send(update, text(context, "register.already", department=result.department, kind=kind))
        return
    lines = [text(context, "register.ok", department=result.department, kind=kind)]
    if result.replaced_name:
        lines.append(text(context, "register.replaced", name=result.replaced_name))
    if result.left_department:
        lines.append(text(context, "register.moved", department=result.left_department))
    await send(update, "\n".join(lines))
    if info.chat_id is not None:  # the caller's roles as they now are: a liaison's besides any they held
        await menus.refresh(context, info.telegram_id,
                            MenuProfile(info.chat_id, caller.roles | {Role.LIAISON}, caller.language))
    if result.replaced_telegram_id is not None:
        await menus.refresh(context, result.replaced_telegram_id)


async def invite(update: Update, context: Ctx) -> None:
    request = parse_invite(context.args or [])
    issued = await registration.create_invite(
        context.services.db, context.caller, request.department, deputy=request.deputy, now=context.now()
    )
    lines = [
        text(context, "invite.issued", department=issued.department, kind=text(context, f"kind.{issued.kind}"),
             expires=fmt_time(issued.expires_at, context.services.settings.tz), code=issued.code,
             link=deep_link(context.bot.username, issued.code))
    ]
    if issued.withdrawn:
        lines.append(text(context, "invite.withdrawn"))
    await send(update, "\n".join(lines))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("start", start), CommandHandler("invite", invite)]
