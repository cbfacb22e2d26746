"""The token never reaches a log line or a message; every admin action is audited with actor, time and
target; invite codes cannot be guessed or reused (entropy, single use, expiry, lock-out after wrong
attempts) — through the real Application and the real command line."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.rules import invites
from bot.rules.org import parse_org
from bot.usecases import audit, org
from jobs.tick import run_steps
from storage.models import InviteCode
from tests.e2e.conftest import ADMIN_ID, TOKEN, Desk, Processed
from tests.support.fake_bot_api import FakeBotAPI, callback_query, private_message

ROOT = Path(__file__).parents[2]
SECRET_PART = TOKEN.split(":", 1)[1]  # the part of the token that is the secret
FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def leaks(records: list[logging.LogRecord]) -> list[str]:
    """Every log line (fully formatted, tracebacks and stacks included) that shows the token."""
    out = []
    for record in records:
        line = FORMAT.format(record)
        if TOKEN in line or SECRET_PART in line:
            out.append(line[:300])
    return out


async def _wait_sent(desk: Desk, chat_id: int, contains: str, after: int) -> str:
    return (await desk.api.wait_for_message(chat_id=chat_id, contains=contains, after=after)).text or ""


# ---------------------------------------------------------------- the token never shows


async def test_a_busy_day_logs_nothing_that_shows_the_token(desk: Desk, clock, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)  # every logger, every level
    api = desk.api
    await org.import_org(desk.services.db, parse_org({"departments": ["区科技局", "区商务委"]}), now=clock())
    a, b = desk.chat(8101, "甲"), desk.chat(8102, "乙")
    assert "登记成功" in await a.send(f"/start {await desk.invite('区科技局')}")
    assert "无效" in await b.send("/start AAAAAAAAAAAAAAAAAAAAAA")
    assert "登记成功" in await b.send(f"/start {await desk.invite('区商务委')}")
    assert "#1" in await desk.admin.send("/assign 区科技局,区商务委 | 2026-12-10 | 报送材料")
    await desk.delivered()

    probe = Processed(desk.app)
    # a reply that fails at the Bot API (502: NetworkError), and one refused as bad HTML (400)
    api.fail_next("sendMessage", status=502)
    await probe.push(desk, private_message(None, a.id, "/mytasks"))
    api.fail_next("sendMessage", status=400, description="Bad Request: can't parse entities: unsupported start tag")
    await probe.push(desk, private_message(None, b.id, "/whoami"))

    # a broadcast where one liaison has blocked the bot (403)
    mark = api.mark()
    api.block_chat(b.id)
    assert "已排队" in await desk.admin.send("/broadcast 明天上午九点开会", contains="已排队")  # the report may come first
    await _wait_sent(desk, ADMIN_ID, "群发完成", mark)
    api.unblock_chat(b.id)

    # the sender meeting a 502 (queued directly, so that the failure is the sender's and not a reply's)
    from bot.rules.people import UserInfo
    from bot.usecases import broadcasts, people

    admin = await people.identify(desk.services.db, UserInfo(ADMIN_ID, ADMIN_ID, "办公室管理员", None, None),
                                  admin_ids=frozenset({ADMIN_ID}), default_language="zh", now=clock())
    mark = api.mark()
    api.fail_next("sendMessage", status=502)
    await broadcasts.start(desk.services.db, admin, "第二次通知", default_language="zh", now=clock())
    desk.services.wake_outbox()
    await _wait_sent(desk, ADMIN_ID, "群发完成", mark)
    assert any(c.status == 502 for c in api.calls[mark:])

    # an exception whose message carries the request URL (as some libraries' errors do)
    async def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"POST {api.base_url}{TOKEN}/setMyCommands failed")

    monkeypatch.setattr(people, "set_language", boom)
    await probe.push(desk, private_message(None, a.id, "/lang en"))

    # polling itself failing once
    mark = api.mark()
    api.fail_next("getUpdates", status=502)
    await api.wait_for(lambda c: c.method == "getUpdates" and not c.ok and c.status is not None, after=mark)
    assert "区科技局" in await desk.admin.send("/liaisons")
    assert await desk.admin.send("/audit 50")

    assert not leaks(caplog.records), "\n".join(leaks(caplog.records))
    assert TOKEN not in caplog.text and SECRET_PART not in caplog.text
    # the test is not vacuous: the token was on its way into the log (request URLs) and was scrubbed
    assert any("[REDACTED]" in r.getMessage() for r in caplog.records)
    assert any(r.levelno >= logging.ERROR and r.exc_text for r in caplog.records)  # tracebacks were logged
    # nor is it in anything the bot sent to a chat
    sent = [c for c in api.calls if c.method.lower().startswith(("send", "edit", "answer", "setmy"))]
    assert not [c.summary() for c in sent if SECRET_PART in str(c.raw)]


async def _run_cli(*args: str, env: dict[str, str], cwd: Path, timeout: float = 60) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    return process.returncode or 0, out.decode(), err.decode()


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "BOT_", "WEBHOOK_"))}
    env.update(PYTHONPATH=str(ROOT), **values)
    return env


BAD_DATABASES = {
    "unsupported driver": "mysql+pymysql://desk:hunter2secret@127.0.0.1/liaison",
    "not a URL": "this is :: not a database url",
    "unreachable server": "postgresql+asyncpg://postgres:hunter2secret@127.0.0.1:9/liaison",
    "unopenable file": "sqlite+aiosqlite:////nonexistent-dir/deeper/liaison.db",
}


async def test_the_command_line_with_a_bad_database_says_one_line_without_the_token(tmp_path):
    env = {name: _env(TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=url, TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot")
           for name, url in BAD_DATABASES.items()}
    runs = await asyncio.gather(*(_run_cli(env=e, cwd=tmp_path) for e in env.values()))
    for name, (code, out, err) in zip(env, runs, strict=True):
        lines = err.strip().splitlines()
        assert code == 2, (name, code, err)
        assert len(lines) == 1 and lines[0].startswith("liaison-desk: error:"), (name, err)
        assert TOKEN not in err + out and SECRET_PART not in err + out, (name, err)
        assert "hunter2secret" not in err, (name, err)  # nor the database password


async def test_a_token_the_bot_api_refuses_is_not_echoed(tmp_path):
    """PTB's own message for a refused token quotes the token ("The token `…` was rejected"); the
    process must not pass it on. (A real process, against the fake Bot API that knows another token.)"""
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'liaison.db'}"
    async with FakeBotAPI(token="999999:another-token") as api:
        env = _env(TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=db_url, TELEGRAM_API_BASE_URL=api.base_url,
                   TELEGRAM_API_FILE_URL=api.base_file_url)
        code, out, err = await _run_cli(env=env, cwd=tmp_path)
    assert code == 2, err
    assert TOKEN not in err + out and SECRET_PART not in err + out, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("liaison-desk: error:"), err


# ---------------------------------------------------------------- every admin action is audited


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    await org.import_org(desk.services.db, parse_org({"departments": ["区科技局", "区商务委"]}), now=clock())
    return desk


async def test_every_admin_action_is_in_the_audit_log_with_actor_time_and_target(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    await run_steps(desk.services, clock(), datetime.now(UTC))  # opens the quarter's reporting cycle
    liaison = desk.chat(8201, "科技局联络员")
    person = desk.chat(8202, "新主任")
    assert await person.send("/start")
    expected: dict[str, str] = {}  # action -> a piece of its target

    code = await desk.invite("区科技局")
    expected["invite"] = "区科技局"
    assert "登记成功" in await liaison.send(f"/start {code}")
    assert "已授予" in await desk.admin.send("/grant 8202 director")
    expected["role.grant"] = "8202"
    assert "已撤销" in await desk.admin.send("/revoke 8202 director")
    expected["role.revoke"] = "8202"
    assigned = desk.api.mark()
    assert "#1" in await desk.admin.send("/assign 区科技局 | 2026-12-10 | 审计测试任务")
    expected["task.assign"] = "#1"
    assert "#1" in await desk.admin.send("/extend 1 2026-12-15")
    expected["task.extend"] = "#1"

    # the liaison asks for more time, the admin decides with the button (on the notice: the one with
    # buttons; the extension's notice may be on its way to the liaison too)
    notice = await desk.api.wait_for(lambda c: c.ok and c.method.startswith("send") and c.chat_id == liaison.id
                                     and c.reply_markup is not None and "交办单 #1" in (c.text or ""), after=assigned)
    data = next(b["callback_data"] for row in notice.reply_markup["inline_keyboard"] for b in row
                if b["callback_data"].startswith("t:ext:"))
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, liaison.id, data, notice.result))
    await desk.api.wait_for_message(chat_id=liaison.id, contains="新截止日期", after=mark)
    await liaison.send("2026-12-20 等待材料", contains="已提交 #1 的延期申请")
    request = await desk.api.wait_for_message(chat_id=ADMIN_ID, contains="延期申请", after=mark)
    mark = desk.api.mark()
    approve = request.reply_markup["inline_keyboard"][0][0]["callback_data"]
    desk.api.push_update(callback_query(None, ADMIN_ID, approve, request.result))
    await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    expected["task.extension_granted"] = "#1"

    mark = desk.api.mark()
    assert "已排队" in await desk.admin.send("/broadcast 审计测试通知", contains="已排队")
    await desk.api.wait_for_message(chat_id=ADMIN_ID, contains="群发完成", after=mark)
    expected["broadcast"] = "#1"
    assert "产值" in await desk.admin.send("/cycle indicators 产值 亿元")
    expected["cycle.indicators"] = "Q"
    assert "已关闭 #1" in await desk.admin.send("/close 1")
    expected["task.close"] = "#1"

    entries = await audit.recent(desk.services.db, 100)
    by_action = {e.action: e for e in reversed(entries) if e.actor_id == ADMIN_ID and e.outcome == "ok"}
    missing = sorted(set(expected) - set(by_action))
    assert not missing, f"admin actions missing from the audit log: {missing}; got {sorted(by_action)}"
    for action, piece in expected.items():
        entry = by_action[action]
        assert entry.at is not None and entry.at.tzinfo is not None, action
        assert abs(entry.at - clock()) < timedelta(seconds=1), (action, entry.at)
        assert entry.target and piece in entry.target, (action, entry.target)

    # and /audit shows them, newest first, with the admin's id
    shown = await desk.admin.send("/audit 30")
    for action in expected:
        assert action in shown, action
    assert str(ADMIN_ID) in shown


async def test_an_org_import_is_audited_with_actor_time_and_target(db, clock):  # type: ignore[no-untyped-def]
    await org.import_org(db, parse_org({"office": "测试办公室", "departments": ["区科技局"]}), now=clock(),
                         actor_id=ADMIN_ID)
    entries = [e for e in await audit.recent(db, 10) if e.action == "org.import"]
    assert entries, "the import is not in the audit log at all"
    entry = entries[0]
    assert entry.actor_id == ADMIN_ID and entry.at is not None
    assert entry.target, f"no target: {entry}"


# ---------------------------------------------------------------- invite codes


def test_a_thousand_codes_are_distinct_and_carry_128_random_bits():
    codes = [invites.new_code() for _ in range(1000)]
    assert len(set(codes)) == 1000
    for code in codes:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,64}", code), code
        assert len(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))) >= 16  # ≥ 128 bits
        assert invites.looks_like_code(code)
    # no character position is stuck (a broken generator would show here)
    for position in range(21):  # (the 22nd character carries the last 2 bits only)
        assert len({code[position] for code in codes}) > 40, position


async def test_codes_from_the_bot_are_stored_only_as_digests(desk: Desk, office):  # type: ignore[no-untyped-def]
    codes = [await desk.invite("区科技局") for _ in range(5)] + [await desk.invite("区商务委")]
    assert len(set(codes)) == len(codes) and all(len(c) >= 22 for c in codes)
    async with desk.services.db.session() as s:
        rows = list(await s.exec(select(InviteCode)))
    stored = {r.code_digest for r in rows}
    assert {hashlib.sha256(c.encode()).hexdigest() for c in codes} == stored
    assert not any(c in str(r) for c in codes for r in rows)
    # a newer invite voids the older unused one
    assert "作废" in await desk.chat(8301, "用旧码的人").send(f"/start {codes[0]}")


async def test_a_code_works_once_and_for_seven_days(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    code = await desk.invite("区科技局")
    assert "登记成功" in await desk.chat(8401, "甲").send(f"/start {code}")
    assert "已被使用" in await desk.chat(8402, "乙").send(f"/start {code}")
    assert "已被使用" in await desk.chat(8401, "甲").send(f"/start {code}")  # even for its owner
    late = await desk.invite("区商务委")
    clock.advance(timedelta(days=7))
    assert "过期" in await desk.chat(8403, "丙").send(f"/start {late}")
    assert "无" in await desk.chat(8403, "丙").send("/whoami")


async def test_five_wrong_codes_lock_the_user_out_for_fifteen_minutes(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    code = await desk.invite("区科技局")
    guesser, other = desk.chat(8501, "猜码的人"), desk.chat(8502, "另一个人")
    for guess in ["AAAAAAAAAAAAAAAAAAAAAA", "short", code[:-1] + ("A" if code[-1] != "A" else "B"), code.upper(),
                  code + "x"]:
        assert "无效" in await guesser.send(f"/start {guess}"), guess
        clock.advance(timedelta(seconds=30))
    # the sixth attempt is refused even with the right code, and registers nothing
    assert "错误尝试次数过多" in await guesser.send(f"/start {code}")
    assert "无" in await guesser.send("/whoami")
    entries = await audit.recent(desk.services.db, 20)
    assert sum(e.actor_id == guesser.id and e.action == "register" and e.outcome == "refused" for e in entries) == 6
    # somebody else is not locked out by it
    assert "无效" in await other.send("/start BBBBBBBBBBBBBBBBBBBBBB")
    # a quarter of an hour after the last wrong code, the right code works
    clock.advance(timedelta(minutes=16))
    assert "登记成功" in await guesser.send(f"/start {code}")
