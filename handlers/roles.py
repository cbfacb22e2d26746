"""Roles and offices: /grant, /revoke (in the office the admin acts in, or one named below it) and
/office (choose the office to act in)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.errors import DomainError
from bot.rules.commands import parse_role_change
from bot.usecases import offices, people
from handlers import menus
from handlers.context import Ctx
from handlers.replies import send, text

OFFICE_BUTTON = re.compile(r"^office:([0-9]{1,9})$")


def _in(context: Ctx, office: str | None) -> str:
    """`（永川区）` after a role change, in a deployment of several offices."""
    return text(context, "office.in", office=office) if office else ""


async def grant(update: Update, context: Ctx) -> None:
    change = parse_role_change("grant", context.args or [])
    done = await people.grant_role(context.services.db, context.caller, change.user_id, change.role,
                                   now=context.now(), office=change.office)
    role = text(context, f"role.{change.role}")
    await send(update, text(context, "grant.ok" if done.changed else "grant.already", user_id=change.user_id, role=role)
               + _in(context, done.office))
    await menus.refresh(context, change.user_id)


async def revoke(update: Update, context: Ctx) -> None:
    change = parse_role_change("revoke", context.args or [])
    done = await people.revoke_role(context.services.db, context.caller, change.user_id, change.role,
                                    admin_ids=context.services.settings.bot_admin_ids, now=context.now(),
                                    office=change.office)
    await send(update, text(context, "revoke.ok", user_id=change.user_id, role=text(context, f"role.{change.role}"))
               + _in(context, done.office))
    await menus.refresh(context, change.user_id)


def _office_list(context: Ctx, lines: list[offices.OfficeLine]) -> tuple[str, InlineKeyboardMarkup | None]:
    body = [text(context, "office.header")]
    body += [text(context, "office.row", indent="　" * line.depth, name=line.name,
                  mark=text(context, "office.current") if line.current else "")
             for line in lines]
    if len(lines) > 1:
        body.append(text(context, "office.hint"))
    buttons = [[InlineKeyboardButton(("✅ " if line.current else "") + "　" * line.depth + line.name,
                                     callback_data=f"office:{line.id}")] for line in lines if len(lines) > 1]
    return "\n".join(body), InlineKeyboardMarkup(buttons) if buttons else None


async def office(update: Update, context: Ctx) -> None:
    db = context.services.db
    if context.args:
        chosen = await offices.choose(db, context.caller, " ".join(context.args), now=context.now())
        await send(update, text(context, "office.chosen", name=chosen.name))
        await menus.refresh(context, context.caller.telegram_id)
        return
    body, markup = _office_list(context, await offices.choices(db, context.caller))
    await send(update, body, reply_markup=markup)


async def office_button(update: Update, context: Ctx) -> None:
    query = update.callback_query
    assert query is not None
    found = OFFICE_BUTTON.match(query.data or "")
    lines = await offices.choices(context.services.db, context.caller)
    line = next((x for x in lines if found and x.id == int(found.group(1))), None)
    if line is None:  # an office they may not act in (or a forged button): as if it did not exist
        await query.answer(text(context, "office.unknown_button"), show_alert=True)
        return
    try:
        chosen = await offices.choose(context.services.db, context.caller, line.code or line.name, now=context.now())
    except DomainError:
        await query.answer(text(context, "office.unknown_button"), show_alert=True)
        return
    await query.answer(text(context, "office.chosen", name=chosen.name))
    if query.message is not None:  # the list again, the chosen office marked
        marked = [offices.OfficeLine(x.id, x.code, x.name, x.depth, x.id == chosen.id) for x in lines]
        body, markup = _office_list(context, marked)
        await query.edit_message_text(body + "\n" + text(context, "office.chosen", name=chosen.name),
                                      reply_markup=markup)
    await menus.refresh(context, context.caller.telegram_id)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("grant", grant),
        CommandHandler("revoke", revoke),
        CommandHandler("office", office),
        CallbackQueryHandler(office_button, pattern=OFFICE_BUTTON),
    ]
