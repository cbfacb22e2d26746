"""Issue 17, failover: several `python -m bot` processes on one PostgreSQL database. The sender
and the tick each run under a session advisory lock (storage/locks.py); when the process holding
one dies its connection closes and the lock goes with it, and the live processes — which try the
sender's lock every second and the tick's every minute — take over within a minute.

Real processes: `python -m bot` in polling mode against the fake Bot API on loopback, and a small
Python process that holds a lock as the bot does and is SIGKILLed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from bot.usecases import schedule
from jobs.sender import LOCK as SENDER_LOCK
from jobs.tick import LOCK as TICK_LOCK
from storage.db import Database
from storage.locks import exclusive
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.outbox_kill import ROOT, KillPlan, broadcast_kill, check, fetch, until

pytestmark = pytest.mark.cluster
postgres_only = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)

HOLDER = """
import asyncio, sys
from storage.db import Database
from storage.locks import exclusive

async def main():
    db = Database(sys.argv[1])
    async with exclusive(db, sys.argv[2]) as mine:
        print("held" if mine else "busy", flush=True)
        await asyncio.sleep(600)

asyncio.run(main())
"""


async def _free(db: Database, name: str) -> bool:
    async with exclusive(db, name) as mine:
        return mine


@postgres_only
@pytest.mark.parametrize("name", [SENDER_LOCK, TICK_LOCK])
async def test_a_lock_goes_with_the_process_that_held_it(db: Database, db_url: str, name: str) -> None:
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, db_url, name, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        assert holder.stdout is not None
        line = await asyncio.wait_for(holder.stdout.readline(), 60)
        assert line.strip() == b"held", line
        assert not await _free(db, name)  # held: nobody else runs it
        os.kill(holder.pid, signal.SIGKILL)
        killed = time.monotonic()
        await holder.wait()
        await until(lambda: _free(db, name), 60, f"the {name} lock to be free", every=0.1)
        print(f"{name}: free {time.monotonic() - killed:.2f}s after the SIGKILL")
    finally:
        if holder.returncode is None:
            os.kill(holder.pid, signal.SIGKILL)
            await holder.wait()


async def _tick_ran_again(db: Database) -> float:
    """Forget the tick's marks; seconds until a pass (on whichever process) writes them again."""
    await schedule.reset(db)
    cleared = time.monotonic()

    async def marks() -> bool:
        return (await fetch(db, "SELECT count(*) FROM scheduler_marks"))[0][0] > 0

    await until(marks, 150, "a tick pass on a live process", every=0.2)
    return time.monotonic() - cleared


@postgres_only
async def test_the_sender_and_the_tick_move_to_a_live_process_when_theirs_is_killed(
        api: FakeBotAPI, db: Database, db_url: str, tmp_path: Path) -> None:
    """Two bots; a broadcast to 900 chats; the one sending is SIGKILLed a sixth of the way, while
    the fake holds its send (which then arrives). The other sends on within a minute (in fact
    about a second: it tries the lock every second), its minute job runs the tick, the killed
    one's row goes out again after the lease (so that chat has it twice, and the report says so),
    and every chat has the message."""
    run = await broadcast_kill(api, db_url, tmp_path, n=900, plan=KillPlan(150, "delivered"), processes=2,
                               after_kill=_tick_ran_again)
    print(run.summary(), f"tick ran again {run.after_kill:.1f}s after the kill")
    check(run)
    assert run.sender_after_kill not in (None, run.killed_pid)
    assert run.first_delivery_after_kill_s is not None and run.first_delivery_after_kill_s < 60
    # the live process's own minute job, plus the pass itself
    assert run.after_kill < 60 + 15
