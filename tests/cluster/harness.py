"""Several `python -m bot` webhook workers behind nginx, on one PostgreSQL database, fed by the fake
Bot API: what deploy/ describes, on loopback. Used by tests/cluster/ and benchmarks/inbound.py.

    with Cluster(db_url, workdir, workers=3) as cluster:
        cluster.ask(ADMIN_ID, "/start")
        cluster.kill(1)

The pieces, each a child process stopped by its own pid (never by name):
- the fake Bot API (`python -m tests.support.fake_bot_api`), delivering updates by webhook once a
  worker has called setWebhook, retrying deliveries without a 2xx like Telegram;
- nginx, on deploy/nginx/liaison-desk.conf.template rendered by deploy/render.py (the file an
  operator deploys: TLS with a self-signed certificate made here with `openssl`, the webhook path,
  an upstream of the workers), inside a minimal main configuration (pid, logs, temporary files in
  the run directory: what /etc/nginx/nginx.conf holds on a server);
- the workers: `python -m bot` with WEBHOOK_URL = nginx's address and path, each its WEBHOOK_PORT.

Run by hand against a scratch database (for trying a change of the bot on a cluster):

    .venv/bin/python -m tests.cluster.harness [--workers 3] [--smoke 300]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `deploy` is a directory of files, not an installed package
from deploy import render  # noqa: E402

PY = sys.executable
TOKEN = "123456:TEST-token-cluster"
SECRET = "cluster_Hook-secret-1"
HOOK_PATH = "/telegram/hook"
ADMIN_ID = 1001
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
_INHERITED_OUT = ("TELEGRAM_", "WEBHOOK_", "DATABASE_URL", "BOT_", "DIGEST_", "DASHBOARD_URL", "WEB_", "SUMMARY_LLM_")


class HarnessError(RuntimeError):
    """Something the harness could not bring up or observe; the message says what and where."""


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def missing_tools() -> str | None:
    """Why a cluster cannot run here (None when it can)."""
    if nginx_binary() is None:
        return "nginx is not installed (Debian: apt-get install nginx-light)"
    if shutil.which("openssl") is None:
        return "openssl is not installed (it makes the test certificate)"
    if not sys.platform.startswith("linux"):
        return "the cluster harness reads /proc (Linux only)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """`check()`'s first truthy value; HarnessError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise HarnessError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


# --------------------------------------------------------------------------- processes


class Process:
    """A child process whose output goes to a log file."""

    def __init__(self, name: str, args: Sequence[str], log_dir: Path, *, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> None:
        self.name, self.args = name, list(args)
        self.env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
        self.cwd = cwd or ROOT
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None
        self.log_offset = 0  # where this run's output starts in the log (restarts append)

    def start(self) -> Process:
        with self.log_path.open("ab") as log:
            self.log_offset = log.tell()
            log.write(f"--- {datetime.now().isoformat(timespec='seconds')} start {' '.join(self.args)}\n".encode())
            log.flush()
            self.popen = subprocess.Popen(self.args, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, start_new_session=True)
        return self

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no goodbye."""
        if self.alive:
            assert self.popen is not None
            os.kill(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)

    def stop(self, grace: float = 20.0) -> int | None:
        """SIGTERM, then SIGKILL after `grace` seconds; the exit code."""
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                os.kill(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)
        return self.popen.returncode

    def log_text(self, *, this_run: bool = False) -> str:
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as f:
            if this_run:
                f.seek(self.log_offset)
            return f.read().decode(errors="replace")

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


# --------------------------------------------------------------------------- TLS and nginx


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (what Telegram would accept if uploaded)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    done = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                           "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise HarnessError(f"openssl could not make a certificate: {done.stderr.strip().splitlines()[-1:]}")
    return cert, key


def main_conf(run_dir: Path, site: Path) -> str:
    """The main nginx.conf around the deployed site file: what a server's /etc/nginx/nginx.conf
    holds (process, logs, temporary files), here all inside `run_dir`."""
    return f"""daemon off;
worker_processes 1;
pid {run_dir}/nginx.pid;
error_log {run_dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {run_dir}/tmp/body;
    proxy_temp_path {run_dir}/tmp/proxy;
    fastcgi_temp_path {run_dir}/tmp/fastcgi;
    uwsgi_temp_path {run_dir}/tmp/uwsgi;
    scgi_temp_path {run_dir}/tmp/scgi;
    include {site};
}}
"""


@dataclass(frozen=True)
class AccessEntry:
    """One line of nginx's access log (the deployed `liaison_desk` format)."""

    method: str
    path: str
    status: int
    upstreams: tuple[str, ...]  # every worker tried, in order ("127.0.0.1:8001, 127.0.0.1:8002")
    upstream_statuses: tuple[str, ...]

    @property
    def worker(self) -> str | None:
        """The worker that gave the final answer."""
        return self.upstreams[-1] if self.upstreams else None


_ACCESS = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) \S+ upstream=(?P<up>.*?) '
                     r'upstream_status=(?P<ups>.*?) request_time=')


def _several(value: str) -> tuple[str, ...]:
    """nginx lists the upstreams tried for one request with ", " (and " : " across redirects)."""
    return tuple(v.strip() for v in re.split(r",\s|\s:\s", value) if v.strip() not in ("", "-"))


def parse_access_log(text: str) -> list[AccessEntry]:
    entries = []
    for line in text.splitlines():
        found = _ACCESS.search(line)
        if not found:
            continue
        entries.append(AccessEntry(found["method"], found["path"], int(found["status"]), _several(found["up"]),
                                   _several(found["ups"])))
    return entries


# --------------------------------------------------------------------------- PostgreSQL


def _dsn(url: str) -> str:
    return re.sub(r"^postgresql\+asyncpg://", "postgresql://", url)


def sql(url: str, statement: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows of one statement, on a short-lived connection."""

    async def run() -> list[tuple[Any, ...]]:
        import asyncpg

        conn = await asyncpg.connect(_dsn(url))
        try:
            return [tuple(row) for row in await conn.fetch(statement, *args)]
        finally:
            await conn.close()

    return asyncio.run(run())


def table_exists(url: str, name: str) -> bool:
    return bool(sql(url, "SELECT to_regclass($1) IS NOT NULL", name)[0][0])


@contextlib.contextmanager
def scratch_database(tag: str = "cluster") -> Iterator[str]:
    """A new, empty PostgreSQL database (dropped afterwards); yields its DATABASE_URL."""
    name = f"liaison_{tag}_{uuid.uuid4().hex[:10]}"
    sql(PG_ADMIN_URL, f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        sql(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bot_command(args: Sequence[str], db_url: str, *, cwd: Path, timeout: float = 180) -> str:
    """`python -m bot ARGS` as an operator runs it (migrate, org import); its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_OUT)}
    done = subprocess.run([PY, "-m", "bot", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**env, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise HarnessError(f"python -m bot {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return done.stdout


def seed_liaisons(db_url: str, count: int, *, first_id: int, prefix: str = "演练部门") -> list[int]:
    """`count` departments, each with a registered liaison (telegram_id = chat_id = first_id + i),
    written straight to the database (registering hundreds through chat would take minutes);
    returns their chat ids."""

    async def run() -> None:
        from storage.db import Database
        from storage.models import Department, LiaisonAppointment, Person
        from sqlalchemy import insert

        now = datetime.now(UTC)
        db = Database(db_url)
        try:
            async with db.engine.begin() as conn:
                departments = (await conn.execute(insert(Department).returning(Department.id),  # type: ignore[arg-type]
                                                  [{"name": f"{prefix}{i:03d}", "created_at": now}
                                                   for i in range(count)])).scalars().all()
                people = (await conn.execute(insert(Person).returning(Person.id),  # type: ignore[arg-type]
                                             [{"telegram_id": first_id + i, "chat_id": first_id + i,
                                               "full_name": f"演练联络员{i:03d}", "created_at": now}
                                              for i in range(count)])).scalars().all()
                await conn.execute(insert(LiaisonAppointment), [  # type: ignore[arg-type]
                    {"department_id": d, "person_id": p, "kind": "primary", "started_at": now}
                    for d, p in zip(departments, people, strict=True)])
        finally:
            await db.dispose()

    asyncio.run(run())
    return [first_id + i for i in range(count)]


def advisory_key(name: str) -> int:
    """The key `storage.locks.exclusive(db, name)` takes on PostgreSQL."""
    return zlib.crc32(f"liaison-desk:{name}".encode())


def _socket_ports(pid: int) -> set[int]:
    """Local TCP ports of the sockets process `pid` holds open (from /proc)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            for line in list(f)[1:]:
                parts = line.split()
                if len(parts) > 9 and parts[9] in inodes:
                    ports.add(int(parts[1].rsplit(":", 1)[1], 16))
    return ports


def cpu_seconds(pid: int) -> float:
    """User + system CPU time process `pid` has used so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Direct children of `pid` (nginx's worker processes)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
    return found


# --------------------------------------------------------------------------- the cluster


@dataclass
class Worker:
    index: int
    port: int
    process: Process

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """The fake Bot API, nginx and N workers on one database. `workdir` keeps every log."""

    db_url: str
    workdir: Path
    workers: int = 3
    env: dict[str, str] = field(default_factory=dict)  # extra settings for every worker
    worker_command: Sequence[str] = (PY, "-m", "bot")
    fake_args: Sequence[str] = ()
    ready_timeout: float = 120.0
    health_path: str | None = "/healthz"  # None: a worker is up once its port accepts connections (a bare PTB bot)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.run_dir = Path(tempfile.mkdtemp(prefix="liaison-nginx-"))  # nginx's own files
        os.chmod(self.run_dir, 0o755)  # its worker process may run as another user
        self.nginx_port = free_port()
        self.fake_port = free_port()
        self.pool: list[Worker] = []
        self.start_seconds = 0.0
        self.fake: Process | None = None
        self.nginx: Process | None = None
        self.cert, self.key = self.run_dir / "cert.pem", self.run_dir / "key.pem"
        self._http = httpx.Client(trust_env=False, timeout=60)

    # ------------------------------------------------------------------ lifecycle

    @property
    def webhook_url(self) -> str:
        return f"https://127.0.0.1:{self.nginx_port}{HOOK_PATH}"

    @property
    def public_url(self) -> str:
        return f"https://127.0.0.1:{self.nginx_port}"

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        make_certificate(self.run_dir)
        self.fake = Process("fake-bot-api", [PY, "-m", "tests.support.fake_bot_api", str(self.fake_port), TOKEN,
                                             "--webhook-ca", str(self.cert), *self.fake_args], self.workdir).start()
        wait_until(self._fake_up, 30, "the fake Bot API to listen")
        ports = [free_port() for _ in range(self.workers)]
        self.pool = [Worker(i, port, self._worker_process(i, port)) for i, port in enumerate(ports)]
        self.write_nginx_conf()
        self.nginx = Process("nginx", [nginx_binary() or "nginx", "-e", "stderr", "-p", str(self.run_dir), "-c",
                                       str(self.run_dir / "nginx.conf")], self.workdir).start()
        spawned = time.monotonic()
        for worker in self.pool:
            worker.process.start()
        for worker in self.pool:
            self.wait_ready(worker.index)
        self.start_seconds = time.monotonic() - spawned  # all workers starting at once, on this machine
        wait_until(self._nginx_healthy, 30, "nginx to answer (/healthz through a worker)")

    def write_nginx_conf(self) -> Path:
        """deploy/'s template, rendered for loopback: the only values that differ from a server's
        are the addresses, the certificate's paths and the access log's."""
        (self.run_dir / "tmp").mkdir(exist_ok=True)
        site = self.run_dir / "liaison-desk.conf"
        site.write_text(render.render(render.values_for(
            server_name="127.0.0.1", webhook_path=HOOK_PATH, workers=[w.address for w in self.pool],
            listen=f"127.0.0.1:{self.nginx_port}", certificate=str(self.cert), certificate_key=str(self.key),
            access_log=str(self.workdir / "nginx-access.log"))))
        main = self.run_dir / "nginx.conf"
        main.write_text(main_conf(self.run_dir, site))
        checked = subprocess.run([nginx_binary() or "nginx", "-t", "-q", "-e", "stderr", "-p", str(self.run_dir),
                                  "-c", str(main)], capture_output=True, text=True, timeout=30)
        if checked.returncode != 0:
            raise HarnessError(f"nginx -t refused the rendered configuration: {checked.stderr.strip()}")
        return site

    def stop(self) -> None:
        for worker in self.pool:
            with contextlib.suppress(Exception):
                worker.process.stop()
        for proc in (self.nginx, self.fake):
            if proc is not None:
                with contextlib.suppress(Exception):
                    proc.stop(grace=10)
        self._http.close()
        if self.nginx is not None and (self.run_dir / "error.log").exists():
            with contextlib.suppress(OSError):
                shutil.copy(self.run_dir / "error.log", self.workdir / "nginx-error.log")
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def _worker_env(self, index: int, port: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_OUT)}
        return {**env, "PYTHONPATH": str(ROOT), "DATABASE_URL": self.db_url, "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{self.fake_port}/bot",
                "TELEGRAM_API_FILE_URL": f"http://127.0.0.1:{self.fake_port}/file/bot",
                "BOT_ADMIN_IDS": str(ADMIN_ID), "WEBHOOK_URL": self.webhook_url, "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(port), **self.env}

    def _worker_process(self, index: int, port: int) -> Process:
        cwd = self.workdir / f"worker{index}"
        cwd.mkdir(exist_ok=True)  # its working directory: no .env from the checkout is read
        return Process(f"worker{index}", self.worker_command, self.workdir, env=self._worker_env(index, port), cwd=cwd)

    def wait_ready(self, index: int, timeout: float | None = None) -> None:
        """Until the worker answers /healthz and has set the webhook (its log says so)."""
        worker = self.pool[index]

        def ready() -> bool:
            if not worker.process.alive:
                raise HarnessError(f"worker{index} exited ({worker.process.popen.returncode if worker.process.popen else '?'}):"
                                   f"\n{worker.process.log_tail()}")
            if "receiving updates by webhook" not in worker.process.log_text(this_run=True):
                return False
            if self.health_path is None:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", worker.port), timeout=5):
                    return True
                return False
            with contextlib.suppress(httpx.HTTPError):
                return self._http.get(f"http://{worker.address}{self.health_path}", timeout=5).status_code == 200
            return False

        wait_until(ready, timeout or self.ready_timeout, f"worker{index} to serve the webhook", 0.2)

    def _fake_up(self) -> bool:
        assert self.fake is not None
        if not self.fake.alive:
            raise HarnessError(f"the fake Bot API exited:\n{self.fake.log_tail()}")
        with contextlib.suppress(httpx.HTTPError):
            self.stats()
            return True
        return False

    def _nginx_healthy(self) -> bool:
        assert self.nginx is not None
        if not self.nginx.alive:
            raise HarnessError(f"nginx exited:\n{self.nginx.log_tail()}")
        with contextlib.suppress(httpx.HTTPError):
            answer = httpx.get(f"{self.public_url}{self.health_path or '/'}", verify=self.tls_context(), timeout=5,
                               trust_env=False)
            return answer.status_code == 200 if self.health_path else answer.status_code == 404  # nginx's own 404
        return False

    def tls_context(self) -> ssl.SSLContext:
        """Trusts the cluster's self-signed certificate (for a client of nginx)."""
        return ssl.create_default_context(cafile=str(self.cert))

    # ------------------------------------------------------------------ workers

    def kill(self, index: int) -> None:
        """SIGKILL one worker."""
        self.pool[index].process.kill()

    def terminate(self, index: int, grace: float = 30.0) -> int | None:
        """SIGTERM one worker (what systemd and docker do); its exit code."""
        return self.pool[index].process.stop(grace)

    def restart(self, index: int, *, env: dict[str, str] | None = None) -> None:
        """Start a stopped worker again on its port (with `env` added to the cluster's), and wait."""
        worker = self.pool[index]
        if worker.process.alive:
            raise HarnessError(f"worker{index} is still running")
        if env:
            self.env.update(env)
        worker.process = self._worker_process(index, worker.port)
        worker.process.start()
        self.wait_ready(index)

    def cpu(self) -> dict[str, dict[int, float]]:
        """CPU seconds used so far, by process, of the workers, the fake Bot API, nginx (master and
        workers) and PostgreSQL (the server processes of this database's connections, and the
        server's own background processes, which other databases share)."""
        nginx = [self.nginx.pid, *children(self.nginx.pid)] if self.nginx and self.nginx.pid else []
        postgres = [row[0] for row in sql(self.db_url, "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                                                       "AND (datname = current_database() OR backend_type <> 'client backend')")]
        parts = {"workers": [w.process.pid for w in self.pool if w.process.pid],
                 "fake": [self.fake.pid] if self.fake and self.fake.pid else [], "nginx": nginx, "postgres": postgres}
        return {part: {pid: cpu_seconds(pid) for pid in pids} for part, pids in parts.items()}

    def alive(self) -> list[int]:
        return [w.index for w in self.pool if w.process.alive]

    def worker_at(self, address: str | None) -> int | None:
        return next((w.index for w in self.pool if w.address == address), None)

    def worker_by_pid(self, pid: int) -> int | None:
        return next((w.index for w in self.pool if w.process.pid == pid), None)

    def lock_holder(self, name: str) -> int | None:
        """The worker whose database connection holds the advisory lock `name` now (None: nobody,
        or not one of the workers): pg_locks gives the server process, pg_stat_activity its
        client's port, /proc which worker has a socket on that port."""
        rows = sql(self.db_url, "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid::bigint = $1 AND l.objsubid = 1 "
                                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                   advisory_key(name))
        ports = {row[0] for row in rows if row[0]}
        if not ports:
            return None
        for worker in self.pool:
            if worker.process.alive and worker.process.pid and ports & _socket_ports(worker.process.pid):
                return worker.index
        return None

    def access_log(self) -> list[AccessEntry]:
        path = self.workdir / "nginx-access.log"
        return parse_access_log(path.read_text(errors="replace")) if path.exists() else []

    def webhook_posts(self) -> list[AccessEntry]:
        return [e for e in self.access_log() if e.path == HOOK_PATH and e.method == "POST"]

    def logs(self, pattern: str) -> dict[int, int]:
        """How many lines of each worker's log (all its runs) match `pattern`."""
        rx = re.compile(pattern)
        return {w.index: sum(1 for line in w.process.log_text().splitlines() if rx.search(line)) for w in self.pool}

    # ------------------------------------------------------------------ the fake Bot API

    def _fake(self, path: str, body: Any = None, **query: Any) -> Any:
        url = f"http://127.0.0.1:{self.fake_port}{path}"
        response = (self._http.get(url, params=query) if body is None
                    else self._http.post(url, content=json.dumps(body, ensure_ascii=False).encode()))
        data = response.json()
        if response.status_code != 200:
            raise HarnessError(f"{path}: {response.status_code} {data.get('description') if isinstance(data, dict) else data}")
        return data

    def stats(self, **query: Any) -> dict[str, Any]:
        return self._fake("/_fake/stats", **query)

    def delay(self, method: str, seconds: float) -> None:
        """The fake answers every `method` call `seconds` late (0: on time again)."""
        self._fake("/_fake/delay", {"method": method, "seconds": seconds})

    def say(self, user_id: int, text: str, first_name: str | None = None) -> int:
        """A private message from `user_id`; its update_id."""
        return int(self._fake("/_fake/say", {"user_id": user_id, "text": text,
                                             "first_name": first_name or f"用户{user_id}"})["update_id"])

    def say_many(self, messages: list[dict[str, Any]]) -> list[int]:
        """Several at once (one request); their update_ids."""
        answer = self._fake("/_fake/say", {"messages": messages})
        return answer["update_ids"] if "update_ids" in answer else [answer["update_id"]]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """The bot's messages (to one chat), oldest first, as they are now."""
        return self._fake("/_fake/sent", limit=0, **({"chat_id": chat_id} if chat_id is not None else {}))

    def ask(self, user_id: int, text: str, *, contains: str | None = None, timeout: float = 30,
            first_name: str | None = None) -> str:
        """Say `text`; the first message the bot sends to that chat afterwards (containing `contains`)."""
        before = len(self.sent(user_id))
        self.say(user_id, text, first_name)
        return self.wait_message(user_id, contains=contains, after=before, timeout=timeout)

    def wait_message(self, chat_id: int, *, contains: str | None = None, after: int = 0, timeout: float = 30) -> str:
        def found() -> str | None:
            for message in self.sent(chat_id)[after:]:
                if contains is None or contains in (message.get("text") or ""):
                    return message.get("text") or "(no text)"
            return None

        try:
            return wait_until(found, timeout, f"a message to {chat_id}" + (f" containing {contains!r}" if contains else ""))
        except HarnessError as error:
            recent = [m.get("text", "")[:80] for m in self.sent(chat_id)[-5:]]
            raise HarnessError(f"{error}; the chat's last messages: {recent}") from None

    def press(self, user_id: int, button: str, *, timeout: float = 30) -> dict[str, Any]:
        """Press the button whose label contains `button` on the newest bot message with buttons in
        that chat; waits for the bot's answer to the button."""
        return self._fake("/_fake/press", {"user_id": user_id, "button": button, "timeout": timeout})

    def per_chat(self, contains: str) -> dict[int, int]:
        """Successful sends whose text contains `contains`, by chat."""
        return {int(chat): n for chat, n in self.stats(contains=contains)["per_chat"].items()}


# --------------------------------------------------------------------------- by hand


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.cluster.harness", description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--smoke", type=int, metavar="N", help="send N /whoami from N users, count the answers, stop")
    p.add_argument("--logs", type=Path, help="where the processes' logs go (default: a new temporary directory)")
    args = p.parse_args(argv)
    reason = missing_tools()
    if reason:
        print(f"harness: {reason}", file=sys.stderr)
        return 2
    workdir = args.logs or Path(tempfile.mkdtemp(prefix="liaison-cluster-"))
    workdir.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with scratch_database() as db_url:
        bot_command(["migrate"], db_url, cwd=workdir)
        with Cluster(db_url, workdir, workers=args.workers) as cluster:
            print(f"{args.workers} workers on ports {[w.port for w in cluster.pool]} behind nginx at "
                  f"{cluster.webhook_url}; fake Bot API at http://127.0.0.1:{cluster.fake_port}; logs in {workdir}",
                  flush=True)
            if args.smoke:
                started = time.monotonic()
                cluster.say_many([{"user_id": 900_000 + i, "text": "/whoami"} for i in range(args.smoke)])
                wait_until(lambda: cluster.stats()["delivered_total"] >= args.smoke, 300, "the answers", 0.2)
                took = time.monotonic() - started
                answers = cluster.stats(detail=1)["per_chat"]
                print(f"{args.smoke} messages answered in {took:.1f}s; chats answered more than once: "
                      f"{sum(1 for n in answers.values() if n > 1)}; webhook: {cluster.stats()['webhook']}")
                return 0
            print("Ctrl-C stops it. Kill a worker to watch the others take over; this stops when none is left.",
                  flush=True)
            reported: set[int] = set()
            with contextlib.suppress(KeyboardInterrupt):
                while any(w.process.alive for w in cluster.pool):
                    for w in cluster.pool:
                        if not w.process.alive and w.index not in reported:
                            reported.add(w.index)
                            print(f"worker{w.index} (port {w.port}) exited; the others carry on", flush=True)
                    time.sleep(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
