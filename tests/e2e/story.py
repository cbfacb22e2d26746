"""Steps the story tests share: the scheduler's minute at a chosen moment, and pressing a button of
a message the bot sent."""

from __future__ import annotations

from datetime import UTC, datetime

from jobs.tick import run_steps
from tests.e2e.conftest import Chat, Desk
from tests.support.fake_bot_api import Call, callback_query


async def tick(desk: Desk, clock, at: datetime) -> None:  # type: ignore[no-untyped-def]
    """What the bot's minute job does at `at`, with the test's clock set to it."""
    clock.current = at
    await run_steps(desk.services, at, datetime.now(UTC))


async def press(desk: Desk, chat: Chat, preview: Call, label: str) -> str:
    """Press the button whose label contains `label` on `preview`; the bot's next message to `chat`."""
    buttons = [b for row in preview.reply_markup["inline_keyboard"] for b in row]
    data = next(b["callback_data"] for b in buttons if label in b["text"])
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, chat.id, data, preview.result, first_name=chat.first_name))
    return (await desk.api.wait_for_message(chat_id=chat.id, after=mark)).text or ""
