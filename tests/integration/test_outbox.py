"""The outbox against a real database: idempotent queuing, atomic claims, and two senders (separate connection pools, as two processes would have) never sending a row twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

from sqlmodel import select

from bot.rules.delivery import Outgoing, Pacer, Status
from bot.usecases import outbox
from jobs.sender import Sender
from storage.db import Database
from storage.models import OutboxMessage


class RecordingBot:
    """A hand-written stand-in for telegram.Bot that records sends."""

    def __init__(self) -> None:
        self.sent: Counter[int] = Counter()

    async def send_message(self, chat_id: int, text: str, **_: object) -> SimpleNamespace:
        self.sent[chat_id] += 1
        await asyncio.sleep(0)  # let the other sender interleave
        return SimpleNamespace(message_id=self.sent[chat_id])


def fast_pacer() -> Pacer:
    return Pacer(global_rate=1e6, private_interval=0.0)


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as s:
        return list(await s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_queuing_the_same_key_twice_keeps_one_row(db, clock):
    item = Outgoing(chat_id=5, dedup_key="remind:cycle:1:dept:7:d-3", text="提醒")
    assert await outbox.enqueue(db, [item], now=clock()) == 1
    assert await outbox.enqueue(db, [item, Outgoing(6, "other", text="x")], now=clock()) == 1
    assert [r.dedup_key for r in await rows(db)] == ["remind:cycle:1:dept:7:d-3", "other"]


async def test_of_two_claims_on_one_row_exactly_one_wins(db, clock):
    await outbox.enqueue(db, [Outgoing(5, "k", text="x")], now=clock())
    (row_id, _), = await outbox.due(db, clock())
    got = await asyncio.gather(*(outbox.claim(db, row_id, f"w{i}", clock()) for i in range(5)))
    assert sum(r is not None for r in got) == 1
    assert (await rows(db))[0].attempts == 1


async def test_two_senders_on_separate_pools_send_each_row_once(db_url, db, clock):
    await outbox.enqueue(db, [Outgoing(1000 + i, f"fan:{i}", text="通知") for i in range(120)], now=clock())
    other = Database(db_url)
    bot_a, bot_b = RecordingBot(), RecordingBot()
    try:
        a = Sender(db, bot_a, default_language="zh", worker="a", pacer=fast_pacer())  # type: ignore[arg-type]
        b = Sender(other, bot_b, default_language="zh", worker="b", pacer=fast_pacer())  # type: ignore[arg-type]
        stats = await asyncio.gather(a.drain(), b.drain())
    finally:
        await other.dispose()
    total = bot_a.sent + bot_b.sent
    assert set(total) == {1000 + i for i in range(120)}
    assert max(total.values()) == 1
    assert stats[0].sent + stats[1].sent == 120
    assert {r.status for r in await rows(db)} == {Status.SENT}


async def test_a_stopping_sender_finishes_the_send_in_flight_and_starts_no_other(db, clock):
    """On SIGTERM the bot shuts down promptly: what is left stays pending for the next start."""
    await outbox.enqueue(db, [Outgoing(3000 + i, f"stop:{i}", text="x") for i in range(50)], now=clock())
    stop, wake = asyncio.Event(), asyncio.Event()

    class StopsAfterThree(RecordingBot):
        async def send_message(self, chat_id: int, text: str, **kw: object) -> SimpleNamespace:
            sent = await super().send_message(chat_id, text, **kw)
            if sum(self.sent.values()) == 3:
                stop.set()
            return sent

    bot = StopsAfterThree()
    sender = Sender(db, bot, default_language="zh", pacer=fast_pacer())  # type: ignore[arg-type]
    await asyncio.wait_for(sender.run(stop, wake), timeout=10)
    assert sum(bot.sent.values()) == 3
    assert [r.status for r in await rows(db)].count(Status.PENDING) == 47
