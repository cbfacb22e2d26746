"""Revision 0009 (offices) on a database the previous release filled: every row is kept and the
database works as the root office.

tests/fixtures/release_0008.json is the data (not the schema) of a SQLite database built by the
release before offices (migrations up to 0008) and filled by a scripted quarter through that
release's own code; tests/fixtures/make_release_0008.py made it (its docstring says how to rerun
it). Here, on SQLite and on PostgreSQL, an empty database is migrated to 0008, the rows are loaded,
and the database is upgraded to head: nothing is lost or changed, everything belongs to office 1,
the root office carries the org file's name, down to 0008 and up again keeps every row, and the real
Application serves the old liaisons, tasks and cycle as the root office's.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import MetaData, select, text
from sqlalchemy.engine import Connection

from bot.rules.delivery import Pacer
from bot.services import Services
from storage import migrate
from storage.db import Database
from storage.repos import org as org_repo
from tests.conftest import FakeClock, Postgres, need_postgres
from tests.support.fake_bot_api import FakeBotAPI

FIXTURE = Path(__file__).parents[1] / "fixtures" / "release_0008.json"
OFFICE = "永川区智能网联新能源汽车特色产业发展领导小组办公室"  # `office:` of the release's examples/org.yaml
# Tables whose every row belongs to an office after 0009 (storage/models.py, the lead's list).
OWNED = {"departments", "department_aliases", "working_groups", "org_meta", "role_grants", "audit_log",
         "inbound_messages", "broadcasts", "tasks", "reporting_cycles", "digest_runs"}
TZ = ZoneInfo("Asia/Shanghai")
Rows = dict[tuple[Any, ...], dict[str, Any]]


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"]).astimezone(UTC)
    if isinstance(value, dict) and "b" in value:
        return base64.b64decode(value["b"])
    return value


def _normal(value: Any) -> Any:
    """A value as read back by reflection: SQLite's datetimes are naive UTC, PostgreSQL's aware."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


class Release:
    """The fixture: per table its columns, primary key and rows (decoded)."""

    def __init__(self) -> None:
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
        assert data["revision"] == "0008"
        self.tables: dict[str, dict[str, Any]] = data["tables"]

    def rows(self, table: str) -> list[dict[str, Any]]:
        t = self.tables[table]
        return [{c: _decode(v) for c, v in zip(t["columns"], row, strict=True)} for row in t["rows"]]

    def keyed(self, table: str) -> Rows:
        pk = self.tables[table]["primary_key"]
        return {tuple(r[c] for c in pk): r for r in self.rows(table)}

    def meta(self, key: str) -> str:
        return next(r["value"] for r in self.rows("org_meta") if r["key"] == key)


@pytest.fixture(scope="module")
def release() -> Release:
    return Release()


def _load(conn: Connection, release: Release) -> None:
    """Insert the fixture's rows into the tables as they are at 0008 (reflected), parents first."""
    md = MetaData()
    md.reflect(conn)
    sqlite = conn.dialect.name == "sqlite"
    assert set(md.tables) - {"alembic_version"} == set(release.tables), "the fixture's tables are 0008's"
    for table in md.sorted_tables:
        if table.name not in release.tables:
            continue
        assert {c.name for c in table.columns} == set(release.tables[table.name]["columns"]), table.name
        rows = release.rows(table.name)
        if sqlite:
            rows = [{c: v.replace(tzinfo=None) if isinstance(v, datetime) else v for c, v in r.items()} for r in rows]
        if rows:
            conn.execute(table.insert(), rows)
    if not sqlite:  # the rows came with their ids: the sequences go on after them
        for table in md.sorted_tables:
            if [c.name for c in table.primary_key.columns] == ["id"]:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                  f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"))


def _read(conn: Connection, release: Release) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows as they are now (reflected), values normalised."""
    md = MetaData()
    md.reflect(conn)
    out = {}
    for name, table in md.tables.items():
        if name != "alembic_version":
            out[name] = [{k: _normal(v) for k, v in row._mapping.items()} for row in conn.execute(select(table))]
    return out


async def read(db: Database, release: Release) -> dict[str, list[dict[str, Any]]]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_read, release)


def assert_every_row_kept(now: dict[str, list[dict[str, Any]]], release: Release) -> None:
    """Each table of the release holds exactly its rows, with the same values in its columns."""
    for table, spec in release.tables.items():
        assert table in now, f"{table} is gone"
        before = release.keyed(table)
        after = {tuple(r[c] for c in spec["primary_key"]): {c: r[c] for c in spec["columns"]} for r in now[table]}
        assert len(now[table]) == len(before), f"{table}: {len(before)} rows before, {len(now[table])} after"
        assert after.keys() == before.keys(), f"{table}: rows missing {sorted(before.keys() - after.keys())[:5]}"
        changed = [k for k in before if after[k] != before[k]]
        assert not changed, (f"{table}: row {changed[0]} changed:\n  before {before[changed[0]]}\n"
                             f"  after  {after[changed[0]]}")


def assert_root_office(now: dict[str, list[dict[str, Any]]], release: Release) -> None:
    offices = now["offices"]
    assert len(offices) == 1
    root = offices[0]
    assert (root["id"], root["name"], root["parent_id"], root["code"]) == (1, OFFICE, None, None)
    assert release.meta("office") == OFFICE  # the org file's `office`, as the release stored it
    for table in OWNED:
        assert now[table], f"the fixture has no {table} rows to check"
        assert {r["office_id"] for r in now[table]} == {1}, table
    assert {r["office_id"] for r in now["people"]} == {None}  # nobody has chosen an office with /office
    assert {r["unit_of"] for r in now["departments"]} == {None}  # no child offices
    assert {r["parent_target_id"] for r in now["tasks"]} == {None}  # nothing forwarded from a parent
    assert {(r["office_id"], r["key"]) for r in now["org_meta"]} == {(1, "office"), (1, "reporting")}


NEW_TABLES = {"offices", "meetings", "inbound_updates", "dialogues"}  # created by 0009, 0010 and 0011


async def load_release(db: Database, release: Release) -> None:
    """The release's rows in a database at its last revision, 0008."""
    await migrate.run(db, "upgrade", "0008")
    async with db.engine.begin() as conn:
        await conn.run_sync(_load, release)


async def migrate_and_check(url: str, release: Release) -> None:
    db = Database(url)
    try:
        await load_release(db, release)
        assert_every_row_kept(await read(db, release), release)  # the load itself is faithful

        await migrate.run(db, "upgrade", "head")
        now = await read(db, release)
        assert set(now) == set(release.tables) | NEW_TABLES
        assert_every_row_kept(now, release)
        assert_root_office(now, release)
        async with db.session() as s:
            assert await org_repo.meta(s, 1) == {"office": OFFICE, "reporting": release.meta("reporting")}

        await migrate.run(db, "downgrade", "0008")  # and back: the release's rows, nothing else
        now = await read(db, release)
        assert set(now) == set(release.tables)
        assert all(set(rows[0]) == set(release.tables[t]["columns"]) for t, rows in now.items() if rows)
        assert_every_row_kept(now, release)

        await migrate.run(db, "upgrade", "head")
        now = await read(db, release)
        assert_every_row_kept(now, release)
        assert_root_office(now, release)
        async with db.engine.begin() as conn:  # the next office (a district added later) is number 2
            added = await conn.execute(text("INSERT INTO offices (name, created_at) VALUES ('永川区', "
                                            "CURRENT_TIMESTAMP) RETURNING id"))
            assert added.scalar_one() == 2
    finally:
        await db.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path, postgres: Postgres) -> Iterator[str]:
    """A new empty database (no migration run), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'release_0008.db'}"
    else:
        need_postgres(postgres)
        yield postgres.new_database("liaison_release_0008")


def test_the_previous_release_s_database_keeps_every_row_through_0009(empty_url: str, release: Release) -> None:
    asyncio.run(migrate_and_check(empty_url, release))


async def test_the_migrated_database_works_as_the_root_office(empty_url: str, release: Release) -> None:
    """The config admin and a liaison of the release, through the real Application."""
    from tests.e2e.conftest import ADMIN_ID, TOKEN, Desk, make_settings, pause_minute_job, start, stop
    from bot.app import build_application

    db = Database(empty_url)
    try:
        await load_release(db, release)
        await migrate.run(db, "upgrade", "head")
        clock = FakeClock(datetime(2026, 12, 31, 14, 0, tzinfo=TZ))  # where the release's quarter ended
        people = {r["telegram_id"]: r["full_name"] for r in release.rows("people")}
        liaisons = {d["id"]: d["name"] for d in release.rows("departments")}
        active = [(liaisons[a["department_id"]], a["person_id"], a["kind"])
                  for a in release.rows("liaison_appointments") if a["ended_at"] is None]
        person_of = {r["id"]: r for r in release.rows("people")}
        assert ADMIN_ID in people and len(active) >= 5
        async with FakeBotAPI(token=TOKEN) as api:
            services = Services(settings=make_settings(api, db.url.render_as_string(hide_password=False)), db=db,
                                clock=clock, pacing=lambda: Pacer(private_interval=0.0))
            app = build_application(services)
            await start(app)
            pause_minute_job(app)
            try:
                desk = Desk(api, app, services)
                roster = await desk.admin.send("/liaisons")
                departments = len(release.rows("departments"))
                assert f"{len({d for d, _, _ in active})}/{departments} 个部门已登记" in roster, roster
                for dept, person_id, _ in active:
                    assert dept in roster and person_of[person_id]["full_name"] in roster, (dept, roster)

                listing = await desk.admin.send("/tasks")
                assert "#1" in listing and "报送道路管网建设进展" in listing, listing
                assert "三季度创新数据" in await desk.admin.send("/task 2")  # closed, still there

                status = await desk.admin.send("/cycle")
                cycle = next(c for c in release.rows("reporting_cycles") if c["label"] == "2026-Q4")
                members = sum(m["cycle_id"] == cycle["id"] for m in release.rows("cycle_members"))
                submitted = len({r["department_id"] for r in release.rows("reports") if r["cycle_id"] == cycle["id"]})
                assert "2026年第四季度" in status and f"{submitted}/{members}" in status, status
                assert "逾期报送：区商务委" in status
                assert "产值：50.8亿元（2个部门合计）" in status  # 49.6 (the superseding version) + 1.2

                transport = next(p for d, p, k in active if d == "区交通局" and k == "primary")
                chat = desk.chat(person_of[transport]["telegram_id"], person_of[transport]["full_name"])
                assert "已记录 #1 的进展" in await chat.send("/progress 1 管网已全部完工", contains="#1")
                detail = await desk.admin.send("/task 1")
                assert "管网已全部完工" in detail
                # new rows carry on after the release's ids (PostgreSQL's sequences were set after the load)
                created = await desk.admin.send("/assign 区交通局 | 2027-01-15 | 一月调度材料", contains="#")
                assert "#3" in created, created
            finally:
                await stop(app)
        async with db.engine.connect() as conn:
            progress = (await conn.execute(text("SELECT id, text FROM task_progress ORDER BY id"))).all()
            offices = (await conn.execute(text("SELECT office_id FROM tasks ORDER BY id"))).scalars().all()
        assert progress[-1] == (len(release.rows("task_progress")) + 1, "管网已全部完工")
        assert offices == [1, 1, 1]
    finally:
        await db.dispose()
