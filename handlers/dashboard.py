"""`/dashboard` (directors and admins; the access layer has checked the role): a button that opens
the dashboard, a Telegram Mini App at DASHBOARD_URL, inside the chat."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, WebAppInfo
from telegram.ext import BaseHandler, CommandHandler

from handlers.context import Ctx
from handlers.replies import lang, reply, send
from bot.texts import t


async def open_dashboard(update: Update, context: Ctx) -> None:
    url = context.services.settings.dashboard_url
    if not url:
        await reply(update, context, "dashboard.off")
        return
    language = lang(context)
    button = InlineKeyboardButton(t(language, "dashboard.button"), web_app=WebAppInfo(url))
    await send(update, t(language, "dashboard.open"), reply_markup=InlineKeyboardMarkup([[button]]))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("dashboard", open_dashboard)]
