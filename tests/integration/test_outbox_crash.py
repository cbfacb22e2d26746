"""The outbox's crash semantics against a real database: a row a stopped process left "sending"
is sent again once its lease is over (at least once, never lost), counted in `resent`; the
process that had it, if it was only slow, can no longer record an outcome for it; a broadcast's
report says how many may have arrived twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from bot.rules.delivery import LEASE, RECLAIM_EVERY, Outcome, Outgoing, Pacer, Status, Verdict
from bot.rules.people import Caller
from bot.usecases import broadcasts, outbox
from jobs.sender import Sender
from storage.db import Database
from storage.models import Department, LiaisonAppointment, OutboxMessage, Person

ADMIN = 42


class RecordingBot:
    """A stand-in for telegram.Bot that records sends."""

    def __init__(self) -> None:
        self.sent: Counter[int] = Counter()
        self.texts: dict[int, list[str]] = {}

    async def send_message(self, chat_id: int, text: str, **_: object) -> SimpleNamespace:
        self.sent[chat_id] += 1
        self.texts.setdefault(chat_id, []).append(text)
        return SimpleNamespace(message_id=self.sent[chat_id])


def fast_pacer() -> Pacer:
    return Pacer(global_rate=1e6, private_interval=0.0)


def sender(db: Database, bot: RecordingBot, at: datetime, **kw: object) -> Sender:
    return Sender(db, bot, default_language="zh", pacer=fast_pacer(), wall=lambda: at, **kw)  # type: ignore[arg-type]


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as s:
        return list(await s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_row_left_sending_is_sent_again_once_its_lease_is_over(db, clock):
    await outbox.enqueue(db, [Outgoing(5, "k", text="x"), Outgoing(6, "k2", text="y")], now=clock())
    (first, _), _second = await outbox.due(db, clock())
    assert await outbox.claim(db, first, "dead-worker", clock())  # ... and the process dies
    bot = RecordingBot()
    await sender(db, bot, clock() + LEASE - timedelta(seconds=1)).drain()  # lease not over: left alone
    assert bot.sent == Counter({6: 1})
    assert [r.status for r in await rows(db)] == [Status.SENDING, Status.SENT]
    await sender(db, bot, clock() + LEASE + timedelta(seconds=1)).drain()
    assert bot.sent == Counter({5: 1, 6: 1})
    first_row, second_row = await rows(db)
    assert (first_row.status, first_row.resent, first_row.attempts) == (Status.SENT, 1, 2)
    assert first_row.last_error is None
    assert (second_row.status, second_row.resent) == (Status.SENT, 0)


async def test_a_slow_sender_whose_row_was_taken_back_cannot_record_it(db, clock):
    await outbox.enqueue(db, [Outgoing(5, "k", text="x")], now=clock())
    (row_id, _), = await outbox.due(db, clock())
    slow = await outbox.claim(db, row_id, "slow", clock())
    assert slow is not None and slow.attempts == 1
    assert await outbox.reclaim_stale(db, now=clock() + LEASE + timedelta(seconds=1)) == 1
    done = Outcome(Verdict.SENT, message_id=1)
    assert await outbox.settle(db, slow, "slow", done, now=clock()) is False  # back in the queue
    (row,) = await rows(db)
    assert (row.status, row.resent, row.next_attempt_at) == (Status.PENDING, 1, None)
    again = await outbox.claim(db, row_id, "other", clock() + LEASE)
    assert again is not None
    assert await outbox.settle(db, slow, "slow", Outcome(Verdict.FAILED, error="late"), now=clock()) is False
    assert await outbox.settle(db, again, "other", done, now=clock() + LEASE) is True
    (row,) = await rows(db)
    assert (row.status, row.claimed_by, row.resent) == (Status.SENT, "other", 1)


async def test_an_old_claim_cannot_record_the_row_even_when_its_worker_claimed_it_again(db, clock):
    await outbox.enqueue(db, [Outgoing(5, "k", text="x")], now=clock())
    (row_id, _), = await outbox.due(db, clock())
    old = await outbox.claim(db, row_id, "w", clock())
    await outbox.reclaim_stale(db, now=clock() + LEASE + timedelta(seconds=1))
    new = await outbox.claim(db, row_id, "w", clock() + LEASE)
    assert old is not None and new is not None and (old.attempts, new.attempts) == (1, 2)
    assert await outbox.settle(db, old, "w", Outcome(Verdict.FAILED, error="late"), now=clock()) is False
    assert await outbox.settle(db, new, "w", Outcome(Verdict.SENT, message_id=1), now=clock()) is True
    assert (await rows(db))[0].status == Status.SENT


async def test_two_senders_reclaiming_at_once_send_the_row_once_more_not_twice(db_url, db, clock):
    await outbox.enqueue(db, [Outgoing(5, "k", text="x")], now=clock())
    (row_id, _), = await outbox.due(db, clock())
    await outbox.claim(db, row_id, "dead-worker", clock())
    other = Database(db_url)
    bots = RecordingBot(), RecordingBot()
    later = clock() + LEASE + timedelta(seconds=5)
    try:
        await asyncio.gather(sender(db, bots[0], later).drain(), sender(other, bots[1], later).drain())
    finally:
        await other.dispose()
    assert bots[0].sent + bots[1].sent == Counter({5: 1})
    (row,) = await rows(db)
    assert (row.status, row.resent) == (Status.SENT, 1)


@pytest.mark.parametrize("fan", ["private", "group"])
async def test_a_working_sender_looks_for_expired_leases_every_few_seconds(db, clock, fan):
    """In the middle of a long drain (simulated time: 600 private chats at 29.5/s, or 60 messages
    to one group at 20 a minute, where the sender waits most of each minute), a row that a dead
    process claimed goes out again soon after its lease ends, not after the drain."""
    await outbox.enqueue(db, [Outgoing(1, "dead", text="lost?")], now=clock())
    (row_id, _), = await outbox.due(db, clock())
    await outbox.claim(db, row_id, "dead-worker", clock())
    fanned = ([Outgoing(1000 + i, f"fan:{i}", text="通知") for i in range(600)] if fan == "private"
              else [Outgoing(-100, f"group:{i}", text="通知") for i in range(60)])
    await outbox.enqueue(db, fanned, now=clock())
    start = clock() + LEASE - timedelta(seconds=5)  # the lease ends 5 s into the drain
    elapsed = 0.0

    async def sleep(seconds: float) -> None:
        nonlocal elapsed
        elapsed += seconds

    bot = RecordingBot()
    worker = Sender(db, bot, default_language="zh", pacer=Pacer(private_interval=0.0),  # type: ignore[arg-type]
                    wall=lambda: start + timedelta(seconds=elapsed), mono=lambda: elapsed, sleep=sleep)
    stats = await worker.drain()
    assert stats.reclaimed == 1 and bot.sent[1] == 1 and stats.sent == len(fanned) + 1
    assert elapsed > 20  # the drain took that long (simulated)
    row = next(r for r in await rows(db) if r.id == row_id)
    assert row.status == Status.SENT and row.resent == 1 and row.sent_at is not None
    resent_after = (row.sent_at - start).total_seconds()
    assert 5 <= resent_after <= 5 + RECLAIM_EVERY + 1


async def _liaisons(db: Database, chats: list[int], now: datetime) -> None:
    async with db.transaction() as s:
        admin = Person(telegram_id=ADMIN, chat_id=ADMIN, full_name="管理员", created_at=now)
        s.add(admin)
        for chat in chats:
            dept = Department(name=f"部门{chat}", created_at=now)
            person = Person(telegram_id=chat, chat_id=chat, full_name=f"联络员{chat}", created_at=now)
            s.add_all([dept, person])
            await s.flush()
            s.add(LiaisonAppointment(department_id=dept.id, person_id=person.id, started_at=now))  # type: ignore[arg-type]


async def test_the_broadcast_report_counts_the_messages_that_may_have_arrived_twice(db, clock):
    await _liaisons(db, [501, 502, 503], clock())
    actor = Caller(telegram_id=ADMIN, person_id=None, full_name="管理员", language="zh")
    broadcast_id, total = await broadcasts.start(db, actor, "周五开会", default_language="zh", now=clock())
    assert total == 3
    (row_id, _), *_ = await outbox.due(db, clock())
    await outbox.claim(db, row_id, "dead-worker", clock())  # in flight when its process died
    bot = RecordingBot()
    await sender(db, bot, clock()).drain()
    assert ADMIN not in bot.sent  # not done: one row is still out
    await sender(db, bot, clock() + LEASE + timedelta(seconds=1)).drain()
    (report,) = bot.texts[ADMIN]
    assert report == (f"第 {broadcast_id} 号群发完成：共 3 人，已送达 3，失败 0，已屏蔽机器人 0。"
                      "其中 1 人可能收到两次：发送途中程序中断，为免漏发已重新发送。")


def test_the_report_names_possible_duplicates_only_when_there_are_some():
    clean = broadcasts.Tally(total=5, sent=4, failed=0, blocked=1, unconfirmed=0)
    assert broadcasts.report_text("zh", 7, clean) == "第 7 号群发完成：共 5 人，已送达 4，失败 0，已屏蔽机器人 1。"
    twice = broadcasts.Tally(total=5, sent=5, failed=0, blocked=0, unconfirmed=0, resent=2)
    assert broadcasts.report_text("en", 7, twice) == (
        "Broadcast #7 done: 5 recipients, 5 delivered, 0 failed, 0 blocked the bot. 2 of them may have received "
        "it twice: a process stopped while sending, and it was sent again rather than risk a miss.")
    old = broadcasts.Tally(total=5, sent=4, failed=0, blocked=0, unconfirmed=1)  # left by an older release
    assert broadcasts.report_text("zh", 7, old).endswith("另有 1 人在发送途中程序中断，无法确认是否收到。")
