"""Backup and restore with scripts/backup and scripts/restore, on SQLite and PostgreSQL.

Data is made through the use cases (the example org, a registration, a task, a kept message), backed
up by the script in a subprocess, restored into a fresh database, and compared row for row, table by
table. The restored database is at head: `python -m bot migrate` says "already at"."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, text

from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.rules.tasks import AssignRequest
from bot.usecases import inbox, org, registration, tasks
from storage import migrate
from storage.db import Database
from tests.conftest import need_postgres

ROOT = Path(__file__).parents[2]
TZ = ZoneInfo("Asia/Shanghai")
ADMIN = Caller(telegram_id=1001, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))


def script(name: str, *args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([str(ROOT / "scripts" / name), *args], env=env, capture_output=True, text=True, timeout=120)


def cli_migrate(url: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def fill(db: Database, now) -> None:  # type: ignore[no-untyped-def]
    """An office in use: the example org, a registered liaison, a task with its notice, a kept message."""
    await migrate.upgrade_to_head(db)
    await org.import_org(db, org.read_org_file(ROOT / "examples" / "org.yaml"), now=now)
    issued = await registration.create_invite(db, ADMIN, "区财政局", deputy=False, now=now)
    liaison = UserInfo(telegram_id=5001, chat_id=5001, full_name="王芳", username="wangfang")
    await registration.redeem(db, liaison, issued.code, now=now)
    await tasks.create(db, ADMIN, AssignRequest(targets=("区财政局", "区科技局"), due=now + timedelta(days=10),
                                                title="报送资金保障情况", details="附件请用 PDF"),
                       now=now, tz=TZ, default_language="zh")
    await inbox.keep(db, inbox.Incoming(chat_id=5001, message_id=77, sender_id=5001, kind="text", text="收到，周五前报送"),
                     now=now)


def _rows(conn: Any) -> dict[str, list[tuple]]:
    out = {}
    for table in sorted(inspect(conn).get_table_names()):
        rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
        out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out


async def contents(url: str) -> dict[str, list[tuple]]:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            return await conn.run_sync(_rows)
    finally:
        await db.dispose()


async def scalar(url: str, sql: str) -> Any:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar()
    finally:
        await db.dispose()


def check_identical(source: dict[str, list[tuple]], restored: dict[str, list[tuple]]) -> None:
    assert set(restored) == set(source)
    assert {t: len(r) for t, r in restored.items()} == {t: len(r) for t, r in source.items()}
    for table in source:
        assert restored[table] == source[table], f"table {table} differs after restore"
    assert len(source["departments"]) == 24 and len(source["working_groups"]) == 7
    assert len(source["liaison_appointments"]) == 1 and len(source["task_targets"]) == 2
    assert len(source["outbox"]) >= 1  # the liaison's task notice, queued


async def spot_checks(url: str) -> None:
    assert await scalar(url, "SELECT full_name FROM people WHERE telegram_id = 5001") == "王芳"
    assert await scalar(url, "SELECT title FROM tasks") == "报送资金保障情况"
    assert await scalar(url, "SELECT text FROM inbound_messages WHERE message_id = 77") == "收到，周五前报送"
    assert await scalar(url, "SELECT d.name FROM liaison_appointments a JOIN departments d ON d.id = a.department_id "
                             "WHERE a.ended_at IS NULL") == "区财政局"
    assert await scalar(url, "SELECT version_num FROM alembic_version") == migrate.head_revision()


async def still_writable(url: str, now) -> None:  # type: ignore[no-untyped-def]
    """Ids continue after the restored rows (PostgreSQL's sequences came along)."""
    db = Database(url)
    try:
        report = await org.import_org(db, org.parse_org_text("departments: [区备份演练局]"), now=now)
        assert report.departments_created == ["区备份演练局"]
    finally:
        await db.dispose()
    assert await scalar(url, "SELECT count(*) FROM departments") == 25


# ---------------------------------------------------------------- SQLite


async def test_sqlite_online_backup_and_restore_give_the_same_data(tmp_path, clock):
    live = tmp_path / "liaison.db"
    url = f"sqlite+aiosqlite:///{live}"
    db = Database(url)
    try:
        await fill(db, clock())
        # the bot is "running": its engine is open, the last commits are still in the -wal file
        assert Path(f"{live}-wal").stat().st_size > 0
        writer = sqlite3.connect(live, timeout=5)  # and a write is in progress, not committed
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO org_meta (key, value) VALUES ('uncommitted', 'x')")
        done = await asyncio.to_thread(script, "backup", str(tmp_path / "nightly.db"), url=url)
        writer.rollback()
        writer.close()
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"backup written to {tmp_path / 'nightly.db'}"
        source = await contents(url)
    finally:
        await db.dispose()
    backup = tmp_path / "nightly.db"
    assert not Path(f"{backup}-wal").exists()
    con = sqlite3.connect(backup)  # a single self-contained file, without the uncommitted write
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert con.execute("SELECT count(*) FROM org_meta WHERE key = 'uncommitted'").fetchone()[0] == 0
    con.close()

    restored_url = f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
    done = script("restore", str(backup), url=restored_url)
    assert done.returncode == 0, done.stderr
    check_identical(source, await contents(restored_url))
    await spot_checks(restored_url)
    assert "already at " + migrate.head_revision() in cli_migrate(restored_url)
    await still_writable(restored_url, clock())


async def test_sqlite_restore_replaces_a_wiped_database_and_keeps_the_old_file(tmp_path, clock):
    url = f"sqlite+aiosqlite:///{tmp_path / 'liaison.db'}"
    db = Database(url)
    await fill(db, clock())
    await db.dispose()
    source = await contents(url)
    done = subprocess.run([str(ROOT / "scripts" / "backup"), "b.db"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": url}, timeout=120)  # OUT relative to the caller
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "b.db").exists()

    # disaster: the tables are wiped (a bad manual DELETE); restore with the bot stopped
    con = sqlite3.connect(tmp_path / "liaison.db")
    con.execute("PRAGMA foreign_keys=OFF")
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
        con.execute(f'DELETE FROM "{table}"')
    con.commit()
    con.close()  # the last connection closes: the -wal file goes away, as when the bot stops
    assert not (tmp_path / "liaison.db-wal").exists()
    done = script("restore", str(tmp_path / "b.db"), url=url)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "liaison.db.before-restore").exists()
    check_identical(source, await contents(url))
    assert "already at" in cli_migrate(url)


def test_sqlite_restore_refuses_while_the_bot_may_be_running_and_bad_input(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'liaison.db'}"
    (tmp_path / "liaison.db").write_bytes(b"")
    (tmp_path / "liaison.db-wal").write_bytes(b"x")
    good = tmp_path / "good.db"
    sqlite3.connect(good).close()
    for args, expected in [((str(good),), "stop the bot first"), ((str(tmp_path / "nope.db"),), "no backup file"),
                           ((), "usage: scripts/restore IN")]:
        done = script("restore", *args, url=url)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and expected in done.stderr, done.stderr
    (tmp_path / "liaison.db-wal").unlink()
    (tmp_path / "junk.db").write_bytes(b"not a database" * 100)
    done = script("restore", str(tmp_path / "junk.db"), url=url)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "not a usable SQLite backup" in done.stderr
    assert (tmp_path / "liaison.db").read_bytes() == b""  # untouched


def test_backup_errors_are_one_line(tmp_path):
    (tmp_path / "junk.db").write_bytes(b"not a database" * 100)
    for url, args, expected in [
        (f"sqlite+aiosqlite:///{tmp_path / 'junk.db'}", (str(tmp_path / "o.db"),), "file is not a database"),
        (f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}", (str(tmp_path / "o.db"),), "no SQLite database at"),
        ("mysql://u:secret@h/db", (str(tmp_path / "o.db"),), "must start with"),
        (f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}", (), "usage: scripts/backup OUT"),
        (f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}", (str(tmp_path / "no-dir" / "o.db"),), "does not exist"),
    ]:
        done = script("backup", *args, url=url)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and expected in done.stderr, done.stderr
        assert "secret" not in done.stderr
    assert not list(tmp_path.glob("o.db*"))


# ---------------------------------------------------------------- PostgreSQL


@pytest.fixture
def pg_tools(postgres):  # type: ignore[no-untyped-def]
    need_postgres(postgres)
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (PostgreSQL client tools): cannot test the PostgreSQL backup")
    return postgres


def test_postgres_backup_and_restore_into_a_fresh_and_into_a_used_database(pg_tools, tmp_path, clock):
    source_url = pg_tools.new_database("liaison_backup_src")

    async def make() -> None:
        db = Database(source_url)
        try:
            await fill(db, clock())
        finally:
            await db.dispose()

    asyncio.run(make())
    dump = tmp_path / "liaison.dump"
    done = script("backup", str(dump), url=source_url)
    assert done.returncode == 0, done.stderr
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    source = asyncio.run(contents(source_url))

    # 1. into a fresh, empty database (a new server after losing the old one)
    fresh = pg_tools.new_database("liaison_backup_fresh")
    done = script("restore", str(dump), url=fresh)
    assert done.returncode == 0, done.stderr
    check_identical(source, asyncio.run(contents(fresh)))
    asyncio.run(spot_checks(fresh))
    assert "already at " + migrate.head_revision() in cli_migrate(fresh)
    asyncio.run(still_writable(fresh, clock()))

    # 2. over a database in use with other data (--clean --if-exists replaces it)
    used = pg_tools.new_database("liaison_backup_used")

    async def other_data() -> None:
        db = Database(used)
        try:
            await migrate.upgrade_to_head(db)
            await org.import_org(db, org.parse_org_text("departments: [区别的局, 区另一个局]"), now=clock())
        finally:
            await db.dispose()

    asyncio.run(other_data())
    done = script("restore", str(dump), url=used)
    assert done.returncode == 0, done.stderr
    check_identical(source, asyncio.run(contents(used)))
    assert "already at" in cli_migrate(used)


def test_postgres_restore_of_a_bad_file_leaves_the_database_unchanged(pg_tools, tmp_path, clock):
    url = pg_tools.new_database("liaison_backup_bad")

    async def make() -> None:
        db = Database(url)
        try:
            await fill(db, clock())
        finally:
            await db.dispose()

    asyncio.run(make())
    before = asyncio.run(contents(url))
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"not a dump")
    done = script("restore", str(junk), url=url)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "pg_restore failed, the database is unchanged: pg_restore: error:" in done.stderr
    assert asyncio.run(contents(url)) == before
