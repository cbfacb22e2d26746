"""One-tap filing of plain messages: the button payloads and how the offer and /inbox read."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.rules.callbacks import REQUIRED_ROLE, Callback, decode
from bot.rules.roles import Role, command_spec
from bot.usecases.filing import Filed
from bot.usecases.inbox import InboxPage, KeptItem, Offer, OpenTask
from bot.views import inbox as views

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 23, 2, 5, tzinfo=UTC)  # 10:05 in Shanghai


def datas(keyboard) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["callback_data"] for row in keyboard["inline_keyboard"] for b in row]


def labels(keyboard) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["text"] for row in keyboard["inline_keyboard"] for b in row]


# ---------------------------------------------------------------- callback data


def test_filing_buttons_carry_the_message_and_the_target_and_round_trip():
    for cb in (Callback("i", "t", 2**31 - 1, 2**31 - 1), Callback("i", "r", 7), Callback("i", "k", 7),
               Callback("ib", "t", 12, 34), Callback("ib", "n", 2)):
        data = cb.encode()
        assert len(data.encode()) <= 64 and decode(data) == cb
    assert decode("i:t:5:9") == Callback("i", "t", 5, 9)
    assert decode("i:t:5") == Callback("i", "t", 5)  # decodes; the handler answers it as stale


def test_forged_filing_buttons_decode_to_nothing_and_other_kinds_keep_one_id():
    for forged in ("i:t:5:0", "i:t:0:5", "i:t:5:2147483648", "i:t:5:9:1", "i:r:5:9", "i:k:5:9", "ib:n:2:3",
                   "i:x:5", "ib:t:5:-1", "i:t:5:", "i:t::5", "t:ack:1:2", "x:ok:1:2", "r:ok:3:4", "f:p:1:1",
                   "i:t:5:9\n1", "i:t:" + "9" * 11 + ":1"):
        assert decode(forged) is None, forged
    assert decode("t:ack:42") == Callback("t", "ack", 42)  # the existing kinds are unchanged


def test_who_may_press_and_who_may_list():
    assert REQUIRED_ROLE["i"] == Role.LIAISON  # checked per message (the sender) in the use case
    assert REQUIRED_ROLE["ib"] == Role.ADMIN  # checked by the access layer
    spec = command_spec("inbox")
    assert spec is not None and spec.roles == frozenset({Role.ADMIN})


# ---------------------------------------------------------------- the offer under a plain message


def test_the_offer_has_one_button_per_task_then_the_report_then_keep():
    tasks = (OpenTask(31, 5, "第五号任务：报送道路管网建设进展并附现场照片"), OpenTask(12, 2, "安全检查"))
    text, keyboard = views.offer(Offer(77, True, False, tasks, "2026-Q4"), "zh")
    assert "办公室可以看到" in text
    assert labels(keyboard)[0].startswith("#5 第五号任务") and labels(keyboard)[0].endswith("…")
    assert len(labels(keyboard)[0]) <= len("#5 ") + views.BUTTON_TITLE
    assert labels(keyboard)[1:] == ["#2 安全检查", "📝 本季度报送", "仅存档"]
    assert datas(keyboard) == ["i:t:77:31", "i:t:77:12", "i:r:77", "i:k:77"]


def test_without_an_open_report_there_is_no_report_button():
    _, keyboard = views.offer(Offer(8, True, False, (OpenTask(3, 1, "任务"),), None), "en")
    assert datas(keyboard) == ["i:t:8:3", "i:k:8"]
    assert labels(keyboard)[-1] == "Just keep it"


def test_where_it_went_names_the_task_or_the_report():
    assert views.filed(Filed("task", 3, "区财政局"), "zh") == "✅ 已记入交办单 #3 的进展（区财政局）。"
    assert "本季度报送草稿" in views.filed(Filed("report"), "zh")
    assert "办公室" in views.filed(Filed("kept"), "zh")
    assert "#3" in views.office_filed(Filed("task", 3, "区财政局", sender="张三"), "zh")


# ---------------------------------------------------------------- /inbox


def item(n: int, **kw) -> KeptItem:  # type: ignore[no-untyped-def]
    base = dict(inbound_id=n, sender=f"联络员{n}", department="区财政局", at=AT, kind="text", text=f"第{n}条",
                file_name=None, on_purpose=False, tasks=(OpenTask(40 + n, 9, "年度任务"),))
    base.update(kw)
    return KeptItem(**base)  # type: ignore[arg-type]


def test_inbox_page_shows_sender_department_time_content_and_file_buttons():
    page = InboxPage((
        item(1, text="已完成本周安全检查" * 10),
        item(2, kind="photo", text=None, department=None, tasks=()),
        item(3, kind="document", text="附件说明", file_name="进展.docx", on_purpose=True, tasks=()),
    ), 1, 2, 13)
    text, keyboard = views.page(page, "zh", TZ)
    assert "共 13 条，第 1/2 页" in text
    assert "联络员1 · 区财政局 · 2026-11-23 10:05" in text
    assert "已完成本周安全检查" in text and "…" in text and len(text) < 4096
    assert "联络员2 · 无部门" in text and "［照片］" in text and "发送人不是联络员" in text
    assert "［文件 进展.docx］ 附件说明" in text and "仅存档" in text and "没有进行中的交办单" in text
    # the office files a message under its department's task, and opens what was sent as a file
    assert datas(keyboard) == ["ib:t:1:41", "f:i:2", "f:i:3", "ib:n:2"]
    assert labels(keyboard) == ["1 → #9", "2 📎 查看", "3 📎 查看", "下一页 ▶"]


def test_inbox_page_html_in_messages_is_escaped_and_empty_inbox_says_so():
    text, _ = views.page(InboxPage((item(1, text="<b>x</b> & y", sender="<i>张</i>"),), 1, 1, 1), "zh", TZ)
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in text and "&lt;i&gt;张&lt;/i&gt;" in text
    text, keyboard = views.page(InboxPage((), 1, 1, 0), "zh", TZ)
    assert "收件箱是空的" in text and keyboard is None


def test_a_full_page_stays_within_telegrams_button_limit():
    tasks = tuple(OpenTask(100 + i, i, f"任务{i}") for i in range(8))
    page = InboxPage(tuple(item(n, tasks=tasks) for n in range(1, 11)), 2, 3, 30)
    _, keyboard = views.page(page, "zh", TZ)
    assert len(datas(keyboard)) == 82 <= 100  # 10 × 8 files, previous and next
    assert all(len(row) <= views.FILE_BUTTONS_PER_ROW for row in keyboard["inline_keyboard"])


def test_a_page_of_the_longest_names_and_texts_is_one_message():
    long = dict(sender="名" * 200 + " (@" + "u" * 64 + ")", department="部" * 120, kind="document",
                text="字" * 20_000, file_name="文" * 255 + ".docx")
    text, _ = views.page(InboxPage(tuple(item(n, **long) for n in range(1, 11)), 1, 1, 10), "zh", TZ)
    assert len(text) <= 4096


def test_once_filed_a_messages_buttons_leave_the_inbox_keyboard():
    page = InboxPage((item(1), item(2)), 1, 2, 12)
    _, keyboard = views.page(page, "zh", TZ)
    left = views.without_message(keyboard, 1)
    assert datas(left) == ["ib:t:2:42", "ib:n:2"]
    assert views.without_message(views.without_message(left, 2), 99) == {"inline_keyboard": [[
        {"text": "下一页 ▶", "callback_data": "ib:n:2"}]]}
    assert views.without_message(None, 1) is None
