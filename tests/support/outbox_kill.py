"""Killing `python -m bot` processes in the middle of a broadcast, and watching what follows.

Shared by tests/e2e/test_broadcast_kill.py, tests/e2e/test_failover.py and
benchmarks/fanout_kill.py. The bots are real `python -m bot` subprocesses in long-polling mode
against an in-process `FakeBotAPI` (on the caller's asyncio loop), on a scratch database; the
broadcast is queued the way an admin's `/broadcast` queues it (`bot.usecases.broadcasts.start`),
so that no update has to reach one of several polling processes. Every process is stopped by its
own pid.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select

from bot.rules.people import Caller
from bot.usecases import broadcasts
from storage.db import Database
from storage.models import Department, LiaisonAppointment, OutboxMessage, Person
from tests.support.fake_bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token-kill"
ADMIN_ID = 42
FIRST_CHAT = 10_000  # liaison i: telegram_id = chat_id = FIRST_CHAT + i
TEXT = "请各单位于周五前报送季度进展"
READY_LINE = "polling Telegram for updates"  # bot/runner.py logs it once the bot takes updates
_SEND = "sendmessage"


# --------------------------------------------------------------------------- the database


async def seed(db: Database, n: int) -> None:
    """n departments, each with one registered liaison, and the admin (a person with a chat)."""
    now = datetime.now(UTC)
    async with db.engine.begin() as conn:
        await conn.execute(Department.__table__.insert(),  # type: ignore[attr-defined]
                           [{"id": i + 1, "name": f"测试部门{i:05d}", "created_at": now} for i in range(n)])
        people = [{"id": i + 1, "telegram_id": FIRST_CHAT + i, "chat_id": FIRST_CHAT + i,
                   "full_name": f"联络员{i}", "created_at": now} for i in range(n)]
        people.append({"id": n + 1, "telegram_id": ADMIN_ID, "chat_id": ADMIN_ID, "full_name": "管理员",
                       "created_at": now})
        await conn.execute(Person.__table__.insert(), people)  # type: ignore[attr-defined]
        await conn.execute(LiaisonAppointment.__table__.insert(),  # type: ignore[attr-defined]
                           [{"id": i + 1, "department_id": i + 1, "person_id": i + 1, "kind": "primary",
                             "started_at": now} for i in range(n)])
        if not db.is_sqlite:  # explicit ids: move the sequences past them
            for table in ("departments", "people", "liaison_appointments"):
                await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))


async def queue_broadcast(db: Database, message: str = TEXT) -> tuple[int, int]:
    """What the admin's `/broadcast <message>` queues: (broadcast id, recipients)."""
    admin = Caller(telegram_id=ADMIN_ID, person_id=None, full_name="管理员", language="zh")
    return await broadcasts.start(db, admin, message, default_language="zh", now=datetime.now(UTC))


async def fetch(db: Database, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    async with db.engine.connect() as conn:
        return [tuple(row) for row in (await conn.execute(text(sql), params)).all()]


def pid_of(worker: str | None) -> int | None:
    """The process id in a sender's name (`host:pid:random`, jobs/sender.py `worker_name`)."""
    parts = (worker or "").rsplit(":", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


async def drainer(db: Database) -> int | None:
    """The pid of the process that claimed an outbox row last: the one draining now."""
    rows = await fetch(db, "SELECT claimed_by FROM outbox WHERE claimed_by IS NOT NULL "
                           "ORDER BY claimed_at DESC, attempts DESC, id DESC LIMIT 1")
    return pid_of(rows[0][0]) if rows else None


async def in_flight(db: Database) -> list[tuple[int, int, int | None]]:
    """(row id, chat, pid of its sender) of every row "sending" now."""
    rows = await fetch(db, "SELECT id, chat_id, claimed_by FROM outbox WHERE status = 'sending' ORDER BY id")
    return [(int(i), int(c), pid_of(w)) for i, c, w in rows]


# --------------------------------------------------------------------------- processes


class BotProcess:
    """`python -m bot` as an operator runs it (polling, WEB_PORT=0), output to a log file."""

    def __init__(self, name: str, db_url: str, api: FakeBotAPI, workdir: Path, **env: str) -> None:
        self.name, self.workdir = name, workdir
        self.log_path = workdir / f"{name}.log"
        base = {k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "TELEGRAM_", "BOT_", "WEB_"))}
        base.pop("DATABASE_URL", None)
        self.env = {**base, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "DATABASE_URL": db_url,
                    "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
                    "TELEGRAM_API_FILE_URL": api.base_file_url, "BOT_ADMIN_IDS": str(ADMIN_ID),
                    "BOT_LANGUAGE": "zh", "WEB_LISTEN": "127.0.0.1", "WEB_PORT": "0", **env}
        self.proc: asyncio.subprocess.Process | None = None
        self.started_at = 0.0

    async def start(self) -> BotProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.started_at = time.monotonic()
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=self.workdir, env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=asyncio.subprocess.STDOUT)
        _RUNNING.add(self)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    async def ready(self, timeout: float = 240.0) -> float:
        """Wait until it takes updates (its sender and minute job run from then on); seconds it took."""
        await until(lambda: READY_LINE in self.log(), timeout, f"{self.name} to start",
                    fail=lambda: None if self.alive else f"{self.name} exited:\n{self.log_tail()}")
        return time.monotonic() - self.started_at

    def kill(self) -> None:
        """SIGKILL: no goodbye, no shutdown; its connections close with it."""
        if self.alive:
            os.kill(self.pid, signal.SIGKILL)

    async def stop(self, grace: float = 20.0) -> int | None:
        """SIGTERM, then SIGKILL after `grace` seconds. The exit code."""
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
        await self.proc.wait()
        _RUNNING.discard(self)
        return self.proc.returncode


_RUNNING: set[BotProcess] = set()


async def stop_all(processes: Sequence[BotProcess] | None = None) -> None:
    await asyncio.gather(*(p.stop() for p in list(processes if processes is not None else _RUNNING)),
                         return_exceptions=True)


async def until(check: Callable[[], Any], timeout: float, what: str, *, every: float = 0.05,
                fail: Callable[[], str | None] | None = None) -> Any:
    """Poll `check` (sync or async) until it is truthy; AssertionError after `timeout` seconds or
    as soon as `fail` says why it never will be."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        reason = fail() if fail else None
        if reason:
            raise AssertionError(reason)
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(every)


# --------------------------------------------------------------------------- the fake's records


def deliveries(api: FakeBotAPI, contains: str = TEXT) -> list[tuple[int, float]]:
    """(chat, arrival time) of every successful send containing `contains`, in arrival order."""
    return [(int(c.raw.get("chat_id", 0)), c.at) for c in api.calls
            if c.method.lower() == _SEND and c.ok and contains in (c.raw.get("text") or "")]


def per_chat(api: FakeBotAPI, contains: str = TEXT) -> Counter[int]:
    return Counter(chat for chat, _ in deliveries(api, contains))


def delivered_count(api: FakeBotAPI) -> int:
    return sum(api.delivered.values())


def held_send(api: FakeBotAPI, after: int) -> bool:
    """A send (from call `after` on) has arrived and is not answered yet: the fake holds it
    (`FakeBotAPI.delay`)."""
    return any(c.method.lower() == _SEND and c.status is None for c in api.calls[after:])


def admin_reports(api: FakeBotAPI) -> list[str]:
    return [c.raw.get("text") or "" for c in api.calls
            if c.method.lower() == _SEND and c.ok and c.raw.get("chat_id") == str(ADMIN_ID)
            and "群发完成" in (c.raw.get("text") or "")]


# --------------------------------------------------------------------------- one broadcast, one kill


@dataclass(frozen=True)
class KillPlan:
    """When to kill the process that is sending: after `after` deliveries; `hold` makes the fake
    hold the answer to the next send and kills while it waits, so a row is certainly in flight —
    "delivered": the fake then delivers it (the message arrived, the bot never learnt it);
    "refused": the fake then refuses it (it did not arrive)."""

    after: int
    hold: str | None = None


@dataclass
class KillRun:
    db_kind: str
    n: int
    plan: KillPlan
    processes: int
    broadcast_id: int = 0
    killed_pid: int = 0
    killed_at: float = 0.0
    sent_before_kill: int = 0
    in_flight_at_kill: list[tuple[int, int, int | None]] = field(default_factory=list)
    first_delivery_after_kill_s: float | None = None  # failover (PostgreSQL) or restart (SQLite)
    sender_after_kill: int | None = None  # pid of the process that claimed rows after the kill
    after_kill: Any = None  # what the caller's `after_kill` returned
    resent_delivered_after_s: dict[int, float] = field(default_factory=dict)  # chat → s from kill to its re-send
    restart_ready_s: float | None = None
    counts: Counter[int] = field(default_factory=Counter)
    resent_rows: dict[int, int] = field(default_factory=dict)  # chat → resent, rows with resent > 0
    statuses: dict[str, int] = field(default_factory=dict)
    report: str | None = None
    rate_before: float | None = None
    rate_after: float | None = None
    took_s: float = 0.0
    logs: list[str] = field(default_factory=list)

    @property
    def never(self) -> list[int]:
        return [FIRST_CHAT + i for i in range(self.n) if self.counts[FIRST_CHAT + i] == 0]

    @property
    def twice(self) -> dict[int, int]:
        return {chat: k for chat, k in self.counts.items() if k > 1}

    @property
    def extra_copies(self) -> int:
        return sum(k - 1 for k in self.counts.values() if k > 1)

    @property
    def resent_total(self) -> int:
        return sum(self.resent_rows.values())

    def summary(self) -> dict[str, Any]:
        return {"db": self.db_kind, "chats": self.n, "processes": self.processes, "kill_after": self.plan.after,
                "hold": self.plan.hold, "in_flight_at_kill": len(self.in_flight_at_kill),
                "never": len(self.never), "twice": len(self.twice), "extra_copies": self.extra_copies,
                "resent_sum": self.resent_total, "gap_s": self.first_delivery_after_kill_s,
                "resend_after_kill_s": max(self.resent_delivered_after_s.values(), default=None),
                "restart_ready_s": self.restart_ready_s, "rate_before": self.rate_before,
                "rate_after": self.rate_after, "took_s": self.took_s, "report": self.report}


def _rate(times: list[float]) -> float | None:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 2 and times[-1] > times[0] else None


async def broadcast_kill(api: FakeBotAPI, db_url: str, workdir: Path, *, n: int, plan: KillPlan,
                         processes: int, timeout: float = 400.0,
                         after_kill: Callable[[Database], Awaitable[Any]] | None = None) -> KillRun:
    """Broadcast to `n` chats with `processes` bots running (one on SQLite: after the kill a new
    one starts, as systemd would restart it); kill the one sending; wait until every row is
    settled and the admin has the count. `api` should be fresh; the database migrated and empty.
    `after_kill(db)` runs right after the kill, alongside the wait; its result is `run.after_kill`."""
    db = Database(db_url)
    run = KillRun("sqlite" if db.is_sqlite else "postgres", n, plan, processes)
    bots = [BotProcess(f"bot{i + 1}", db_url, api, workdir) for i in range(processes)]
    started = time.monotonic()
    try:
        await seed(db, n)
        await asyncio.gather(*(b.start() for b in bots))
        await asyncio.gather(*(b.ready() for b in bots))
        run.broadcast_id, total = await queue_broadcast(db)
        assert total == n, total
        await until(lambda: delivered_count(api) >= plan.after, timeout, f"{plan.after} deliveries")
        held_chat = None
        if plan.hold:
            mark = api.mark()
            api.delay("sendMessage", 3.0, times=1)
            await until(lambda: held_send(api, mark), 60, "a held send")
            rows = await until(lambda: in_flight(db), 30, "the held row to be seen sending")
            victim_pid = rows[0][2]
            if plan.hold == "refused":  # the held send will be refused: it never arrives
                held_chat = rows[0][1]
                api.block_chat(held_chat)
        else:
            victim_pid = await drainer(db)
        victim = next(b for b in bots if b.pid == victim_pid)
        run.killed_at, killed_wall = time.monotonic(), datetime.now(UTC)
        victim.kill()
        await victim.stop()
        run.killed_pid, run.sent_before_kill = victim.pid, len(deliveries(api))
        run.in_flight_at_kill = [r for r in await in_flight(db) if r[2] == victim.pid]
        if held_chat is not None:  # answered (refused) now: the chat takes messages again
            await until(lambda: not held_send(api, mark), 30, "the held send to be answered")
            api.unblock_chat(held_chat)
        if db.is_sqlite:  # single-process deployments: the restarted process carries on
            replacement = BotProcess(f"bot{processes + 1}", db_url, api, workdir)
            bots.append(replacement)
            await replacement.start()
            run.restart_ready_s = await replacement.ready()
        extra = asyncio.ensure_future(after_kill(db)) if after_kill else None
        await until(lambda: admin_reports(api), timeout, "the admin's count",
                    fail=lambda: None if any(b.alive for b in bots) else "every bot exited")
        if extra is not None:
            run.after_kill = await extra
        run.took_s = time.monotonic() - started
        # what arrived, and what the outbox says
        arrived = deliveries(api)
        run.counts = Counter(chat for chat, _ in arrived)
        flying = {chat for _, chat, _ in run.in_flight_at_kill}
        before = [at for _, at in arrived if at <= run.killed_at]
        after = [at for chat, at in arrived if at > run.killed_at and chat not in flying]  # the fan-out going on
        run.rate_before, run.rate_after = _rate(before), _rate(after)
        run.first_delivery_after_kill_s = (after[0] - run.killed_at) if after else None
        for chat in flying:
            again = [at for c, at in arrived if c == chat and at > run.killed_at]
            if again:
                run.resent_delivered_after_s[chat] = again[-1] - run.killed_at
        async with db.session() as s:
            later = (await s.exec(select(OutboxMessage.claimed_by).where(
                OutboxMessage.batch == f"broadcast:{run.broadcast_id}", col(OutboxMessage.claimed_at) > killed_wall)
                .order_by(col(OutboxMessage.claimed_at)).limit(1))).first()
        run.sender_after_kill = pid_of(later)
        run.resent_rows = {int(c): int(r) for c, r in await fetch(
            db, "SELECT chat_id, resent FROM outbox WHERE batch = :b AND resent > 0", b=f"broadcast:{run.broadcast_id}")}
        run.statuses = {s: int(k) for s, k in await fetch(
            db, "SELECT status, count(*) FROM outbox WHERE batch = :b GROUP BY status", b=f"broadcast:{run.broadcast_id}")}
        run.report = admin_reports(api)[-1]
    finally:
        await stop_all(bots)
        await db.dispose()
        run.logs = [str(b.log_path) for b in bots]
    return run


def check(run: KillRun) -> None:
    """What acceptance 2 asks of one run: no chat without the message; duplicates only for rows
    in flight at the kill, and counted; every row settled; the admin told how many may be twice."""
    where = f"{run.db_kind} run (kill after {run.plan.after}, hold={run.plan.hold}); logs: {run.logs}"
    assert not run.never, f"chats that never got it: {run.never[:20]} — {where}"
    assert run.statuses == {"sent": run.n}, f"{run.statuses} — {where}"
    flying = {chat for _, chat, _ in run.in_flight_at_kill}
    assert set(run.twice) <= flying, f"duplicates {run.twice} not in flight at the kill {flying} — {where}"
    assert set(run.resent_rows) <= flying, f"re-sent {run.resent_rows}, in flight {flying} — {where}"
    assert set(run.twice) <= set(run.resent_rows), f"uncounted duplicates {run.twice} — {where}"
    assert run.extra_copies <= run.resent_total, where
    assert all(run.counts[chat] >= 1 for chat in flying), where
    assert run.report is not None
    counted = len(run.resent_rows)
    assert f"共 {run.n} 人，已送达 {run.n}，失败 0，已屏蔽机器人 0。" in run.report, run.report
    if counted:
        assert f"其中 {counted} 人可能收到两次" in run.report, run.report
    else:
        assert "可能收到两次" not in run.report, run.report
    if run.plan.hold:  # a row was certainly in flight: it was taken back and sent again
        assert len(flying) == 1 and run.resent_total == 1, where
        (chat,) = flying
        assert run.counts[chat] == (2 if run.plan.hold == "delivered" else 1), where
