"""What the benchmarks share: scratch databases, seeding, subprocesses, the fake Bot API's client,
results files and tables. Every process started here is stopped by its own id, always."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.cluster.harness import Process  # one process wrapper for the tests and the benchmarks

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PY = sys.executable
TOKEN = "123456:BENCH-token"
ADMIN_ID = 42
FIRST_LIAISON = 10_000  # liaison i has telegram_id = chat_id = FIRST_LIAISON + i
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


def liaison_name(i: int) -> str:
    return f"联络员{i}"


# --------------------------------------------------------------------------- processes


class Proc(Process):
    """A child process whose output goes to a log file (tests/cluster/harness.py's `Process`),
    stopped at exit if the benchmark ends early."""

    def __init__(self, name: str, args: Sequence[str], *, env: dict[str, str] | None = None, log_dir: Path) -> None:
        super().__init__(name, args, log_dir, env=env)

    def start(self) -> Proc:
        super().start()
        _RUNNING.append(self)
        return self

    def stop(self, grace: float = 15.0) -> int | None:
        code = super().stop(grace)
        with contextlib.suppress(ValueError):
            _RUNNING.remove(self)
        return code


_RUNNING: list[Proc] = []


def _stop_all() -> None:
    for proc in list(_RUNNING):
        with contextlib.suppress(Exception):
            proc.stop(grace=5)


def _on_term(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def install_cleanup() -> None:
    """SIGTERM behaves like Ctrl-C, so every `finally` (processes, scratch databases) runs."""
    signal.signal(signal.SIGTERM, _on_term)
    import atexit

    atexit.register(_stop_all)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], Any], timeout: float, interval: float = 0.25, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


# --------------------------------------------------------------------------- the fake Bot API


class FakeServer:
    """The fake Bot API (tests/support/fake_bot_api.py) as a subprocess, and a client for it."""

    def __init__(self, log_dir: Path, *, enforce_limits: bool, name: str = "fake") -> None:
        self.port = free_port()
        args = [PY, "-m", "tests.support.fake_bot_api", str(self.port), TOKEN]
        self.proc = Proc(name, args + (["--enforce-limits"] if enforce_limits else []), log_dir=log_dir)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def bot_env(self) -> dict[str, str]:
        return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": self.base_url,
                "TELEGRAM_API_FILE_URL": f"http://127.0.0.1:{self.port}/file/bot"}

    def start(self) -> FakeServer:
        self.proc.start()
        wait_until(self._up, 20, 0.1, "the fake Bot API to listen")
        return self

    def _up(self) -> bool:
        if not self.proc.alive:
            raise RuntimeError(f"the fake Bot API exited:\n{self.proc.log_tail()}")
        with contextlib.suppress(OSError):
            self.stats()
            return True
        return False

    def _request(self, path: str, body: Any = None, timeout: float = 30) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                         method="GET" if data is None else "POST")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def stats(self, contains: str | None = None, *, times: bool = False) -> dict[str, Any]:
        query = {}
        if contains is not None:
            query["contains"] = contains
        if times:
            query["times"] = "1"
        return self._request("/_fake/stats" + (f"?{urllib.parse.urlencode(query)}" if query else ""))

    def say(self, user_id: int, text: str, first_name: str = "张三") -> Any:
        return self._request("/_fake/say", {"user_id": user_id, "text": text, "first_name": first_name})

    def say_many(self, messages: list[dict[str, Any]]) -> Any:
        return self._request("/_fake/say", {"messages": messages}, timeout=120)

    def wait_polling(self, bot: Proc, timeout: float) -> None:
        """Until the bot has started polling (PTB polls only after post_init)."""

        def polling() -> bool:
            if not bot.alive:
                raise RuntimeError(f"{bot.name} exited:\n{bot.log_tail()}")
            return bool(self.stats()["polling"])

        wait_until(polling, timeout, 0.25, f"{bot.name} to poll")


# --------------------------------------------------------------------------- scratch databases


@contextlib.contextmanager
def scratch_database(kind: str, tag: str) -> Iterator[str]:
    """A fresh, empty database; yields its DATABASE_URL and removes it afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"bench-{tag}-") as tmp:
            yield f"sqlite+aiosqlite:///{tmp}/bench.db"
        return
    if kind != "postgres":
        raise ValueError(f"unknown database kind {kind!r}")
    name = f"bench_{tag}_{os.getpid()}_{secrets.token_hex(3)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
        yield f"{base}/{name}"
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg_admin(sql: str) -> None:
    import asyncpg

    dsn = POSTGRES_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def migrate(url: str, log_dir: Path) -> None:
    """`python -m bot migrate`, as an operator would."""
    log = log_dir / "migrate.log"
    with log.open("ab") as out:
        code = subprocess.call([PY, "-m", "bot", "migrate"], cwd=ROOT, env={**os.environ, "DATABASE_URL": url},
                               stdout=out, stderr=subprocess.STDOUT, timeout=120)
    if code != 0:
        raise RuntimeError(f"migrate failed ({code}):\n{log.read_text()}")


def seed(url: str, liaisons: int) -> None:
    """`liaisons` departments, people and active primary appointments, plus the admin, in bulk."""
    asyncio.run(_seed(url, liaisons))


async def _seed(url: str, n: int) -> None:
    from sqlalchemy import text

    from storage.db import Database
    from storage.models import Department, LiaisonAppointment, Person

    now = datetime.now(UTC)
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(Department.__table__.insert(),  # type: ignore[attr-defined]
                               [{"id": i + 1, "name": f"基准部门{i:05d}", "created_at": now} for i in range(n)])
            people = [{"id": i + 1, "telegram_id": FIRST_LIAISON + i, "chat_id": FIRST_LIAISON + i,
                       "full_name": liaison_name(i), "created_at": now} for i in range(n)]
            people.append({"id": n + 1, "telegram_id": ADMIN_ID, "chat_id": ADMIN_ID, "full_name": "张三", "created_at": now})
            await conn.execute(Person.__table__.insert(), people)  # type: ignore[attr-defined]
            await conn.execute(LiaisonAppointment.__table__.insert(),  # type: ignore[attr-defined]
                               [{"id": i + 1, "department_id": i + 1, "person_id": i + 1, "kind": "primary",
                                 "started_at": now} for i in range(n)])
            if not db.is_sqlite:  # explicit ids: move the sequences past them
                for table in ("departments", "people", "liaison_appointments"):
                    await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                            f"(SELECT max(id) FROM {table}))"))
    finally:
        await db.dispose()


def query(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows of one read-only statement (a short-lived engine: the orchestrator seldom asks)."""

    async def run() -> list[tuple[Any, ...]]:
        from sqlalchemy import text

        from storage.db import Database

        db = Database(url)
        try:
            async with db.engine.connect() as conn:
                return [tuple(r) for r in (await conn.execute(text(sql), params)).all()]
        finally:
            await db.dispose()

    return asyncio.run(run())


# --------------------------------------------------------------------------- output


def revision() -> str:
    """What was measured: BENCH_REVISION, else `git describe` of the checkout (+ "-dirty")."""
    if os.environ.get("BENCH_REVISION"):
        return os.environ["BENCH_REVISION"]
    try:
        return subprocess.check_output(["git", "describe", "--always", "--dirty"], cwd=ROOT, text=True,
                                       stderr=subprocess.DEVNULL).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


_REVISION_AT_START: str | None = None


def revision_at_start() -> str:
    """The revision when the run began (taken by `new_log_dir`, which every benchmark calls first):
    the code under measurement may change while a long run goes on."""
    global _REVISION_AT_START
    if _REVISION_AT_START is None:
        _REVISION_AT_START = revision()
    return _REVISION_AT_START


def new_log_dir(name: str) -> Path:
    revision_at_start()
    path = RESULTS / "logs" / f"{name}-{datetime.now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    start, end = revision_at_start(), revision()
    data = {"revision": start, **({"revision_at_end": end} if end != start else {}),
            "written_at": datetime.now().isoformat(timespec="seconds"), **data}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    return path


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return "—" if value is None else str(value)


def log_findings(path: Path) -> dict[str, int]:
    """How many lines of a process log are warnings, errors, tracebacks."""
    text = path.read_text(errors="replace") if path.exists() else ""
    return {"warning_lines": text.count(" WARNING "), "error_lines": text.count(" ERROR "),
            "tracebacks": text.count("Traceback (most recent call last)")}


def print_statements(title: str, statements: list[tuple[int, str]]) -> None:
    """A run's SQL statements, most frequent first, under `title` (from a `--count-sql` bot)."""
    print(f"\n{title}")
    for count, sql in statements:
        print(f"  {count:>5}  {sql}")
