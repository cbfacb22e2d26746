"""Issue 17: in webhook mode an update is stored before Telegram gets its 200, so a process that
dies after answering loses nothing: a live process takes the update over when its lease runs out."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.usecases import inbound
from storage.models import InboundUpdate
from tests.e2e.test_webhook import Hook, hook  # noqa: F401 - the running bot in webhook mode


async def rows(hook: Hook) -> dict[int, InboundUpdate]:  # noqa: F811
    async with hook.app.bot_data.services.db.session() as s:
        return {r.update_id: r for r in await s.exec(select(InboundUpdate))}


async def finished(hook: Hook, update_id: int, timeout: float = 10.0) -> InboundUpdate:  # noqa: F811
    """The stored update once it is marked handled (polled: marking follows the last reply)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (row := (await rows(hook))[update_id]).done_at is None:
        assert loop.time() < deadline, f"update {update_id} was never marked handled"
        await asyncio.sleep(0.05)
    return row


async def test_an_update_is_stored_before_the_answer_and_marked_when_handled(hook: Hook) -> None:  # noqa: F811
    update = hook.message(7601, "/start")
    mark = hook.api.mark()
    assert (await hook.post(update)).status_code == 200
    assert update["update_id"] in await rows(hook)  # stored by the time the 200 came back
    await hook.api.wait_for_message(chat_id=7601, after=mark)
    assert (await finished(hook, update["update_id"])).owner == hook.app.bot_data.intake.owner


async def test_telegrams_retry_of_a_stored_update_is_answered_once(hook: Hook) -> None:  # noqa: F811
    update = hook.message(7602, "/whoami")
    mark = hook.api.mark()
    assert (await hook.post(update)).status_code == 200
    assert (await hook.post(update)).status_code == 200  # the retry: 200, and nothing more to do
    await hook.api.wait_for_message(chat_id=7602, after=mark)
    await hook.answered(7603)  # a later update is answered: the retry would have been by now
    assert len([c for c in hook.api.sent_messages(7602) if c.ok]) == 1


async def test_an_update_a_dead_process_accepted_is_handled_by_a_live_one(hook: Hook) -> None:  # noqa: F811
    update = hook.message(7604, "/start")
    accepted = datetime.now(UTC) - inbound.LEASE - timedelta(seconds=1)  # its lease has just run out
    db = hook.app.bot_data.services.db
    assert await inbound.accept(db, update["update_id"], json.dumps(update), now=accepted, owner="killed:1")
    reply = await hook.api.wait_for_message(chat_id=7604, timeout=15)  # the next sweep (every 5 s) takes it
    assert reply.text
    taken = await finished(hook, update["update_id"])
    assert taken.owner == hook.app.bot_data.intake.owner and taken.attempts == 2
