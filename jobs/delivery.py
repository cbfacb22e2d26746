"""Delivery inside the running bot: the outbox sender as a background task, and the tick's
steps every minute through PTB's JobQueue (schedules are derived from the database each time, so
nothing lives in the JobQueue's own store)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from telegram import Bot
from telegram.ext import ContextTypes
from telegram.request import HTTPXRequest

from bot.services import Services, system_clock
from bot.settings import Settings
from jobs.sender import Sender
from jobs.tick import run_steps

log = logging.getLogger(__name__)
TICK_INTERVAL = 60.0


def outbox_bot(settings: Settings) -> Bot:
    """A Bot without PTB's rate limiter: the sender paces itself (per chat, per group, overall)."""
    return Bot(
        settings.token(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_file_url,
        request=HTTPXRequest(connection_pool_size=4, connect_timeout=5, read_timeout=10, write_timeout=10,
                             pool_timeout=5),
    )


@dataclass
class Delivery:
    services: Services
    bot: Bot
    sender: Sender
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None

    @classmethod
    def create(cls, services: Services) -> Delivery:
        bot = outbox_bot(services.settings)
        sender = Sender(services.db, bot, default_language=services.settings.bot_language, pacer=services.pacing())
        return cls(services, bot, sender)

    async def start(self) -> None:
        await self.bot.initialize()
        self.services.wake_outbox = self.wake.set
        self.task = asyncio.create_task(self.sender.run(self.stop, self.wake), name="outbox-sender")

    async def close(self) -> None:
        self.stop.set()
        if self.task is not None:
            await self.task
        await self.bot.shutdown()


async def tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every minute: run the tick's steps at the current time, then wake the sender."""
    services: Services = context.job.data  # type: ignore[union-attr,assignment]
    try:
        await run_steps(services, services.now(), system_clock())
    except Exception:  # noqa: BLE001 - the next minute tries again
        log.exception("tick failed")
        return
    services.wake_outbox()
