"""Bad input, end to end: every command with hostile and random arguments, unknown commands, edited
messages, group chatter, stickers, locations and contacts, forged and stale button data — pushed
through the fake Bot API into the real Application.

For every case the bot must either answer with a non-empty message (or a button answer) or stay
silent where silence is the documented behaviour (an edit, group chatter, a command for another
bot); it must log nothing at ERROR, every message it sends must be accepted by the Bot API and be
well-formed Telegram HTML, and a command that was refused or malformed must leave no rows behind.

The number of cases tried is printed (`pytest -s`) and written to benchmarks/results/fuzz_cases.json.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import random
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text as sql

from bot.rules.org import parse_org
from bot.rules.roles import COMMANDS as BOT_COMMANDS
from bot.texts import CATALOG
from bot.usecases import org
from jobs.tick import run_steps
from tests.e2e.conftest import ADMIN_ID, Desk, Processed
from tests.support.fake_bot_api import (
    BOT_USERNAME,
    Call,
    callback_query,
    group_message,
    private_message,
)

ROOT = Path(__file__).parents[2]
RESULTS = ROOT / "benchmarks" / "results" / "fuzz_cases.json"
SEED = 20261123

COMMANDS = ("start", "help", "whoami", "lang", "invite", "assign", "tasks", "task", "extend", "close", "liaisons",
            "grant", "revoke", "broadcast", "cycle", "audit", "progress", "done", "mytasks", "report", "digest",
            "overdue", "status", "export", "inbox", "comment", "office", "forward",
            "meeting", "meetings", "brief", "targets", "assessment", "calendar", "dashboard")
EXTRA_COMMANDS = ("cancel", "skip")  # the /assign dialogue's own words, outside the dialogue

INT4_MAX = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
LIAISON_ID = 2601
STRANGER_ID = 2602
GROUP_ID = -1002600

# Hand-picked hostile arguments (NUL is not allowed in Telegram text, so it is not here). Every command
# gets all of CORE; the rest of HOSTILE, and seeded random strings, are sampled.
CORE = [
    "",
    " ",
    "x" * 5000,
    "<" * 4500,
    "\x01\x02\x07\x08\x0b\x0c\x1b[31m\x7f",
    "\u202e\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627\u202c",
    "\u200b\u200c\u200d\ufeff\u2060",
    "😀👨‍👩‍👧‍👦🇨🇳🏳️‍🌈",
    "<b>",
    "</i><a href='x'>",
    "'; DROP TABLE people; --",
    "%s%n%x{0}{name}{{}}",
    "#1",
    "区科技局 | 2020-01-01 | 过去",
]
HOSTILE = CORE + [
    "\t\r\n \u3000",
    "😀" * 3000,
    "<script>alert(1)</script>&amp;&lt;&#0;&#x110000;&bogus;",
    "1 OR 1=1; SELECT * FROM audit_log",
    "-1",
    "0",
    "99999999999999999999999999",
    "１２３ ٣ 2026-13-45 25:61",
    "区",
    "区科技局,区不存在局 | 2026-12-10 | " + "标" * 300,
    "a | b | c | d | e",
    "@" + BOT_USERNAME,
    "line1\nline2\n\n/start\n" + "z" * 100,
    "\n" * 50,
]

_ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    " \t\n|｜,，、;；:：#＃-/.年月日",
    "区科技局商务委财政局工作专班产值亿元个",
    "<>&\"'`\\{}%$",
    "\u202e\u202d\u200f\u200e\u200b\u034f\u0301",
    "😀🔥👍🏽🇨🇳",
    "".join(chr(c) for c in range(1, 32) if c not in (9, 10, 13)),
]


def random_strings(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        length = rng.choice([0, 1, 2, 5, 12, 40, 120, 700, 4200])
        pools = rng.sample(_ALPHABETS, rng.randint(1, 3))
        out.append("".join(rng.choice(rng.choice(pools)) for _ in range(length)))
    return out


# ---------------------------------------------------------------- what a good answer looks like

_TAG = re.compile(r"<[^>]*>")
_TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
                  "pre", "blockquote", "tg-emoji"}
_TAG_AT = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>")


def html_problem(raw: str) -> str | None:
    """Why Telegram would refuse `raw` as parse_mode=HTML (its parser's rules), or None."""
    stack: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "<":
            found = _TAG_AT.match(raw, i)
            if not found:
                return f"a bare '<' at {i}: {raw[i:i + 30]!r}"
            closing, name = found.group(1), found.group(2).lower()
            if name not in _TELEGRAM_TAGS:
                return f"unsupported tag <{name}>"
            if closing:
                if not stack or stack[-1] != name:
                    return f"</{name}> closes nothing open (open: {stack})"
                stack.pop()
            else:
                stack.append(name)
            i = found.end()
            continue
        i += 1
    return f"unclosed tags {stack}" if stack else None


def plain(raw: str) -> str:
    return html.unescape(_TAG.sub("", raw))


def _template_regex(template: str) -> re.Pattern[str]:
    text = plain(template)
    parts = re.split(r"\{[a-z_]+\}", text)
    return re.compile("(?s:.*?)".join(re.escape(p) for p in parts) + r"\Z", re.DOTALL)


# Texts that mean "nothing was done": usage lines, refusals, domain errors.
_FAILURE_KEYS = [k for k in CATALOG if k.startswith("usage.")] + [
    "access.denied", "progress.refused_kept", "broadcast.too_long", "task.not_found", "task.closed",
    "task.not_target", "task.not_liaison", "cycle.none", "report.draft_gone", "report.empty", "report.too_long",
    "dept.unknown", "dept.ambiguous", "due.past", "due.malformed", "assign.details_too_long",
    "assign.title_too_long", "assign.unknown_target", "assign.no_targets", "extension.reason_needed",
    "extension.none_pending", "revoke.not_held", "revoke.last_admin", "revoke.config_admin", "error.start_first",
    "invite.unknown", "invite.used", "invite.expired", "invite.revoked", "invite.locked", "unknown_command",
    "liaisons.no_history", "name.suggest", "assign.unknown_suggest",
]
FAILURES = [(k, _template_regex(CATALOG[k][i])) for k in _FAILURE_KEYS if k in CATALOG for i in (0, 1)]
INTERNAL = [plain(text) for text in CATALOG["error.internal"]]


# A refused /progress keeps the message (CONTRACT: "Nothing a user sends is lost").
KEPT_ON_FAILURE = {"progress.refused_kept": {"inbound_messages"}}


def failure_of(replies: list[str]) -> str | None:
    """The catalog key of a "nothing was done" reply, or None."""
    joined = "\n".join(replies).strip()
    return next((key for key, pattern in FAILURES if pattern.match(joined)), None)


def is_failure(replies: list[str]) -> bool:
    return failure_of(replies) is not None


# Rows a refused or malformed command must not create or change.
DOMAIN_TABLES = ("tasks", "task_targets", "task_events", "task_progress", "invite_codes", "role_grants", "broadcasts",
                 "outbox", "liaison_appointments", "reports", "report_drafts", "report_indicators", "report_files",
                 "departments", "working_groups", "group_members", "pending_inputs", "inbound_messages",
                 "reporting_cycles")
_COUNTS = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in DOMAIN_TABLES)
_STATE = ("SELECT (SELECT count(*) FROM task_targets WHERE status <> 'pending' OR extension_until IS NOT NULL), "
          "(SELECT count(*) FROM tasks WHERE closed_at IS NOT NULL), "
          "(SELECT count(*) FROM role_grants WHERE revoked_at IS NOT NULL), "
          "(SELECT count(*) FROM invite_codes WHERE used_at IS NOT NULL OR revoked_at IS NOT NULL), "
          "(SELECT count(*) FROM people WHERE language IS NOT NULL)")


async def snapshot(desk: Desk) -> dict[str, int]:
    async with desk.services.db.engine.connect() as conn:
        counts = (await conn.execute(sql(_COUNTS))).one()
        state = (await conn.execute(sql(_STATE))).one()
    return dict(zip(DOMAIN_TABLES, counts, strict=True)) | dict(
        zip(("targets_changed", "closed", "revoked", "codes_spent", "languages"), state, strict=True))


# ---------------------------------------------------------------- running cases

SEND_METHODS = {"sendmessage", "sendphoto", "senddocument", "editmessagetext", "editmessagereplymarkup",
                "editmessagecaption"}
WATCHED_LOGGERS = ("handlers", "bot", "jobs", "storage", "telegram.ext", "asyncio")


class Fuzz:
    """Runs cases and keeps the tally."""

    def __init__(self, desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
        self.desk, self.caplog = desk, caplog
        self.probe = Processed(desk.app)
        self.cases: dict[str, int] = {}
        self.failures: list[str] = []
        self._seen_records = 0

    def _errors(self) -> list[str]:
        records = self.caplog.records[self._seen_records:]
        self._seen_records = len(self.caplog.records)
        return [f"{r.name}: {r.getMessage()} {r.exc_text or ''}"[:600] for r in records
                if r.levelno >= logging.ERROR and any(r.name == w or r.name.startswith(w + ".") for w in WATCHED_LOGGERS)]

    async def push(self, update: dict) -> list[Call]:
        """Push an update, wait until it is handled; every call made meanwhile (getUpdates left out)."""
        mark = self.desk.api.mark()
        update_id = self.desk.api.push_update(update)
        await self.probe.wait(update_id)
        return [c for c in self.desk.api.calls[mark:] if c.method.lower() != "getupdates"]

    def fail(self, label: str, problem: str) -> None:
        if len(self.failures) < 60:
            self.failures.append(f"{label[:160]!r}: {problem[:400]}")
        elif len(self.failures) == 60:
            self.failures.append("… (more failures not listed)")

    def _common(self, label: str, calls: list[Call]) -> None:
        for call in calls:
            if call.method.lower() in SEND_METHODS | {"answercallbackquery"} and not call.ok:
                self.fail(label, f"the Bot API refused {call.summary()}")
            raw = call.raw.get("text", call.raw.get("caption"))
            if raw is not None and call.raw.get("parse_mode", "").lower() == "html":
                problem = html_problem(raw)
                if problem:
                    self.fail(label, f"bad HTML in {call.method}: {problem}")
            if raw is not None and any(text in plain(raw) for text in INTERNAL):
                self.fail(label, "the bot answered with its internal-error text")
        for error in self._errors():
            self.fail(label, f"logged at ERROR: {error}")

    async def message(self, kind: str, label: str, update: dict, chat_id: int, *, expect: str,
                      keep_rows: bool | None = None) -> list[str]:
        """One message case. expect: "reply" (≥1 non-empty message to chat_id) or "silence"."""
        self.cases[kind] = self.cases.get(kind, 0) + 1
        before = await snapshot(self.desk)
        calls = await self.push(update)
        self._common(label, calls)
        to_chat = [c for c in calls if c.method.lower() in SEND_METHODS and c.raw.get("chat_id") == str(chat_id)]
        texts = [plain(c.text or "") for c in to_chat if c.method.lower().startswith("send")]
        if expect == "reply":
            if not texts or not any(t.strip() for t in texts):
                self.fail(label, f"no reply; calls: {[c.summary() for c in calls]}")
        else:
            if to_chat:
                self.fail(label, f"expected silence, got {[c.summary() for c in to_chat]}")
        failure = failure_of(texts)
        if keep_rows is None:
            keep_rows = expect == "silence" or failure is not None
        if keep_rows:
            after = await snapshot(self.desk)
            allowed = KEPT_ON_FAILURE.get(failure or "", set())
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k] and k not in allowed}
            if changed:
                self.fail(label, f"rows changed although nothing was done ({texts[:1]}): {changed}")
        return texts

    async def button(self, label: str, user_id: int, data: str | None, message: dict | None, *,
                     expect: str = "answer", extra: dict | None = None) -> str | None:
        """One callback case. expect: "answer" (one non-empty answerCallbackQuery, no rows changed) or
        "silence" (no answer: the update is not from a private chat)."""
        self.cases["buttons"] = self.cases.get("buttons", 0) + 1
        before = await snapshot(self.desk)
        update = callback_query(None, user_id, data or "", message or {}, first_name="按钮")
        query = update["callback_query"]
        if data is None:
            query.pop("data")
            query["game_short_name"] = "x"
        if message is None:
            query.pop("message")
            query["inline_message_id"] = "inline-1"
        query.update(extra or {})
        calls = await self.push(update)
        self._common(label, calls)
        answers = [c for c in calls if c.method == "answerCallbackQuery"]
        after = await snapshot(self.desk)
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        if changed:
            self.fail(label, f"a forged/stale button changed rows: {changed}")
        sends = [c for c in calls if c.method.lower() in ("sendphoto", "senddocument")]
        if sends:
            self.fail(label, f"a forged/stale button sent a file: {[c.summary() for c in sends]}")
        if expect == "silence":
            if answers or [c for c in calls if c.method.lower() in SEND_METHODS]:
                self.fail(label, f"expected silence, got {[c.summary() for c in calls]}")
            return None
        if len(answers) != 1:
            self.fail(label, f"expected one callback answer, got {[c.summary() for c in calls]}")
            return None
        answer = answers[0].raw.get("text", "")
        if not answer.strip() or len(answer) > 200:
            self.fail(label, f"the answer must be a short notice, got {answer!r}")
        return answer


def _sticker(file_id: str) -> dict:
    return {"file_id": file_id, "file_unique_id": "u" + file_id, "type": "regular", "width": 512, "height": 512,
            "is_animated": False, "is_video": False, "emoji": "😀"}


def _message_update(chat: dict, user_id: int, **content) -> dict:  # type: ignore[no-untyped-def]
    update = private_message(None, user_id, "x") if chat["type"] == "private" else group_message(None, chat["id"], user_id, "x")
    message = update["message"]
    message.pop("text", None)
    message.pop("entities", None)
    message["chat"] = chat
    message.update(content)
    return update


def _edited(update: dict) -> dict:
    message = update.pop("message")
    message["edit_date"] = message["date"] + 5
    return {"edited_message": message}


def record_cases(backend: str, name: str, cases: dict[str, int], seconds: float) -> int:
    total = sum(cases.values())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    runs = data.setdefault("runs", {})
    runs[f"{name}[{backend}]"] = {"cases": total, "by_kind": cases, "seconds": round(seconds, 1), "seed": SEED}
    data["total_cases"] = sum(r["cases"] for r in runs.values())
    RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nfuzz {name}[{backend}]: {total} cases in {seconds:.1f}s {cases}; "
          f"total of the runs recorded in {RESULTS.name}: {data['total_cases']}")
    return total


# ---------------------------------------------------------------- the fixture: a small live office


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    # the minute job would open cycles and queue reminders in the middle of a case: not ours to judge here
    assert desk.app.job_queue is not None
    for job in desk.app.job_queue.get_jobs_by_name("tick"):
        job.schedule_removal()
    await org.import_org(desk.services.db, parse_org({
        "departments": ["区科技局", "区商务委", "区财政局"],
        "working_groups": [{"name": "科技创新工作专班", "lead": ["区科技局"], "members": ["区商务委"]}],
    }), now=clock())
    liaison = desk.chat(LIAISON_ID, "科技局联络员")
    other = desk.chat(LIAISON_ID + 10, "商务委联络员")
    assert "登记成功" in await liaison.send(f"/start {await desk.invite('区科技局')}")
    assert "登记成功" in await other.send(f"/start {await desk.invite('区商务委')}")
    assigned = desk.api.mark()
    assert "#1" in await desk.admin.send("/assign 区商务委 | 2026-12-10 | 商务委的任务")
    notice = await desk.api.wait_for_message(chat_id=other.id, contains="交办单 #1", after=assigned)
    await run_steps(desk.services, clock(), datetime.now(UTC))  # one tick by hand: the quarter's cycle opens
    await desk.delivered()
    return liaison, notice


def _backend(desk: Desk) -> str:
    return "sqlite" if desk.services.db.is_sqlite else "postgres"


# ---------------------------------------------------------------- the cases


async def test_every_command_with_hostile_and_random_arguments(desk: Desk, office, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    liaison, _ = office
    fuzz = Fuzz(desk, caplog)
    rng = random.Random(SEED)
    started = time.monotonic()
    extra = HOSTILE[len(CORE):] + random_strings(rng, 12)
    users = {"admin": (ADMIN_ID, "办公室管理员"), "liaison": (liaison.id, liaison.first_name)}
    for role, (user_id, name) in users.items():
        for command in (*COMMANDS, *EXTRA_COMMANDS):
            # the liaison's own commands get the full treatment; the office's are refused at the gate
            full = role == "admin" or command in ("start", "help", "whoami", "lang", "progress", "done", "mytasks", "report")
            picks = [*CORE, *rng.sample(extra, 3)] if full else rng.sample([*CORE, *extra], 4)
            for arg in picks:
                head = f"/{command}@{BOT_USERNAME}" if rng.random() < 0.1 else f"/{command}"
                text = f"{head} {arg}" if arg else head
                update = private_message(None, user_id, text, first_name=name)
                mark = desk.api.mark()
                replies = await fuzz.message(f"{role}:{command}", f"{role} {text}", update, user_id, expect="reply")
                if command == "assign" and role == "admin":  # leave any dialogue it opened
                    await fuzz.message("admin:cancel", "admin /cancel", private_message(None, user_id, "/cancel"),
                                       user_id, expect="reply", keep_rows=False)
                if command == "broadcast" and any("已排队" in r for r in replies):
                    # let it finish (the sender reports to the admin) before the next case counts rows
                    await desk.api.wait_for_message(chat_id=ADMIN_ID, contains="群发完成", after=mark, timeout=10)
                    await desk.delivered()
    seconds = time.monotonic() - started
    record_cases(_backend(desk), "commands", fuzz.cases, seconds)
    assert not fuzz.failures, "\n".join(fuzz.failures)


async def test_unknown_commands_edits_groups_and_other_kinds_of_message(desk: Desk, office, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    liaison, _ = office
    fuzz = Fuzz(desk, caplog)
    rng = random.Random(SEED + 1)
    started = time.monotonic()
    words = ["frobnicate", "START_", "x" * 32, "a1_b2", "helpme", "Help", "ASSIGN", "__", "0"]
    words += ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789_") for _ in range(rng.randint(1, 32)))
              for _ in range(10)]
    args = ["", "x" * 5000, "<b>", "'; DROP TABLE people; --", "\u202e😀"]
    people = [(ADMIN_ID, "admin"), (liaison.id, "liaison"), (STRANGER_ID, "stranger")]

    # unknown commands get the hint (known ones typed in capitals are the same command)
    for user_id, who in people:
        for word in words:
            arg = rng.choice(args)
            text = f"/{word} {arg}".strip()
            replies = await fuzz.message("unknown_command", f"{who} {text}", private_message(None, user_id, text),
                                         user_id, expect="reply")
            known = word.lower() in COMMANDS
            if not known and replies and "未知命令" not in replies[0]:
                fuzz.fail(text, f"an unknown command got {replies[0][:80]!r}")
        # a command for another bot is not ours: silence
        for text in ("/help@other_bot", "/assign@other_bot a | b | c", "/start@SomeOtherBot CODE"):
            await fuzz.message("other_bot", f"{who} {text}", private_message(None, user_id, text), user_id,
                               expect="silence")

    # edited messages are not processed again: silence, nothing stored
    for user_id, who in people:
        for text in ("/help", "/assign 区科技局 | 2026-12-10 | 编辑后的任务", "/broadcast 编辑", "普通文字", "/start CODE"):
            update = _edited(private_message(None, user_id, text))
            await fuzz.message("edited", f"{who} edited {text}", update, user_id, expect="silence")

    # groups: a command gets one pointer to the private chat; anything else is ignored
    # (a new group for each case: the bot's rate limiter rightly allows a group 20 messages a minute)
    groups = iter(range(GROUP_ID, GROUP_ID - 1000, -1))
    for chat_type in ("group", "supergroup"):
        for user_id, who in people:
            for text in ("/help", "/assign 区科技局 | 2026-12-10 | 群里", "/invite 区科技局", "/frobnicate",
                         f"/whoami@{BOT_USERNAME}", "/help@other_bot", "大家好", "<b>", "x" * 5000, "\u202e"):
                group_id = next(groups)
                update = group_message(None, group_id, user_id, text, chat_type=chat_type)
                command = text.startswith("/") and "@other_bot" not in text
                replies = await fuzz.message("group", f"{who} in {chat_type}: {text[:30]}", update, group_id,
                                             expect="reply" if command else "silence", keep_rows=True)
                if command and replies != [plain(CATALOG["group.private_only"][0])]:
                    fuzz.fail(text, f"a group command should get one pointer, got {replies}")
            chat = {"id": GROUP_ID, "type": chat_type, "title": "测试群"}
            for content in ({"sticker": _sticker("grp-sticker")}, {"location": {"latitude": 29.35, "longitude": 105.9}}):
                await fuzz.message("group", f"{who} in {chat_type}: {list(content)}",
                                   _message_update(chat, user_id, **content), GROUP_ID, expect="silence")
    # a channel post has no sender: silence
    post = group_message(None, -1009999, 1, "/help", chat_type="channel")["message"]
    post.pop("from")
    await fuzz.message("channel", "channel post", {"channel_post": post}, -1009999, expect="silence")

    # stickers, locations, contacts, venues, dice in private: kept and acknowledged
    kinds = {
        "sticker": {"sticker": _sticker("private-sticker")},
        "location": {"location": {"latitude": 29.35, "longitude": 105.9}},
        "contact": {"contact": {"phone_number": "+8613800000000", "first_name": "<b>张</b>", "user_id": 5}},
        "venue": {"venue": {"location": {"latitude": 1.0, "longitude": 2.0}, "title": "'; DROP", "address": "\u202e"}},
        "dice": {"dice": {"emoji": "🎲", "value": 3}},
        "caption only": {"caption": "<i>", "document": {"file_id": "doc-1", "file_unique_id": "d1",
                                                         "file_name": "../../etc/passwd" + "😀" * 100}},
        "empty": {},
    }
    for user_id, who in people:
        chat = {"id": user_id, "type": "private", "first_name": who}
        for kind, content in kinds.items():
            replies = await fuzz.message("kinds", f"{who} sends a {kind}", _message_update(chat, user_id, **content),
                                         user_id, expect="reply", keep_rows=False)
            if user_id != liaison.id and replies and "已收到并存档" not in replies[0]:
                fuzz.fail(kind, f"a {kind} should be kept and acknowledged, got {replies}")
        # a new member joining / leaving is a service message: nothing to answer
        service = _message_update(chat, user_id, new_chat_title="新标题")
        await fuzz.message("service", f"{who} service message", service, user_id, expect="silence")

    seconds = time.monotonic() - started
    record_cases(_backend(desk), "messages", fuzz.cases, seconds)
    assert not fuzz.failures, "\n".join(fuzz.failures)


async def test_forged_and_stale_buttons_of_every_kind(desk: Desk, office, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    liaison, notice = office
    fuzz = Fuzz(desk, caplog)
    started = time.monotonic()
    real_target = int(notice.reply_markup["inline_keyboard"][0][0]["callback_data"].rsplit(":", 1)[1])
    # ids up to 2**31 - 1 here; beyond, see test_a_forged_button_with_an_id_beyond_32_bits_gets_the_stale_notice
    forged = [f"t:{a}:{n}" for a in ("ack", "prog", "done", "ext") for n in (real_target, 0, 999999, INT4_MAX)]
    forged += [f"x:{a}:{n}" for a in ("ok", "no") for n in (real_target, 1, 999999, INT4_MAX)]
    forged += [f"f:{a}:{n}" for a in ("p", "t") for n in (1, 999999, INT4_MAX)]
    forged += [f"r:{a}:{n}" for a in ("ok", "no") for n in (1, 999999, INT4_MAX)]
    forged += ["a:t:0", "a:t:9999", "a:p:3", "a:n", "a:c", "a:ok", "a:zz"]
    garbage = ["", ":", "t", "t:ack", "t:ack:", "t:ack:-1", "t:ack:1e3", "t:ack:0x10", "t:ack:1:2", "t:hack:1",
               "T:ACK:1", "t:ack:" + "9" * 13, "t:ack:0000000000001", "t:ack:١٢", "t:ack:１", "t:ack:1\n", " t:ack:1", "x" * 64,
               "é" * 40, "<b>:</b>:1", "'; DROP TABLE task_targets; --", "😀:😀:1", "%s:%n:1", "r:ok:1 OR 1=1"]
    # The admin's own message and the liaison's own message, to press on
    admin_message = (await desk.admin.send_raw("/whoami")).result
    liaison_message = (await liaison.send_raw("/whoami")).result
    stranger = desk.chat(STRANGER_ID, "路人")
    stranger_message = (await stranger.send_raw("/whoami")).result
    pressers = [(ADMIN_ID, admin_message), (liaison.id, liaison_message), (STRANGER_ID, stranger_message)]
    for user_id, message in pressers:
        for data in forged + garbage:
            await fuzz.button(f"{user_id} presses {data!r}", user_id, data, message)
        # a query without data (a game button), and one on another person's message
        await fuzz.button(f"{user_id} presses a data-less button", user_id, None, message)
        await fuzz.button(f"{user_id} presses on the notice of another", user_id, f"t:ack:{real_target}",
                          notice.result)
    # the notice's real buttons pressed by the wrong liaison (another department)
    for data in [b["callback_data"] for row in notice.reply_markup["inline_keyboard"] for b in row]:
        answer = await fuzz.button(f"wrong liaison presses {data}", liaison.id, data, liaison_message)
        if answer is not None and "不是 #1" not in answer:
            fuzz.fail(data, f"another department's button should be refused, got {answer!r}")
    # a message too old to be accessible (Telegram sends date 0), the right liaison pressing
    inaccessible = {"chat": notice.result["chat"], "message_id": notice.result["message_id"], "date": 0}
    for data in ("button-gone", "x:ok:1", "f:p:1", "r:ok:1"):
        await fuzz.button(f"inaccessible message, {data}", ADMIN_ID, data, inaccessible)
    # not from a private chat: an inline message, a group message: no answer at all (deliberate)
    await fuzz.button("inline message", ADMIN_ID, "t:ack:1", None, expect="silence")
    group = group_message(None, GROUP_ID, ADMIN_ID, "x")["message"]
    await fuzz.button("group message", ADMIN_ID, "x:ok:1", group, expect="silence")
    # the same query delivered twice: handled once
    mark = desk.api.mark()
    twice = callback_query(None, liaison.id, "t:ack:999999", liaison_message, query_id="twice")
    first = desk.api.push_update(twice)
    second = desk.api.push_update({**twice, "update_id": first})
    await fuzz.probe.wait(second)
    fuzz.cases["buttons"] += 1
    answers = [c for c in desk.api.calls[mark:] if c.method == "answerCallbackQuery"]
    if len(answers) != 1:
        fuzz.fail("redelivered query", f"answered {len(answers)} times")

    seconds = time.monotonic() - started
    record_cases(_backend(desk), "buttons", fuzz.cases, seconds)
    assert not fuzz.failures, "\n".join(fuzz.failures)


# ---------------------------------------------------------------- inputs that used to crash

HUGE_IDS = [f"{kind}:{action}:{ref}" for kind, action in (("t", "ack"), ("t", "prog"), ("t", "done"), ("t", "ext"),
                                                          ("x", "ok"), ("x", "no"), ("f", "p"), ("f", "t"),
                                                          ("r", "ok"), ("r", "no"))
            for ref in (INT4_MAX + 1, 999_999_999_999)]


async def test_a_forged_button_with_an_id_beyond_32_bits_gets_the_stale_notice(desk: Desk, office, caplog, request):  # type: ignore[no-untyped-def]
    """bot.rules.callbacks.decode accepts up to 12 digits, but the ids are 32-bit integers on
    PostgreSQL: there `t:ack:999999999999` (or any kind) raises asyncpg's DataError inside the use case,
    the error handler logs it at ERROR with a traceback and the user gets "something went wrong" instead
    of the button notice. Anybody can send such data (no role needed for r:/t:), so anybody can fill
    the error log. SQLite (64-bit integers) answers correctly."""
    caplog.set_level(logging.WARNING)
    liaison, _ = office
    fuzz = Fuzz(desk, caplog)
    pressers = {"t": liaison.id, "r": liaison.id, "x": ADMIN_ID, "f": ADMIN_ID}
    own = {ADMIN_ID: (await desk.admin.send_raw("/whoami")).result, liaison.id: (await liaison.send_raw("/whoami")).result}
    started = time.monotonic()
    for data in HUGE_IDS:
        user_id = pressers[data[0]]
        await fuzz.button(f"{user_id} presses {data!r}", user_id, data, own[user_id])
    record_cases(_backend(desk), "huge_ids", fuzz.cases, time.monotonic() - started)
    assert not fuzz.failures, "\n".join(fuzz.failures)


async def test_a_long_task_detail_with_file_buttons_is_split_not_refused(desk: Desk, clock, caplog, request):  # type: ignore[no-untyped-def]
    """/task N sends its body unsplit when it has file buttons (handlers/tasks.py show_task calls
    message.reply_text(body, reply_markup=…) instead of send(), which splits at 4096). A task for the
    real org's 24 departments with full-length title and details, where most departments have reported
    progress and one sent a photo, is longer than Telegram's 4096 characters: the Bot API answers
    "Bad Request: message is too long" and the admin never sees the task (the error handler logs it;
    depending on its version the admin gets "something went wrong" or nothing)."""
    caplog.set_level(logging.WARNING)
    spec = org.read_org_file(ROOT / "examples" / "org.yaml")
    await org.import_org(desk.services.db, spec, now=clock())
    names = list(spec.departments)
    assert len(names) == 24
    liaisons = [desk.chat(7100 + i, f"联络员{i}") for i in range(16)]
    for chat, name in zip(liaisons, names, strict=False):
        assert "登记成功" in await chat.send(f"/start {await desk.invite(name)}")
    assigned = desk.api.mark()
    created = await desk.admin.send("/assign " + ",".join(names) + " | 2026-12-10 | " + "题" * 200 + " | " + "详" * 2000,
                                    contains="已创建交办单")
    assert "#1" in created
    # The notices go out through the outbox while the liaisons type: each /progress waits for its
    # own confirmation, not for the first message in the chat (which may be the notice).
    for i, chat in enumerate(liaisons[1:], start=1):
        await chat.send(f"/progress 1 第{i}批现场核查已完成，" + "进展说明" * 25, contains="已记录 #1 的进展")
    notice = await desk.api.wait_for_message(chat_id=liaisons[0].id, contains="交办单 #1", after=assigned)
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, liaisons[0].id, None, photo="site-photo", caption="现场照片",
                                         reply_to=notice.result["message_id"]))
    await desk.api.wait_for_message(chat_id=liaisons[0].id, contains="已记录 #1 的进展", after=mark)
    await desk.delivered()

    probe = Processed(desk.app)
    mark = desk.api.mark()
    await probe.push(desk, private_message(None, ADMIN_ID, "/task 1"))  # every reply sent, the error path's too
    sent = [c for c in desk.api.calls[mark:] if c.method == "sendMessage" and c.chat_id == ADMIN_ID]
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert all(c.ok for c in sent), [(c.summary()[:60], len(plain(c.text or ""))) for c in sent]
    assert not errors, errors
    body = "\n".join(plain(c.text or "") for c in sent)
    assert "区" in body and any(c.reply_markup for c in sent)  # the task, with its file button


async def test_an_org_file_with_a_very_long_name_is_imported_or_refused_in_one_line(db, db_url, tmp_path, request):  # type: ignore[no-untyped-def]
    """A department name of 130 characters (the column holds 120): either imported, or refused in
    one line with nothing written — never a traceback (PostgreSQL enforces the length)."""
    long_name = "区" + "很" * 128 + "局"
    path = tmp_path / "org.yaml"
    path.write_text(f"departments:\n  - {long_name}\n  - 区财政局\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(DATABASE_URL=db_url, PYTHONPATH=str(ROOT))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "org", "import", str(path), env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = (part.decode() for part in await asyncio.wait_for(process.communicate(), 60))
    assert "Traceback" not in err, err.strip().splitlines()[-2:]
    if process.returncode == 0:
        assert f"created department {long_name}" in out
    else:
        assert process.returncode == 2 and len(err.strip().splitlines()) == 1, err
        async with db.engine.connect() as conn:
            assert (await conn.execute(sql("SELECT count(*) FROM departments"))).scalar() == 0


def test_every_command_of_the_bot_is_fuzzed():
    """A command added to the bot's table is thrown the hostile arguments too."""
    assert {spec.name for spec in BOT_COMMANDS} <= set(COMMANDS)


def test_the_html_checker_knows_good_from_bad():
    assert html_problem("<b>粗体</b> &lt;b&gt; & 普通") is None
    assert html_problem('<a href="https://t.me/x?start=abc">链接</a>') is None
    assert html_problem("<b>") is not None
    assert html_problem("</i><a href='x'>") is not None
    assert html_problem("<script>") is not None
    assert html_problem("a < b") is not None
    assert html_problem("<b><i></b></i>") is not None


def test_failure_texts_are_recognised():
    assert is_failure(["用法：/lang 中文 或 /lang 英文"])
    assert is_failure(["抱歉，/invite 仅限管理员使用。"])
    assert is_failure(["未知命令 /frobnicate。发送 /help 查看可用命令。"])
    assert not is_failure(["已排队向 1 位联络员发送（第 1 号群发），发送完毕后会告诉您结果。"])
    assert not is_failure([])
