"""The scheduler at city scale: 10,000 open tasks to 200 departments (40,000 parts, 1,000 tasks
overdue, half the parts unacknowledged), 200 liaisons and 3 directors, ticked in-process through
`jobs.tick.run_steps(services, at, wall)` on a simulated clock (no delivery: the outbox is what is
measured).

    .venv/bin/python -m benchmarks.scheduler --db sqlite --db postgres
    .venv/bin/python -m benchmarks.scheduler --db postgres --days 1      # Monday only (quicker)

Measures, per database: the 09:00 pass on Monday 2026-11-30 with everything due (time, SQL
statements, rows queued, most rows any one chat gets, by kind); 20 passes with nothing new due
(09:01 … 09:20: median and worst); a pass at 03:00 the next night; and over the working week
Mon 30 Nov – Fri 4 Dec (a pass every minute 08:55–09:10 and every hour otherwise) the most messages
one chat gets in a day, per kind, and the total."""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.common import (ADMIN_ID, FIRST_LIAISON, TOKEN, install_cleanup, migrate, new_log_dir,
                               scratch_database, table, write_results)

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 30)  # Mon 30 Nov – Fri 4 Dec 2026 are working days (bot/rules/workdays.py)
WARM_UP = datetime(2026, 11, 29, 12, 0, tzinfo=TZ)  # Sunday: opens the quarter's cycle, nothing else is due
FIRST_DIRECTOR = 20_000  # director k has telegram_id = chat_id = FIRST_DIRECTOR + k
IDLE_PASSES = 20


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


# --------------------------------------------------------------------------- the seed


@dataclass(frozen=True)
class Shape:
    tasks: int = 10_000
    departments: int = 200
    per_task: int = 4
    overdue: int = 1_000
    directors: int = 3

    def due_at(self, i: int) -> datetime:
        """Task i's due time (18:00 local). The first `overdue` are 1–20 days overdue on Monday;
        then 2 % due Monday, 3 % each due Tue … Fri (so the 3-day, 1-day and same-day reminders
        fire through the week); the rest due 7–60 days after Monday."""
        n = self.tasks
        if i < self.overdue:
            return local(MONDAY - timedelta(days=1 + i % 20), 18)
        j = i - self.overdue
        for day_offset, share in ((0, 0.02), (1, 0.03), (2, 0.03), (3, 0.03), (4, 0.03)):
            size = int(n * share)
            if j < size:
                return local(MONDAY + timedelta(days=day_offset), 18)
            j -= size
        return local(MONDAY + timedelta(days=7 + j % 54), 18)

    def created_at(self, i: int) -> datetime:
        return local(MONDAY - timedelta(days=21 + i % 40), 10)

    def departments_of(self, i: int) -> list[int]:
        """Department ids (1-based) of task i's parts: spread so each department has as many."""
        return [(self.per_task * i + j) % self.departments + 1 for j in range(self.per_task)]


# Pending parts were notified on Friday 27 Nov between 10:00 and 16:59: their 24-hour
# acknowledgement nudge falls on Saturday and so moves to 09:00 on Monday, with everything else.
FRIDAY_NOTICE = local(MONDAY - timedelta(days=3), 10)


def seed_rows(shape: Shape) -> dict[str, list[dict[str, Any]]]:
    """Every row of the seed, by table name (insertion order)."""
    t0 = local(MONDAY - timedelta(days=90), 9).astimezone(UTC)
    d, k = shape.departments, shape.directors
    rows: dict[str, list[dict[str, Any]]] = {}
    rows["departments"] = [{"id": i + 1, "name": f"基准部门{i:05d}", "created_at": t0} for i in range(d)]
    people = [{"id": i + 1, "telegram_id": FIRST_LIAISON + i, "chat_id": FIRST_LIAISON + i, "full_name": f"联络员{i}",
               "created_at": t0} for i in range(d)]
    people += [{"id": d + j + 1, "telegram_id": FIRST_DIRECTOR + j, "chat_id": FIRST_DIRECTOR + j,
                "full_name": f"主任{j}", "created_at": t0} for j in range(k)]
    people.append({"id": d + k + 1, "telegram_id": ADMIN_ID, "chat_id": ADMIN_ID, "full_name": "张三", "created_at": t0})
    rows["people"] = people
    rows["liaison_appointments"] = [{"id": i + 1, "department_id": i + 1, "person_id": i + 1, "kind": "primary",
                                     "started_at": t0} for i in range(d)]
    rows["role_grants"] = [{"id": j + 1, "telegram_id": FIRST_DIRECTOR + j, "role": "director", "granted_by": ADMIN_ID,
                            "granted_at": t0} for j in range(k)]
    tasks, targets = [], []
    for i in range(shape.tasks):
        created = shape.created_at(i).astimezone(UTC)
        tasks.append({"id": i + 1, "title": f"基准交办事项{i + 1}", "due_at": shape.due_at(i).astimezone(UTC),
                      "created_by": ADMIN_ID, "created_at": created})
        for j, dept in enumerate(shape.departments_of(i)):
            acknowledged = (i + j) % 2 == 0
            notified = created + timedelta(minutes=5) if acknowledged else \
                (FRIDAY_NOTICE + timedelta(minutes=i % 420)).astimezone(UTC)
            targets.append({"id": len(targets) + 1, "task_id": i + 1, "department_id": dept, "is_lead": j == 0,
                            "status": "acknowledged" if acknowledged else "pending", "notified_at": notified,
                            "acknowledged_at": created + timedelta(hours=2) if acknowledged else None})
    rows["tasks"] = tasks
    rows["task_targets"] = targets
    return rows


async def seed(url: str, shape: Shape) -> dict[str, Any]:
    """Bulk INSERTs (chunks of 5,000 rows, executemany) into the migrated schema. Returns what was
    inserted and which columns of those tables were left to their defaults (a column the scheduler
    relies on and the seed does not fill would make the figures meaningless: check this list when
    the schema changes)."""
    from sqlalchemy import MetaData, Table, text

    from storage.db import Database

    rows = seed_rows(shape)
    db = Database(url)
    started = time.perf_counter()
    unset: dict[str, list[str]] = {}
    try:
        async with db.engine.begin() as conn:
            meta = MetaData()
            await conn.run_sync(lambda sync: meta.reflect(sync, only=list(rows)))
            for name, items in rows.items():
                reflected = meta.tables[name]
                unset[name] = sorted(set(reflected.c.keys()) - set(items[0]) - KNOWN_DEFAULTS.get(name, set()))
                table_ = _typed(reflected)
                for i in range(0, len(items), 5000):
                    await conn.execute(table_.insert(), items[i:i + 5000])
            if not db.is_sqlite:  # explicit ids: move the sequences past them
                for name in rows:
                    await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                            f"(SELECT max(id) FROM {name}))"))
        seconds = time.perf_counter() - started
    finally:
        await db.dispose()
    return {"seconds": round(seconds, 2), "rows": {name: len(items) for name, items in rows.items()},
            "new_columns_left_default": {k: v for k, v in unset.items() if v}}


# Columns the seed leaves to their defaults on purpose (NULL: not closed, no extension, no file ...).
# Any other column of these tables that the seed does not fill is listed in the results as
# "new_columns_left_default": a column added after this benchmark was written, which it leaves at its
# default (NULL). Check that this is right for the scheduler (e.g. "not nudged yet") when it appears.
KNOWN_DEFAULTS = {
    "departments": set(),
    "people": {"username", "language", "blocked_at"},
    "liaison_appointments": {"ended_at", "ended_reason", "invite_id"},
    "role_grants": {"revoked_by", "revoked_at"},
    "tasks": {"details", "closed_at", "closed_by", "attachment_file_id", "attachment_name", "attachment_kind"},
    "task_targets": {"due_at", "done_at", "extension_until", "extension_reason"},
}


def _typed(reflected: Any) -> Any:
    """The reflected table with the project's own column types where it has the table (UTC
    datetimes are stored naive on SQLite), so the rows are exactly what the bot would write."""
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401  (registers the tables)

    return SQLModel.metadata.tables.get(reflected.name, reflected)


# --------------------------------------------------------------------------- passes


def kind_of(key: str) -> str:
    """What a queued message is, from its dedup key (old per-part keys and new per-person keys alike)."""
    k = key.lower()
    for word, kind in (("escalat", "escalation"), ("ack", "ack-nudge"), ("overdue", "overdue"), ("remind", "reminder"),
                       ("digest", "digest"), ("cycle", "cycle"), ("calendar", "calendar")):
        if word in k:
            return kind
    if re.search(r"(^|:)due-", k):
        return "due"
    return re.sub(r"[\d@:.\-]+", "·", k).strip("·") or "other"


def message_of(key: str) -> str:
    """The message a row is a piece of: a long text is queued as several rows whose keys differ only
    in a trailing piece number (`escalation:DAY:CHAT:2`, `digest:…:text:1`). Counting distinct
    (chat, message_of(key)) counts messages with their pieces merged."""
    return re.sub(r":\d+$", "", key)


def key_shape(key: str) -> str:
    return re.sub(r"\d{4}-\d{2}-\d{2}", "DAY", re.sub(r"(?<![\d-])\d+(?![\d-])", "N", key))


@dataclass
class Pass:
    at: datetime
    ms: float = 0.0
    statements: int = 0
    rows: list[tuple[int, int, str, int]] = field(default_factory=list)  # (id, chat, dedup key, text chars)
    queued: dict[str, int] = field(default_factory=dict)  # the TickReport's own count per step
    ran: bool = True
    error: str | None = None
    steps: dict[str, dict[str, float]] = field(default_factory=dict)  # diagnostic: per step ms and statements
    sql: list[str] = field(default_factory=list)

    def summary(self, chats: dict[int, str], with_sql: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"at": self.at.isoformat(), "ms": round(self.ms, 1), "statements": self.statements,
                               "rows_queued": len(self.rows), "ran": self.ran}
        if self.error:
            out["error"] = self.error
        if self.queued:
            out["queued_by_step"] = self.queued
        if self.steps:
            out["steps"] = self.steps
        if self.rows:
            out.update(per_chat(self.rows, chats))
        if with_sql:
            out["sql"] = Counter(s[:300] for s in self.sql).most_common()
        return out


def per_chat(rows: list[tuple[int, int, str, int]], chats: dict[int, str]) -> dict[str, Any]:
    """Rows by kind; the most rows one chat gets, overall and by kind (with that chat's role); the
    longest text; the shapes of the dedup keys."""
    by_chat: Counter[int] = Counter(r[1] for r in rows)
    by_chat_kind: Counter[tuple[int, str]] = Counter((r[1], kind_of(r[2])) for r in rows)
    kinds = Counter(kind_of(r[2]) for r in rows)
    worst = max(by_chat, key=lambda c: by_chat[c])
    out: dict[str, Any] = {
        "rows_by_kind": dict(kinds.most_common()),
        "max_rows_per_chat": {"rows": by_chat[worst], "chat": worst, "role": chats.get(worst, "?")},
        "max_rows_per_chat_by_role": {role: max((n for c, n in by_chat.items() if chats.get(c, "?") == role), default=0)
                                      for role in sorted(set(chats.values()) | {"?"})
                                      if any(chats.get(c, "?") == role for c in by_chat)},
        "max_rows_per_chat_by_kind": {},
        "chats": len(by_chat),
        "max_text_chars": max(r[3] for r in rows),
        "key_shapes": dict(Counter(key_shape(r[2]) for r in rows).most_common(12)),
    }
    messages: dict[tuple[int, str], set[str]] = defaultdict(set)
    for _, chat, key, _ in rows:
        messages[(chat, kind_of(key))].add(message_of(key))
    for kind in kinds:
        chat, n = max(((c, n) for (c, k), n in by_chat_kind.items() if k == kind), key=lambda p: p[1])
        out["max_rows_per_chat_by_kind"][kind] = {
            "rows": n, "role": chats.get(chat, "?"),
            "messages": max(len(v) for (c, k), v in messages.items() if k == kind)}
    return out


class Scheduler:
    """The bot's services on the scratch database, ticked on a simulated clock; every statement on
    the engine is counted (before_cursor_execute; SQLite's connection PRAGMAs excluded)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import event

        from bot.services import Services
        from bot.settings import Settings
        from storage.db import Database

        settings = Settings(_env_file=None, database_url=url, telegram_bot_token=TOKEN,  # type: ignore[call-arg]
                            bot_admin_ids=frozenset({ADMIN_ID}), bot_timezone="Asia/Shanghai", bot_language="zh",
                            summary_llm_url=None)
        self.now = WARM_UP
        self.services = Services(settings=settings, db=Database(url), clock=lambda: self.now)
        self.counting = False
        self.sql: list[str] = []
        self.step: str | None = None
        self.step_sql: Counter[str] = Counter()
        event.listen(self.services.db.engine.sync_engine, "before_cursor_execute", self._seen)
        self.step_timing = self._wrap_steps()
        self.last_id = 0

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.counting and not statement.lstrip().upper().startswith("PRAGMA"):
            self.sql.append(" ".join(statement.split()))
            if self.step:
                self.step_sql[self.step] += 1

    def _wrap_steps(self) -> dict[str, float] | None:
        """Diagnostic, only while jobs.steps has a STEPS list of (name, coroutine function) pairs or
        of dataclasses with `name` and `run`: time and count each step that runs. The figures of the
        pass as a whole do not depend on it."""
        import dataclasses

        try:
            from jobs import steps
        except ImportError:
            return None
        listed = getattr(steps, "STEPS", None)
        if not isinstance(listed, list):
            return None
        timing: dict[str, float] = {}

        def timed(name: str, step: Callable[..., Any]) -> Callable[..., Any]:
            async def wrapper(ctx: Any) -> Any:
                self.step, began = name, time.perf_counter()
                try:
                    return await step(ctx)
                finally:
                    timing[name] = timing.get(name, 0.0) + time.perf_counter() - began
                    self.step = None
            return wrapper

        wrapped = []
        for item in listed:
            if isinstance(item, tuple) and len(item) == 2:
                wrapped.append((item[0], timed(item[0], item[1])))
            elif dataclasses.is_dataclass(item) and hasattr(item, "name") and callable(getattr(item, "run", None)):
                wrapped.append(dataclasses.replace(item, run=timed(item.name, item.run)))  # type: ignore[type-var]
            else:
                return None
        listed[:] = wrapped
        return timing

    async def run(self, at: datetime, *, keep_sql: bool = False) -> Pass:
        from jobs.tick import run_steps

        self.now = at
        result = Pass(at=at)
        self.sql, self.step_sql = [], Counter()
        if self.step_timing is not None:
            self.step_timing.clear()
        self.counting = True
        began = time.perf_counter()
        try:
            report = await run_steps(self.services, at, at)
            result.ran = report.ran
            result.queued = {k: v for k, v in report.queued.items() if v}
        except Exception as exc:  # noqa: BLE001 - a failing pass is a result, the week goes on
            text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            result.error = f"{type(exc).__name__}: {text[0][:300] if text else ''}"
        finally:
            result.ms = 1000 * (time.perf_counter() - began)
            self.counting = False
        result.statements = len(self.sql)
        if keep_sql:
            result.sql = list(self.sql)
        if self.step_timing:
            result.steps = {name: {"ms": round(1000 * s, 1), "statements": self.step_sql[name]}
                            for name, s in self.step_timing.items()}
        result.rows = await self._new_rows()
        return result

    async def _new_rows(self) -> list[tuple[int, int, str, int]]:
        import json

        from sqlalchemy import text

        async with self.services.db.engine.connect() as conn:
            found = (await conn.execute(text("SELECT id, chat_id, dedup_key, payload FROM outbox WHERE id > :last "
                                             "ORDER BY id"), {"last": self.last_id})).all()
        rows = []
        for row_id, chat, key, payload in found:
            try:
                chars = len(json.loads(payload).get("text") or "")
            except (ValueError, AttributeError):
                chars = len(payload or "")
            rows.append((int(row_id), int(chat), str(key), chars))
        if rows:
            self.last_id = rows[-1][0]
        return rows

    async def close(self) -> None:
        await self.services.db.dispose()


def week_schedule(days: int) -> list[datetime]:
    """Every pass of the simulated week: each minute 08:55–09:10 and each hour otherwise, Monday to
    Friday; on Monday also each minute to 09:20 (the idle passes measured)."""
    out: set[datetime] = {local(MONDAY + timedelta(days=1), 3)}  # the night pass, even with --days 1
    for d in range(days):
        day = MONDAY + timedelta(days=d)
        out |= {local(day, h) for h in range(24)}
        last = 9 * 60 + (IDLE_PASSES if d == 0 else 10)
        out |= {local(day, 0) + timedelta(minutes=m) for m in range(8 * 60 + 55, last + 1)}
    return sorted(out)


async def measure(url: str, shape: Shape, days: int, log: Callable[[str], None]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    result["seed"] = await seed(url, shape)
    log(f"  seeded in {result['seed']['seconds']} s: {result['seed']['rows']}")
    if result["seed"]["new_columns_left_default"]:
        log(f"  NOTE columns the seed does not know, left at their defaults: {result['seed']['new_columns_left_default']}")
    chats = {FIRST_LIAISON + i: "liaison" for i in range(shape.departments)}
    chats |= {FIRST_DIRECTOR + j: "director" for j in range(shape.directors)}
    chats[ADMIN_ID] = "admin"
    sched = Scheduler(url)
    try:
        warm = await sched.run(WARM_UP)
        result["warm_up"] = warm.summary(chats) | {"what": "Sunday 12:00: opens the quarter's reporting cycle"}
        log(f"  warm-up {warm.at:%a %H:%M}: {warm.ms:.0f} ms, {warm.statements} SQL, {len(warm.rows)} rows"
            + (f", ERROR {warm.error}" if warm.error else ""))
        passes: list[Pass] = []
        nine = local(MONDAY, 9)
        night = local(MONDAY + timedelta(days=1), 3)
        idle_at = {nine + timedelta(minutes=m) for m in range(1, IDLE_PASSES + 1)}
        week_began = time.perf_counter()
        for at in week_schedule(days):
            p = await sched.run(at, keep_sql=at in (nine, night) or at in idle_at)
            passes.append(p)
            if at == nine:
                result["nine"] = p.summary(chats, with_sql=True)
                log(f"  {at:%a %H:%M} (everything due): {p.ms:.0f} ms, {p.statements} SQL, {len(p.rows)} rows"
                    + (f", ERROR {p.error}" if p.error else ""))
            elif at == night:
                result["night"] = p.summary(chats, with_sql=True)
            if p.error and at != nine:
                log(f"  {at:%a %d %H:%M}: ERROR {p.error}")
        result["week_seconds"] = round(time.perf_counter() - week_began, 1)
        idle = [p for p in passes if p.at in idle_at]
        result["idle"] = idle_summary(idle)
        result["week"] = week_summary(passes, chats, days)
    finally:
        await sched.close()
    return result


def idle_summary(idle: list[Pass]) -> dict[str, Any]:
    worst = max(idle, key=lambda p: p.ms)
    most = max(idle, key=lambda p: p.statements)
    return {"passes": len(idle), "from": idle[0].at.isoformat(), "to": idle[-1].at.isoformat(),
            "median_ms": round(statistics.median(p.ms for p in idle), 2), "max_ms": round(worst.ms, 2),
            "median_statements": statistics.median(p.statements for p in idle),
            "max_statements": max(p.statements for p in idle),
            "rows_queued": sum(len(p.rows) for p in idle), "errors": sum(bool(p.error) for p in idle),
            "sql_of_the_most": {"at": most.at.isoformat(), "sql": Counter(s[:300] for s in most.sql).most_common()}}


def week_summary(passes: list[Pass], chats: dict[int, str], days: int) -> dict[str, Any]:
    """Messages per chat per day per kind: the most any one chat got, over the week."""
    per: Counter[tuple[date, int, str]] = Counter()
    merged: dict[tuple[date, int, str], set[str]] = defaultdict(set)
    for p in passes:
        for _, chat, key, _ in p.rows:
            slot = (p.at.astimezone(TZ).date(), chat, kind_of(key))
            per[slot] += 1
            merged[slot].add(message_of(key))
    kinds: dict[str, dict[str, Any]] = {}
    for (day, chat, kind), n in per.items():
        entry = kinds.setdefault(kind, {"max_rows_per_chat_day": 0, "max_messages_per_chat_day": 0, "role": None,
                                        "day": None, "total_rows": 0, "chat_days_over_1_message": 0})
        m = len(merged[(day, chat, kind)])
        entry["total_rows"] += n
        entry["chat_days_over_1_message"] += m > 1
        entry["max_messages_per_chat_day"] = max(entry["max_messages_per_chat_day"], m)
        if n > entry["max_rows_per_chat_day"]:
            entry.update(max_rows_per_chat_day=n, role=chats.get(chat, "?"), day=day.isoformat())
    by_day = Counter()
    for p in passes:
        by_day[p.at.astimezone(TZ).date().isoformat()] += len(p.rows)
    per_chat_day = Counter()
    for (day, chat, _), n in per.items():
        per_chat_day[(day, chat)] += n
    busy = [p for p in passes if p.rows]
    quiet = [p for p in passes if not p.rows and not p.error]
    return {"days": days, "passes": len(passes), "messages": sum(len(p.rows) for p in passes),
            "messages_by_day": dict(sorted(by_day.items())), "by_kind": kinds,
            "max_messages_per_chat_day": max(per_chat_day.values(), default=0),
            "passes_queuing": [{"at": p.at.isoformat(), "rows": len(p.rows), "ms": round(p.ms, 1),
                                "statements": p.statements} for p in busy],
            "quiet_passes": {"count": len(quiet),
                             "median_ms": round(statistics.median(p.ms for p in quiet), 2) if quiet else None,
                             "max_ms": round(max(p.ms for p in quiet), 2) if quiet else None,
                             "max_statements": max((p.statements for p in quiet), default=None)},
            "pass_seconds_total": round(sum(p.ms for p in passes) / 1000, 1),
            "errors": [{"at": p.at.isoformat(), "error": p.error} for p in passes if p.error][:20],
            "error_count": sum(bool(p.error) for p in passes)}


# --------------------------------------------------------------------------- main and report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.scheduler", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", action="append", choices=["sqlite", "postgres"], help="repeatable (default sqlite)")
    p.add_argument("--tasks", type=int, default=10_000)
    p.add_argument("--departments", type=int, default=200)
    p.add_argument("--overdue", type=int, default=1_000)
    p.add_argument("--days", type=int, default=5, choices=range(1, 6), metavar="1-5",
                   help="working days simulated from Monday 30 Nov (default 5)")
    args = p.parse_args(argv)
    install_cleanup()
    log_dir = new_log_dir("scheduler")
    shape = Shape(tasks=args.tasks, departments=args.departments, overdue=args.overdue)
    results = []
    try:
        for db in args.db or ["sqlite"]:
            print(f"{db}: seeding {shape.tasks} tasks × {shape.per_task} departments ...", file=sys.stderr, flush=True)
            with scratch_database(db, "scheduler") as url:
                migrate(url, log_dir)
                data = asyncio.run(measure(url, shape, args.days, lambda line: print(line, file=sys.stderr,
                                                                                     flush=True)))
            results.append({"db": db, **data})
    finally:
        if results:
            _report(results, shape, args, log_dir)
    return 0


def _report(results: list[dict[str, Any]], shape: Shape, args: argparse.Namespace, log_dir: Path) -> None:
    rows = []
    for r in results:
        nine, idle = r.get("nine", {}), r.get("idle", {})
        night = r.get("night", {})
        rows.append([r["db"], r["seed"]["seconds"], nine.get("ms"), nine.get("statements"), nine.get("rows_queued"),
                     (nine.get("max_rows_per_chat") or {}).get("rows"), idle.get("median_ms"),
                     idle.get("median_statements"), idle.get("max_ms"), night.get("ms"), night.get("statements"),
                     "yes" if nine.get("error") or (r.get("week") or {}).get("error_count") else "no"])
    print(table(["db", "seed s", "09:00 ms", "09:00 SQL", "09:00 rows", "09:00 max rows/chat", "idle p50 ms",
                 "idle p50 SQL", "idle max ms", "03:00 ms", "03:00 SQL", "errors"], rows))
    for r in results:
        nine = r.get("nine", {})
        print(f"\n{r['db']}: the 09:00 pass (Mon {MONDAY}) with everything due")
        if nine.get("error"):
            print(f"  ERROR: {nine['error']}")
        if nine.get("rows_by_kind"):
            worst = nine["max_rows_per_chat_by_kind"]
            print(table(["kind", "rows", "max rows to one chat", "that chat's role", "max messages to one chat"],
                        [[k, n, worst[k]["rows"], worst[k]["role"], worst[k]["messages"]]
                         for k, n in nine["rows_by_kind"].items()]))
            print(f"  max rows to one chat by role: {nine['max_rows_per_chat_by_role']}; longest text "
                  f"{nine['max_text_chars']} chars; key shapes: {nine['key_shapes']}")
        if nine.get("steps"):
            print("  per step (diagnostic): " + ", ".join(f"{k} {v['ms']:.0f} ms/{v['statements']} SQL"
                                                          for k, v in nine["steps"].items()))
        idle = r.get("idle", {})
        if idle:
            print(f"  nothing new due, {idle['passes']} passes 09:01–09:{IDLE_PASSES:02d}: median {idle['median_ms']} ms "
                  f"and {idle['median_statements']} SQL (max {idle['max_ms']} ms, {idle['max_statements']} SQL), "
                  f"{idle['rows_queued']} rows queued; the statements of the one with most "
                  f"({idle['sql_of_the_most']['at'][11:16]}):")
            for sql, n in idle["sql_of_the_most"]["sql"][:12]:
                print(f"    {n:>3} × {sql[:150]}")
        week = r.get("week")
        if week:
            print(f"\n{r['db']}: the week ({week['days']} working days, {week['passes']} passes, "
                  f"{r['week_seconds']} s): {week['messages']} messages, by day {week['messages_by_day']}")
            print(table(["kind", "rows", "max rows per chat-day", "role", "day", "max messages per chat-day",
                         "chat-days with > 1 message"],
                        [[k, v["total_rows"], v["max_rows_per_chat_day"], v["role"], v["day"],
                          v["max_messages_per_chat_day"], v["chat_days_over_1_message"]]
                         for k, v in sorted(week["by_kind"].items())]))
            print("  (a row is one Telegram message; \"messages\" merges the pieces of a text split at 4,096 "
                  "characters)")
            q = week["quiet_passes"]
            print(f"  passes that queued nothing: {q['count']}, median {q['median_ms']} ms, max {q['max_ms']} ms, "
                  f"max {q['max_statements']} SQL; passes that failed: {week['error_count']}")
            for e in week["errors"][:3]:
                print(f"  failed {e['at']}: {e['error']}")
    path = write_results("scheduler", {"shape": shape.__dict__, "days": args.days, "logs": str(log_dir),
                                       "results": results})
    print(f"\nJSON: {path}")


if __name__ == "__main__":
    sys.exit(main())
