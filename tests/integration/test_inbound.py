"""Webhook updates stored before they are answered (bot/usecases/inbound.py): accepted once, kept
by a live process's renewed lease, taken over by exactly one other process once the lease of a dead
one runs out, and never taken again once finished."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.usecases import inbound, updates
from storage.db import Database
from storage.repos import updates as updates_repo

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


async def test_an_update_is_stored_once(db: Database) -> None:
    assert await inbound.accept(db, 11, '{"update_id": 11}', now=T0, owner="a")
    assert not await inbound.accept(db, 11, '{"update_id": 11}', now=T0, owner="b")  # Telegram's retry


async def test_a_dead_process_s_update_goes_to_one_live_process_after_the_lease(db: Database) -> None:
    await inbound.accept(db, 21, '{"update_id": 21}', now=T0, owner="dead")
    await inbound.accept(db, 22, '{"update_id": 22}', now=T0, owner="alive")
    await inbound.finish(db, [22], now=T0)
    async with db.transaction() as s:  # the dead process had got as far as the access gate
        assert await updates_repo.first_time(s, 21, T0)
    assert await inbound.take_over(db, "b", now=T0 + inbound.LEASE - timedelta(seconds=1)) == []  # still leased
    later = T0 + inbound.LEASE + timedelta(seconds=1)
    taken = await asyncio.gather(inbound.take_over(db, "b", now=later), inbound.take_over(db, "c", now=later))
    assert sorted(taken, key=len) == [[], [(21, '{"update_id": 21}')]]  # one of them, once; 22 was finished
    assert await updates.first_time(db, 21, now=later)  # the gate lets it through again
    assert await inbound.take_over(db, "d", now=later + timedelta(seconds=1)) == []  # leased to its new holder


async def test_a_live_process_keeps_its_updates_by_renewing(db: Database) -> None:
    await inbound.accept(db, 31, "{}", now=T0, owner="busy")
    assert await inbound.renew(db, "busy", now=T0 + timedelta(seconds=25)) == 1
    assert await inbound.take_over(db, "other", now=T0 + inbound.LEASE + timedelta(seconds=10)) == []
    await inbound.finish(db, [31], now=T0 + timedelta(seconds=40))
    assert await inbound.renew(db, "busy", now=T0 + timedelta(seconds=45)) == 0
    assert await inbound.take_over(db, "other", now=T0 + timedelta(hours=1)) == []
    assert await inbound.prune(db, now=T0 + inbound.KEEP + timedelta(minutes=1)) == 1
