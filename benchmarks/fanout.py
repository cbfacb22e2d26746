"""Broadcast fan-out: `/broadcast` to N registered liaisons through the real bot, against the fake
Bot API enforcing Telegram's flood limits (30/s overall, 1/s per chat, 20/min per group).

    .venv/bin/python -m benchmarks.fanout --db sqlite
    .venv/bin/python -m benchmarks.fanout --db postgres --crash --runs 5

Reports the achieved rate (server-side, first to last delivery) against the 30/s ceiling, the 429s,
how many chats got the broadcast exactly once / never / more than once, and whether the admin got
the final count. `--crash` SIGKILLs the bot when about half the chats have it and restarts it with
the same command; `--term` sends SIGTERM instead and reports how long the bot took to exit."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (ADMIN_ID, FIRST_LIAISON, PY, FakeServer, Proc, install_cleanup, log_findings, migrate,
                               new_log_dir, query, scratch_database, seed, table, wait_until, write_results)

TEXT = "基准测试"
REPORT_MARK = "群发完成"
CEILING = 30.0


def _liaison_progress(fake: FakeServer) -> int:
    """Cheap: successful sends so far (the admin's few replies included)."""
    return int(fake.stats()["delivered_total"])


def _wait_done(fake: FakeServer, url: str, n: int, timeout: float, bot: Proc) -> bool:
    """Until every chat has it, or nothing is pending and deliveries have stopped (a row left
    in flight by a crash stays "sending"). True when every chat has it."""
    deadline = time.monotonic() + timeout
    last, still_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        if not bot.alive:
            raise RuntimeError(f"the bot exited:\n{bot.log_tail()}")
        total = _liaison_progress(fake)
        if total != last:
            last, still_since = total, time.monotonic()
        if total >= n:
            if len(fake.stats(TEXT)["per_chat"]) >= n:
                return True
        if time.monotonic() - still_since > 5:
            pending = query(url, "SELECT count(*) FROM outbox WHERE status = 'pending' AND batch LIKE 'broadcast:%'")[0][0]
            if pending == 0:
                return False
        time.sleep(0.25)
    raise TimeoutError(f"the broadcast did not finish within {timeout:.0f}s ({last} sends so far)")


def _report_text(fake: FakeServer) -> str | None:
    sent = fake._request("/_fake/sent")
    texts = [m["text"] for m in sent if m["chat_id"] == ADMIN_ID and REPORT_MARK in (m["text"] or "")]
    return texts[-1] if texts else None


def bot_command(log_dir: Path, diagnose: list[str]) -> list[str]:
    """`python -m bot`, or the same bot through benchmarks._bot with a diagnostic switch."""
    if not diagnose:
        return [PY, "-m", "bot"]
    extra = []
    for item in diagnose:  # "pace-from-slot", "global-rate=29", "count-sql"
        name, _, value = item.partition("=")
        extra += [f"--{name}"] + ([value] if value else [str(log_dir / "sql.json")] if name == "count-sql" else [])
    return [PY, "-m", "benchmarks._bot", *extra]


def run_once(db: str, n: int, *, crash: str | None, timeout: float, report_wait: float,
             diagnose: list[str], term_grace: float = 120, hold: float = 0) -> dict[str, Any]:
    """One broadcast; `crash` "kill" (SIGKILL) or "term" (SIGTERM) stops the bot half way, then
    the same command starts it again."""
    log_dir = new_log_dir(f"fanout-{db}{f'-{crash}' if crash else ''}")
    result: dict[str, Any] = {"db": db, "liaisons": n, "crash": crash, "hold": hold, "diagnose": diagnose,
                              "logs": str(log_dir)}
    with scratch_database(db, "fanout") as url:
        migrate(url, log_dir)
        seed(url, n)
        fake = FakeServer(log_dir, enforce_limits=True)
        env = {**fake.bot_env(), "DATABASE_URL": url, "BOT_ADMIN_IDS": str(ADMIN_ID)}
        command = bot_command(log_dir, diagnose)
        bot = Proc("bot", command, env=env, log_dir=log_dir)
        try:
            fake.start()
            started = time.monotonic()
            bot.start()
            fake.wait_polling(bot, 300)
            result["bot_start_s"] = time.monotonic() - started
            fake.say(ADMIN_ID, f"/broadcast {TEXT}")
            if crash:
                wait_until(lambda: _liaison_progress(fake) >= n // 2, timeout, 0.05, "half the chats")
                if hold:  # hold the next send's answer, so the kill certainly finds a row in flight
                    fake._request("/_fake/delay", {"method": "sendMessage", "seconds": hold, "times": 1})
                    wait_until(lambda: fake.stats()["sends_in_flight"], 10, 0.02, "a held send")
                killed_at = fake.stats()["now"]
                if crash == "kill":
                    bot.kill()
                else:  # SIGTERM, as `docker stop` or systemd would: how long until it is gone?
                    before = _liaison_progress(fake)
                    bot.stop(grace=term_grace)
                    result["term"] = {"exit_s": fake.stats()["now"] - killed_at, "exit_code": bot.popen.returncode,
                                      "sent_after_sigterm": _liaison_progress(fake) - before}
                in_flight = query(url, "SELECT id, chat_id FROM outbox WHERE status = 'sending'")
                had_it = fake.stats(TEXT)["per_chat"]
                result["kill"] = {"chats_with_it": len(had_it),
                                  "rows_left_sending": [{"id": i, "chat_id": c, "delivered": had_it.get(str(c), 0)}
                                                        for i, c in in_flight]}
                bot = Proc("bot", command, env=env, log_dir=log_dir).start()  # the same command
                fake.wait_polling(bot, 300)
            complete = _wait_done(fake, url, n, timeout, bot)
            report = None
            if report_wait > 0:
                try:
                    wait_until(lambda: _report_text(fake), report_wait, 0.5, "the admin's count")
                except TimeoutError:
                    pass
                report = _report_text(fake)
            stats = fake.stats(TEXT, times=True)
        finally:
            bot.stop()
            fake.proc.stop()
        counts = [stats["per_chat"].get(str(FIRST_LIAISON + i), 0) for i in range(n)]
        times = stats["times"]
        span = (stats["last_delivery"] - stats["first_delivery"]) if len(times) > 1 else None
        rate = (len(times) - 1) / span if span else None
        gaps = sorted(b - a for a, b in zip(times, times[1:]))
        statuses = dict(query(url, "SELECT status, count(*) FROM outbox WHERE batch LIKE 'broadcast:%' GROUP BY status"))
        retried = query(url, "SELECT count(*) FROM outbox WHERE attempts > 1")[0][0]
    result.update(
        complete=complete,
        exactly_once=sum(c == 1 for c in counts), never=sum(c == 0 for c in counts), twice_or_more=sum(c >= 2 for c in counts),
        never_chats=[FIRST_LIAISON + i for i, c in enumerate(counts) if c == 0][:20],
        dup_chats=[FIRST_LIAISON + i for i, c in enumerate(counts) if c >= 2][:20],
        span_s=span, rate_per_s=rate, pct_of_ceiling=100 * rate / CEILING if rate else None,
        median_gap_ms=1000 * gaps[len(gaps) // 2] if gaps else None,
        too_many_requests=stats["too_many_requests"], refused_sends=stats["refused"],
        first_delivery_after_command_s=(stats["first_delivery"] - stats["first_push"]) if times else None,
        admin_report=report, outbox_statuses=statuses, rows_retried=retried, bot_log=log_findings(bot.log_path),
    )
    if crash and times:
        after = [t for t in times if t > killed_at]
        result["kill"]["gap_s"] = (after[0] - killed_at) if after else None
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.fanout", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--liaisons", type=int, default=2000)
    p.add_argument("--crash", action="store_const", const="kill", help="SIGKILL the bot half way, restart it")
    p.add_argument("--term", dest="crash", action="store_const", const="term",
                   help="SIGTERM the bot half way (wait up to --term-grace s for it to exit), restart it")
    p.add_argument("--term-grace", type=float, default=120)
    p.add_argument("--hold", type=float, default=0, metavar="SECONDS",
                   help="with --crash/--term: the fake holds the answer to the send in progress this long, "
                        "and the bot is stopped while it waits (a row certainly in flight)")
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--timeout", type=float, default=600, help="longest wait for the broadcast (s)")
    p.add_argument("--report-wait", type=float, default=30,
                   help="how long to wait for the admin's count after the last delivery (s); a crash "
                        "leaves a row in flight for its 60-second lease, so try 90 to see it sent again")
    p.add_argument("--diagnose", action="append", default=[], metavar="SWITCH",
                   help="run the bot through benchmarks._bot with this switch (what-if, in that process "
                        "only): pace-from-slot, global-rate=N, no-rate-limiter, count-sql (writes sql.json "
                        "to the run's log dir); repeatable")
    args = p.parse_args(argv)
    install_cleanup()
    runs = []
    try:
        for i in range(args.runs):
            print(f"run {i + 1}/{args.runs}: {args.db}, {args.liaisons} liaisons{f', {args.crash}' if args.crash else ''} ...",
                  file=sys.stderr, flush=True)
            runs.append(run_once(args.db, args.liaisons, crash=args.crash, timeout=args.timeout,
                                 report_wait=args.report_wait, diagnose=args.diagnose, term_grace=args.term_grace, hold=args.hold))
    finally:
        if runs:
            tag = "".join(f"-{d.replace('=', '')}" for d in args.diagnose)
            tag += "-hold" if args.hold else ""
            path = write_results(f"fanout-{args.db}{f'-{args.crash}' if args.crash else ''}{tag}", {"runs": runs})
            _print(runs)
            print(f"\nJSON: {path}")
    return 0


def _print(runs: list[dict[str, Any]]) -> None:
    if runs[0]["diagnose"]:
        print(f"DIAGNOSTIC run (benchmarks._bot {' '.join(runs[0]['diagnose'])}), not the bot as shipped")
    headers = ["run", "db", "msg/s", "% of 30/s", "median gap ms", "429s", "once", "never", "twice+", "admin count"]
    if runs[0]["crash"] == "term":
        headers += ["exit after SIGTERM s", "sent after SIGTERM"]
    if runs[0]["crash"]:
        headers += ["left sending at kill", "restart gap s", "statuses"]
    rows = []
    for i, r in enumerate(runs, 1):
        row = [i, r["db"], r["rate_per_s"], r["pct_of_ceiling"], r["median_gap_ms"], r["too_many_requests"], r["exactly_once"],
               r["never"], r["twice_or_more"], "yes" if r["admin_report"] else "no"]
        if r["crash"] == "term":
            row += [r["term"]["exit_s"], r["term"]["sent_after_sigterm"]]
        if r["crash"]:
            left = r["kill"]["rows_left_sending"]
            row += [", ".join(f"chat {x['chat_id']} (delivered {x['delivered']}x)" for x in left) or "none",
                    r["kill"].get("gap_s"), " ".join(f"{k}={v}" for k, v in sorted(r["outbox_statuses"].items()))]
        rows.append(row)
    print(table(headers, rows))
    for i, r in enumerate(runs, 1):
        if r["admin_report"]:
            print(f"run {i} admin got: {r['admin_report']}")


if __name__ == "__main__":
    sys.exit(main())
