"""Revision 0008 on a database with data in it: parts already asked to acknowledge and tasks
already escalated by the per-task messages before it are marked so, and the first morning round
after the upgrade does not tell anyone again; nothing else changes."""

from __future__ import annotations

import asyncio
from sqlalchemy import text

from storage import migrate
from storage.db import Database
from tests.conftest import need_postgres

ROWS = [
    "INSERT INTO departments (id, name, created_at) VALUES (1, '区交通局', '2026-11-01 00:00:00+00:00'), "
    "(2, '区财政局', '2026-11-01 00:00:00+00:00')",
    "INSERT INTO tasks (id, title, due_at, created_by, created_at) VALUES "
    "(1, '已通报', '2026-11-20 10:00:00+00:00', 1, '2026-11-10 00:00:00+00:00'), "
    "(2, '未通报', '2026-12-20 10:00:00+00:00', 1, '2026-11-10 00:00:00+00:00')",
    "INSERT INTO task_targets (id, task_id, department_id, is_lead, status, notified_at) VALUES "
    "(1, 1, 1, true, 'pending', '2026-11-10 00:00:00+00:00'), (2, 1, 2, false, 'pending', '2026-11-10 00:00:00+00:00'), "
    "(3, 2, 1, true, 'acknowledged', '2026-11-10 00:00:00+00:00')",
    "INSERT INTO outbox (dedup_key, chat_id, kind, payload, status, attempts, created_at, ref_kind, ref_id) VALUES "
    "('task:1:target:1:ack-nudge:7', 701, 'text', '{}', 'sent', 1, '2026-11-11 00:00:00+00:00', 'target', 1), "
    "('task:1:escalation:900', 900, 'text', '{}', 'sent', 1, '2026-11-23 01:00:00+00:00', NULL, NULL)",
]


async def upgrade_with_data(url: str) -> None:
    db = Database(url)
    try:
        await migrate.run(db, "upgrade", "0007")
        async with db.engine.begin() as conn:
            for statement in ROWS:
                await conn.execute(text(statement))
        await migrate.run(db, "upgrade", "head")
        async with db.engine.connect() as conn:
            nudged = (await conn.execute(text("SELECT id FROM task_targets WHERE ack_nudged_at IS NOT NULL"))).scalars().all()
            escalated = (await conn.execute(text("SELECT id FROM tasks WHERE escalated_at IS NOT NULL"))).scalars().all()
            kept = (await conn.execute(text("SELECT count(*) FROM outbox"))).scalar()
            marks = (await conn.execute(text("SELECT count(*) FROM scheduler_marks"))).scalar()
        assert nudged == [1]  # target 2 was never nudged; target 3 was acknowledged
        assert escalated == [1]
        assert kept == 2 and marks == 0
        await migrate.run(db, "downgrade", "0007")
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM task_targets"))).scalar() == 3
    finally:
        await db.dispose()


def test_sqlite_keeps_what_was_told_through_the_upgrade(tmp_path) -> None:  # type: ignore[no-untyped-def]
    asyncio.run(upgrade_with_data(f"sqlite+aiosqlite:///{tmp_path / 'liaison.db'}"))


def test_postgres_keeps_what_was_told_through_the_upgrade(postgres) -> None:  # type: ignore[no-untyped-def]
    need_postgres(postgres)
    asyncio.run(upgrade_with_data(postgres.new_database()))
