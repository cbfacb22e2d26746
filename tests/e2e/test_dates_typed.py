"""Dates as office staff type them, through the fake Bot API: `/assign … | 12月31日 | …`, `下周五`,
`/extend N 下月底`, a liaison's `下周五 因故延期` and the dialogue's due step are accepted, each
reply states the date understood with its weekday, and a day off gets a warning naming it.

The clock reads Monday 2026-09-21 10:00, so next week's Friday is 2026-10-02, inside the National
Day holiday that `holidays.China` knows for 2026."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import ADMIN_ID, Chat, Desk
from tests.support.fake_bot_api import Call, callback_query

TZ = ZoneInfo("Asia/Shanghai")
ORG = {"departments": ["区财政局", "区交通局", "区水利局"],
       "working_groups": [{"name": "要素保障工作专班", "lead": ["区交通局"], "members": ["区水利局"]}]}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def buttons(message: dict) -> list[dict]:
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def press(desk: Desk, chat: Chat, sent: Call, label: str) -> None:
    """Press the button whose label contains `label` on the message as it is now."""
    message = desk.api.message(chat.id, sent.result["message_id"]) or sent.result
    data = next(b["callback_data"] for b in buttons(message) if label in b["text"])
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, chat.id, data, message, first_name=chat.first_name))
    await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 9, 21, 10, 0)
    return await desk.set_up(ORG, ["区财政局", "区交通局"], 3400)


async def test_typed_dates_are_accepted_and_echoed_with_the_weekday(desk: Desk, office):  # type: ignore[no-untyped-def]
    admin, finance = desk.admin, office["区财政局"]

    created = await admin.send("/assign 区财政局 | 12月31日 | 报送年度工作总结", contains="已创建交办单")
    assert "#1" in created and "截止：2026-12-31（周四）18:00" in created and "注意" not in created

    mark = desk.api.mark()
    created = await admin.send("/assign 区财政局,区交通局 | 周三 17:00 | 报送国庆值班安排", contains="已创建交办单")
    assert "#2" in created and "截止：2026-09-23（周三）17:00" in created and "注意" not in created
    notice = await desk.api.wait_for_message(chat_id=finance.id, contains="交办单 #2", after=mark)

    created = await admin.send("/assign 要素保障工作专班 | 下周五 | 节前安全检查", contains="已创建交办单")
    assert "#3" in created and "截止：2026-10-02（周五）18:00" in created
    assert "注意：2026-10-02（周五）是法定节假日" in created

    extended = await admin.send("/extend 1 下月底", contains="截止时间改为")
    assert "2026-10-31（周六）18:00" in extended and "注意：2026-10-31（周六）是休息日" in extended
    assert "截止：2026-10-31（周六）18:00" in await admin.send("/task 1")  # the date understood is the one kept

    # a liaison asks for more time in words, with the reason after the date
    mark = desk.api.mark()
    await press(desk, finance, notice, "申请延期")
    asked = await desk.api.wait_for_message(chat_id=finance.id, contains="新截止日期", after=mark)
    assert "下周五" in asked.text  # the prompt shows the friendly form
    requested = await finance.send("下周五 因故延期", contains="延期申请")
    assert "2026-10-02（周五）18:00" in requested and "注意：2026-10-02（周五）是法定节假日" in requested
    to_admin = await desk.api.wait_for_message(chat_id=ADMIN_ID, contains="理由：因故延期", after=mark)
    assert "2026-10-02（周五）18:00" in to_admin.text and "下周五" not in to_admin.text  # the date is not in the reason

    # refused forms name the value, and nothing is created
    assert "“上周五”格式不对" in await admin.send("/assign 区财政局 | 上周五 | 不会创建")
    assert "“2026-09-20”已经过去" in await admin.send("/assign 区财政局 | 2026-09-20 | 不会创建")
    assert "#4" not in await admin.send("/tasks all")

    # English replies carry the English weekday
    await admin.send("/lang en")
    extended = await admin.send("/extend 2 2026/10/09 17:00", contains="is now due")
    assert "2026-10-09 (Fri) 17:00" in extended and "Note" not in extended


async def test_the_dialogue_echoes_the_due_date_and_warns_about_a_holiday(desk: Desk, office):  # type: ignore[no-untyped-def]
    admin = desk.admin
    picker = await admin.send_raw("/assign")
    await press(desk, admin, picker, "区财政局")
    mark = desk.api.mark()
    await press(desk, admin, picker, "下一步")
    await desk.api.wait_for_message(chat_id=ADMIN_ID, contains="第 2/6 步", after=mark)

    holiday = await admin.send("10月1日")
    assert "截止时间：2026-10-01（周四）18:00" in holiday and "注意：2026-10-01（周四）是法定节假日" in holiday
    assert "第 3/6 步" in holiday  # the next question comes in the same message
    await admin.send("节后复工检查")
    await admin.send("/skip")
    confirm = await admin.send("/skip")
    assert "截止：2026-10-01（周四）18:00" in confirm and "第 6/6 步" in confirm
    assert "已取消" in await admin.send("/cancel")
