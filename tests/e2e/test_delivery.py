"""Delivery through the real telegram.Bot against the fake Bot API: retries, blocks, broadcasts,
the tick command, and redelivered updates."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select
from telegram import Bot, Update
from telegram.request import HTTPXRequest

from bot.rules.delivery import Outgoing, Pacer, Status
from bot.rules.org import parse_org
from bot.usecases import org, outbox
from jobs.sender import Sender
from storage.models import OutboxMessage
from tests.e2e.conftest import ADMIN_ID, TOKEN
from tests.support.fake_bot_api import private_message

ROOT = Path(__file__).parents[2]


def quick_sender(api, db, **kw) -> Sender:  # type: ignore[no-untyped-def]
    bot = Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url,
              request=HTTPXRequest(read_timeout=0.5, connect_timeout=0.5, write_timeout=0.5))
    return Sender(db, bot, default_language="zh", pacer=Pacer(private_interval=0.0), backoff_base=0.02, **kw)


async def statuses(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return {r.dedup_key: r.status for r in await s.exec(select(OutboxMessage))}


async def drain_until_settled(sender: Sender, db, rounds: int = 50) -> None:  # type: ignore[no-untyped-def]
    for _ in range(rounds):
        await sender.drain()
        if await outbox.backlog(db) == 0:
            return
        await asyncio.sleep(0.05)  # wait for a retry's back-off to come due
    raise AssertionError("outbox never settled")


async def test_502_timeouts_and_429_are_retried_until_delivered(api, db, clock):
    await outbox.enqueue(db, [Outgoing(11, "a", text="一"), Outgoing(12, "b", text="二"), Outgoing(13, "c", text="三")],
                         now=clock())
    api.fail_next("sendMessage", times=2, status=502)
    api.fail_next("sendMessage", times=1, retry_after=1)
    api.delay("sendMessage", 1.0, times=1)  # longer than the 0.5 s read timeout
    sender = quick_sender(api, db)
    async with sender.bot:
        await drain_until_settled(sender, db)
    assert set(await statuses(db)) == {"a", "b", "c"} and set((await statuses(db)).values()) == {Status.SENT}
    assert {11, 12, 13} <= set(api.delivered)
    assert api.delivered[11] + api.delivered[12] + api.delivered[13] <= 4  # a timed-out send may have arrived


async def test_a_blocked_user_is_marked_not_retried_and_flagged_for_admins(desk, clock):
    db = desk.services.db
    await org.import_org(db, parse_org({"departments": ["区科技局"]}), now=clock())
    code = await desk.invite("区科技局")
    liaison = desk.chat(4242, "赵六")
    await liaison.send(f"/start {code}")
    desk.api.block_chat(4242)
    mark = desk.api.mark()
    await desk.admin.send("/broadcast 周五下午三点开调度会", contains="已排队")  # the report may come first
    report = await desk.api.wait_for_message(chat_id=ADMIN_ID, contains="群发完成", after=mark)
    assert "已屏蔽机器人 1" in (report.text or "")
    attempts = [c for c in desk.api.calls_to("sendMessage") if c.chat_id == 4242 and not c.ok]
    assert len(attempts) == 1
    assert "无法送达" in await desk.admin.send("/liaisons")


async def test_broadcast_reaches_every_liaison_once_and_reports_the_count(desk, clock):
    db = desk.services.db
    await org.import_org(db, parse_org({"departments": ["甲局", "乙局", "丙局"]}), now=clock())
    people = [desk.chat(500 + i, f"联络员{i}") for i in range(3)]
    for person, dept in zip(people, ["甲局", "乙局", "丙局"]):
        await person.send(f"/start {await desk.invite(dept)}")
    mark = desk.api.mark()
    queued = await desk.admin.send("/broadcast 请于本周五前报送<季度>进展 & 指标", contains="已排队")  # not the report
    assert "3 位联络员" in queued
    report = await desk.api.wait_for_message(chat_id=ADMIN_ID, contains="群发完成", after=mark)
    assert "共 3 人，已送达 3" in (report.text or "")
    for person in people:
        got = [c for c in desk.api.sent_messages(person.id) if "季度" in (c.text or "")]
        assert len(got) == 1
        assert "&lt;季度&gt;" in got[0].raw["text"]  # sent as escaped HTML...
        assert "<季度>进展 & 指标" in got[0].result["text"]  # ...so the liaison reads it as typed


async def test_broadcast_without_text_or_too_long_is_refused_and_queues_nothing(desk):
    assert (await desk.admin.send("/broadcast")).startswith("用法：/broadcast")
    assert "太长" in await desk.admin.send("/broadcast " + "长" * 4100)
    assert await outbox.backlog(desk.services.db) == 0


async def test_a_redelivered_update_is_handled_once(desk):
    person = desk.chat(777, "钱七")
    raw = private_message(9_000_001, person.id, "第一次报送：已完成", first_name="钱七")
    update = Update.de_json(raw, desk.app.bot)
    mark = desk.api.mark()
    await desk.app.update_queue.put(update)
    await desk.app.update_queue.put(Update.de_json(raw, desk.app.bot))  # the same update again
    await person.send("/whoami", contains=f"<code>{person.id}</code>")  # answered after both copies were processed
    replies = [c.text for c in desk.api.sent_messages(person.id)[0:] if c.index >= mark]
    assert sum("已收到并存档" in (t or "") for t in replies) == 1


async def test_tick_command_delivers_once_and_a_second_run_sends_nothing_new(api, db, db_url, clock):
    await outbox.enqueue(db, [Outgoing(900 + i, f"tick:{i}", text=f"提醒{i}") for i in range(3)], now=clock())
    env = {**os.environ, "DATABASE_URL": db_url, "TELEGRAM_BOT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT),
           "TELEGRAM_API_BASE_URL": api.base_url, "TELEGRAM_API_FILE_URL": api.base_file_url}

    async def tick() -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "tick", "--at", "2026-12-01T09:00", "--wait", "20", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        return proc.returncode or 0, out.decode(), err.decode()

    code, out, err = await tick()
    assert code == 0, err
    assert out.startswith("tick at 2026-12-01T09:00:00+08:00:") and "sent 3" in out and "waiting 0" in out
    code, out, _ = await tick()
    assert code == 0 and "sent 0" in out
    assert Counter({900: 1, 901: 1, 902: 1}) == Counter({c: n for c, n in api.delivered.items() if c in (900, 901, 902)})


@pytest.mark.parametrize("args", [["tick", "--at", "next tuesday"], ["tick", "--at", "2026-13-01"]])
def test_tick_with_a_bad_time_fails_in_one_line(args):
    import subprocess

    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "ISO-8601" in done.stderr
