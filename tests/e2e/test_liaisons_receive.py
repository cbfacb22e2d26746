"""What liaisons receive, through the fake Bot API: a task's file with its notice (from the /assign
dialogue, from a document or photo captioned /assign, and for a liaison who registers later); the
notice edited in place on every change of the department's state, on every copy (the deputy's
too); files captioned /report; and the quarter's cycle there from the first second."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, func, select

from bot.app import build_application
from bot.rules.delivery import Pacer
from bot.rules.org import parse_org
from bot.rules.people import UserInfo
from bot.services import Services
from bot.usecases import audit, org, registration
from jobs.tick import run_steps
from storage.models import ReportFile, ReportingCycle, Task
from tests.e2e.conftest import ADMIN_ID, Chat, Desk, make_settings, start, stop
from tests.support.fake_bot_api import Call, callback_query, make_document, private_message

TZ = ZoneInfo("Asia/Shanghai")
ORG = {"departments": ["区财政局", "区交通局", "区水利局"]}
FINANCE, DEPUTY, TRANSPORT, WATER = 3301, 3302, 3303, 3304


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def buttons(message: dict) -> list[dict]:
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def push_callback(desk: Desk, chat: Chat, data: str, message: dict) -> Call:
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, chat.id, data, message, first_name=chat.first_name))
    return await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)


async def press(desk: Desk, chat: Chat, sent: Call, label: str) -> Call:
    """Press the button whose label contains `label` on the message as it is now."""
    message = desk.api.message(chat.id, sent.result["message_id"]) or sent.result
    data = next(b["callback_data"] for b in buttons(message) if label in b["text"])
    return await push_callback(desk, chat, data, message)


async def send_file(desk: Desk, chat: Chat, *, caption: str | None = None, document: dict | None = None,
                    photo: str | None = None, reply_to: int | None = None) -> Call:
    """Send a document or photo (with a caption); the bot's first answer."""
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, chat.id, None, first_name=chat.first_name, document=document,
                                         photo=photo, caption=caption, reply_to=reply_to))
    return await desk.api.wait_for_message(chat_id=chat.id, after=mark)


async def notice_and_file(desk: Desk, chat_id: int, task: int, after: int, method: str = "sendDocument") -> tuple[Call, Call]:
    """The task's notice in a chat, and the file sent after it."""
    notice = await desk.api.wait_for_message(chat_id=chat_id, contains=f"交办单 #{task}", after=after)
    sent = await desk.api.wait_for(lambda c: c.method == method and c.chat_id == chat_id and c.ok
                                   and f"#{task}" in (c.text or ""), after=after)
    assert sent.index > notice.index  # the notice first, then its file
    return notice, sent


async def shows(desk: Desk, chat_id: int, notice: Call, *parts: str, timeout: float = 10.0) -> dict:
    """Wait until the notice, as the chat sees it now (edited in place), contains every part."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        message = desk.api.message(chat_id, notice.result["message_id"]) or {}
        if all(part in message.get("text", "") for part in parts):
            return message
        assert loop.time() < deadline, f"the notice in chat {chat_id} still reads {message.get('text')!r}"
        desk.services.wake_outbox()
        await asyncio.sleep(0.02)


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    """区财政局 with a liaison and a deputy, 区交通局 with a liaison, 区水利局 with none."""
    clock.current = local(2026, 11, 23, 9, 0)
    await org.import_org(desk.services.db, parse_org(ORG), now=clock())
    people = {}
    for user_id, dept, invite in ((FINANCE, "区财政局", "区财政局"), (DEPUTY, "区财政局", "区财政局 deputy"),
                                  (TRANSPORT, "区交通局", "区交通局")):
        chat = desk.chat(user_id, f"联络员{user_id}")
        assert "登记成功" in await chat.send(f"/start {await desk.invite(invite)}")
        people[user_id] = chat
    await desk.delivered()  # the admins' registration notes are out before the tests read the admin's chat
    return people


# ---------------------------------------------------------------- the task's file reaches every liaison


async def test_a_file_from_the_assign_dialogue_reaches_every_liaison_after_the_notice(desk: Desk, office):  # type: ignore[no-untyped-def]
    admin = desk.admin
    picker = await admin.send_raw("/assign")
    await press(desk, admin, picker, "区财政局")
    await press(desk, admin, picker, "区交通局")
    mark = desk.api.mark()
    await press(desk, admin, picker, "下一步")
    await desk.api.wait_for_message(chat_id=ADMIN_ID, after=mark)  # asks for the due date
    await admin.send("2026-12-10")
    await admin.send("报送管网建设进展")
    await admin.send("/skip")
    confirm = await send_file(desk, admin, document=make_document("doc-template-7", "填报模板.docx", 4096))
    assert "填报模板.docx" in (confirm.text or "")
    mark = desk.api.mark()
    await press(desk, admin, confirm, "确认下发")
    created = await desk.api.wait_for_message(chat_id=ADMIN_ID, contains="已创建交办单", after=mark)
    assert "#1" in (created.text or "")

    for chat_id in (FINANCE, DEPUTY, TRANSPORT):
        notice, sent = await notice_and_file(desk, chat_id, 1, mark)
        assert "附件：填报模板.docx" in (notice.text or "")
        assert sent.raw["document"] == "doc-template-7"  # the same Telegram file, not an upload
        assert sent.raw["caption"] == "交办单 #1 附件：填报模板.docx"


async def test_a_document_captioned_assign_creates_the_task_with_that_file(desk: Desk, office):  # type: ignore[no-untyped-def]
    admin = desk.admin
    mark = desk.api.mark()
    reply = await send_file(desk, admin, caption="/assign 区财政局,区交通局 | 2026-12-10 | 填报管网台账 | 按模板填写",
                            document=make_document("doc-ledger-1", "管网台账.xlsx", 2048))
    assert "已创建交办单" in (reply.text or "") and "#1" in (reply.text or "") and "2/2" in (reply.text or "")
    for chat_id in (FINANCE, DEPUTY, TRANSPORT):
        notice, sent = await notice_and_file(desk, chat_id, 1, mark)
        assert "填报管网台账" in (notice.text or "") and "附件：管网台账.xlsx" in (notice.text or "")
        assert sent.raw["document"] == "doc-ledger-1"
    detail = await admin.send_raw("/task 1")
    assert "管网台账.xlsx" in " ".join(b["text"] for b in buttons(detail.result))  # and admins still fetch it

    mark = desk.api.mark()
    reply = await send_file(desk, admin, caption="/assign 区交通局 | 2026-12-11 | 现场照片对照", photo="photo-site-2")
    assert "#2" in (reply.text or "")
    notice, sent = await notice_and_file(desk, TRANSPORT, 2, mark, method="sendPhoto")
    assert sent.raw["photo"] == "photo-site-2" and "附件：照片" in (notice.text or "")

    usage = await send_file(desk, admin, caption="/assign", document=make_document("doc-x", "x.docx"))
    assert (usage.text or "").startswith("用法：/assign")
    async with desk.services.db.session() as s:
        assert (await s.exec(select(func.count()).select_from(Task))).one() == 2


async def test_a_liaison_who_registers_later_gets_notice_and_file(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    admin = desk.admin
    reply = await send_file(desk, admin, caption="/assign 区水利局,区交通局 | 2026-12-10 | 防汛物资清单",
                            document=make_document("doc-flood-3", "防汛物资.xlsx"))
    assert "区水利局" in (reply.text or "")  # not notified: no liaison yet
    water = desk.chat(WATER, "水利局联络员")
    assert "登记成功" in await water.send(f"/start {await desk.invite('区水利局')}")
    mark = desk.api.mark()
    await run_steps(desk.services, clock(), datetime.now(UTC))  # the tick's pass
    desk.services.wake_outbox()
    notice, sent = await notice_and_file(desk, WATER, 1, mark)
    assert "防汛物资清单" in (notice.text or "") and sent.raw["document"] == "doc-flood-3"
    await desk.delivered()
    await run_steps(desk.services, clock(), datetime.now(UTC))  # again: nothing twice
    await desk.delivered()
    assert sum("#1" in (c.text or "") for c in desk.api.sent_messages(WATER)) == 2
    assert sum("#1" in (c.text or "") for c in desk.api.sent_messages(TRANSPORT)) == 2


# ---------------------------------------------------------------- the notice shows the current state


async def test_every_change_edits_every_copy_of_the_notice_in_place(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    finance, deputy, transport = office[FINANCE], office[DEPUTY], office[TRANSPORT]
    mark = desk.api.mark()
    assert "#1" in await desk.admin.send("/assign 区财政局,区交通局 | 2026-12-10 | 报送管网建设进展")
    notices = {c: await desk.api.wait_for_message(chat_id=c, contains="交办单 #1", after=mark)
               for c in (FINANCE, DEPUTY, TRANSPORT)}
    await desk.delivered()
    for c, notice in notices.items():
        assert "待确认" in (notice.text or ""), c

    # a reply to the notice: both copies of 区财政局's notice say so
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, FINANCE, "道路管网已完成一半", first_name=finance.first_name,
                                         reply_to=notices[FINANCE].result["message_id"]))
    assert "已记录 #1 的进展" in ((await desk.api.wait_for_message(chat_id=FINANCE, after=mark)).text or "")
    await shows(desk, FINANCE, notices[FINANCE], "当前状态：办理中")
    await shows(desk, DEPUTY, notices[DEPUTY], "当前状态：办理中")
    assert "待确认" in desk.api.message(TRANSPORT, notices[TRANSPORT].result["message_id"])["text"]

    # /progress
    assert "已记录 #1 的进展" in await transport.send("/progress 1 已开始现场踏勘")
    await shows(desk, TRANSPORT, notices[TRANSPORT], "当前状态：办理中")

    # an approved extension: the new due date on both copies
    mark = desk.api.mark()
    await press(desk, deputy, notices[DEPUTY], "申请延期")
    await desk.api.wait_for_message(chat_id=DEPUTY, contains="新截止日期", after=mark)
    assert "#1" in await deputy.send("2026-12-20 等待用地审批")
    request = await desk.api.wait_for_message(chat_id=ADMIN_ID, contains="等待用地审批", after=mark)
    await press(desk, desk.admin, request, "同意")
    await shows(desk, FINANCE, notices[FINANCE], "2026-12-20（周日）18:00", "办理中")
    await shows(desk, DEPUTY, notices[DEPUTY], "2026-12-20（周日）18:00")

    # /done: the notice says so and its buttons go
    assert "#1" in await transport.send("/done 1 全部完成")
    done = await shows(desk, TRANSPORT, notices[TRANSPORT], "当前状态：已办结")
    assert not buttons(done)

    # a button on one copy: the pressed message at once, the other copy through the outbox
    await press(desk, finance, notices[FINANCE], "办结")
    await shows(desk, FINANCE, notices[FINANCE], "已办结")
    assert not buttons(await shows(desk, DEPUTY, notices[DEPUTY], "当前状态：已办结"))

    await desk.delivered()
    for c in (FINANCE, DEPUTY, TRANSPORT):
        failed = [x for x in desk.api.calls_to("editMessageText") if x.chat_id == c and not x.ok
                  and "not modified" not in (x.description or "")]
        assert not failed, [x.summary() for x in failed]
        assert not [x for x in desk.api.sent_messages(c) if "出错" in (x.text or "")]


# ---------------------------------------------------------------- reports: captions, and the cycle from the start


async def test_a_document_captioned_report_lands_in_the_draft(desk: Desk, office):  # type: ignore[no-untyped-def]
    preview = await send_file(desk, office[TRANSPORT], caption="/report 产值：2亿元",
                              document=make_document("doc-report-5", "三季度报表.xlsx"))
    assert "产值：2亿元" in (preview.text or "") and "附件 1 个" in (preview.text or "")
    more = await send_file(desk, office[TRANSPORT], photo="photo-report-6")  # the draft keeps collecting
    assert "附件 2 个" in (more.text or "")
    async with desk.services.db.session() as s:
        files = list(await s.exec(select(ReportFile.file_id).where(col(ReportFile.draft_id).is_not(None))
                                  .order_by(col(ReportFile.id))))
    assert files == ["doc-report-5", "photo-report-6"]


async def test_a_photo_captioned_progress_is_that_tasks_progress_with_the_photo(desk: Desk, office):  # type: ignore[no-untyped-def]
    await desk.admin.send("/assign 区交通局 | 2026-12-10 | 路面修复进展")
    await desk.delivered()  # the notice is out before the liaison answers
    saved = await send_file(desk, office[TRANSPORT], caption="/progress 1 已完成一半", photo="photo-road-1")
    assert "已记录 #1 的进展" in (saved.text or "")
    finished = await send_file(desk, office[TRANSPORT], caption="/done 1",
                               document=make_document("doc-accept-1", "验收单.pdf"))
    assert "已将 #1 标记为办结" in (finished.text or "")
    detail = await desk.admin.send_raw("/task 1")
    labels = " ".join(b["text"] for b in buttons(detail.result))
    assert "区交通局 照片" in labels and "区交通局 验收单.pdf" in labels  # both files kept on the task
    assert "已办结" in (detail.text or "")


async def test_a_captioned_assign_from_a_liaison_is_refused_and_audited(desk: Desk, office):  # type: ignore[no-untyped-def]
    refused = await send_file(desk, office[FINANCE], caption="/assign 区交通局 | 2026-12-10 | 越权下发",
                              document=make_document("doc-y", "y.docx"))
    assert "仅限管理员" in (refused.text or "")
    entries = [e for e in await audit.recent(desk.services.db, 20) if e.action == "/assign"]
    assert entries and entries[0].outcome == "denied" and "越权下发" in (entries[0].detail or "")
    async with desk.services.db.session() as s:
        assert (await s.exec(select(func.count()).select_from(Task))).one() == 0


async def test_report_right_after_start_finds_the_quarters_cycle(api, db, clock):  # type: ignore[no-untyped-def]
    """A bot started mid-quarter, before its first tick: the cycle is there (opened at start), and a
    new quarter's is opened on demand by /report."""
    clock.current = local(2026, 11, 23, 9, 0)
    await org.import_org(db, parse_org(ORG), now=clock())
    from bot.rules.people import Caller
    from bot.rules.roles import Role
    office_admin = Caller(telegram_id=ADMIN_ID, person_id=None, full_name="办公室", language="zh",
                          roles=frozenset({Role.ADMIN}))
    issued = await registration.create_invite(db, office_admin, "区交通局", deputy=False, now=clock())
    await registration.redeem(db, UserInfo(TRANSPORT, TRANSPORT, "交通局联络员", None), issued.code, now=clock())

    services = Services(settings=make_settings(api, str(db.url.render_as_string(hide_password=False))), db=db,
                        clock=clock, pacing=lambda: Pacer(private_interval=0.0))
    app = build_application(services)
    await start(app)
    try:
        for job in app.job_queue.get_jobs_by_name("tick"):  # no tick at all in this test
            job.schedule_removal()
        async with db.session() as s:
            labels = list(await s.exec(select(ReportingCycle.label)))
        assert labels == ["2026-Q4"]  # before the first update is answered
        liaison = Chat(api, TRANSPORT, "交通局联络员")
        assert "2026年第四季度" in await liaison.send("/report 产值：1亿元")  # the name, not the stored code
        cycle = await Chat(api, ADMIN_ID, "办公室管理员").send("/cycle")
        assert "0/3" in cycle

        clock.current = local(2027, 2, 10, 10, 0)  # a new quarter, and still no tick
        assert "2027年第一季度" in await liaison.send("/report 产值：1.5亿元")
        async with db.session() as s:
            assert sorted(await s.exec(select(ReportingCycle.label))) == ["2026-Q4", "2027-Q1"]
    finally:
        await stop(app)
