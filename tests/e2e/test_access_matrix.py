"""The permission matrix, end to end: every chat command × every role.

The expected table is written out here by hand (from the interface contract's "Chat interface" and
the README's table) and is the reference: it is *not* derived from bot/rules/roles.py, and both the
bot's table and the README's command table are checked against it, so a wrong entry in either makes
these tests fail. Nothing outside the repository is read. The roles are set up the way they arise in
real use: a liaison registers with an invite code, a director and an admin are granted by the
configured admin, and "none" is somebody who has only said /start.

Also here: a liaison never sees or touches another department's tasks, reports or files."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import func, select

from bot.rules.org import parse_org
from bot.rules.roles import Role, command_spec, COMMANDS
from bot.usecases import audit, org
from jobs.tick import run_steps
from storage.models import InboundMessage, PendingInput, ReportDraft, Report, TaskProgress, TaskTarget
from tests.e2e.conftest import ADMIN_ID, Chat, Desk, Processed
from tests.support.fake_bot_api import Call, callback_query, private_message

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"

ROLES = ("none", "liaison", "director", "admin")

# The documented table (the contract's "Chat interface"; README, "Chat commands"), by hand.
#   everyone: /start /help /whoami /lang
#   liaisons: /progress /done /mytasks /report
#   directors: /digest /overdue /status /export      ("Admins: everything directors can, plus …")
#              /tasks /task /cycle (read only) /comment   ("What directors see")
#   admins: /invite /assign /extend /close /liaisons /grant /revoke /broadcast /audit
#           /inbox (what was only kept: "Input as office staff type it", "Plain messages")
MATRIX_TEXT = """
command     none  liaison  director  admin
start        +      +        +        +
help         +      +        +        +
whoami       +      +        +        +
lang         +      +        +        +
invite       -      -        -        +
assign       -      -        -        +
tasks        -      -        +        +
task         -      -        +        +
extend       -      -        -        +
close        -      -        -        +
liaisons     -      -        -        +
grant        -      -        -        +
revoke       -      -        -        +
broadcast    -      -        -        +
cycle        -      -        +        +
audit        -      -        -        +
progress     -      +        -        -
done         -      +        -        -
mytasks      -      +        -        -
report       -      +        -        -
digest       -      -        +        +
overdue      -      -        +        +
status       -      -        +        +
export       -      -        +        +
inbox        -      -        -        +
comment      -      -        +        +
office       -      -        +        +
forward      -      -        -        +
meeting      -      -        +        +
meetings     -      -        +        +
brief        -      -        +        +
targets      -      -        +        +
assessment   -      -        +        +
calendar     -      +        +        +
dashboard    -      -        +        +
"""

# Named by the contract for later issues and not built yet, so not required here. When one is built,
# its row goes into MATRIX_TEXT (with the roles the contract gives it), and the README's table gets it.
FUTURE: tuple[str, ...] = ()


def _matrix(text: str) -> dict[str, dict[str, bool]]:
    rows = [line.split() for line in text.strip().splitlines()]
    header, body = rows[0][1:], rows[1:]
    assert tuple(header) == ROLES
    return {row[0]: {role: mark == "+" for role, mark in zip(header, row[1:], strict=True)} for row in body}


EXPECTED = _matrix(MATRIX_TEXT)

# Harmless arguments: nothing is created, nothing is sent to anybody else. (`/assign` alone would open
# the step-by-step dialogue; `/assign x` gets the usage line instead.)
ARGS = {"assign": "x"}

DENIED = re.compile(r"^抱歉，/(?P<command>[a-z]+) 仅限.+使用。$")
INTERNAL = "抱歉，处理时出错"
SEND_METHODS = {"sendmessage", "sendphoto", "senddocument"}


# ---------------------------------------------------------------- the documents


def readme_rows(text: str) -> dict[str, dict[str, bool]]:
    """The README's permission table (section "Chat commands"):
    `| `/cmd …` — … | ✓ | | | ✓ |` → {cmd: {role: allowed}}."""
    assert "## Chat commands" in text, "the README has no \"Chat commands\" section"
    section = text.split("## Chat commands", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, dict[str, bool]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]  # `\|` is a pipe inside a cell
        if len(cells) < 5 or not cells[0].startswith("`/"):
            continue
        marks = cells[-4:]
        if not all(m in ("", "✓") for m in marks):
            continue
        for name in re.findall(r"`/([a-z]+)", cells[0]):
            rows[name] = {role: mark == "✓" for role, mark in zip(ROLES, marks, strict=True)}
    return rows


def test_the_readme_parser_reads_a_table_row():
    text = ("## Chat commands\n\n| command | everyone | liaison | director | admin |\n| --- | :-: | :-: | :-: | :-: |\n"
            "| `/help` — the caller's own commands; `/whoami` | ✓ | ✓ | ✓ | ✓ |\n"
            "| `/digest [week\\|month]`, `/overdue` | | | ✓ | ✓ |\n\n## Later\n| `/meeting` | | | | ✓ |\n")
    rows = readme_rows(text)
    assert set(rows) == {"help", "whoami", "digest", "overdue"}  # the next section is not read
    assert rows["overdue"] == {"none": False, "liaison": False, "director": True, "admin": True}


def test_the_matrix_leaves_future_commands_out():
    assert not set(FUTURE) & set(EXPECTED), "a command built now: drop it from FUTURE"
    assert len(EXPECTED) >= 25 and all(any(row.values()) for row in EXPECTED.values())


def test_the_bots_table_has_exactly_the_matrix_commands():
    """A documented command missing from bot/rules/roles.py would pass the gate as "unknown"; a
    command in the bot's table that the matrix lacks has no reference to be checked against."""
    bot_names = [c.name for c in COMMANDS]
    assert len(bot_names) == len(set(bot_names)), f"a command twice in the bot's table: {bot_names}"
    missing = sorted(name for name in EXPECTED if command_spec(name) is None)
    assert not missing, f"commands of the matrix that bot/rules/roles.py does not know: {missing}"
    extra = sorted(set(bot_names) - set(EXPECTED))
    assert not extra, (f"commands in bot/rules/roles.py that the matrix lacks: {extra} "
                       "(add each to MATRIX_TEXT with the roles the contract gives it, and to the README's table)")


def test_the_readme_table_agrees_with_the_matrix():
    rows = readme_rows(README.read_text(encoding="utf-8"))
    assert len(rows) >= 20, sorted(rows)  # the parse found the table
    missing = sorted(set(EXPECTED) - set(rows))
    assert not missing, f"commands missing from the README's \"Chat commands\" table: {missing}"
    extra = sorted(set(rows) - set(EXPECTED))
    assert not extra, f"commands in the README's table that the matrix lacks: {extra}"
    wrong = {name: marks for name, marks in rows.items() if marks != EXPECTED[name]}
    assert not wrong, f"README rows that disagree with the documented matrix: {wrong}"


_HOLDS = {"none": frozenset(), "liaison": frozenset({Role.LIAISON}), "director": frozenset({Role.DIRECTOR}),
          "admin": frozenset({Role.ADMIN})}


def test_the_bots_table_matches_the_matrix():
    """The same comparison without a running bot: quick to read when it fails."""
    wrong = [
        f"/{name} for {role}: expected {'allowed' if ok else 'refused'}"
        for name, row in EXPECTED.items()
        for role, ok in row.items()
        if (spec := command_spec(name)) is None or spec.allowed(_HOLDS[role]) != ok
    ]
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- running the bot


async def exchange(desk: Desk, probe: Processed, update: dict, chat_id: int) -> list[Call]:
    """Push one update, wait until the bot is done with it; the messages it sent to `chat_id`."""
    mark = desk.api.mark()
    update_id = desk.api.push_update(update)
    await probe.wait(update_id)
    return [c for c in desk.api.calls[mark:] if c.method.lower() in SEND_METHODS and c.raw.get("chat_id") == str(chat_id)]


async def say(desk: Desk, probe: Processed, chat: Chat, text: str) -> list[Call]:
    return await exchange(desk, probe, private_message(None, chat.id, text, first_name=chat.first_name), chat.id)


@pytest.fixture
async def people(desk: Desk, clock):  # type: ignore[no-untyped-def]
    """One person per role, each set up through the bot as in real use."""
    await org.import_org(desk.services.db, parse_org({"departments": ["区科技局", "区商务委"]}), now=clock())
    liaison, director = desk.chat(2101, "联络员"), desk.chat(2201, "主任")
    admin, nobody = desk.chat(2301, "新管理员"), desk.chat(2401, "路人")
    assert "登记成功" in await liaison.send(f"/start {await desk.invite('区科技局')}")
    for chat in (director, admin, nobody):
        assert await chat.send("/start")
    assert "已授予" in await desk.admin.send("/grant 2201 director", contains="授予")
    assert "已授予" in await desk.admin.send("/grant 2301 admin", contains="授予")
    await desk.delivered()  # the admins' note of the liaison's registration is out
    return {"none": nobody, "liaison": liaison, "director": director, "admin": admin}


async def test_every_command_for_every_role_matches_the_documented_table(desk: Desk, people):  # type: ignore[no-untyped-def]
    probe = Processed(desk.app)
    observed: dict[tuple[str, str], bool] = {}
    problems: list[str] = []
    for name in EXPECTED:
        for role in ROLES:
            chat = people[role]
            text = f"/{name} {ARGS.get(name, '')}".strip()
            sent = await say(desk, probe, chat, text)
            bodies = [c.text or "" for c in sent]
            if not bodies or not all(c.ok for c in sent):
                problems.append(f"{text} as {role}: no reply / a refused send: {[c.summary() for c in sent]}")
                continue
            refused = any((m := DENIED.match(b)) and m["command"] == name for b in bodies)
            observed[name, role] = not refused
            if refused and len(bodies) != 1:
                problems.append(f"{text} as {role}: a refusal must be one line, got {bodies}")
            if any(INTERNAL in b for b in bodies):
                problems.append(f"{text} as {role}: internal error")
    table = ["command     " + "  ".join(f"{r:>8}" for r in ROLES)]
    for name in EXPECTED:
        marks = []
        for role in ROLES:
            got, want = observed.get((name, role)), EXPECTED[name][role]
            mark = "?" if got is None else ("+" if got else "-")
            marks.append(f"{mark if got == want else mark + '≠'}".rjust(8))
        table.append(f"{name:<12}" + "  ".join(marks))
    print("\n".join(table))
    wrong = [f"/{n} as {r}: expected {'allowed' if EXPECTED[n][r] else 'refused'}"
             for (n, r), got in observed.items() if got != EXPECTED[n][r]]
    assert not wrong and not problems, "\n".join(wrong + problems + table)

    # every refusal is in the audit log as "denied", with the actor; nothing allowed is
    entries = await audit.recent(desk.services.db, 100)
    entries += await _older(desk, entries)
    denied = {(e.actor_id, e.action) for e in entries if e.outcome == "denied"}
    for name in EXPECTED:
        for role in ROLES:
            key = (people[role].id, f"/{name}")
            if EXPECTED[name][role]:
                assert key not in denied, f"/{name} by {role} was allowed but audited as denied"
            else:
                assert key in denied, f"/{name} by {role} was refused but not audited as denied"
    for e in entries:
        if e.outcome == "denied":
            assert e.at is not None and e.actor_id is not None


async def _older(desk: Desk, newest: list) -> list:  # type: ignore[type-arg]
    """Audit entries beyond the newest 100 (the use case caps a page at what /audit shows)."""
    from storage.models import AuditEntry

    oldest = min((e.id for e in newest), default=0)
    async with desk.services.db.session() as s:
        return list(await s.exec(select(AuditEntry).where(AuditEntry.id < oldest)))


async def test_the_configured_admin_and_a_granted_admin_have_the_same_commands(desk: Desk, people):  # type: ignore[no-untyped-def]
    probe = Processed(desk.app)
    for name in ("invite", "audit", "cycle", "digest", "status"):
        for chat in (desk.admin, people["admin"]):
            bodies = [c.text or "" for c in await say(desk, probe, chat, f"/{name}")]
            assert bodies and not DENIED.match(bodies[0]), (name, chat.id, bodies)
    # and the configured admin is, like a granted one, not a liaison
    bodies = [c.text or "" for c in await say(desk, probe, desk.admin, "/mytasks")]
    assert DENIED.match(bodies[0])


# ---------------------------------------------------------------- departments are walled off


async def count(desk: Desk, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with desk.services.db.session() as s:
        return (await s.exec(select(func.count()).select_from(model).where(*where))).one()


async def press(desk: Desk, probe: Processed, chat: Chat, data: str, message: dict) -> tuple[str, list[Call]]:
    """Press a button with `data` on `message` as `chat`: (the callback answer's text, every call made)."""
    mark = desk.api.mark()
    update_id = desk.api.push_update(callback_query(None, chat.id, data, message, first_name=chat.first_name))
    await probe.wait(update_id)
    calls = desk.api.calls[mark:]
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1, [c.summary() for c in calls]
    return answers[0].raw.get("text", ""), calls


def _buttons(call: Call) -> list[str]:
    markup = call.reply_markup or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


@pytest.fixture
async def two_departments(desk: Desk, clock):  # type: ignore[no-untyped-def]
    await org.import_org(desk.services.db, parse_org({"departments": ["区科技局", "区商务委"]}), now=clock())
    mine, other = desk.chat(2501, "科技局联络员"), desk.chat(2502, "商务委联络员")
    assert "登记成功" in await mine.send(f"/start {await desk.invite('区科技局')}")
    assert "登记成功" in await other.send(f"/start {await desk.invite('区商务委')}")
    await desk.delivered()  # the admins' registration notes
    assert "#1" in await desk.admin.send("/assign 区科技局 | 2026-12-10 | 只给科技局的任务 | 内部材料")
    notice = await desk.api.wait_for_message(chat_id=mine.id, contains="交办单 #1")
    return mine, other, notice


async def test_a_liaison_cannot_see_or_touch_another_departments_task(desk: Desk, two_departments):  # type: ignore[no-untyped-def]
    mine, other, notice = two_departments
    probe = Processed(desk.app)
    assert "只给科技局的任务" in " ".join(c.text or "" for c in await say(desk, probe, mine, "/mytasks"))

    listing = " ".join(c.text or "" for c in await say(desk, probe, other, "/mytasks"))
    assert "#1" not in listing and "只给科技局的任务" not in listing and "内部材料" not in listing
    assert "没有待办" in listing

    # /progress and /done on it are refused; the message is kept, not counted
    for text in ("/progress 1 我们也做了", "/done 1 办完了"):
        bodies = [c.text or "" for c in await say(desk, probe, other, text)]
        assert bodies and "不是 #1 号交办单承办部门" in bodies[0], bodies
    assert await count(desk, TaskProgress) == 0
    assert await count(desk, InboundMessage, InboundMessage.sender_id == other.id) == 2
    # /task N, /tasks and /status are office commands
    for text in ("/task 1", "/tasks all", "/status 区科技局", "/export tasks"):
        bodies = [c.text or "" for c in await say(desk, probe, other, text)]
        assert len(bodies) == 1 and DENIED.match(bodies[0]), (text, bodies)

    # every button of the other department's notice, pressed by this one, is refused and changes nothing
    data = _buttons(notice)
    assert {d.split(":")[1] for d in data} >= {"ack", "prog", "done", "ext"}, data
    own_message = (await say(desk, probe, other, "/whoami"))[0].result  # a message in the presser's own chat
    for payload in data:
        for on in (notice.result, own_message):
            answer, calls = await press(desk, probe, other, payload, on)
            assert "不是 #1" in answer, (payload, answer)
            assert not [c for c in calls if c.method.lower().startswith(("edit", "send"))], [c.summary() for c in calls]
    async with desk.services.db.session() as s:
        target = (await s.exec(select(TaskTarget))).one()
    assert target.status == "pending" and target.acknowledged_at is None and target.extension_until is None
    assert await count(desk, PendingInput, PendingInput.telegram_id == other.id) == 0


async def test_file_buttons_are_for_directors_and_admins_only(desk: Desk, two_departments):  # type: ignore[no-untyped-def]
    mine, other, notice = two_departments
    probe = Processed(desk.app)
    reply = private_message(None, mine.id, None, first_name=mine.first_name, photo="secret-site-photo",
                            caption="现场照片", reply_to=notice.result["message_id"])
    bodies = [c.text or "" for c in await exchange(desk, probe, reply, mine.id)]
    assert "已记录 #1 的进展" in bodies[0]
    detail = (await say(desk, probe, desk.admin, "/task 1"))[0]
    files = [d for d in _buttons(detail) if d.startswith("f:")]
    assert files, detail.summary()
    own_message = (await say(desk, probe, other, "/whoami"))[0].result
    for payload in [*files, "f:t:1", "f:p:1", "f:t:999", "f:p:999"]:
        for chat, on in ((other, own_message), (other, detail.result), (mine, notice.result)):
            answer, calls = await press(desk, probe, chat, payload, on)
            assert answer == "抱歉，该按钮仅限主任或管理员使用。", (payload, chat.id, answer)
            assert not [c for c in calls if c.method in ("sendPhoto", "sendDocument", "sendMessage")], \
                [c.summary() for c in calls]
    entries = await audit.recent(desk.services.db, 100)
    assert any(e.actor_id == other.id and e.action.startswith("button:f") and e.outcome == "denied" for e in entries)
    # the control: the admin's press does send the file, and so does a director's
    answer, calls = await press(desk, probe, desk.admin, files[0], detail.result)
    sent = [c for c in calls if c.method == "sendPhoto"]
    assert sent and sent[0].raw["photo"] == "secret-site-photo" and sent[0].chat_id == ADMIN_ID
    director = desk.chat(2601, "主任")
    await director.send("/start")
    assert "已授予" in await desk.admin.send("/grant 2601 director", contains="授予")
    own_detail = (await say(desk, probe, director, "/task 1"))[0]
    assert files[0] in _buttons(own_detail)
    answer, calls = await press(desk, probe, director, files[0], own_detail.result)
    sent = [c for c in calls if c.method == "sendPhoto"]
    assert sent and sent[0].raw["photo"] == "secret-site-photo" and sent[0].chat_id == director.id
    # but a kept message's file (/inbox) stays the office's
    answer, calls = await press(desk, probe, director, "f:i:1", own_detail.result)
    assert answer == "抱歉，该按钮仅限管理员使用。"
    assert not [c for c in calls if c.method in ("sendPhoto", "sendDocument")]


async def test_a_liaison_cannot_submit_or_discard_another_departments_report(desk: Desk, clock, two_departments):  # type: ignore[no-untyped-def]
    mine, other, _ = two_departments
    probe = Processed(desk.app)
    await run_steps(desk.services, clock(), datetime.now(UTC))  # opens the quarter's reporting cycle
    preview = (await say(desk, probe, mine, "/report 产值：49.6亿元\n本季度机密情况"))[0]
    data = _buttons(preview)
    assert data and all(d.startswith("r:") for d in data), preview.summary()
    own_message = (await say(desk, probe, other, "/whoami"))[0].result
    for payload in data:
        answer, calls = await press(desk, probe, other, payload, own_message)
        assert "机密" not in answer and "49.6" not in answer
        assert not [c for c in calls if c.method.lower().startswith(("send", "edit"))], [c.summary() for c in calls]
    assert await count(desk, Report) == 0
    assert await count(desk, ReportDraft) == 1  # the owner's draft is untouched
    # nor can they read it: digests and /cycle are for directors and the office
    for text in ("/cycle", "/digest quarter", "/status 区科技局"):
        bodies = [c.text or "" for c in await say(desk, probe, other, text)]
        assert len(bodies) == 1 and DENIED.match(bodies[0]), (text, bodies)
