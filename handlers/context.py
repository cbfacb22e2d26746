"""The typed callback context: every handler reaches the services and the caller through it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.rules.people import Caller
from bot.services import Services


class BotData:
    """Application-wide objects: the service container and the running delivery (no state: that
    lives in the database)."""

    services: Services
    delivery: Any = None
    intake: Any = None  # webhook mode: jobs.intake.Intake (updates stored before answering)


class Ctx(CallbackContext[ExtBot[None], dict, dict, BotData]):
    """`caller` is set by the access layer (group -1) before any feature handler runs."""

    caller: Caller

    @property
    def services(self) -> Services:
        return self.bot_data.services

    def now(self) -> datetime:
        return self.services.now()


CONTEXT_TYPES = ContextTypes(context=Ctx, bot_data=BotData)

App = Application[ExtBot[None], Ctx, dict, dict, BotData, object]
