"""The access layer: runs before every feature handler (group -1).

It identifies the sender, keeps group chats quiet, refuses commands the sender's roles do not
allow (and audits the refusal), then lets the update through to the feature handlers."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.rules.people import UserInfo
from bot.rules.callbacks import decode, may_press, required_role
from bot.rules.roles import Role, command_spec, is_allowed
from bot.texts import role_names, t
from bot.usecases import audit, people
from bot.usecases.people import MenuProfile
from handlers import menus
from handlers.commands import command_of
from handlers.context import Ctx
from handlers.replies import lang, reply


def user_info(update: Update) -> UserInfo | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or user.is_bot:
        return None
    private = chat is not None and chat.type == ChatType.PRIVATE
    return UserInfo(
        telegram_id=user.id,
        chat_id=chat.id if private and chat else None,
        full_name=user.full_name,
        username=user.username,
        language_code=user.language_code,
    )


async def gate(update: Update, context: Ctx) -> None:
    info = user_info(update)
    if info is None or update.edited_message is not None:
        raise ApplicationHandlerStop
    services = context.services
    caller = await people.admit(  # records the update id and identifies the sender: one statement, as a rule
        services.db, update.update_id, info, admin_ids=services.settings.bot_admin_ids,
        default_language=services.settings.bot_language, now=context.now(),
    )
    if caller is None:
        raise ApplicationHandlerStop  # a redelivered update: it was handled the first time
    context.caller = caller
    if caller.first_contact and caller.roles and info.chat_id is not None:
        # e.g. an admin from BOT_ADMIN_IDS writing first
        await menus.refresh(context, info.telegram_id, MenuProfile(info.chat_id, caller.roles, caller.language))
    command = command_of(update.effective_message, context.bot.username)
    if info.chat_id is None:  # a group or channel: the bot works in private chats only
        if command is not None:
            await reply(update, context, "group.private_only")
        raise ApplicationHandlerStop
    if update.callback_query is not None:
        await _check_button(update, context)
    if command is not None and not is_allowed(command, context.caller.roles):
        spec = command_spec(command)
        await audit.record(
            services.db, now=context.now(), actor_id=info.telegram_id, action=f"/{command}", outcome="denied",
            detail=(update.effective_message.text or update.effective_message.caption or "")[:200]
            if update.effective_message else None,
            office_id=context.caller.office_id,
        )
        await reply(update, context, "access.denied", command=command,
                    roles=role_names(lang(context), sorted(spec.roles) if spec else []))
        raise ApplicationHandlerStop


async def _check_button(update: Update, context: Ctx) -> None:
    """Office buttons need their role, like office commands: extension decisions and the inbox's
    files the admin role; files of tasks and 一键催办 the director's (or admin's)."""
    query = update.callback_query
    assert query is not None
    cb = decode(query.data)
    if cb is None or may_press(cb.kind, cb.action, context.caller.roles):
        return  # malformed buttons get their notice from the handler; liaisons are checked per task
    await audit.record(context.services.db, now=context.now(), actor_id=context.caller.telegram_id,
                       action=f"button:{cb.kind}:{cb.action}", outcome="denied", target=str(cb.ref),
                       office_id=context.caller.office_id)
    directors = required_role(cb.kind, cb.action) == Role.DIRECTOR
    await query.answer(t(lang(context), "access.denied_button_directors" if directors else "access.denied_button"))
    raise ApplicationHandlerStop


def handler() -> TypeHandler:
    return TypeHandler(Update, gate)
