"""Nothing a liaison sends is lost: a plain message (text, photo, document) from a liaison whose
department has open work gets one-tap buttons to file it under a task or the quarterly report (or
仅存档); with no open work it is kept, acknowledged and listed in the admin's /inbox, from where the
office files it under a task."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from bot.rules.org import parse_org
from bot.usecases import org
from jobs.tick import run_steps
from storage.models import InboundMessage, ReportFile, TaskEvent, TaskProgress
from tests.e2e.conftest import ADMIN_ID, Chat, Desk
from tests.support.fake_bot_api import Call, callback_query, make_document, private_message

TZ = ZoneInfo("Asia/Shanghai")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def open_cycle(desk: Desk, clock, at: datetime) -> None:  # type: ignore[no-untyped-def]
    """What the bot's minute job does at `at` (the quarter's cycle opens)."""
    clock.current = at
    await run_steps(desk.services, at, datetime.now(UTC))


async def say(desk: Desk, chat: Chat, **message) -> Call:  # type: ignore[no-untyped-def]
    """`chat` sends a message (text=, photo=, document=, caption=); the bot's first answer."""
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, chat.id, first_name=chat.first_name, **message))
    return await desk.api.wait_for_message(chat_id=chat.id, after=mark)


def buttons(call: Call | dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    markup = (call.reply_markup if isinstance(call, Call) else call.get("reply_markup")) or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]


async def press(desk: Desk, chat: Chat, message: dict, data: str) -> str:  # type: ignore[type-arg]
    """`chat` presses a button with `data` on `message`; the callback answer's text."""
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, chat.id, data, message, first_name=chat.first_name))
    answer = await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    return answer.raw.get("text", "")


async def press_label(desk: Desk, chat: Chat, offer: Call, label: str) -> str:
    data = next(d for text, d in buttons(offer) if label in text)
    return await press(desk, chat, offer.result, data)


def shown(desk: Desk, chat: Chat, offer: Call) -> dict:  # type: ignore[type-arg]
    """The message as it reads now (after any edit)."""
    return desk.api.message(chat.id, offer.result["message_id"]) or offer.result


async def count(desk: Desk, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with desk.services.db.session() as s:
        return (await s.exec(select(func.count()).select_from(model).where(*where))).one()


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    """区财政局 has two open tasks (and one done, one closed) and the open 2026-Q4 cycle; 区交通局 a
    liaison too."""
    clock.current = local(2026, 11, 23, 9, 0)
    await org.import_org(desk.services.db, parse_org({"departments": ["区财政局", "区交通局", "区科技局"]}),
                         now=clock())
    finance, transport = desk.chat(5101, "财政局联络员"), desk.chat(5102, "交通局联络员")
    assert "登记成功" in await finance.send(f"/start {await desk.invite('区财政局')}")
    assert "登记成功" in await transport.send(f"/start {await desk.invite('区交通局')}")
    for title in ("已办结的任务", "已关闭的任务", "报送道路管网建设进展及存在的主要问题和下一步工作计划", "本周安全生产检查"):
        assert "已创建交办单" in await desk.admin.send(f"/assign 区财政局 | 2026-12-10 | {title}")
    await desk.delivered()
    assert "已将 #1 标记为办结" in await finance.send("/done 1")
    assert "已关闭 #2" in await desk.admin.send("/close 2")
    await open_cycle(desk, clock, local(2026, 11, 23, 9, 5))
    await desk.delivered()  # the notices are out: the next message to a liaison is the bot's answer
    return finance, transport


async def test_text_photo_and_document_each_get_the_buttons_and_one_press_files_them(desk: Desk, office):  # type: ignore[no-untyped-def]
    finance, transport = office

    # a .docx: two open tasks (newest first; not the done or the closed one), the report, 仅存档
    mark = desk.api.mark()
    offer = await say(desk, finance, document=make_document("docx-1", "三季度工作总结.docx", 20480, DOCX))
    assert "办公室可以看到" in (offer.text or "")
    labels = [text for text, _ in buttons(offer)]
    assert labels[0] == "#4 本周安全生产检查" and labels[1].startswith("#3 报送道路管网建设进展")
    assert labels[1].endswith("…") and labels[2:] == ["📝 本季度报送", "仅存档"]
    assert await count(desk, InboundMessage, InboundMessage.sender_id == finance.id) == 1  # stored first
    # into the report draft, whose preview comes with its Submit button
    assert "已加入本季度报送草稿" in await press_label(desk, finance, offer, "本季度报送")
    preview = await desk.api.wait_for_message(chat_id=finance.id, contains="待确认", after=mark)
    assert "附件 1 个" in (preview.text or "") and "确认提交" in " ".join(t for t, _ in buttons(preview))
    async with desk.services.db.session() as s:
        assert list(await s.exec(select(ReportFile.file_id))) == ["docx-1"]

    # plain text, after that: asked again (the press did not turn the next messages into the report)
    offer = await say(desk, finance, text="已完成本周安全检查，未发现隐患")
    assert [text[:2] for text, _ in buttons(offer)] == ["#4", "#3", "📝 ", "仅存"]
    mark = desk.api.mark()
    answer = await press_label(desk, finance, offer, "#4")
    assert "已记入交办单 #4 的进展" in answer
    assert "已记入交办单 #4 的进展" in shown(desk, finance, offer)["text"]
    assert not buttons(shown(desk, finance, offer))  # the buttons are gone
    # like a reply: the task notice is edited in place to show the new state
    await desk.api.wait_for(lambda c: c.method == "editMessageText" and c.chat_id == finance.id
                            and "交办单 #4" in (c.text or "") and "办理中" in (c.text or ""), after=mark, timeout=10)

    # a photo without caption
    offer = await say(desk, finance, photo="site-photo-1")
    assert [text[:2] for text, _ in buttons(offer)] == ["#4", "#3", "📝 ", "仅存"]
    assert "已记入交办单 #3 的进展" in await press_label(desk, finance, offer, "#3")

    # what the office sees: the text under #4, the photo under #3 with its file button
    detail = await desk.admin.send_raw("/task 4")
    assert "区财政局（牵头）：办理中" in (detail.text or "") and "已完成本周安全检查" in (detail.text or "")
    detail = await desk.admin.send_raw("/task 3")
    assert "📎photo" in (detail.text or "") or "照片" in (detail.text or "")
    file_button = next(d for _, d in buttons(detail) if d.startswith("f:p:"))
    mark = desk.api.mark()
    await press(desk, desk.admin, detail.result, file_button)
    sent = await desk.api.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == ADMIN_ID, after=mark)
    assert sent.raw["photo"] == "site-photo-1"
    async with desk.services.db.session() as s:
        events = list(await s.exec(select(TaskEvent.kind, TaskEvent.actor_id).where(TaskEvent.task_id == 4)))
        filed = list(await s.exec(select(InboundMessage.filed_as, InboundMessage.filed_by)
                                  .order_by(InboundMessage.id)))
    assert ("in_progress", finance.id) in events
    assert filed == [("report", finance.id), ("task", finance.id), ("task", finance.id)]
    assert await count(desk, TaskProgress) == 2

    # and the report draft, submitted, carries the document
    preview_now = desk.api.message(finance.id, preview.result["message_id"]) or preview.result
    mark = desk.api.mark()
    data = next(d for t, d in buttons(preview_now) if "确认提交" in t)
    await press(desk, finance, preview_now, data)
    done = await desk.api.wait_for_message(chat_id=finance.id, contains="已提交", after=mark)
    assert "附件 1 个" in (done.text or "")
    # submitted: the report is no longer offered, the open tasks still are
    offer = await say(desk, finance, text="补充：检查记录已归档")
    assert [text for text, _ in buttons(offer)][1:] == [labels[1], "仅存档"]


async def test_pressing_twice_someone_elses_and_forged_buttons_get_a_notice_and_write_nothing(desk: Desk, office):  # type: ignore[no-untyped-def]
    finance, transport = office
    offer = await say(desk, finance, text="周报：道路管网完成 80%")
    task_data = next(d for t, d in buttons(offer) if t.startswith("#3"))
    keep_data = next(d for t, d in buttons(offer) if t == "仅存档")

    # someone else (another department's liaison, on their own chat or on this message)
    own = (await transport.send_raw("/whoami")).result
    for on in (own, offer.result):
        assert "不是您发送的消息" in await press(desk, transport, on, task_data)
    assert await count(desk, TaskProgress) == 0

    assert "已记入交办单 #3" in await press(desk, finance, offer.result, task_data)
    # pressed twice (an old copy of the message still shows the buttons), or another choice on it
    inbound = int(task_data.split(":")[2])
    for data in (task_data, keep_data, f"i:t:{inbound}:99", f"i:r:{inbound}"):
        assert "已经归档过了" in await press(desk, finance, offer.result, data)
    assert await count(desk, TaskProgress) == 1
    async with desk.services.db.session() as s:
        assert len((await s.exec(select(TaskEvent).where(TaskEvent.kind == "in_progress"))).all()) == 1

    # forged and stale data: a notice each, nothing written
    for forged in ("i:t:999999:1", f"i:t:{inbound}", "i:r:999999", "i:k:2147483647", "i:t:1:2:3", "i:zz:1",
                   f"i:t:{inbound}:2147483648"):
        assert "失效" in await press(desk, finance, offer.result, forged), forged
    assert await count(desk, TaskProgress) == 1

    # a liaison may not press the office's /inbox buttons
    answer = await press(desk, finance, offer.result, f"ib:t:{inbound}:1")
    assert "仅限管理员" in answer

    # 仅存档: kept on purpose, and the office still sees it in /inbox
    offer = await say(desk, finance, text="顺便说一下，下周二请假")
    assert "办公室" in await press_label(desk, finance, offer, "仅存档")
    assert "已经归档过了" in await press_label(desk, finance, offer, "仅存档")
    listing = await desk.admin.send_raw("/inbox")
    assert "下周二请假" in (listing.text or "") and "发送人选择了仅存档" in (listing.text or "")
    assert "周报：道路管网" not in (listing.text or "")  # filed under a task: not in the inbox


async def test_with_no_open_work_it_is_kept_listed_in_inbox_and_the_office_files_it_later(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 11, 23, 9, 0)
    await org.import_org(desk.services.db, parse_org({"departments": ["区科技局"]}), now=clock())
    science, stranger = desk.chat(5201, "科技局联络员"), desk.chat(5299, "路人甲")
    assert "登记成功" in await science.send(f"/start {await desk.invite('区科技局')}")
    await open_cycle(desk, clock, local(2026, 11, 23, 9, 5))
    preview = await science.send_raw("/report 产值：1.5亿元")
    mark = desk.api.mark()
    await press(desk, science, preview.result, next(d for t, d in buttons(preview) if "确认提交" in t))
    await desk.api.wait_for_message(chat_id=science.id, contains="已提交", after=mark)
    assert "目前没有待办" in await science.send("/mytasks")

    # nothing open (no task, the report submitted): kept and acknowledged, no buttons
    kept = await say(desk, science, text="科技局本月创新券兑付已完成")
    assert "已收到并存档" in (kept.text or "") and "办公室可以看到" in (kept.text or "") and not buttons(kept)
    photo = await say(desk, science, photo="lab-photo", caption="实验室现场")
    assert "已收到并存档" in (photo.text or "") and not buttons(photo)
    assert "已收到并存档" in (await say(desk, stranger, text="请问联络员怎么登记？")).text

    listing = await desk.admin.send_raw("/inbox")
    body = listing.text or ""
    assert "共 3 条" in body
    assert body.index("请问联络员怎么登记") < body.index("实验室现场") < body.index("创新券兑付")  # newest first
    assert "路人甲 · 无部门" in body and "科技局联络员 · 区科技局 · 2026-11-23 09:05" in body
    assert "［照片］ 实验室现场" in body and "没有进行中的交办单" in body and "发送人不是联络员" in body
    assert [t for t, _ in buttons(listing)] == ["2 📎 查看"]  # nothing to file under, but the photo opens
    mark = desk.api.mark()
    await press(desk, desk.admin, listing.result, buttons(listing)[0][1])
    shown = await desk.api.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == ADMIN_ID, after=mark)
    assert shown.raw["photo"] == "lab-photo"

    # a task created later: /inbox offers it for the liaison's messages, and the office files one
    assert "#1" in await desk.admin.send("/assign 区科技局 | 2026-12-20 | 创新券兑付情况")
    await desk.delivered()
    listing = await desk.admin.send_raw("/inbox")
    files = [(t, d) for t, d in buttons(listing) if "→" in t]
    assert [t for t, _ in files] == ["2 → #1", "3 → #1"]  # not for the stranger's message (1)
    # a liaison (even the sender) cannot press the office's buttons
    assert "仅限管理员" in await press(desk, science, listing.result, files[1][1])
    assert "已将 科技局联络员 的消息记入交办单 #1 的进展（区科技局）" in await press(desk, desk.admin, listing.result, files[1][1])
    now_shown = desk.api.message(ADMIN_ID, listing.result["message_id"]) or {}
    assert [t for t, _ in buttons(now_shown)] == ["2 📎 查看", "2 → #1"] and "已将 科技局联络员 的消息" in now_shown.get("text", "")
    assert "已经归档过了" in await press(desk, desk.admin, listing.result, files[1][1])

    detail = await desk.admin.send("/task 1")
    assert "创新券兑付已完成" in detail and "区科技局（牵头）：办理中" in detail
    async with desk.services.db.session() as s:
        progress = (await s.exec(select(TaskProgress))).one()
        event = (await s.exec(select(TaskEvent).where(TaskEvent.kind == "in_progress"))).one()
        row = (await s.exec(select(InboundMessage).where(InboundMessage.text == "科技局本月创新券兑付已完成"))).one()
    assert progress.sender_id == science.id and event.actor_id == ADMIN_ID  # the liaison's, filed by the office
    assert (row.filed_as, row.filed_by, row.filed_ref) == ("task", ADMIN_ID, progress.target_id)
    listing = await desk.admin.send("/inbox")
    assert "共 2 条" in listing and "创新券兑付已完成" not in listing

    # paging: /inbox N and the buttons
    for i in range(11):
        await say(desk, stranger, text=f"第{i}条咨询")
    first = await desk.admin.send_raw("/inbox")
    assert "第 1/2 页" in (first.text or "")
    assert "第 2/2 页" in await press(desk, desk.admin, first.result, next(d for t, d in buttons(first) if "下一页" in t))
    assert "实验室现场" in (desk.api.message(ADMIN_ID, first.result["message_id"]) or {}).get("text", "")
    assert "第 2/2 页" in await desk.admin.send("/inbox 2")
    assert "没有第 3 页" in await desk.admin.send("/inbox 3")
    assert (await desk.admin.send("/inbox 1 2")).startswith("用法：/inbox")
    assert "失效" in await press(desk, desk.admin, first.result, "ib:t:999999:1")


async def test_inbox_arguments_get_the_usage_line_or_the_page_range(desk: Desk):
    assert "收件箱是空的" in await desk.admin.send("/inbox")
    for arg in ("0", "-1", "x", "2147483648", "９", "<b>1</b>", "1 2", "第二页", "9" * 40):
        answer = await desk.admin.send(f"/inbox {arg}")
        assert answer.startswith("用法：/inbox") or "没有第" in answer, (arg, answer)
    assert "没有第 2 页（共 1 页）" in await desk.admin.send("/inbox #2")
