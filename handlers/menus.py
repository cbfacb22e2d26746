"""Per-role command menus (setMyCommands with chat scopes), and the dashboard's menu button
(setChatMenuButton: a Mini App for directors and admins when DASHBOARD_URL is set)."""

from __future__ import annotations

import logging

from telegram import (Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault, MenuButtonDefault, MenuButtonWebApp,
                      WebAppInfo)
from telegram.error import TelegramError

from bot.rules.roles import Role, commands_for, is_allowed
from bot.texts import t
from bot.usecases import people
from bot.usecases.people import MenuProfile
from handlers.context import Ctx
from bot.services import Services

log = logging.getLogger(__name__)


def menu(roles: frozenset[Role], lang: str) -> list[BotCommand]:
    return [BotCommand(name, t(lang, f"cmd.{name}")) for name in commands_for(roles)]


async def _apply(bot: Bot, profile: MenuProfile, dashboard_url: str | None, *, every_button: bool = True) -> None:
    """The chat's command menu, and its menu button: the dashboard for those who may open it (when
    there is one), Telegram's default otherwise. `every_button` False leaves the buttons of chats
    that could never have had the dashboard alone (at start-up: one call less per liaison)."""
    scope = BotCommandScopeChat(profile.chat_id)
    if profile.roles:
        await bot.set_my_commands(menu(profile.roles, profile.language), scope=scope)
    else:
        await bot.delete_my_commands(scope=scope)
    viewer = is_allowed("dashboard", profile.roles)
    if viewer and dashboard_url:
        await bot.set_chat_menu_button(profile.chat_id, MenuButtonWebApp(t(profile.language, "dashboard.menu"),
                                                                         WebAppInfo(dashboard_url)))
    elif viewer or every_button:
        await bot.set_chat_menu_button(profile.chat_id, MenuButtonDefault())


async def install_all(bot: Bot, services: Services) -> None:
    """The everyone-menu as default, and a menu for every chat that holds a role."""
    settings = services.settings
    await bot.set_my_commands(menu(frozenset(), settings.bot_language), scope=BotCommandScopeDefault())
    for profile in await people.menu_profiles(
        services.db, admin_ids=settings.bot_admin_ids, default_language=settings.bot_language
    ):
        try:
            await _apply(bot, profile, settings.dashboard_url, every_button=False)
        except TelegramError as exc:  # one chat's menu must not keep the bot from starting
            log.warning("could not set the menus of chat %d: %s", profile.chat_id, exc)


async def refresh(context: Ctx, telegram_id: int, profile: MenuProfile | None = None) -> None:
    """Bring one user's menu up to date after their roles or language changed (`profile`, when
    the caller already knows it, saves looking it up)."""
    settings = context.services.settings
    if profile is None:
        profile = await people.menu_profile(
            context.services.db, telegram_id, admin_ids=settings.bot_admin_ids, default_language=settings.bot_language
        )
    if profile is None:
        return
    try:
        await _apply(context.bot, profile, settings.dashboard_url)
    except TelegramError:  # a menu is a convenience; the change itself has been made
        return
