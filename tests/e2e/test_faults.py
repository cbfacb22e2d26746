"""Faults, end to end: the real Application against the fake Bot API while something breaks.

* the database is unavailable while a liaison writes (SQLite locked past the busy timeout;
  PostgreSQL refusing connections): the message is stored, or the liaison is told to resend, and the
  resent message is stored — never no answer and no row;
* the Bot API answers 502/429 or times out during a broadcast: every liaison gets it, the admin the count;
* the bot fails between storing a message and confirming it: one row, and a redelivery adds none;
* the clock jumps over the deadlines: each escalation once, no reminder for a skipped day sent late.

Outcomes are summarised in docs/operations.md ("What happens when something fails")."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import col, func, select
from telegram import Bot, Update
from telegram.request import HTTPXRequest

from bot.rules.delivery import Pacer, Status
from bot.rules.org import parse_org
from bot.usecases import org, outbox
from jobs.sender import LOCK as SENDER_LOCK
from jobs.sender import Sender
from jobs.tick import run_steps
from storage import migrate
from storage.db import SQLITE_BUSY_TIMEOUT_MS, Database
from storage.locks import exclusive
from storage.models import InboundMessage, OutboxMessage, TaskProgress
from tests.conftest import PG_ADMIN_URL, _pg_exec, need_postgres
from tests.e2e.conftest import ADMIN_ID, TOKEN, Chat, Desk, desk_services, running
from tests.support.fake_bot_api import FakeBotAPI, private_message

TZ = ZoneInfo("Asia/Shanghai")
STORED = "已收到并存档"
RESEND = "请稍后重新发送"  # error.internal: "...这条消息没有办理成功，请稍后重新发送。"
NOT_DONE = "没有办理成功"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def rows(db: Database, model, chat_id: int) -> int:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(model).where(col(model.chat_id) == chat_id))).one()


async def register(desk: Desk, departments: list[str], first_id: int) -> list[Chat]:
    return list((await desk.set_up({"departments": departments}, departments, first_id)).values())


def texts_to(api: FakeBotAPI, chat_id: int, after: int = 0) -> list[str]:
    return [c.text or "" for c in api.sent_messages(chat_id) if c.index >= after]


async def push(api: FakeBotAPI, chat: Chat, body: str, **kw) -> int:  # type: ignore[no-untyped-def]
    """The liaison sends `body`; returns the mark to look for answers after."""
    mark = api.mark()
    api.push_update(private_message(None, chat.id, body, first_name=chat.first_name, **kw))
    return mark


async def answers_to(api: FakeBotAPI, chat: Chat, after: int) -> list[str]:
    """Everything the bot answered `chat` since `after`, once it has finished with what was sent
    before: updates are handled one at a time, in order, so a /whoami's answer comes after theirs."""
    mark = api.mark()
    api.push_update(private_message(None, chat.id, "/whoami", first_name=chat.first_name))
    whoami = await api.wait_for_message(chat_id=chat.id, contains=f"<code>{chat.id}</code>", after=mark, timeout=15)
    return [c.text or "" for c in api.sent_messages(chat.id) if after <= c.index < whoami.index and c is not whoami]


# ---------------------------------------------------------------- the database unavailable


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_sqlite_locked_by_another_writer_the_message_is_stored_or_the_liaison_told_to_resend(desk: Desk):
    db, api = desk.services.db, desk.api
    (liaison,) = await register(desk, ["区科技局"], 6101)
    holder = sqlite3.connect(db.url.database, timeout=10, isolation_level=None, check_same_thread=False)

    async def hold(sql: str) -> None:  # in a thread: a busy wait must not stop the bot's event loop
        await asyncio.to_thread(holder.execute, sql)

    loop = asyncio.get_running_loop()
    try:
        # 1. locked for less than the busy timeout: the bot waits, then stores
        await hold("BEGIN EXCLUSIVE")
        mark = await push(api, liaison, "短暂锁定期间的进展")
        await asyncio.sleep(1.5)
        assert not texts_to(api, liaison.id, mark)  # still waiting for the lock, not failing
        await hold("COMMIT")
        assert STORED in (await api.wait_for_message(chat_id=liaison.id, after=mark, timeout=10)).text
        assert await rows(db, InboundMessage, liaison.id) == 1

        # 2. locked for longer than the busy timeout: the liaison is told to resend, nothing stored
        await hold("BEGIN EXCLUSIVE")
        locked_at = loop.time()
        mark = await push(api, liaison, "长时间锁定期间的进展")
        answer = await api.wait_for_message(chat_id=liaison.id, after=mark, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000 + 5)
        held = loop.time() - locked_at
        await hold("COMMIT")
        assert held >= SQLITE_BUSY_TIMEOUT_MS / 1000 - 0.5  # the bot gave up only after its busy timeout
        assert RESEND in answer.text
        assert all(RESEND in t for t in await answers_to(api, liaison, mark))  # never "stored" for it
        assert await rows(db, InboundMessage, liaison.id) == 1
    finally:
        if holder.in_transaction:
            await hold("ROLLBACK")
        holder.close()

    # 3. resent once the lock is gone: stored
    mark = await push(api, liaison, "长时间锁定期间的进展")
    await api.wait_for_message(chat_id=liaison.id, contains=STORED, after=mark, timeout=10)
    assert await rows(db, InboundMessage, liaison.id) == 2
    assert await liaison.send("/whoami")  # and the bot carries on


@pytest.fixture
def pg_scratch(postgres) -> str:  # type: ignore[no-untyped-def]
    """A migrated scratch database of its own: the fault test cuts it off without touching the
    shared server (other tests use it). Connections are always allowed again afterwards."""
    need_postgres(postgres)
    url = postgres.new_database("liaison_faults")

    async def up() -> None:
        db = Database(url)
        await migrate.upgrade_to_head(db)
        await db.dispose()

    asyncio.run(up())
    yield url
    name = make_url(url).database
    asyncio.run(_pg_exec(PG_ADMIN_URL, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))


@asynccontextmanager
async def running_desk(api: FakeBotAPI, url: str, clock) -> AsyncIterator[Desk]:  # type: ignore[no-untyped-def]
    """What the `desk` fixture does, on a database of the test's choosing."""
    async with running(api, desk_services(api, Database(url), clock)) as opened:
        yield opened


@asynccontextmanager
async def postgres_down(url: str) -> AsyncIterator[None]:
    """The bot's database refuses connections and its open ones are cut, then it comes back."""
    name = make_url(url).database
    await _pg_exec(PG_ADMIN_URL, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
                   f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                   "AND pid <> pg_backend_pid()")
    try:
        yield
    finally:
        await _pg_exec(PG_ADMIN_URL, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


async def test_postgres_unavailable_the_liaison_is_told_to_resend_and_the_resend_is_stored(api, pg_scratch, clock):
    async with running_desk(api, pg_scratch, clock) as desk:
        (liaison,) = await register(desk, ["区科技局"], 6201)
        db = desk.services.db
        async with postgres_down(pg_scratch):
            mark = await push(api, liaison, "数据库停机期间的进展")
            answer = await api.wait_for_message(chat_id=liaison.id, after=mark, timeout=15)
            assert RESEND in answer.text
            await asyncio.sleep(1.5)  # the outbox sender keeps failing meanwhile; it must survive
        assert all(RESEND in t for t in await answers_to(api, liaison, mark))
        assert await rows(db, InboundMessage, liaison.id) == 0
        mark = await push(api, liaison, "数据库停机期间的进展")
        await api.wait_for_message(chat_id=liaison.id, contains=STORED, after=mark, timeout=15)
        assert await rows(db, InboundMessage, liaison.id) == 1
        # the sender came back too: a broadcast after the outage is delivered
        await desk.admin.send("/broadcast 恢复后的通知")
        await api.wait_for_message(chat_id=liaison.id, contains="恢复后的通知", timeout=15)
        assert desk.app.bot_data.delivery.task is not None and not desk.app.bot_data.delivery.task.done()


# ---------------------------------------------------------------- the Bot API failing during a broadcast


@asynccontextmanager
async def sender_paused(db: Database) -> AsyncIterator[None]:
    """Hold the outbox sender's lock (as another process would), so the bot's sender waits."""
    for _ in range(500):
        async with exclusive(db, SENDER_LOCK) as mine:
            if mine:
                yield
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the bot's sender never let go of its lock")


async def test_broadcast_through_502s_and_a_429_reaches_every_liaison_exactly_once(desk: Desk):
    api = desk.api
    people = await register(desk, ["甲局", "乙局", "丙局", "丁局"], 6301)
    async with sender_paused(desk.services.db):
        queued = await desk.admin.send("/broadcast 周五上午九点开调度会")
        assert "4 位联络员" in queued
        mark = api.mark()
        api.fail_next("sendMessage", times=3, status=502)
        api.fail_next("sendMessage", times=1, retry_after=1)
    desk.services.wake_outbox()
    report = await api.wait_for_message(chat_id=ADMIN_ID, contains="群发完成", after=mark, timeout=30)
    assert "共 4 人，已送达 4，失败 0" in report.text
    refused = [c for c in api.calls_to("sendMessage", after=mark) if not c.ok]
    assert sorted(c.status for c in refused) == [429, 502, 502, 502]
    for person in people:
        assert sum("调度会" in t for t in texts_to(api, person.id, mark)) == 1  # exactly once
    await desk.delivered()
    assert sum("群发完成" in t for t in texts_to(api, ADMIN_ID, mark)) == 1
    async with desk.services.db.session() as s:
        assert set(await s.exec(select(OutboxMessage.status))) == {Status.SENT}


async def test_broadcast_through_a_timeout_reaches_every_liaison_at_least_once(desk: Desk):
    """A send that times out may still have been delivered (Telegram has no idempotency key): it
    is retried, so that liaison may get it twice; nobody gets it zero times."""
    api = desk.api
    people = await register(desk, ["甲局", "乙局", "丙局"], 6401)
    bot = Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url,
              request=HTTPXRequest(read_timeout=0.5, connect_timeout=0.5, write_timeout=0.5))
    sender = Sender(desk.services.db, bot, default_language="zh", pacer=Pacer(private_interval=0.0), backoff_base=0.02)
    async with sender_paused(desk.services.db), bot:
        await desk.admin.send("/broadcast 年底前完成资料归档")
        mark = api.mark()
        api.delay("sendMessage", 1.5, times=1)  # longer than the 0.5 s read timeout
        api.fail_next("sendMessage", times=1, status=502)
        for _ in range(100):
            await sender.drain()
            if not await outbox.backlog(desk.services.db):
                break
            await asyncio.sleep(0.05)
        await api.wait_for_message(chat_id=ADMIN_ID, contains="群发完成", after=mark, timeout=10)
    got = {p.id: sum("资料归档" in t for t in texts_to(api, p.id, mark)) for p in people}
    assert all(n >= 1 for n in got.values()) and sum(got.values()) <= len(people) + 1, got
    report = next(t for t in texts_to(api, ADMIN_ID, mark) if "群发完成" in t)
    assert "共 3 人，已送达 3" in report


# ---------------------------------------------------------------- between storing and confirming


async def test_confirmation_lost_after_storing_the_message_is_kept_once_and_redelivery_adds_nothing(desk: Desk):
    api, db = desk.api, desk.services.db
    (liaison,) = await register(desk, ["区科技局"], 6501)
    raw = private_message(None, liaison.id, "已完成项目现场核查", first_name=liaison.first_name, message_id=880_001)
    api.fail_next("sendMessage", times=1, status=502)  # the confirmation is lost on the way
    mark = api.mark()
    update_id = api.push_update(raw)
    first = await api.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == liaison.id and c.status is not None,
                               after=mark)
    assert first.status == 502
    await api.wait_for_message(chat_id=liaison.id, after=mark, timeout=10)  # the error handler's answer
    assert await rows(db, InboundMessage, liaison.id) == 1

    mark = api.mark()
    raw["update_id"] = update_id
    await desk.app.update_queue.put(Update.de_json(raw, desk.app.bot))  # the same update again (a restart)
    api.push_update({**raw, "update_id": None})  # the same message in a new update
    answers = await answers_to(api, liaison, mark)
    assert answers == ["这条消息此前已收到并存档。"], answers  # the redelivered update: no answer, no row
    assert await rows(db, InboundMessage, liaison.id) == 1


async def test_progress_confirmation_lost_the_progress_is_recorded_once(desk: Desk, clock):
    api, db = desk.api, desk.services.db
    clock.current = local(2026, 11, 23, 10, 0)
    (liaison,) = await register(desk, ["区交通局"], 6601)
    await desk.admin.send("/assign 区交通局 | 2026-12-10 | 道路改造进度")
    notice = await api.wait_for_message(chat_id=liaison.id, contains="交办单 #1", timeout=10)
    raw = private_message(None, liaison.id, "已完成 60%", first_name=liaison.first_name, message_id=880_101,
                          reply_to=notice.result["message_id"])
    api.fail_next("sendMessage", times=1, status=502)
    mark = api.mark()
    api.push_update(raw)
    await api.wait_for_message(chat_id=liaison.id, after=mark, timeout=10)
    assert await rows(db, TaskProgress, liaison.id) == 1
    mark = api.mark()
    api.push_update({**raw, "update_id": None})  # the same reply again, in a new update
    assert "此前已记录" in (await api.wait_for_message(chat_id=liaison.id, after=mark, timeout=10)).text
    assert await rows(db, TaskProgress, liaison.id) == 1


async def test_a_lost_confirmation_does_not_tell_the_liaison_the_stored_message_failed(desk: Desk):
    api, db = desk.api, desk.services.db
    (liaison,) = await register(desk, ["区科技局"], 6701)
    api.fail_next("sendMessage", times=1, status=502)
    mark = await push(api, liaison, "本周进展：已完成招标")
    await api.wait_for_message(chat_id=liaison.id, after=mark, timeout=10)
    assert await rows(db, InboundMessage, liaison.id) == 1  # it was stored...
    assert not any(NOT_DONE in t for t in texts_to(api, liaison.id, mark))  # ...so "not processed" is wrong


# ---------------------------------------------------------------- the clock jumps over the deadlines


async def test_clock_jump_over_the_deadlines_escalates_once_and_sends_no_skipped_reminder(desk: Desk, clock, caplog):
    api = desk.api
    clock.current = local(2026, 12, 21, 10, 0)  # Monday
    spec = parse_org({"departments": ["区交通局", "区科技局"],
                      "reporting": {"reminders_days_before": [7, 2, 1, 0]}})  # the quarter is due Fri 12-25 18:00
    await org.import_org(desk.services.db, spec, now=clock())
    transport, science = (desk.chat(6801 + i, f"联络员{i}") for i in range(2))
    await transport.send(f"/start {await desk.invite('区交通局')}")
    await science.send(f"/start {await desk.invite('区科技局')}")
    director = desk.chat(6900, "周主任")
    await director.send("/start")
    await desk.admin.send("/grant 6900 director")
    assert "#1" in await desk.admin.send("/assign 区交通局 | 2026-12-25 | 年终考核材料")  # T: Fri 12-25 18:00

    async def tick(at: datetime) -> int:
        clock.current = at
        while not (report := await run_steps(desk.services, at, datetime.now(UTC))).ran:
            await asyncio.sleep(0.05)  # the bot's own minute job holds the tick lock
        return sum(report.queued.values())

    await tick(local(2026, 12, 23, 9, 30))  # T-2d: the quarter's "2 days left" reminder is today's
    await tick(local(2026, 12, 28, 9, 30))  # the machine was off (or the clock jumped): now T+3d, Monday
    assert await tick(local(2026, 12, 28, 9, 31)) == 0  # and again a minute later: nothing new
    assert await tick(local(2026, 12, 28, 15, 0)) == 0
    assert await tick(local(2026, 12, 23, 9, 30)) == 0  # the clock is set back: nothing again
    await tick(local(2026, 12, 29, 9, 30))  # the next working day: that day's nudge only
    await desk.delivered()

    task_texts = [t for t in texts_to(api, transport.id) if "#1「年终考核材料」" in t and t[:1] in "⏰📬"]
    assert not any("还有" in t or "今天" in t for t in task_texts), task_texts  # 12-24 and 12-25 skipped
    assert sum("尚未确认收到" in t for t in task_texts) <= 1
    overdue = [t for t in task_texts if "已逾期" in t]
    assert len(overdue) == 2 and "已逾期 3 天" in overdue[0] and "已逾期 4 天" in overdue[1]
    for person in (transport, science):
        cycle = [t for t in texts_to(api, person.id) if "季度报送" in t and t.startswith("⏰")]
        assert len(cycle) == 1 and "还有 2 天" in cycle[0], cycle  # not the 1-day or same-day ones, late
    to_director = texts_to(api, director.id)
    assert sum("逾期通报" in t and "#1" in t for t in to_director) == 1
    escalation = [t for t in to_director if t.startswith("🚨") and "季度报送" in t]
    assert len(escalation) == 1 and "区交通局" in escalation[0] and "区科技局" in escalation[0]
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]  # nothing crashed


# ---------------------------------------------------------------- the access gate failing half way


async def test_a_gate_that_fails_half_way_lets_nothing_through(desk: Desk):
    api = desk.api
    (liaison,) = await register(desk, ["区科技局"], 7001)
    intruder = desk.chat(7099, "冒充者")
    await intruder.send("/start")
    api.fail_next("sendMessage", times=1, status=502)  # the "only admins may" answer is lost
    mark = await push(api, intruder, "/broadcast 明天全体放假")
    told = await answers_to(api, intruder, mark)
    await desk.delivered()
    leaked = [t for t in texts_to(api, liaison.id, mark) if "全体放假" in t]
    assert not leaked, f"a non-admin's /broadcast went out: {leaked}; the sender was told {told}"


async def test_a_database_outage_is_answered_once_per_message(api, pg_scratch, clock):
    async with running_desk(api, pg_scratch, clock) as desk:
        (liaison,) = await register(desk, ["区科技局"], 7101)
        async with postgres_down(pg_scratch):
            mark = await push(api, liaison, "停机期间发送的一条消息")
            await api.wait_for_message(chat_id=liaison.id, after=mark, timeout=15)
            await asyncio.sleep(1.0)
        assert len(await answers_to(api, liaison, mark)) == 1
