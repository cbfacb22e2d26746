"""Inbound in a closed loop: L registered liaisons (default 50), each with an open task, each sending
`/progress <their task> 第k次进展` through the fake Bot API and waiting for the bot's confirmation
(plus an optional think time) before sending the next, M messages in all (default 500).

    .venv/bin/python -m benchmarks.closed_loop --db sqlite --db postgres --think 0 --think 2 --think 5
    .venv/bin/python -m benchmarks.closed_loop --db postgres --think 2 --liaisons 50 --no-diagnostic

For each database and each --think (repeatable, default 0), the bot as shipped (`python -m bot`,
PTB's AIORateLimiter on); then, unless --no-diagnostic, DIAGNOSTIC: the same bot without the rate
limiter and counting its SQL (`benchmarks._bot --no-rate-limiter --count-sql`), think 0. Each variant
has its own scratch database, fake and bot.

Latency is from the push (the driver's clock just before `POST /_fake/say`) to the fake's arrival
time of the confirmation's sendMessage (`/_fake/stats?deliveries=1`); both are CLOCK_MONOTONIC of
this machine. Updates/s = M / (last confirmation − first push). With the rate limiter (~30
messages/s overall) and no think time, latency is bounded below by L / 30 s (50 liaisons: 1.7 s)."""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.common import (ADMIN_ID, FIRST_LIAISON, PY, FakeServer, Proc, install_cleanup, liaison_name,
                               log_findings, migrate, new_log_dir, query, scratch_database, seed, table, wait_until,
                               print_statements, write_results)

LIMITER_RATE = 30.0  # PTB's AIORateLimiter default overall_max_rate (messages per second)


def sends_per_chat(fake: FakeServer) -> dict[int, int]:
    """Successful sends (sendMessage, sendPhoto …) per chat so far, as the fake counts them."""
    return {int(chat): n for chat, n in fake._request("/_fake/stats?detail=1").get("per_chat", {}).items()}


def department_name(i: int) -> str:
    return f"基准部门{i:05d}"  # as benchmarks.common.seed names them


def create_tasks(fake: FakeServer, url: str, liaisons: int, timeout: float) -> dict[int, int]:
    """One task per liaison's department, by the admin's `/assign` through the fake (so every
    liaison also has the task's notice, as in real life). Returns chat id → task number."""
    due = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=30)).date().isoformat()
    fake.say_many([{"user_id": ADMIN_ID, "first_name": "张三",
                    "text": f"/assign {department_name(i)} | {due} | 闭环基准交办{i}"} for i in range(liaisons)])
    wait_until(lambda: query(url, "SELECT count(*) FROM task_targets")[0][0] >= liaisons, timeout, 0.5,
               f"{liaisons} tasks from /assign")
    chats = {FIRST_LIAISON + i for i in range(liaisons)}

    def notified() -> bool:
        per_chat = sends_per_chat(fake)
        return all(per_chat.get(c, 0) >= 1 for c in chats)

    wait_until(notified, timeout, 0.5, "every liaison's notice")
    wait_until(lambda: query(url, "SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0] == 0, timeout, 0.5,
               "the outbox to drain")
    rows = query(url, "SELECT p.chat_id, tt.task_id FROM task_targets tt "
                      "JOIN liaison_appointments a ON a.department_id = tt.department_id AND a.ended_at IS NULL "
                      "JOIN people p ON p.id = a.person_id")
    return {int(chat): int(task) for chat, task in rows}


class Liaison:
    def __init__(self, index: int, task: int) -> None:
        self.index, self.chat, self.task = index, FIRST_LIAISON + index, task
        self.pushed: list[float] = []
        self.detected: list[float] = []
        self.ready_at = 0.0

    @property
    def waiting(self) -> bool:
        return len(self.pushed) > len(self.detected)


def drive(fake: FakeServer, bot: Proc, tasks: dict[int, int], baseline: dict[int, int], liaisons: int, messages: int,
          think: float, poll: float, timeout: float, rng: random.Random) -> list[Liaison]:
    """The closed loop. Each liaison sends its next message once the previous one is confirmed and
    its think time has passed (drawn uniformly from 0.5–1.5 × think; first messages spread over
    0–think, so the liaisons do not move in lockstep). The driver sees a confirmation when the
    fake's count of sends to that chat goes up (polled every `poll` seconds)."""
    people = [Liaison(i, tasks[FIRST_LIAISON + i]) for i in range(liaisons)]
    start = time.monotonic()
    for person in people:
        person.ready_at = start + (rng.uniform(0, think) if think else 0.0)
    sent = confirmed = 0
    deadline = start + timeout
    next_poll = 0.0
    while confirmed < messages:
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError(f"{confirmed}/{messages} confirmations after {timeout:.0f}s")
        for person in people:
            if sent >= messages:
                break
            if not person.waiting and person.ready_at <= now:
                k = len(person.pushed) + 1
                person.pushed.append(time.monotonic())
                fake.say(person.chat, f"/progress {person.task} 第{k}次进展", first_name=liaison_name(person.index))
                sent += 1
        if now >= next_poll:
            if not bot.alive:
                raise RuntimeError(f"{bot.name} exited:\n{bot.log_tail()}")
            per_chat = sends_per_chat(fake)
            seen = time.monotonic()
            for person in people:
                got = per_chat.get(person.chat, 0) - baseline.get(person.chat, 0)
                while person.waiting and got > len(person.detected):
                    person.detected.append(seen)
                    confirmed += 1
                    person.ready_at = seen + (rng.uniform(0.5 * think, 1.5 * think) if think else 0.0)
            next_poll = seen + poll
        time.sleep(min(poll, 0.005))
    return people


def latencies(fake: FakeServer, people: list[Liaison], baseline: dict[int, int]) -> dict[str, Any]:
    """Push → the confirmation's arrival at the fake, per message; exact when the fake lists its
    deliveries (`deliveries=1`), else the driver's detection time (± the poll interval)."""
    stats = fake._request("/_fake/stats?detail=1&deliveries=1")
    deliveries = stats.get("deliveries")
    out: list[float] = []
    unexpected: list[str] = []
    last = 0.0
    if deliveries is None:
        source = "driver's detection (the fake lists no deliveries)"
        for person in people:
            out += [d - p for p, d in zip(person.pushed, person.detected)]
            last = max([last, *person.detected])
    else:
        source = "fake's arrival time of the confirmation"
        by_chat: dict[int, list[dict[str, Any]]] = {}
        for d in deliveries:
            by_chat.setdefault(int(d["chat_id"]), []).append(d)
        for person in people:
            mine = by_chat.get(person.chat, [])[baseline.get(person.chat, 0):]
            for pushed, reply in zip(person.pushed, mine):
                out.append(reply["at"] - pushed)
                last = max(last, reply["at"])
                if f"#{person.task}" not in (reply.get("text") or ""):
                    unexpected.append(reply.get("text") or "")
    out.sort()
    first = min(p.pushed[0] for p in people if p.pushed)
    return {"source": source, "count": len(out), "p50_ms": 1000 * statistics.median(out),
            "p95_ms": 1000 * out[int(0.95 * (len(out) - 1))], "max_ms": 1000 * out[-1],
            "mean_ms": 1000 * statistics.fmean(out), "span_s": last - first, "per_second": len(out) / (last - first),
            "replies_without_task_number": len(unexpected), "unexpected_samples": unexpected[:3],
            "too_many_requests": stats.get("too_many_requests", 0)}


def run_variant(name: str, command: list[str], db: str, args: argparse.Namespace, think: float,
                log_dir: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"variant": name, "db": db, "think_s": think, "liaisons": args.liaisons,
                              "messages": args.messages, "command": command[2:]}
    sql_path = next((Path(a) for a, b in zip(command[1:], command) if b == "--count-sql"), None)
    with scratch_database(db, "loop") as url:
        migrate(url, log_dir)
        seed(url, args.liaisons)
        fake = FakeServer(log_dir, enforce_limits=args.enforce_limits, name=f"fake-{name}-{db}-think{think:g}")
        env = {"DATABASE_URL": url, "BOT_ADMIN_IDS": str(ADMIN_ID), **fake.bot_env()}
        bot = Proc(f"{name}-{db}-think{think:g}", command, env=env, log_dir=log_dir)
        try:
            fake.start()
            bot.start()
            fake.wait_polling(bot, 300)
            tasks = create_tasks(fake, url, args.liaisons, args.timeout)
            time.sleep(1)
            if sql_path is not None:  # count from now on: start-up and the /assigns are over
                os.kill(bot.popen.pid, signal.SIGUSR1)  # type: ignore[union-attr]
                time.sleep(0.5)
            baseline = sends_per_chat(fake)
            people = drive(fake, bot, tasks, baseline, args.liaisons, args.messages, think, args.poll, args.timeout,
                           random.Random(args.seed))
            result.update(latencies(fake, people, baseline))
            time.sleep(1)
        finally:
            bot.stop()
            fake.proc.stop()
        result["stored_progress"] = query(url, "SELECT count(*) FROM task_progress")[0][0]
    result["log"] = log_findings(bot.log_path)
    if sql_path is not None and sql_path.exists():
        result["sql"] = sql_per_update(json.loads(sql_path.read_text()), args.messages)
    return result


def sql_per_update(data: dict[str, Any], n: int) -> dict[str, Any]:
    """From benchmarks._bot --count-sql: the statements run while PTB handled an update (per update),
    and the rest (the outbox sender, the tick) over the same time."""
    inside = data.get("in_updates")
    everything = sum(c for _, c in data["statements"])
    if not inside:  # an older _bot: statements run at least n/2 times are taken as per update
        per = [(c / n, s) for s, c in data["statements"] if c >= n / 2]
        return {"statements_per_update": round(sum(c for c, _ in per), 2), "method": "count >= n/2",
                "statements": [(round(c, 2), s[:160]) for c, s in per], "all_statements": everything}
    updates = inside["updates"] or 1
    handled = sum(c for _, c in inside["statements"])
    return {"updates": inside["updates"], "statements_per_update": round(handled / updates, 2),
            "commits_per_update": round(inside["transactions"].get("commit", 0) / updates, 2),
            "statements": [(round(c / updates, 2), s[:160]) for s, c in inside["statements"]],
            "background_statements": everything - handled, "method": "inside process_update"}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.closed_loop", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", action="append", choices=["sqlite", "postgres"], help="repeatable (default sqlite)")
    p.add_argument("--liaisons", type=int, default=50)
    p.add_argument("--messages", type=int, default=500, help="in all, spread over the liaisons")
    p.add_argument("--think", type=float, action="append", metavar="SECONDS",
                   help="mean pause between a confirmation and the liaison's next message; repeatable "
                        "(default 0)")
    p.add_argument("--no-diagnostic", action="store_true",
                   help="skip the DIAGNOSTIC variant (no rate limiter, counting SQL)")
    p.add_argument("--enforce-limits", action="store_true",
                   help="the fake answers 429 beyond Telegram's limits (30/s overall, 1/s per chat)")
    p.add_argument("--poll", type=float, default=0.01, help="how often the driver asks the fake (s)")
    p.add_argument("--seed", type=int, default=1, help="of the think times' random draws")
    p.add_argument("--timeout", type=float, default=900)
    args = p.parse_args(argv)
    install_cleanup()
    log_dir = new_log_dir("closed-loop")
    thinks = args.think if args.think is not None else [0.0]
    results: list[dict[str, Any]] = []
    try:
        for db in args.db or ["sqlite"]:
            plan = [("ours", [PY, "-m", "bot"], t) for t in thinks]
            if not args.no_diagnostic:
                plan.append(("DIAGNOSTIC-no-limiter+count-sql",
                             [PY, "-m", "benchmarks._bot", "--no-rate-limiter", "--count-sql",
                              str(log_dir / f"sql-{db}.json")], 0.0))
            for name, command, think in plan:
                print(f"{db}: {name}, think {think:g} s ...", file=sys.stderr, flush=True)
                results.append(run_variant(name, command, db, args, think, log_dir))
                time.sleep(1)
    finally:
        if results:
            _report(results, args, log_dir)
    return 0


def _report(results: list[dict[str, Any]], args: argparse.Namespace, log_dir: Path) -> None:
    rows = []
    for r in results:
        sql = r.get("sql") or {}
        rows.append([r["variant"], r["db"], r["think_s"], r["messages"], r.get("stored_progress"), r.get("per_second"),
                     r.get("p50_ms"), r.get("p95_ms"), r.get("max_ms"), sql.get("statements_per_update"),
                     sql.get("commits_per_update"), r.get("replies_without_task_number"), r.get("too_many_requests"),
                     r.get("log", {}).get("tracebacks")])
    print(table(["variant", "db", "think s", "messages", "stored", "updates/s", "p50 ms", "p95 ms", "max ms",
                 "SQL/update", "commits/update", "odd replies", "429s", "tracebacks"], rows))
    for r in results:
        if r.get("stored_progress") != r["messages"] or r.get("replies_without_task_number"):
            print(f"WARNING {r['variant']} ({r['db']}, think {r['think_s']:g}): {r.get('stored_progress')} of "
                  f"{r['messages']} progress reports stored, {r.get('replies_without_task_number')} replies without "
                  f"the task number, e.g. {r.get('unexpected_samples', [])[:1]}; see the bot's log in {log_dir}")
    print(f"\n{args.liaisons} liaisons; with the rate limiter (~{LIMITER_RATE:.0f} msg/s) and no think time, "
          f"latency ≥ {args.liaisons / LIMITER_RATE:.2f} s and updates/s ≤ ~{LIMITER_RATE:.0f} (a short run also "
          f"gets the limiter's first burst of {LIMITER_RATE:.0f}).")
    for r in results:
        if r.get("sql"):
            s = r["sql"]
            print_statements(f"{r['variant']} ({r['db']}): {s['statements_per_update']} SQL statements per update "
                             f"({s['method']}), {s.get('background_statements', '?')} others meanwhile (sender, tick):",
                             s["statements"])
    path = write_results("closed-loop", {"liaisons": args.liaisons, "messages": args.messages,
                                         "enforce_limits": args.enforce_limits, "logs": str(log_dir),
                                         "results": results})
    print(f"\nJSON: {path}")


if __name__ == "__main__":
    sys.exit(main())
