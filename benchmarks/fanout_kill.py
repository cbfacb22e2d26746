"""Fan-out across a SIGKILL: a broadcast to N liaisons through real `python -m bot` processes, the
one sending killed part way, and what follows — the rate before and after, how long until the
messages flow again, how long until the row in flight at the kill goes out again (its lease), and
what arrived never / twice.

    .venv/bin/python -m benchmarks.fanout_kill --db sqlite
    .venv/bin/python -m benchmarks.fanout_kill --db postgres --runs 3 --hold delivered
    .venv/bin/python -m benchmarks.fanout_kill --db both --chats 2000 --kill-after 600

PostgreSQL: `--processes` bots (default 2) share the database; the one holding the sender is
killed and another takes it over (failover). SQLite: one bot; after the kill the same command
starts again (as systemd's Restart= would). The fake Bot API runs in this process and enforces
Telegram's flood limits (30/s overall, 1/s per chat), so a 429 would show; the broadcast is queued
as the admin's /broadcast queues it. `--hold delivered|refused` makes the fake hold the answer to
the send in progress and kills meanwhile, so a row is certainly in flight (then the message
arrives anyway, or not); without it the kill lands wherever the count reaches `--kill-after`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import install_cleanup, migrate, new_log_dir, scratch_database, table, write_results
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.outbox_kill import TOKEN, KillPlan, broadcast_kill, check

CEILING = 30.0


async def _one(url: str, log_dir: Path, *, chats: int, plan: KillPlan, processes: int) -> dict[str, Any]:
    async with FakeBotAPI(token=TOKEN, enforce_limits=True) as api:
        run = await broadcast_kill(api, url, log_dir, n=chats, plan=plan, processes=processes, timeout=900)
        too_many = api.too_many_requests
    problems = []
    try:
        check(run)
    except AssertionError as error:
        problems.append(str(error).splitlines()[0])
    return {**run.summary(), "too_many_requests": too_many, "sender_after_kill_is_another": (
        run.sender_after_kill not in (None, run.killed_pid)), "resent_rows": run.resent_rows,
        "in_flight": run.in_flight_at_kill, "problems": problems, "logs": str(log_dir)}


def run_once(kind: str, *, chats: int, plan: KillPlan, processes: int) -> dict[str, Any]:
    log_dir = new_log_dir(f"fanout-kill-{kind}")
    with scratch_database(kind, "fanoutkill") as url:
        migrate(url, log_dir)
        return asyncio.run(_one(url, log_dir, chats=chats, plan=plan, processes=1 if kind == "sqlite" else processes))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.fanout_kill", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--chats", type=int, default=2000)
    p.add_argument("--kill-after", type=int, default=500, help="deliveries before the kill")
    p.add_argument("--hold", choices=["delivered", "refused"], default=None)
    p.add_argument("--processes", type=int, default=2, help="bots on PostgreSQL (SQLite: always 1)")
    p.add_argument("--runs", type=int, default=1)
    args = p.parse_args(argv)
    install_cleanup()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results: list[dict[str, Any]] = []
    try:
        for kind in kinds:
            for i in range(args.runs):
                print(f"{kind} run {i + 1}/{args.runs}: {args.chats} chats, kill after {args.kill_after}"
                      f"{f', hold {args.hold}' if args.hold else ''} ...", file=sys.stderr, flush=True)
                results.append(run_once(kind, chats=args.chats, plan=KillPlan(args.kill_after, args.hold),
                                        processes=args.processes))
    finally:
        if results:
            path = write_results("fanout-kill", {"runs": results})
            _print(results)
            print(f"\nJSON: {path}")
    return 1 if any(r["problems"] for r in results) else 0


def _print(runs: list[dict[str, Any]]) -> None:
    headers = ["db", "bots", "kill after", "hold", "msg/s before", "msg/s after", "% of 30/s", "429s",
               "kill → next send s", "restart ready s", "in flight", "kill → re-sent s", "never", "twice",
               "resent", "report counts", "problems"]
    rows = []
    for r in runs:
        counted = "可能收到两次" in (r["report"] or "")
        rows.append([r["db"], r["processes"], r["kill_after"], r["hold"] or "—", r["rate_before"], r["rate_after"],
                     100 * r["rate_before"] / CEILING if r["rate_before"] else None, r["too_many_requests"],
                     r["gap_s"], r["restart_ready_s"], r["in_flight_at_kill"], r["resend_after_kill_s"], r["never"],
                     r["twice"], r["resent_sum"], "yes" if counted else "no", "; ".join(r["problems"]) or "none"])
    print(table(headers, rows))


if __name__ == "__main__":
    sys.exit(main())
