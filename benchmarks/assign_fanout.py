"""Fan-out SQL per notice: the admin's `/assign` to a working group of N departments (default 200),
each with a registered liaison, through the real bot against the fake Bot API enforcing Telegram's
flood limits; every SQL statement the bot runs from the command until the last notice is sent is
counted (benchmarks._bot --count-sql, from SIGUSR1 on).

    .venv/bin/python -m benchmarks.assign_fanout --db sqlite --db postgres
    .venv/bin/python -m benchmarks.assign_fanout --db postgres --departments 200 --runs 3

Reports the statements in all and per notice, split into the /assign update's own (the handler:
the task, its parts, the outbox rows) and the rest (the outbox sender claiming and settling each
notice, the tick if it ran meanwhile); the time from the push of /assign to the admin's answer, to
the first and to the last notice delivered (the fake's clock)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.common import (ADMIN_ID, FIRST_LIAISON, PY, FakeServer, Proc, install_cleanup, log_findings, migrate,
                               new_log_dir, query, scratch_database, seed, table, wait_until, write_results)

GROUP = "基准工作专班"


def add_group(url: str, departments: int) -> None:
    """One working group with every seeded department (the first one leads)."""

    async def run() -> None:
        from sqlalchemy import text

        from storage.db import Database
        from storage.models import GroupMember, WorkingGroup

        db = Database(url)
        try:
            async with db.engine.begin() as conn:
                await conn.execute(WorkingGroup.__table__.insert(),  # type: ignore[attr-defined]
                                   [{"id": 1, "name": GROUP, "created_at": datetime.now(UTC)}])
                await conn.execute(GroupMember.__table__.insert(),  # type: ignore[attr-defined]
                                   [{"group_id": 1, "department_id": i + 1, "is_lead": i == 0} for i in range(departments)])
                if not db.is_sqlite:
                    await conn.execute(text("SELECT setval(pg_get_serial_sequence('working_groups', 'id'), 1)"))
        finally:
            await db.dispose()

    asyncio.run(run())


def run_once(db: str, n: int, timeout: float, log_dir: Path, run: int) -> dict[str, Any]:
    sql_path = log_dir / f"sql-{db}-{run}.json"
    title = f"基准群发交办{run}"
    result: dict[str, Any] = {"db": db, "departments": n, "run": run}
    with scratch_database(db, "assign") as url:
        migrate(url, log_dir)
        seed(url, n)
        add_group(url, n)
        fake = FakeServer(log_dir, enforce_limits=True, name=f"fake-{db}-{run}")
        env = {"DATABASE_URL": url, "BOT_ADMIN_IDS": str(ADMIN_ID), **fake.bot_env()}
        bot = Proc(f"bot-{db}-{run}", [PY, "-m", "benchmarks._bot", "--count-sql", str(sql_path)], env=env,
                   log_dir=log_dir)
        try:
            fake.start()
            bot.start()
            fake.wait_polling(bot, 300)
            time.sleep(1)
            os.kill(bot.popen.pid, signal.SIGUSR1)  # type: ignore[union-attr]  # count from here
            time.sleep(0.5)
            due = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=30)).date().isoformat()
            fake.say(ADMIN_ID, f"/assign {GROUP} | {due} | {title}")

            def delivered() -> bool:
                if not bot.alive:
                    raise RuntimeError(f"the bot exited:\n{bot.log_tail()}")
                per_chat = fake.stats(title)["per_chat"]
                return sum(1 for i in range(n) if per_chat.get(str(FIRST_LIAISON + i))) >= n

            wait_until(delivered, timeout, 0.2, f"{n} notices")
            wait_until(lambda: query(url, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")[0][0]
                       == 0, 60, 0.2, "the outbox to settle")
            time.sleep(1)
            stats = fake.stats(title, times=True)
            answer = fake._request("/_fake/stats?detail=1&deliveries=1").get("deliveries")
        finally:
            bot.stop()
            fake.proc.stop()
        rows = query(url, "SELECT count(*) FROM outbox")[0][0]
        targets = query(url, "SELECT count(*) FROM task_targets")[0][0]
    push = stats["first_push"]
    admin_at = None
    if answer is not None:
        admin_at = next((d["at"] for d in answer if int(d["chat_id"]) == ADMIN_ID and d["at"] >= push), None)
    per_chat = stats["per_chat"]
    result.update(
        targets=targets, outbox_rows=rows,
        notices_delivered=sum(per_chat.get(str(FIRST_LIAISON + i), 0) for i in range(n)),
        twice=sum(per_chat.get(str(FIRST_LIAISON + i), 0) > 1 for i in range(n)),
        admin_answer_s=(admin_at - push) if admin_at is not None else None,
        first_notice_s=stats["first_delivery"] - push, last_notice_s=stats["last_delivery"] - push,
        too_many_requests=stats["too_many_requests"], log=log_findings(bot.log_path))
    if sql_path.exists():
        result["sql"] = _sql(json.loads(sql_path.read_text()), n)
    return result


def _sql(data: dict[str, Any], n: int) -> dict[str, Any]:
    total = sum(c for _, c in data["statements"])
    inside = data.get("in_updates") or {}
    handled = sum(c for _, c in inside.get("statements", []))
    return {"total": total, "per_notice": round(total / n, 2), "in_assign_update": handled,
            "in_assign_update_per_notice": round(handled / n, 2), "others": total - handled,
            "others_per_notice": round((total - handled) / n, 2),
            "updates_handled": inside.get("updates"), "commits": data["transactions"].get("commit", 0),
            "top": [(c, s[:160]) for s, c in data["statements"][:15]],
            "in_update_top": [(c, s[:160]) for s, c in inside.get("statements", [])[:15]]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.assign_fanout", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", action="append", choices=["sqlite", "postgres"], help="repeatable (default sqlite)")
    p.add_argument("--departments", type=int, default=200)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--timeout", type=float, default=300)
    args = p.parse_args(argv)
    install_cleanup()
    log_dir = new_log_dir("assign-fanout")
    results: list[dict[str, Any]] = []
    try:
        for db in args.db or ["sqlite"]:
            for run in range(1, args.runs + 1):
                print(f"{db}: /assign to {args.departments} departments, run {run}/{args.runs} ...", file=sys.stderr,
                      flush=True)
                results.append(run_once(db, args.departments, args.timeout, log_dir, run))
                time.sleep(1)
    finally:
        if results:
            _report(results, args, log_dir)
    return 0


def _report(results: list[dict[str, Any]], args: argparse.Namespace, log_dir: Path) -> None:
    rows = []
    for r in results:
        s = r.get("sql") or {}
        rows.append([r["db"], r["run"], r["departments"], r["notices_delivered"], s.get("total"), s.get("per_notice"),
                     s.get("in_assign_update"), s.get("others"), s.get("commits"), r["admin_answer_s"],
                     r["first_notice_s"], r["last_notice_s"], r["too_many_requests"], r["log"]["tracebacks"]])
    print(table(["db", "run", "departments", "notices", "SQL", "SQL/notice", "in /assign", "sender etc.", "commits",
                 "answer s", "first notice s", "last notice s", "429s", "tracebacks"], rows))
    for r in results[:1] + [x for x in results[1:] if x["db"] != results[0]["db"]][:1]:
        s = r.get("sql")
        if s:
            print(f"\n{r['db']}: the statements (count × text), all:")
            for count, sql in s["top"][:12]:
                print(f"  {count:>5} × {sql}")
    path = write_results("assign-fanout", {"departments": args.departments, "logs": str(log_dir), "results": results})
    print(f"\nJSON: {path}")


if __name__ == "__main__":
    sys.exit(main())
