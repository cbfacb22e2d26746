"""Nothing of one district reaches another district's people (issue 13, acceptance 1).

Two districts and their city in one database. Bishan (璧山区) fills its office with things only its
own people may see: a department no other office has, a task with details, progress, a kept message,
a report. Then Yongchuan's (永川区) admin, director and liaison try every command and every kind of
button against Bishan's ids and names, from the independent table below. For each probe:

- no reply, caption or exported workbook shows anything of Bishan's (`SECRETS`);
- a probe naming one of Bishan's ids is answered exactly like the same probe naming an id that does
  not exist at all (so the answer does not even tell that the id exists);
- afterwards nothing of Bishan's changed and nobody in Bishan was sent anything."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from bot.rules.org import parse_org
from bot.usecases import org
from jobs.tick import run_steps
from storage.models import InboundMessage, OutboxMessage, ReportingCycle, Task, TaskEvent, TaskProgress, TaskTarget
from tests.e2e.conftest import Chat, Desk, Processed
from tests.support.fake_bot_api import Call, callback_query, private_message
from tests.support.offices import district, seed_city

YC_ADMIN, YC_DIRECTOR, BS_ADMIN = 3301, 3302, 3303
MISSING = 99991  # an id nothing has

SECRETS = ("璧山秘密任务", "璧山内部材料", "璧山进展内容", "璧山收件箱内容", "璧山报告正文", "璧山联络员甲", "璧山联络员乙",
           "汽车产业促进中心", "9.9亿元")

# The independent table: each probe as (who, command with {placeholders} for Bishan's ids and names).
# {task}: Bishan's task; {name}: a fragment of Bishan's own department's name.
COMMAND_PROBES = [
    ("admin", "/liaisons"), ("admin", "/liaisons {name}"), ("admin", "/tasks 全部"), ("admin", "/tasks 逾期"),
    ("admin", "/task {task}"), ("admin", "/extend {task} 2027-01-31"), ("admin", "/close {task}"),
    ("admin", "/comment {task} 请抓紧"), ("admin", "/overdue"), ("admin", "/status {name}"), ("admin", "/cycle"),
    ("admin", "/digest"), ("admin", "/digest 季度"), ("admin", "/export"), ("admin", "/export 报告"),
    ("admin", "/inbox"), ("admin", "/invite {name}"), ("admin", "/assign {name} | 2027-01-31 | 试探"),
    ("admin", "/audit 100"), ("admin", "/office 璧山区"), ("admin", "/grant 3399 主任 璧山区"),
    ("director", "/tasks 全部"), ("director", "/task {task}"), ("director", "/overdue"), ("director", "/cycle"),
    ("director", "/digest 季度"), ("director", "/export"), ("director", "/status {name}"),
    ("liaison", "/progress {task} 试探"), ("liaison", "/done {task}"), ("liaison", "/mytasks"),
]
# Every kind of button (bot/rules/callbacks.py and /office's), with Bishan's ids: (who, data).
BUTTON_PROBES = [
    ("liaison", "t:ack:{target}"), ("liaison", "t:prog:{target}"), ("liaison", "t:done:{target}"),
    ("liaison", "t:ext:{target}"), ("admin", "x:ok:{target}"), ("admin", "x:no:{target}"),
    ("admin", "f:p:{progress}"), ("admin", "f:i:{kept}"), ("director", "f:p:{progress}"),
    ("liaison", "i:t:{kept}:{target}"), ("liaison", "i:k:{kept}"), ("liaison", "i:r:{kept}"),
    ("admin", "ib:t:{kept}:{target}"), ("admin", "n:t:{task}"), ("admin", "n:c:{cycle}"),
    ("director", "n:t:{task}"), ("admin", "fw:go:{target}"), ("admin", "office:{office}"),
]


def _texts(calls: list[Call]) -> list[str]:
    """Everything the calls showed: texts, captions, button labels, and the text of any workbook."""
    out = []
    for call in calls:
        out += [call.raw.get(k, "") for k in ("text", "caption")]
        out += [b.get("text", "") for row in (call.reply_markup or {}).get("inline_keyboard", []) for b in row]
        for upload in call.files.values():
            if upload.filename.endswith(".xlsx"):
                with zipfile.ZipFile(io.BytesIO(upload.data)) as book:
                    out += [book.read(n).decode() for n in book.namelist() if n.endswith(".xml")]
    return out


def _shown(calls: list[Call]) -> str:
    """What the person saw, with ids and times blanked (to compare two probes' answers)."""
    body = "\n".join(c.raw.get("text", "") or c.raw.get("caption", "") for c in calls if c.method != "setMyCommands")
    return re.sub(r"\d+", "N", body)


class Probe:
    def __init__(self, desk: Desk, probe: Processed) -> None:
        self.desk, self.probe = desk, probe

    async def say(self, chat: Chat, text: str) -> list[Call]:
        mark = self.desk.api.mark()
        await self.probe.wait(self.desk.api.push_update(private_message(None, chat.id, text, first_name=chat.first_name)))
        await self.desk.delivered()
        return [c for c in self.desk.api.calls[mark:] if c.raw.get("chat_id") == str(chat.id) or c.method ==
                "answerCallbackQuery"]

    async def press(self, chat: Chat, data: str) -> list[Call]:
        mark = self.desk.api.mark()
        message = {"message_id": 1, "date": 0, "chat": {"id": chat.id, "type": "private"}, "text": "…"}
        await self.probe.wait(self.desk.api.push_update(callback_query(None, chat.id, data, message,
                                                                       first_name=chat.first_name)))
        await self.desk.delivered()
        return [c for c in self.desk.api.calls[mark:] if c.raw.get("chat_id") == str(chat.id)
                or c.method == "answerCallbackQuery"]


async def _bishan_state(desk: Desk, task_id: int, kept_id: int) -> tuple:  # type: ignore[type-arg]
    async with desk.services.db.session() as s:
        task = await s.get(Task, task_id)
        targets = list(await s.exec(select(TaskTarget).where(TaskTarget.task_id == task_id).order_by(TaskTarget.id)))
        events = (await s.exec(select(func.count()).select_from(TaskEvent).where(TaskEvent.task_id == task_id))).one()
        progress = (await s.exec(select(func.count()).select_from(TaskProgress)
                                 .where(TaskProgress.target_id.in_([t.id for t in targets])))).one()  # type: ignore[union-attr]
        kept = await s.get(InboundMessage, kept_id)
        return (task.model_dump() if task else None, [t.model_dump() for t in targets], events, progress,
                kept.model_dump() if kept else None)


@pytest.fixture
async def districts(desk: Desk, clock):  # type: ignore[no-untyped-def]
    """Both districts set up; Bishan's secrets in place. Returns (yongchuan's people, bishan's ids)."""
    db = desk.services.db
    city = await seed_city(db, clock())
    bishan = district("bishan", "璧山区")
    await org.import_org(db, parse_org({**bishan, "departments": [*bishan["departments"], "璧山区汽车产业促进中心"]}),
                         now=clock())
    for user, role, office in ((YC_ADMIN, "管理员", "永川区"), (YC_DIRECTOR, "主任", "永川区"), (BS_ADMIN, "管理员", "璧山区")):
        assert "已授予" in await desk.admin.send(f"/grant {user} {role} {office}")
    yc_admin, bs_admin = desk.chat(YC_ADMIN, "永川管理员"), desk.chat(BS_ADMIN, "璧山管理员")
    people = {"admin": yc_admin, "director": desk.chat(YC_DIRECTOR, "永川主任")}

    async def register(admin: Chat, department: str, user: int, name: str) -> Chat:
        await desk.delivered()
        code = re.search(r"\?start=([A-Za-z0-9_-]+)", await admin.send(f"/invite {department}", contains="start="))
        chat = desk.chat(user, name)
        assert code and "登记成功" in await chat.send(f"/start {code.group(1)}")
        return chat

    people["liaison"] = await register(yc_admin, "区财政局", 3311, "永川联络员")
    bs_one = await register(bs_admin, "区财政局", 3321, "璧山联络员甲")
    await register(bs_admin, "汽车产业", 3322, "璧山联络员乙")
    await desk.delivered()
    await run_steps(desk.services, clock.current, datetime.now(UTC))  # each office's quarterly cycle
    reply = await bs_admin.send("/assign 区财政局,汽车产业 | 2026-11-30 | 璧山秘密任务 | 璧山内部材料", contains="#")
    task_id = int(re.search(r"#(\d+)", reply).group(1))  # type: ignore[union-attr]
    await desk.delivered()
    assert "#" in await yc_admin.send("/assign 区财政局 | 2026-11-30 | 永川任务", contains="#")
    await desk.delivered()
    assert f"#{task_id}" in await bs_one.send(f"/progress {task_id} 璧山进展内容")
    # a plain message, kept on purpose: the liaison taps 仅存档
    probe = Processed(desk.app)
    sent = await bs_one.send_raw("璧山收件箱内容")
    keep = next(b["callback_data"] for row in sent.reply_markup["inline_keyboard"] for b in row if "仅存档" in b["text"])
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, bs_one.id, keep, sent.result, first_name=bs_one.first_name))
    await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    report = await bs_one.send_raw("/report 璧山报告正文\n产值：9.9亿元")
    submit = next((b["callback_data"] for row in (report.reply_markup or {}).get("inline_keyboard", []) for b in row
                   if "确认提交" in b["text"]), None)
    if submit is not None:
        mark = desk.api.mark()
        desk.api.push_update(callback_query(None, bs_one.id, submit, report.result, first_name=bs_one.first_name))
        await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    await desk.delivered()
    async with db.session() as s:
        target = (await s.exec(select(TaskTarget.id).where(TaskTarget.task_id == task_id).order_by(TaskTarget.id))).first()
        progress = (await s.exec(select(TaskProgress.id).where(TaskProgress.target_id == target))).first()
        kept = (await s.exec(select(InboundMessage.id).where(InboundMessage.sender_id == bs_one.id))).first()
        cycle = (await s.exec(select(ReportingCycle.id).where(ReportingCycle.office_id == city.office["bishan"]))).first()
    assert None not in (target, progress, kept, cycle)
    ids = {"task": task_id, "target": target, "progress": progress, "kept": kept, "cycle": cycle,
           "office": city.office["bishan"], "name": "汽车产业"}
    clock.advance(timedelta(days=2))  # Bishan's task is overdue now: /overdue and digests would list it
    return people, ids, probe


async def test_one_districts_people_find_nothing_of_another_district(desk: Desk, clock, districts):  # type: ignore[no-untyped-def]
    people, ids, probe = districts
    missing = {k: (MISSING if isinstance(v, int) else "不存在的单位名") for k, v in ids.items()}
    bishan_chats = {"3321", "3322", str(BS_ADMIN)}
    before = await _bishan_state(desk, ids["task"], ids["kept"])
    outbox_before = await _count_to(desk, bishan_chats)
    run = Probe(desk, probe)
    leaks, differs = [], []
    for who, command in COMMAND_PROBES:
        calls = await run.say(people[who], command.format(**ids))
        leaks += [(who, command, text) for text in _texts(calls) if any(secret in text for secret in SECRETS)]
        if "{" in command:
            again = await run.say(people[who], command.format(**missing))
            if _shown(calls).replace("汽车产业", "不存在的单位名") != _shown(again):
                differs.append((who, command, _shown(calls), _shown(again)))
    for who, data in BUTTON_PROBES:
        calls = await run.press(people[who], data.format(**ids))
        leaks += [(who, data, text) for text in _texts(calls) if any(secret in text for secret in SECRETS)]
        again = await run.press(people[who], data.format(**missing))
        if _shown(calls) != _shown(again):
            differs.append((who, data, _shown(calls), _shown(again)))
    assert not leaks, "\n".join(f"{w} {c}: {t[:300]}" for w, c, t in leaks)
    assert not differs, "\n\n".join(f"{w} {c}:\n  with Bishan's id: {a}\n  with a missing id: {b}"
                                    for w, c, a, b in differs)
    assert await _bishan_state(desk, ids["task"], ids["kept"]) == before
    assert await _count_to(desk, bishan_chats) == outbox_before, "someone in Bishan was sent something"


async def _count_to(desk: Desk, chats: set[str]) -> int:
    async with desk.services.db.session() as s:
        return (await s.exec(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.chat_id.in_([int(c) for c in chats])))).one()  # type: ignore[attr-defined]
