"""Inbound throughput: N progress messages from registered liaisons through the whole bot (access
gate, store, reply "已收到并存档…") against a bare PTB echo bot, each polling its own fake Bot API
(no flood limits), one after the other in the same run.

    .venv/bin/python -m benchmarks.inbound --db sqlite --db postgres
    .venv/bin/python -m benchmarks.inbound --db sqlite --diagnose     # + where the time goes

Rate = N / (server time of the Nth reply - server time of the first push). All N updates are pushed
in one request before the clock starts mattering, so pushing is not what is measured.

--diagnose adds two variants that isolate causes: the bare bot with PTB's AIORateLimiter (as
bot/app.py builds it), and our bot without it, counting its SQL statements (benchmarks._bot).

--cluster instead measures webhook workers behind nginx on PostgreSQL (tests/cluster/harness.py:
deploy/'s nginx template with TLS, the fake Bot API delivering by webhook with up to 40 connections
and no flood limits), for 1, 2 and 3 workers (--workers): our bot unthrottled (without PTB's
AIORateLimiter; --diagnose adds it as shipped) against the bare PTB echo bot in webhook mode behind
the same nginx, and reports the CPU time each part used per update:

    .venv/bin/python -m benchmarks.inbound --cluster [--workers 1,2,3] [--updates 2000] [--rtt-ms 0,50]

--rtt-ms: the fake answers each sendMessage that many milliseconds late, as Telegram does from
outside its data centres (each value is a separate run; 0 is the stand-in's own speed). A worker
handles one update at a time (bot/app.py), so with a real round trip one worker waits most of the
time and more workers add up; at 0 ms the workers, the fake and PostgreSQL share this machine's
cores and the cores are the limit."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any

from benchmarks.common import (FIRST_LIAISON, PY, FakeServer, Proc, install_cleanup, liaison_name, log_findings,
                               migrate, new_log_dir, print_statements, query, scratch_database, seed, table, wait_until,
                               write_results)

OUR_REPLY = "已收到并存档"


def _messages(n: int, senders: int) -> list[dict[str, Any]]:
    return [{"user_id": FIRST_LIAISON + i % senders, "first_name": liaison_name(i % senders),
             "text": f"进度：第{i + 1}项工作已完成{(7 * i) % 100}%，下周报送数据"} for i in range(n)]


def variants(diagnose: bool, log_dir: Path, db: str, profile: bool = False) -> list[tuple[str, list[str], bool, str]]:
    """(name, command, needs a seeded database, text every reply contains)."""
    out = [("bare", [PY, "-m", "benchmarks._echo_bot"], False, "进度"),
           ("ours", [PY, "-m", "bot"], True, OUR_REPLY)]
    if diagnose:
        out += [("bare+AIORateLimiter", [PY, "-m", "benchmarks._echo_bot", "--rate-limiter"], False, "进度"),
                ("ours-no-AIORateLimiter", [PY, "-m", "benchmarks._bot", "--no-rate-limiter",
                                            "--count-sql", str(log_dir / f"sql-{db}.json"),
                                            "--time-steps", str(log_dir / f"steps-{db}.json")], True, OUR_REPLY),
                ("ours-no-AIORateLimiter-8-at-once", [PY, "-m", "benchmarks._bot", "--no-rate-limiter",
                                                      "--concurrent-updates", "8"], True, OUR_REPLY)]
    if profile:
        out.append(("ours-no-AIORateLimiter-cProfile", [PY, "-m", "benchmarks._bot", "--no-rate-limiter", "--profile",
                                                        str(log_dir / f"profile-{db}.pstats")], True, OUR_REPLY))
    return out


def run_variant(name: str, command: list[str], db: str | None, n: int, senders: int, reply_mark: str,
                timeout: float, log_dir: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"variant": name, "db": db, "updates": n, "senders": senders}
    with scratch_database(db or "sqlite", "inbound") as url:
        env = {}
        if db is not None:
            migrate(url, log_dir)
            seed(url, senders)
            env = {"DATABASE_URL": url, "BOT_ADMIN_IDS": "42"}
        fake = FakeServer(log_dir, enforce_limits=False, name=f"fake-{name}-{db}")
        bot = Proc(f"{name}-{db}", command, env={**env, **fake.bot_env()}, log_dir=log_dir)
        try:
            fake.start()
            bot.start()
            fake.wait_polling(bot, 300)
            if {"--count-sql", "--time-steps", "--profile"} & set(command):  # measure from now: start-up is over
                os.kill(bot.popen.pid, signal.SIGUSR1)  # type: ignore[union-attr]
                time.sleep(0.5)
            fake.say_many(_messages(n, senders))

            def done() -> bool:
                if not bot.alive:
                    raise RuntimeError(f"{name} exited:\n{bot.log_tail()}")
                return fake.stats()["delivered_total"] >= n

            wait_until(done, timeout, 0.2, f"{n} replies from {name}")
            stats = fake.stats(reply_mark)
        finally:
            bot.stop()
            fake.proc.stop()
        if db is not None:
            result["stored"] = query(url, "SELECT count(*) FROM inbound_messages")[0][0]
    elapsed = stats["last_delivery"] - stats["first_push"]
    result.update(replies=stats["matched"], seconds=elapsed, per_second=n / elapsed, log=log_findings(bot.log_path))
    return result


def crash_once(db: str, n: int, senders: int, timeout: float, log_dir: Path, queue: int | None) -> dict[str, Any]:
    """Our bot, SIGKILLed when half the replies are out and started again with the same command:
    how many of the N messages were stored and answered in the end. `queue`: diagnostic, PTB's
    update queue bounded to that size (benchmarks._bot --update-queue)."""
    command = [PY, "-m", "bot"] if not queue else [PY, "-m", "benchmarks._bot", "--update-queue", str(queue)]
    result: dict[str, Any] = {"variant": "ours, SIGKILL at half", "db": db, "updates": n, "command": command[2:]}
    with scratch_database(db, "inbound") as url:
        migrate(url, log_dir)
        seed(url, senders)
        fake = FakeServer(log_dir, enforce_limits=False, name=f"fake-crash-{db}")
        env = {"DATABASE_URL": url, "BOT_ADMIN_IDS": "42", **fake.bot_env()}
        bot = Proc(f"ours-crash-{db}", command, env=env, log_dir=log_dir)
        try:
            fake.start()
            bot.start()
            fake.wait_polling(bot, 300)
            fake.say_many(_messages(n, senders))
            wait_until(lambda: fake.stats()["delivered_total"] >= n // 2, timeout, 0.05, "half the replies")
            bot.kill()
            result["at_kill"] = {"replies": fake.stats()["delivered_total"],
                                 "stored": query(url, "SELECT count(*) FROM inbound_messages")[0][0],
                                 "unconfirmed_on_server": fake.stats()["pending_updates"]}
            bot = Proc(f"ours-crash-{db}", command, env=env, log_dir=log_dir).start()
            fake.wait_polling(bot, 300)
            last, since = -1, time.monotonic()
            while time.monotonic() - since < 10 and fake.stats()["delivered_total"] < n:  # until replies stop
                total = fake.stats()["delivered_total"]
                last, since = (total, time.monotonic()) if total != last else (last, since)
                time.sleep(0.5)
            stats = fake.stats(OUR_REPLY)
        finally:
            bot.stop()
            fake.proc.stop()
        stored = query(url, "SELECT count(*) FROM inbound_messages")[0][0]
        processed = query(url, "SELECT count(*) FROM processed_updates")[0][0]
    result.update(replies=stats["matched"], stored=stored, processed_update_ids=processed, lost=n - stored)
    return result


def _sql_per_update(log_dir: Path, db: str, n: int) -> dict[str, Any] | None:
    """Statements and transactions per update (benchmarks._bot --count-sql, counted from the first
    push on; statements run fewer than n/2 times are housekeeping, e.g. the tick), and where the
    wall time of one update goes (--time-steps)."""
    path = log_dir / f"sql-{db}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    per_update = [(count / n, sql) for sql, count in data["statements"] if count >= n / 2]
    steps_path = log_dir / f"steps-{db}.json"
    steps = json.loads(steps_path.read_text()) if steps_path.exists() else {}
    return {"statements_per_update": round(sum(c for c, _ in per_update), 2),
            "transactions_per_update": round(data["transactions"].get("commit", 0) / n, 2),
            "statements": [(round(c, 2), sql[:160]) for c, sql in per_update],
            "steps_ms": {name: v["mean_ms"] for name, v in steps.items()}}


def _cpu_by_package(path: Path) -> dict[str, Any]:
    """Where the main thread's time goes (cProfile tottime, % of the total): by top-level package
    of the function, and the top functions. Waiting in epoll is the event loop idling."""
    import pstats

    totals: dict[str, float] = {}
    functions: list[tuple[float, str]] = []
    for (filename, line, function), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(str(path)).stats.items():  # type: ignore[attr-defined]
        package = _package(filename, function)
        totals[package] = totals.get(package, 0.0) + tottime
        functions.append((tottime, f"{package}: {function} ({Path(filename).name}:{line})"))
    whole = sum(totals.values()) or 1.0
    return {"by_package": {k: round(100 * v / whole, 1) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])[:12]},
            "top_functions": [(round(100 * t / whole, 1), name) for t, name in sorted(functions, reverse=True)[:12]],
            "profiled_seconds": round(whole, 2)}


def _package(filename: str, function: str) -> str:
    if filename == "~":
        return f"builtin {function}" if "select" in function or "poll" in function else "builtins"
    parts = Path(filename).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    if "lib" in parts and "python3" in "".join(parts):
        return "stdlib " + Path(filename).stem
    return "ours " + (parts[-2] if len(parts) > 1 else filename)


CLUSTER_PARTS = ("workers", "fake", "nginx", "postgres")


def cluster_variants(diagnose: bool) -> list[tuple[str, list[str], bool, str]]:
    """(name, worker command, needs a seeded database, text every reply contains). "unthrottled" is
    the bot without PTB's AIORateLimiter, which holds each process to Telegram's 30 replies/s."""
    out = [("bare (PTB echo, webhook)", [PY, "-m", "benchmarks._echo_bot"], False, "进度"),
           ("ours, unthrottled", [PY, "-m", "benchmarks._bot", "--no-rate-limiter"], True, OUR_REPLY)]
    if diagnose:
        out.append(("ours, as shipped (AIORateLimiter)", [PY, "-m", "bot"], True, OUR_REPLY))
    return out


def run_cluster_variant(name: str, command: list[str], seeded: bool, reply_mark: str, workers: int, n: int,
                        senders: int, timeout: float, log_dir: Path, rtt_ms: int = 0) -> dict[str, Any]:
    """N messages pushed at once to `workers` webhook workers behind nginx, the fake answering each
    sendMessage `rtt_ms` late; the rate as in run_variant, and the CPU seconds each part used meanwhile."""
    from tests.cluster.harness import Cluster

    result: dict[str, Any] = {"variant": name, "workers": workers, "db": "postgres", "updates": n, "senders": senders,
                              "rtt_ms": rtt_ms}
    workdir = log_dir / f"{re.sub(r'[^A-Za-z0-9]+', '-', name).strip('-')}-{workers}w-{rtt_ms}ms"
    with scratch_database("postgres", "inbound") as url:
        if seeded:
            migrate(url, log_dir)
            seed(url, senders)
        cluster = Cluster(url, workdir, workers=workers, worker_command=command, env={"BOT_ADMIN_IDS": "42"},
                          health_path="/healthz" if seeded else None)
        with cluster:
            time.sleep(2)  # start-up work (the first tick, menus) out of the way
            if rtt_ms:
                cluster.delay("sendMessage", rtt_ms / 1000)
            before, started = cluster.cpu(), time.monotonic()
            cluster.say_many(_messages(n, senders))

            def done() -> bool:
                if len(cluster.alive()) < workers:
                    raise RuntimeError(f"a worker of {name} exited; logs in {workdir}")
                return cluster.stats(contains=reply_mark)["matched"] >= n

            wait_until(done, timeout, 0.25, f"{n} replies from {workers} × {name}")
            wall = time.monotonic() - started
            after, stats = cluster.cpu(), cluster.stats(contains=reply_mark)
            webhook = cluster.stats()["webhook"]
        if seeded:
            result["stored"] = query(url, "SELECT count(*) FROM inbound_messages")[0][0]
    elapsed = stats["last_delivery"] - stats["first_push"]
    # per process: a PostgreSQL connection opened meanwhile counts from zero, one closed is not seen
    cpu = {part: sum(used - before[part].get(pid, 0.0) for pid, used in after[part].items()) for part in CLUSTER_PARTS}
    result.update(replies=stats["matched"], seconds=elapsed, per_second=n / elapsed,
                  cpu_ms_per_update={part: 1000 * cpu[part] / n for part in CLUSTER_PARTS},
                  cores_busy=sum(cpu.values()) / wall,
                  webhook={k: webhook[k] for k in ("delivered", "retried", "failed")},
                  log=str(workdir))
    return result


def run_cluster(args: argparse.Namespace, log_dir: Path) -> list[dict[str, Any]]:
    from tests.cluster.harness import missing_tools

    reason = missing_tools()
    if reason:
        raise SystemExit(f"inbound --cluster: {reason}")
    counts = sorted(set(args.workers))
    results = []
    for rtt in args.rtt_ms:
        for name, command, seeded, mark in cluster_variants(args.diagnose):
            for workers in counts:
                print(f"postgres, round trip {rtt} ms: {workers} × {name} ...", file=sys.stderr, flush=True)
                results.append(run_cluster_variant(name, command, seeded, mark, workers, args.updates, args.senders,
                                                   args.timeout, log_dir, rtt))
                time.sleep(1)
    return results


def _report_cluster(results: list[dict[str, Any]], args: argparse.Namespace, log_dir: Path) -> None:
    rows = []
    for r in results:
        one = next((x["per_second"] for x in results
                    if x["variant"] == r["variant"] and x["rtt_ms"] == r["rtt_ms"] and x["workers"] == 1), None)
        cpu = r["cpu_ms_per_update"]
        rows.append([r["variant"], r["rtt_ms"], r["workers"], r["updates"], r["replies"], r.get("stored"), r["seconds"],
                     r["per_second"], r["per_second"] / one if one else None,
                     *(cpu[part] for part in CLUSTER_PARTS), sum(cpu.values()), r["cores_busy"],
                     f"{r['webhook']['retried']}/{r['webhook']['failed']}"])
    print(table(["variant", "round trip ms", "workers", "updates", "replies", "stored", "seconds", "updates/s", "× 1 worker",
                 "CPU ms/update: workers", "fake", "nginx", "postgres", "all", "cores busy", "retried/failed"], rows))
    print(f"\nThis machine has {os.cpu_count()} cores; load average before the run: {args.load_before}. The fake Bot "
          "API, nginx and PostgreSQL run here too (CPU columns: per update, every process of each part).")
    path = write_results("inbound-cluster", {"updates": args.updates, "senders": args.senders, "cores": os.cpu_count(),
                                             "load_before": args.load_before, "logs": str(log_dir), "results": results})
    print(f"\nJSON: {path}")


def _counts(least: int) -> Callable[[str], list[int]]:
    """An argparse type: comma-separated whole numbers, each at least `least`."""
    def parse(text: str) -> list[int]:
        try:
            values = [int(part) for part in text.split(",")]
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: whole numbers separated by commas, e.g. 1,2,3") from None
        if any(v < least for v in values):
            raise argparse.ArgumentTypeError(f"{text!r}: each must be at least {least}")
        return values
    return parse


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.inbound", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", action="append", choices=["sqlite", "postgres"], help="repeatable (default sqlite)")
    p.add_argument("--updates", type=int, default=2000)
    p.add_argument("--senders", type=int, default=2000, help="distinct registered liaisons sending them")
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--diagnose", action="store_true", help="add the variants that isolate causes, count SQL")
    p.add_argument("--profile", action="store_true",
                   help="add our bot (without AIORateLimiter) under cProfile; prints where its CPU time goes")
    p.add_argument("--crash", action="store_true",
                   help="instead: SIGKILL our bot at half way, restart it, count what was stored and answered")
    p.add_argument("--cluster", action="store_true",
                   help="instead: webhook workers behind nginx on PostgreSQL (--workers), against the bare PTB bot")
    p.add_argument("--workers", type=_counts(1), default="1,2,3",
                   help="with --cluster: worker counts to measure (default 1,2,3)")
    p.add_argument("--rtt-ms", type=_counts(0), default="0,50",
                   help="with --cluster: the Bot API's round trip for sendMessage, one run per value (default 0,50)")
    p.add_argument("--bounded-queue", type=int, metavar="N",
                   help="with --crash, diagnostic: PTB's update queue bounded to N (benchmarks._bot --update-queue)")
    args = p.parse_args(argv)
    install_cleanup()
    log_dir = new_log_dir("inbound")
    results: list[dict[str, Any]] = []
    if args.cluster:
        args.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        try:
            results = run_cluster(args, log_dir)
        finally:
            if results:
                _report_cluster(results, args, log_dir)
        return 0
    try:
        for db in args.db or ["sqlite"]:
            if args.crash:
                print(f"{db}: ours, SIGKILL at half ...", file=sys.stderr, flush=True)
                results.append(crash_once(db, args.updates, args.senders, args.timeout, log_dir, args.bounded_queue))
                continue
            for name, command, needs_db, mark in variants(args.diagnose, log_dir, db, args.profile):
                print(f"{db}: {name} ...", file=sys.stderr, flush=True)
                results.append(run_variant(name, command, db if needs_db else None, args.updates, args.senders,
                                           mark, args.timeout, log_dir) | {"block": db})
                time.sleep(1)
            sql = _sql_per_update(log_dir, db, args.updates)
            if sql:
                next(r for r in results if r["variant"] == "ours-no-AIORateLimiter" and r["db"] == db)["sql"] = sql
            if args.profile:
                results[-1]["cpu_by_package"] = _cpu_by_package(log_dir / f"profile-{db}.pstats")
    finally:
        if results:
            _report(results, args, log_dir)
    return 0


def _report(results: list[dict[str, Any]], args: argparse.Namespace, log_dir: Path) -> None:
    if args.crash:
        if args.bounded_queue:
            print(f"DIAGNOSTIC run (benchmarks._bot --update-queue {args.bounded_queue}), not the bot as shipped")
        print(table(["db", "updates", "replies at kill", "stored at kill", "not yet fetched at kill", "replies",
                     "stored", "lost"],
                    [[r["db"], r["updates"], r["at_kill"]["replies"], r["at_kill"]["stored"],
                      r["at_kill"]["unconfirmed_on_server"], r["replies"], r["stored"], r["lost"]] for r in results]))
        name = f"inbound-crash{'-queue' + str(args.bounded_queue) if args.bounded_queue else ''}"
        print(f"\nJSON: {write_results(name, {'logs': str(log_dir), 'results': results})}")
        return
    rows = []
    for r in results:
        same = {x["variant"]: x["per_second"] for x in results if x["block"] == r["block"]}
        ours = r["variant"].startswith("ours")
        rows.append([r["variant"], r["db"] or f"({r['block']} run)", r["updates"], r["replies"], r.get("stored"),
                     r["seconds"], r["per_second"], r["per_second"] / same["bare"] if ours and "bare" in same else None,
                     r["per_second"] / same["bare+AIORateLimiter"] if ours and "bare+AIORateLimiter" in same else None])
    print(table(["variant", "db", "updates", "replies", "stored", "seconds", "updates/s", "ours/bare",
                 "ours/bare+limiter"], rows))
    for r in results:
        if r.get("sql"):
            s = r["sql"]
            print_statements(f"{r['variant']} ({r['db']}): {s['statements_per_update']} SQL statements and "
                             f"{s['transactions_per_update']} transactions per update:", s["statements"])
            if s.get("steps_ms"):
                print("  wall time per call (ms): " + ", ".join(f"{k.rsplit('.', 1)[-1]} {v:.2f}"
                                                            for k, v in s["steps_ms"].items()))
    for r in results:
        if r.get("cpu_by_package"):
            cpu = r["cpu_by_package"]
            print(f"\n{r['variant']} ({r['db']}): main thread's time by package, % of {cpu['profiled_seconds']} s "
                  "(cProfile tottime): " + ", ".join(f"{k} {v}" for k, v in cpu["by_package"].items()))
            for share, name in cpu["top_functions"]:
                print(f"  {share:>5}  {name}")
    path = write_results("inbound", {"updates": args.updates, "senders": args.senders, "logs": str(log_dir),
                                     "results": results})
    print(f"\nJSON: {path}")


if __name__ == "__main__":
    sys.exit(main())
