"""Meetings and their agreed items (issue 14) through the fake Bot API: an admin records a meeting,
sends the minutes (pasted text, or a .docx), drops and fixes items with the proposal's buttons and
confirms; the items become tasks whose notices name the meeting; `/meeting N` and `/meetings` show
done/total and the overdue ones. A director reads but cannot record; another office sees nothing."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from storage.models import Meeting, Task
from storage.repos import people as people_repo
from tests.e2e.conftest import ADMIN_ID, Chat, Desk
from tests.support.fake_bot_api import Call, callback_query
from tests.support.minutes import EXPECTED_SIX, MINUTES_SIX, SIX_TITLE, six_items_docx
from tests.support.offices import seed_city

TZ = ZoneInfo("Asia/Shanghai")
ORG = yaml.safe_load((Path(__file__).resolve().parents[2] / "examples" / "org.yaml").read_text("utf-8"))
LIAISONS = ["区经济信息委", "区科技局", "区财政局", "区城市管理局", "区招商投资局", "区发展改革委", "区统计局"]
MEETING_NAME = f"《{SIX_TITLE}》（11月20日）"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def day_text(day) -> str:  # type: ignore[no-untyped-def]
    return f"{day.year}年{day.month}月{day.day}日"


def plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


def items_of(text: str) -> list[str]:
    """The proposal's item paragraphs (`1. title`, departments, 时限), in order."""
    return [block for block in plain(text).split("\n\n") if block[:1].isdigit() and "时限：" in block]


def check_six(text: str) -> None:
    """The proposal lists exactly the six items of EXPECTED_SIX, each with its lead, cooperating
    departments and due date."""
    text = plain(text)
    assert "找到 6 项议定事项" in text, text
    blocks = items_of(text)
    assert len(blocks) == 6, blocks
    assert "提高思想认识" not in text  # the numbered paragraph naming no department is no item
    for block, want in zip(blocks, EXPECTED_SIX, strict=True):
        assert want.title_has in block, (block, want)
        assert f"牵头：{'、'.join(want.lead)}" in block, (block, want)
        if want.cooperating:
            assert f"配合：{'、'.join(want.cooperating)}" in block, (block, want)
        else:
            assert "配合" not in block, block
        due = "长期坚持（每月报送进展）" if want.standing else day_text(want.due)
        assert f"时限：{due}" in block, (block, want)


def current(desk: Desk, chat: Chat, message_id: int) -> dict:  # type: ignore[type-arg]
    message = desk.api.message(chat.id, message_id)
    assert message is not None
    return message


def labels(message: dict) -> list[str]:  # type: ignore[type-arg]
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def press(desk: Desk, chat: Chat, label: str, message_id: int) -> str:
    return str((await desk.api.press(chat.id, label, message_id=message_id))["answer"])


async def forged(desk: Desk, chat: Chat, data: str, message: dict) -> str:  # type: ignore[type-arg]
    """Press a button with `data` (which the chat may never have been shown) under `message`."""
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, chat.id, data, message, first_name=chat.first_name))
    found = await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    return str(found.raw.get("text", ""))


async def send_document(desk: Desk, chat: Chat, name: str, content: bytes, contains: str) -> Call:
    mark = desk.api.mark()
    desk.api.say(chat.id, document={"file_name": name, "content": content})
    return await desk.api.wait_for_message(chat_id=chat.id, contains=contains, after=mark)


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 11, 23, 9, 0)
    people = await desk.set_up(ORG, LIAISONS, 5100)
    director = desk.chat(5900, "王主任")
    await director.send("/start")
    await desk.admin.send("/grant 5900 director", contains="授予")
    return people, director


async def test_minutes_as_text_become_tasks_naming_the_meeting(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    people, director = office
    admin = desk.admin
    started = await admin.send(f"/meeting {SIX_TITLE} | 11月20日")
    assert "#1" in started and "2026年11月20日" in started and ".docx" in started

    proposal = await admin.send_raw(MINUTES_SIX)
    check_six(proposal.text or "")
    message_id = proposal.result["message_id"]
    shown = current(desk, admin, message_id)
    assert labels(shown) == ["✅ 确认全部（6项）", *(f"✏️ 第{n}项" for n in range(1, 7)), "取消"]

    # drop item 2 (区财政局's 专项资金): its menu, then 删除
    await press(desk, admin, "第2项", message_id)
    menu = current(desk, admin, message_id)
    assert "专项资金" in menu["text"] and labels(menu) == ["🗑 删除", "📅 改时限", "🏢 改单位", "↩️ 返回"]
    assert "已删除第2项" in await press(desk, admin, "删除", message_id)
    after = current(desk, admin, message_id)
    assert "专项资金" not in after["text"] and "已删除 1 项" in after["text"]
    assert labels(after)[0] == "✅ 确认全部（5项）" and "✏️ 第2项" not in labels(after)

    mark = desk.api.mark()
    answer = await press(desk, admin, "确认全部", message_id)
    assert "已确认 5 项议定事项，生成交办单 #1—#5，已通知" in answer
    confirmed = current(desk, admin, message_id)
    assert "生成交办单 #1—#5" in confirmed["text"] and not labels(confirmed)
    await desk.delivered()

    # the liaisons hear of their items, and the notice names the meeting
    lead = await desk.api.wait_for_message(chat_id=people["区经济信息委"].id, contains="交办单 #1", after=mark)
    assert MEETING_NAME + "议定事项第1项" in lead.text and "测试场二期建设" in lead.text and "本部门：牵头" in lead.text
    investment = await desk.api.wait_for_message(chat_id=people["区招商投资局"].id, contains="交办单 #3", after=mark)
    assert MEETING_NAME + "议定事项第4项" in investment.text  # numbered as proposed (2 was dropped)
    assert "截止：长期坚持（每月底前报送进展）" in investment.text  # a standing item: no final date
    finance = [c.text or "" for c in desk.api.sent_messages(people["区财政局"].id)[1:] if c.ok]
    assert not any("交办单" in t for t in finance)  # the dropped item is no task
    async with desk.services.db.session() as s:
        tasks = list(await s.exec(Task.__table__.select().where(Task.__table__.c.meeting_id == 1)))  # type: ignore[attr-defined]
    assert len(tasks) == 5 and sum(t.standing for t in tasks) == 1

    # a stale or repeated press finds the meeting confirmed
    assert "已确认" in await forged(desk, admin, "m:ok:1", confirmed)
    assert "已确认" in await forged(desk, admin, "m:dr:1:3", confirmed)

    # done/total and the overdue ones: 发改委 and 统计局 finish #4; in January #1 is overdue
    assert "已将 #4 标记为办结" in await people["区发展改革委"].send("/done 4")
    assert "已将 #4 标记为办结" in await people["区统计局"].send("/done 4")
    clock.current = local(2027, 1, 5, 10, 0)
    detail = await director.send("/meeting 1")
    assert "议定事项 已办结 1/5 · 逾期 1 项" in detail
    assert "#4 完成产业链统计监测体系建设方案" in detail
    assert "逾期事项" in detail and "#1 加快智能网联汽车测试场二期建设" in detail.split("逾期事项")[1]
    assert "逾期 5 天" in detail and "长期坚持（每月报送进展） · 进行中 0/2部门" in detail
    assert "已办结" in detail.split("#4 ")[1].split("\n\n")[0]
    listed = await director.send("/meetings")
    assert f"#1 《{SIX_TITLE}》 11月20日 · 议定事项 已办结 1/5 · 逾期 1" in listed


async def test_minutes_as_a_docx_give_the_same_six_items(desk: Desk, office):  # type: ignore[no-untyped-def]
    admin = desk.admin
    await admin.send(f"/meeting {SIX_TITLE} | 2026-11-20")
    refused = await send_document(desk, admin, "纪要.pdf", b"%PDF-1.4 not minutes", "已存入收件箱")
    assert ".docx" in refused.text  # not minutes, but kept: nothing a user sends is lost
    assert "纪要.pdf" in await admin.send("/inbox")
    proposal = await send_document(desk, admin, "纪要.docx", six_items_docx(), "项议定事项")
    check_six(proposal.text or "")
    assert "纪要文件：纪要.docx" in proposal.text
    async with desk.services.db.session() as s:
        meeting = await s.get(Meeting, 1)
    assert meeting is not None and meeting.minutes_file_name == "纪要.docx" and "%PDF" not in (meeting.minutes or "")

    # more minutes pasted afterwards: one proposal, the old message replaced
    mark = desk.api.mark()
    again = await admin.send_raw("八、区交通局负责做好园区道路改造，12月31日前完成。")
    assert "找到 7 项议定事项" in (again.text or "")
    await desk.api.wait_for(lambda c: c.method == "deleteMessage" and c.raw.get("message_id")
                            == str(proposal.result["message_id"]), after=mark)

    # a .docx captioned /meeting TITLE | DATE records the meeting and reads its minutes at once
    mark = desk.api.mark()
    desk.api.say(admin.id, document={"file_name": "第二次调度会纪要.DOCX", "content": six_items_docx()},
                 caption="/meeting 第二次调度会 | 11月21日")
    await desk.api.wait_for_message(chat_id=admin.id, contains="已登记会议 #2", after=mark)
    second = await desk.api.wait_for_message(chat_id=admin.id, contains="项议定事项", after=mark)
    assert "会议 #2《第二次调度会》" in second.text and "2026年11月21日" in second.text
    check_six(second.text or "")


async def test_items_without_a_date_block_confirmation_until_fixed(desk: Desk, office):  # type: ignore[no-untyped-def]
    people, _ = office
    admin = desk.admin
    await admin.send("/meeting 项目建设专题会 | 昨天")
    proposal = await admin.send_raw("会议议定如下：\n一、由区经济信息委牵头，区财政局配合，做好项目资金保障。\n"
                                    "二、区交通局负责园区道路改造，12月31日前完成。")
    text = proposal.text or ""
    assert "2026年11月22日" in text and "找到 2 项议定事项" in text
    assert "时限：⚠️ 未写明" in items_of(text)[0] and "第1项未写明时限" in text
    message_id = proposal.result["message_id"]
    blocked = await desk.api.press(admin.id, "确认全部", message_id=message_id)
    assert "第1项未写明时限" in blocked["answer"] and blocked["show_alert"]
    async with desk.services.db.session() as s:
        assert (await s.get(Meeting, 1)).state == "proposed"  # type: ignore[union-attr]

    # 改时限: a reply that is no date is asked for again; then a date
    await press(desk, admin, "第1项", message_id)
    mark = desk.api.mark()
    await press(desk, admin, "改时限", message_id)
    await desk.api.wait_for_message(chat_id=admin.id, contains="请发送第1项", after=mark)
    assert "没有看懂" in await admin.send("尽快")
    fixed = await admin.send_raw("2027年1月15日前完成")
    assert "时限：2027年1月15日" in items_of(fixed.text or "")[0] and "未写明" not in (fixed.text or "")

    # 改单位: a misspelt name gets suggestions and is asked for again; then names (the first leads)
    message_id = fixed.result["message_id"]
    await press(desk, admin, "第2项", message_id)
    mark = desk.api.mark()
    await press(desk, admin, "改单位", message_id)
    await desk.api.wait_for_message(chat_id=admin.id, contains="承办单位", after=mark)
    assert "区水利局" in await admin.send("交通局、水力局")
    fixed = await admin.send_raw("交通局、水利局")
    assert "牵头：区交通局；配合：区水利局" in items_of(fixed.text or "")[1]

    mark = desk.api.mark()
    answer = await press(desk, admin, "确认全部", fixed.result["message_id"])
    assert "已确认 2 项议定事项，生成交办单 #1—#2" in answer
    detail = await admin.send("/task 2")
    assert "区水利局（配合）" in detail and "项目建设专题会" in detail
    notice = await desk.api.wait_for_message(chat_id=people["区经济信息委"].id, contains="交办单 #1", after=mark)
    assert "2027-01-15" in notice.text and "《项目建设专题会》（11月22日）议定事项第1项" in notice.text
    # the admin's messages are no longer taken as minutes
    assert "议定事项" not in await admin.send("谢谢")


async def test_a_director_reads_but_does_not_record(desk: Desk, office):  # type: ignore[no-untyped-def]
    _, director = office
    refused = await director.send("/meeting 调度会")
    assert "由办公室管理员办理" in refused
    await desk.admin.send("/meeting 调度会 | 11月20日")
    proposal = await desk.admin.send_raw("一、区交通局负责道路改造，12月31日前完成。")
    assert "找到 1 项议定事项" in await director.send("/meeting 1")  # the proposal, read only
    assert "已确认" not in await forged(desk, director, "m:ok:1", proposal.result)
    async with desk.services.db.session() as s:
        assert (await s.get(Meeting, 1)).state == "proposed"  # type: ignore[union-attr]
    assert "议定事项待确认（1项）" in await director.send("/meetings")
    assert "没有编号为 #9 的会议" in await director.send("/meeting 9")
    # cancelling: the meeting stays, no task is made
    assert "已取消" in await press(desk, desk.admin, "取消", proposal.result["message_id"])
    assert "已取消" in await director.send("/meetings")


async def test_another_office_neither_sees_nor_presses_a_meeting(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 11, 23, 9, 0)
    city = await seed_city(desk.services.db, clock())
    admins = {}
    for user_id, code in ((5301, "yongchuan"), (5302, "bishan")):
        chat = desk.chat(user_id, f"{code}管理员")
        await chat.send("/start")
        async with desk.services.db.transaction() as s:
            await people_repo.add_grant(s, user_id, "admin", ADMIN_ID, clock(), office_id=city.office[code])
        admins[code] = chat
    yongchuan, bishan = admins["yongchuan"], admins["bishan"]
    assert "#1" in await yongchuan.send("/meeting 区产业调度会 | 11月20日")
    proposal = await yongchuan.send_raw("一、经信委牵头，区财政局配合，12月底前完成园区规划。")
    assert "牵头：区经济信息委；配合：区财政局" in (proposal.text or "")

    assert "没有编号为 #1 的会议" in await bishan.send("/meeting 1")
    assert "还没有登记会议" in await bishan.send("/meetings")
    for data in ("m:ok:1", "m:it:1:1", "m:dr:1:1", "m:no:1"):
        assert "没有编号为 #1 的会议" in await forged(desk, bishan, data, proposal.result), data
    # the root office's admin acting in the city does not see the district's meeting either
    assert "没有编号为 #1 的会议" in await desk.admin.send("/meeting 1")
    async with desk.services.db.session() as s:
        meeting = await s.get(Meeting, 1)
    assert meeting is not None and meeting.state == "proposed" and "园区规划" in (meeting.proposal or "")
    assert "已确认 1 项议定事项" in await press(desk, yongchuan, "确认全部", proposal.result["message_id"])
