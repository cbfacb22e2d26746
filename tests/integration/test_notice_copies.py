"""Rewriting the copies of a task notice in one statement stays a compare-and-set: a copy someone
changed since it was read is not overwritten (the change is read again and redone), a copy read as
queued is not rewritten once a sender has it, and no edit is queued twice."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.rules.delivery import EDIT, Outcome, Verdict
from bot.rules.org import parse_org
from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.rules.tasks import AssignRequest
from bot.usecases import org, outbox, registration, tasks
from storage.models import OutboxMessage
from storage.repos import tasks as task_repo

TZ = ZoneInfo("Asia/Shanghai")
ADMIN = Caller(telegram_id=1, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))
LIAISON, DEPUTY = 10, 11


def user(n: int) -> UserInfo:
    return UserInfo(telegram_id=n, chat_id=n, full_name=f"用户{n}", username=f"u{n}")


async def rows(db) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return list(await s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


async def read_part(db) -> task_repo.Part:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        found = await task_repo.find(s, task_repo.Which(target_id=1))
    assert found.part is not None
    return found.part


def shown(part: task_repo.Part, status: str, now: datetime):  # type: ignore[no-untyped-def]
    return replace(tasks.view_of(part.task, part.target, part.department, now), status=status)


@pytest.fixture
async def notified(db, clock):  # type: ignore[no-untyped-def]
    """Task #1 for 区财政局: the liaison's notice sent, the deputy's still queued."""
    clock.current = datetime(2026, 11, 23, 9, 0, tzinfo=TZ).astimezone(UTC)
    await org.import_org(db, parse_org({"departments": ["区财政局"]}), now=clock())
    for n, deputy in ((LIAISON, False), (DEPUTY, True)):
        issued = await registration.create_invite(db, ADMIN, "区财政局", deputy=deputy, now=clock())
        await registration.redeem(db, user(n), issued.code, now=clock())
    await tasks.create(db, ADMIN, AssignRequest(("区财政局",), datetime(2026, 12, 10, 18, 0, tzinfo=TZ), "报送进展", None),
                       now=clock(), tz=TZ, default_language="zh")
    for row in await rows(db):
        if row.chat_id == LIAISON and row.status == "pending":
            claimed = await outbox.claim(db, row.id, "test", clock())  # type: ignore[arg-type]
            await outbox.settle(db, claimed, "test", Outcome(Verdict.SENT, message_id=500), now=clock())  # type: ignore[arg-type]
    return db


async def test_a_copy_changed_since_it_was_read_is_not_overwritten(notified, clock):  # type: ignore[no-untyped-def]
    db, now = notified, clock()
    stale = await read_part(db)
    assert sorted((c.chat_id, c.status) for c in stale.copies) == [(LIAISON, "sent"), (DEPUTY, "pending")]

    async with db.transaction() as s:  # someone else's change: both copies show 办理中, the sent one by an edit
        assert await tasks._refresh(s, {1: shown(stale, "in_progress", now)}, {1: stale.copies}, now=now) == 1
    async with db.transaction() as s:  # a change computed from what was read before it
        rewrites = tasks._rewrites(shown(stale, "acknowledged", now), stale.copies, now)
        assert len(rewrites) == 2
        assert await task_repo.rewrite_copies(s, rewrites, now) == set()  # neither copy, nor the edit (same version)
    after = await rows(db)
    assert [json.loads(r.payload)["meta"]["v"] for r in after if ":notice:" in r.dedup_key] == [1, 1]
    assert all("办理中" in json.loads(r.payload)["text"] for r in after if ":notice:" in r.dedup_key)
    assert len([r for r in after if r.kind == EDIT]) == 1

    async with db.transaction() as s:  # the same change through the use case reads again and is redone
        assert await tasks._refresh(s, {1: shown(stale, "acknowledged", now)}, {1: stale.copies}, now=now) == 1
    after = await rows(db)
    assert all("已确认收到" in json.loads(r.payload)["text"] for r in after if ":notice:" in r.dedup_key)
    edits = [r for r in after if r.kind == EDIT]
    assert [r.dedup_key.rsplit(":", 1)[1] for r in edits] == ["1", "2"] and "已确认收到" in json.loads(edits[1].payload)["text"]


async def test_a_copy_read_as_queued_is_not_rewritten_once_a_sender_has_it(notified, clock):  # type: ignore[no-untyped-def]
    db, now = notified, clock()
    part = await read_part(db)
    queued = next(c for c in part.copies if c.status == "pending")
    assert await outbox.claim(db, queued.row_id, "other-sender", now) is not None  # in flight now
    async with db.transaction() as s:
        rewrites = [r for r in tasks._rewrites(shown(part, "in_progress", now), part.copies, now) if r.copy == queued]
        assert rewrites and rewrites[0].edit is None  # read as queued: rewritten in place, no edit
        assert await task_repo.rewrite_copies(s, rewrites, now) == set()
    part.target.status = "in_progress"
    async with db.transaction() as s:  # read again: it is being sent, so it is rewritten and edited
        assert await tasks.refresh_notices(s, part.task, part.target, part.department, now=now) == 2
    edits = [r for r in await rows(db) if r.kind == EDIT]
    assert sorted(r.chat_id for r in edits) == [LIAISON, DEPUTY]
    assert json.loads(next(r for r in edits if r.chat_id == DEPUTY).payload)["of"] == queued.row_id
