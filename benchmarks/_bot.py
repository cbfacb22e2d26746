"""The real bot (`python -m bot`), optionally instrumented or with one thing changed, for diagnosis
only; the bot's code is not modified, the change is applied in this process.

    python -m benchmarks._bot [--count-sql FILE] [--time-steps FILE] [--profile FILE] [--no-rate-limiter]
                              [--concurrent-updates N] [--update-queue N] [--pace-from-slot] [--global-rate N]

--count-sql FILE   count every SQL statement and transaction (by statement text) and write JSON at exit;
                   those run while an update is handled (process_update) are also counted apart
--time-steps FILE  wall time spent in each step of handling an update (the gate's use cases, the
                   handler's, the reply, the whole of process_update), JSON at exit
                   (SIGUSR1 zeroes these counts, e.g. once start-up is over)
--profile FILE     cProfile the main thread from SIGUSR1 on, write pstats at exit
--no-rate-limiter  build the Application without PTB's AIORateLimiter (bot/app.py sets one)
--concurrent-updates N  let PTB handle up to N updates at once (bot/app.py: one at a time)
--update-queue N   bound PTB's update queue to N, so polling fetches (and so confirms to Telegram) the
                   next batch only once the queue has room (PTB's default queue is unbounded)
--pace-from-slot   the outbox Pacer counts each send at the slot it was scheduled for (`ready`), not
                   at the moment it actually started (jobs/sender.py), so sleep overshoot does not add up
--global-rate N    the outbox Pacer's overall rate (bot/rules/delivery.py has GLOBAL_RATE = 29.5)"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import json
import re
import signal
import sys
from collections import Counter
from pathlib import Path


def count_sql(path: Path) -> None:
    """Every statement and transaction, by statement text; and apart, those run while PTB's
    `Application.process_update` handles an update (a context variable set around it: what one
    update costs, without the outbox sender's and the tick's statements running meanwhile)."""
    import contextvars

    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from telegram.ext import Application

    statements: Counter[str] = Counter()
    events: Counter[str] = Counter()
    in_update: Counter[str] = Counter()
    in_update_events: Counter[str] = Counter()
    updates = [0]
    handling = contextvars.ContextVar("handling_update", default=False)

    @event.listens_for(Engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        text = re.sub(r"\s+", " ", statement).strip()[:300]
        statements[text] += 1
        if handling.get():
            in_update[text] += 1

    def _event(name: str) -> None:
        events[name] += 1
        if handling.get():
            in_update_events[name] += 1

    for name in ("begin", "commit", "rollback", "savepoint", "release_savepoint"):
        event.listen(Engine, name, lambda *a, _n=name: _event(_n))

    process_update = Application.process_update

    async def counted(self, update):  # type: ignore[no-untyped-def]
        token = handling.set(True)
        updates[0] += 1
        try:
            return await process_update(self, update)
        finally:
            handling.reset(token)

    Application.process_update = counted  # type: ignore[method-assign]

    def dump() -> None:
        path.write_text(json.dumps({"statements": statements.most_common(), "transactions": dict(events),
                                    "in_updates": {"updates": updates[0], "statements": in_update.most_common(),
                                                   "transactions": dict(in_update_events)}},
                                   ensure_ascii=False, indent=1))

    def reset() -> None:
        for counter in (statements, events, in_update, in_update_events):
            counter.clear()
        updates[0] = 0

    atexit.register(dump)
    _on_reset(reset)


_RESETS: list = []


def _on_reset(action) -> None:  # type: ignore[no-untyped-def]
    if not _RESETS:
        signal.signal(signal.SIGUSR1, lambda *_: [reset() for reset in _RESETS])
    _RESETS.append(action)


# (module, attribute) of the coroutine functions an inbound text message goes through
STEPS = [
    ("telegram.ext", "Application.process_update"),
    ("bot.usecases.updates", "first_time"),
    ("bot.usecases.people", "identify"),
    ("bot.usecases.inputs", "take"),
    ("bot.usecases.task_actions", "target_of_reply"),
    ("bot.usecases.inbox", "keep_and_offer"),
    ("handlers.replies", "send"),
]


def time_steps(path: Path) -> None:
    import functools
    import importlib
    import time

    totals: dict[str, list[float]] = {}

    def timed(name, function):  # type: ignore[no-untyped-def]
        @functools.wraps(function)
        async def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                entry = totals.setdefault(name, [0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - started
        return wrapper

    for module_name, attribute in STEPS:
        try:
            owner = importlib.import_module(module_name)
            *path_to, name = attribute.split(".")
            for part in path_to:
                owner = getattr(owner, part)
            setattr(owner, name, timed(f"{module_name}.{attribute}", getattr(owner, name)))
        except (ImportError, AttributeError):
            continue  # a step this version of the bot does not have

    def dump() -> None:
        path.write_text(json.dumps({name: {"calls": n, "total_s": round(t, 4), "mean_ms": round(1000 * t / n, 3)}
                                    for name, (n, t) in totals.items()}, indent=1))

    atexit.register(dump)
    _on_reset(totals.clear)


def no_rate_limiter() -> None:
    import bot.app

    bot.app.AIORateLimiter = lambda **_kw: None  # type: ignore[assignment,misc]


def concurrent_updates(n: int) -> None:
    from telegram.ext import ApplicationBuilder

    build = ApplicationBuilder.build
    ApplicationBuilder.build = lambda self: build(self.concurrent_updates(n))  # type: ignore[method-assign]


def update_queue(n: int) -> None:
    import asyncio

    from telegram.ext import ApplicationBuilder

    build = ApplicationBuilder.build
    ApplicationBuilder.build = lambda self: build(self.update_queue(asyncio.Queue(maxsize=n)))  # type: ignore[method-assign]


def pace_from_slot() -> None:
    from jobs.sender import Sender

    async def _send_batch(self, batch, stats, deadline):  # type: ignore[no-untyped-def]
        waiting = list(batch)
        while waiting:
            stopping = getattr(self, "stopping", None)  # as jobs/sender.py: stop between sends on shutdown
            if stopping is not None and stopping.is_set():
                return False
            now = self.mono()
            index, ready = min(((i, self.pacer.ready_at(chat, now)) for i, (_, chat) in enumerate(waiting)),
                               key=lambda pair: pair[1])
            if deadline is not None and ready > deadline:
                return False
            if ready > now:
                await self.sleep(ready - now)
            row_id, chat = waiting.pop(index)
            await self._send_one(row_id, stats)
            self.pacer.record(chat, ready)  # the only change: the slot it was given, not when it finished
        return True

    Sender._send_batch = _send_batch  # type: ignore[method-assign]


def global_rate(rate: float) -> None:
    from bot.rules.delivery import Pacer

    defaults = Pacer.__init__.__defaults__ or ()  # the dataclass's defaults; global_rate is the first field
    Pacer.__init__.__defaults__ = (rate, *defaults[1:])  # type: ignore[misc]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--count-sql", type=Path)
    p.add_argument("--time-steps", type=Path)
    p.add_argument("--profile", type=Path)
    p.add_argument("--no-rate-limiter", action="store_true")
    p.add_argument("--concurrent-updates", type=int)
    p.add_argument("--update-queue", type=int)
    p.add_argument("--pace-from-slot", action="store_true")
    p.add_argument("--global-rate", type=float)
    args = p.parse_args()
    if args.count_sql:
        count_sql(args.count_sql)
    if args.time_steps:
        time_steps(args.time_steps)
    if args.no_rate_limiter:
        no_rate_limiter()
    if args.concurrent_updates:
        concurrent_updates(args.concurrent_updates)
    if args.update_queue:
        update_queue(args.update_queue)
    if args.pace_from_slot:
        pace_from_slot()
    if args.global_rate:
        global_rate(args.global_rate)
    if args.profile:
        profile(args.profile)
    from bot.cli import main as bot_main

    return bot_main(["run"])


def profile(path: Path) -> None:
    """cProfile the main thread from the first SIGUSR1 (start-up is not measured) to the exit."""
    profiler = cProfile.Profile()

    def dump() -> None:
        profiler.disable()
        profiler.dump_stats(str(path))

    _on_reset(profiler.enable)
    atexit.register(dump)


if __name__ == "__main__":
    sys.exit(main())
