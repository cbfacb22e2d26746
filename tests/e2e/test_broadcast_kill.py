"""Issue 17, acceptance 2: SIGKILL during a 2,000-chat broadcast, on SQLite and on PostgreSQL, five
runs each: no chat never gets the message; duplicates only for rows in flight at the kill, and
counted (the admin's report says how many may have arrived twice).

The bots are real `python -m bot` processes (polling the fake Bot API on loopback, which delivers
without rate limits; the bot paces itself at 29.5/s). On PostgreSQL two run and the one sending is
killed: the other takes the sender over and, after the lease, sends the killed one's row again. On
SQLite (one process per deployment) a new process starts after the kill and does both. Of the five
runs, two kill while the fake holds a send (so a row is certainly in flight: once the message
arrives anyway, once it does not), three at the moment the count of deliveries reaches a mark.

The five runs of a database go at once (each its own database, fake and processes), so the test
takes about as long as one: the broadcast (~70 s at 29.5/s) and the lease of the row in flight
(60 s from its claim, then up to 10 s until a sender looks). KILL_RUNS_AT_ONCE=1 runs them one by one.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest

from storage import migrate
from storage.db import Database
from tests.conftest import Postgres, need_postgres
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.outbox_kill import TOKEN, KillPlan, KillRun, broadcast_kill, check

pytestmark = pytest.mark.cluster

CHATS = 2000
PLANS = (KillPlan(200, "delivered"), KillPlan(450), KillPlan(700, "refused"), KillPlan(300), KillPlan(550))
AT_ONCE = int(os.environ.get("KILL_RUNS_AT_ONCE", str(len(PLANS))))
CONTRACT_S = 120.0  # CONTRACT.md: a killed process's rows are sent again within two minutes


def _databases(kind: str, tmp_path: Path, postgres: Postgres, sqlite_migrated: Path) -> list[str]:
    urls = []
    for i in range(len(PLANS)):
        if kind == "sqlite":
            path = tmp_path / f"run{i + 1}" / "liaison.db"
            path.parent.mkdir(parents=True)
            shutil.copyfile(sqlite_migrated, path)
            urls.append(f"sqlite+aiosqlite:///{path}")
        else:
            urls.append(postgres.new_database("liaison_kill"))
    return urls


async def _migrate(url: str) -> None:
    db = Database(url)
    try:
        await migrate.upgrade_to_head(db)
    finally:
        await db.dispose()


async def _runs(urls: list[str], tmp_path: Path, processes: int) -> list[KillRun]:
    for url in urls:  # one by one: alembic's context is global to the process
        await _migrate(url)
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(i: int, url: str) -> KillRun:
        async with gate:
            async with FakeBotAPI(token=TOKEN) as api:
                return await broadcast_kill(api, url, tmp_path / f"run{i + 1}", n=CHATS, plan=PLANS[i],
                                            processes=processes)

    return list(await asyncio.gather(*(one(i, url) for i, url in enumerate(urls))))


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_sigkill_during_a_2000_chat_broadcast_loses_no_chat_and_counts_every_duplicate(
        kind: str, tmp_path: Path, postgres: Postgres, sqlite_migrated: Path) -> None:
    if kind == "postgres":
        need_postgres(postgres)
    urls = _databases(kind, tmp_path, postgres, sqlite_migrated)
    runs = asyncio.run(_runs(urls, tmp_path, processes=1 if kind == "sqlite" else 2))
    print(json.dumps([r.summary() for r in runs], ensure_ascii=False, indent=1))
    for run in runs:
        check(run)
        # the row in flight went out again within the contract's two minutes of the kill
        assert all(s < CONTRACT_S for s in run.resent_delivered_after_s.values()), run.summary()
        if kind == "postgres":  # the other process took the sender over
            assert run.sender_after_kill not in (None, run.killed_pid), run.summary()
    # the runs that held a send had a row in flight at the kill: re-sent, and one arrived twice
    assert sum(r.resent_total for r in runs) >= 2
    assert sum(r.extra_copies for r in runs) >= 1
