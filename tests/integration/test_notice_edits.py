"""What liaisons receive, against a real database: the task's file queued right after each notice,
and one edit of every sent copy of the notice per change of the department's state."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.rules.delivery import EDIT, FILE_DOCUMENT, Outcome, Verdict
from bot.rules.org import parse_org
from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.rules.tasks import Action, AssignRequest
from bot.usecases import org, outbox, people, registration, task_actions, tasks
from bot.usecases.inbox import Incoming
from storage.models import OutboxMessage

TZ = ZoneInfo("Asia/Shanghai")
ADMIN = Caller(telegram_id=1, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))
FINANCE, DEPUTY, TRANSPORT = 10, 11, 20


def user(n: int) -> UserInfo:
    return UserInfo(telegram_id=n, chat_id=n, full_name=f"用户{n}", username=f"u{n}")


async def liaison(db, n: int, now: datetime) -> Caller:  # type: ignore[no-untyped-def]
    return await people.identify(db, user(n), admin_ids=frozenset(), default_language="zh", now=now)


async def rows(db) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return list(await s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


async def send_all_pending(db, now: datetime, chats: set[int]) -> None:  # type: ignore[no-untyped-def]
    """What the sender does for these chats: each pending row goes, with a message id."""
    for row in await rows(db):
        if row.status == "pending" and row.chat_id in chats:
            claimed = await outbox.claim(db, row.id, "test", now)
            assert claimed is not None
            await outbox.settle(db, claimed, "test", Outcome(Verdict.SENT, message_id=1000 + row.id), now=now)  # type: ignore[operator]


def said(db_rows: list[OutboxMessage], row: OutboxMessage) -> str:
    return json.loads(row.payload)["text"]


@pytest.fixture
async def assigned(db, clock):  # type: ignore[no-untyped-def]
    """Task #1 with a file, for 区财政局 (a liaison and a deputy) and 区交通局 (a liaison)."""
    clock.current = datetime(2026, 11, 23, 9, 0, tzinfo=TZ).astimezone(UTC)
    await org.import_org(db, parse_org({"departments": ["区财政局", "区交通局"]}), now=clock())
    for n, dept, deputy in ((FINANCE, "区财政局", False), (DEPUTY, "区财政局", True), (TRANSPORT, "区交通局", False)):
        issued = await registration.create_invite(db, ADMIN, dept, deputy=deputy, now=clock())
        await registration.redeem(db, user(n), issued.code, now=clock())
    request = AssignRequest(("区财政局", "区交通局"), datetime(2026, 12, 10, 18, 0, tzinfo=TZ), "报送管网进展", None)
    created = await tasks.create(db, ADMIN, request, now=clock(), tz=TZ, default_language="zh",
                                 attachment=tasks.Attachment("doc-template-1", "模板.docx", "document"))
    assert created.notified == 2
    return db


async def test_each_liaison_gets_the_notice_then_the_file(assigned, clock):  # type: ignore[no-untyped-def]
    queued = await rows(assigned)
    for chat in (FINANCE, DEPUTY, TRANSPORT):
        mine = [r for r in queued if r.chat_id == chat]
        assert [r.kind for r in mine] == ["text", FILE_DOCUMENT], chat  # in id order: the sender's order
        file_row = mine[1]
        payload = json.loads(file_row.payload)
        assert payload["file_id"] == "doc-template-1" and payload["text"] == "交办单 #1 附件：模板.docx"
        assert file_row.ref_kind == "target" and file_row.ref_id == mine[0].ref_id  # a reply to it is progress
    # queuing again (the tick's late-registration pass) adds nothing
    assert await tasks.notify_late_registrations(assigned, now=clock(), tz=TZ, default_language="zh") == 0
    assert len(await rows(assigned)) == len(queued)


async def test_one_edit_per_sent_copy_per_change_and_queued_copies_rerendered(assigned, clock):  # type: ignore[no-untyped-def]
    db = assigned
    now = clock()
    await send_all_pending(db, now, {FINANCE, DEPUTY})  # 区交通局's notice is still queued
    finance = await liaison(db, FINANCE, now)

    def edits(all_rows: list[OutboxMessage]) -> list[OutboxMessage]:
        return [r for r in all_rows if r.kind == EDIT]

    await task_actions.record_progress(db, finance, Incoming(FINANCE, 501, FINANCE, "text", "管网完成一半"),
                                       now=now, task_id=1)
    first = edits(await rows(db))
    assert sorted(r.chat_id for r in first) == [FINANCE, DEPUTY]  # every copy, the deputy's too
    notices = {r.id: r for r in await rows(db) if ":notice:" in r.dedup_key}
    for edit in first:
        payload = json.loads(edit.payload)
        assert notices[payload["of"]].chat_id == edit.chat_id and "办理中" in payload["text"]
        assert payload["reply_markup"]["inline_keyboard"]  # still open: the buttons stay

    # more progress, a repeated message, an acknowledgement: the state shown does not change, no edit
    await task_actions.record_progress(db, finance, Incoming(FINANCE, 502, FINANCE, "text", "又完成一段"),
                                       now=now, task_id=1)
    await task_actions.record_progress(db, finance, Incoming(FINANCE, 502, FINANCE, "text", "又完成一段"),
                                       now=now, task_id=1)
    deputy = await liaison(db, DEPUTY, now)
    target_id = notices[json.loads(first[0].payload)["of"]].ref_id
    await task_actions.act(db, deputy, target_id, Action.ACK, now=now)  # type: ignore[arg-type]
    assert len(edits(await rows(db))) == 2

    await task_actions.record_progress(db, deputy, Incoming(DEPUTY, 503, DEPUTY, "text", "全部完成"),
                                       now=now + timedelta(minutes=1), task_id=1, done=True)
    second = edits(await rows(db))[2:]
    assert sorted(r.chat_id for r in second) == [FINANCE, DEPUTY]
    assert all("已办结" in json.loads(r.payload)["text"] and not json.loads(r.payload)["reply_markup"] for r in second)
    assert len({r.dedup_key for r in edits(await rows(db))}) == 4

    # 区交通局's notice has not gone yet: it is re-rendered, not edited
    transport = await liaison(db, TRANSPORT, now)
    await task_actions.record_progress(db, transport, Incoming(TRANSPORT, 504, TRANSPORT, "text", "开始办理"),
                                       now=now, task_id=1)
    all_rows = await rows(db)
    assert len(edits(all_rows)) == 4
    pending = next(r for r in all_rows if r.chat_id == TRANSPORT and ":notice:" in r.dedup_key)
    assert pending.status == "pending" and "办理中" in said(all_rows, pending)

    # the office moves the due date: every copy shows it (the sent ones by an edit)
    await task_actions.extend(db, ADMIN, 1, datetime(2026, 12, 18, 18, 0, tzinfo=TZ), now=now, tz=TZ,
                              default_language="zh")
    all_rows = await rows(db)
    assert len(edits(all_rows)) == 6
    assert all("2026-12-18（周五）18:00" in said(all_rows, r) for r in edits(all_rows)[4:])
    pending = next(r for r in all_rows if r.chat_id == TRANSPORT and ":notice:" in r.dedup_key)
    assert "2026-12-18（周五）18:00" in said(all_rows, pending)


async def test_a_copy_being_sent_gets_an_edit_that_waits_for_it(assigned, clock):  # type: ignore[no-untyped-def]
    db = assigned
    now = clock()
    notice = next(r for r in await rows(db) if r.chat_id == TRANSPORT and ":notice:" in r.dedup_key)
    claimed = await outbox.claim(db, notice.id, "other-sender", now)  # type: ignore[arg-type]
    assert claimed is not None  # in flight when the change happens
    transport = await liaison(db, TRANSPORT, now)
    await task_actions.record_progress(db, transport, Incoming(TRANSPORT, 601, TRANSPORT, "text", "开始"),
                                       now=now, task_id=1)
    edit = next(r for r in await rows(db) if r.kind == EDIT)
    assert json.loads(edit.payload)["of"] == notice.id
    assert await outbox.message_of(db, notice.id) == ("sending", None)
    await outbox.settle(db, claimed, "other-sender", Outcome(Verdict.SENT, message_id=77), now=now)
    assert await outbox.message_of(db, notice.id) == ("sent", 77)


async def test_a_liaison_appointed_later_gets_the_open_tasks_notice_and_file(assigned, clock):  # type: ignore[no-untyped-def]
    db = assigned
    clock.advance(timedelta(days=2))
    issued = await registration.create_invite(db, ADMIN, "区交通局", deputy=True, now=clock())
    await registration.redeem(db, user(21), issued.code, now=clock())
    assert await tasks.notify_late_registrations(db, now=clock(), tz=TZ, default_language="zh") == 2
    mine = [r for r in await rows(db) if r.chat_id == 21]
    assert [r.kind for r in mine] == ["text", FILE_DOCUMENT]
    assert await tasks.notify_late_registrations(db, now=clock(), tz=TZ, default_language="zh") == 0


async def test_the_sender_holds_an_edit_until_its_message_is_sent_and_drops_it_if_never(db, clock):  # type: ignore[no-untyped-def]
    from bot.rules.delivery import Outgoing
    from jobs.sender import DrainStats, Sender

    now = clock()
    await outbox.enqueue(db, [Outgoing(5, "notice-a", text="待确认"), Outgoing(6, "notice-b", text="待确认")], now=now)
    first, second = [r.id for r in await rows(db)]
    await outbox.enqueue(db, [Outgoing(5, "edit-a", text="办理中", edit_of=first),
                              Outgoing(6, "edit-b", text="办理中", edit_of=second)], now=now)
    edit_a, edit_b = [r.id for r in await rows(db)][2:]
    claimed = await outbox.claim(db, second, "test", now)  # type: ignore[arg-type]
    await outbox.settle(db, claimed, "test", Outcome(Verdict.FAILED, error="refused"), now=now)  # type: ignore[arg-type]
    claimed = await outbox.claim(db, first, "test", now)  # type: ignore[arg-type]  # in flight

    sender = Sender(db, bot=None, default_language="zh", wall=lambda: now)  # type: ignore[arg-type]
    stats = DrainStats()
    await sender._send_one(edit_a, stats)  # type: ignore[arg-type]
    await sender._send_one(edit_b, stats)  # type: ignore[arg-type]
    assert (stats.retried, stats.failed, stats.sent) == (1, 1, 0)
    by_id = {r.id: r for r in await rows(db)}
    assert by_id[edit_a].status == "pending" and by_id[edit_a].next_attempt_at is not None  # tried again later
    assert by_id[edit_b].status == "failed"  # its message never arrived: nothing to edit
