"""SQL statement budgets of the inbound path's front door, through the real Application: the
access gate (every update), `/start CODE` (registration by invite or deep link) and `/start` again.

Only the statements issued while the Application handles the one update are counted (in the task
running `process_update`): the outbox sender's and the minute job's, which run in their own tasks,
are not the update's cost."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from telegram import Update

from bot.rules.org import parse_org
from bot.usecases import org
from tests.e2e.conftest import Desk
from tests.support.fake_bot_api import private_message
from tests.support.sql_counter import Statements

ORG = {"departments": ["区财政局", "区科技局"]}

GATE_BUDGET = 2  # records the update id; loads the sender with roles and appointment
START_CODE_BUDGET = 6  # a first-time sender registering with an invite, gate included
START_AGAIN_BUDGET = 4  # /start from someone already registered, gate included


class Handling:
    """Counts the SQL statements the Application issues while handling updates: wraps
    `app.process_update` to know which task is handling one, and keeps an engine listener that
    counts only that task's statements."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.tasks: set[asyncio.Task[Any]] = set()
        self.done: dict[int, asyncio.Event] = {}
        original = desk.app.process_update

        async def process_update(update: object) -> None:
            task = asyncio.current_task()
            assert task is not None
            self.tasks.add(task)
            try:
                await original(update)
            finally:
                self.tasks.discard(task)
                if isinstance(update, Update):
                    self.done.setdefault(update.update_id, asyncio.Event()).set()

        desk.app.process_update = process_update

    @contextmanager
    def counting(self) -> Iterator[Statements]:
        seen = Statements()

        def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            try:
                task = asyncio.current_task()
            except RuntimeError:
                return
            if task in self.tasks and not statement.lstrip().upper().startswith("PRAGMA"):
                seen.sql.append(" ".join(statement.split()))

        engine = self.desk.services.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", before)

    async def say(self, user_id: int, text: str, *, first_name: str = "联络员", timeout: float = 10.0) -> str:
        """Send `text` and wait until the Application has finished handling it (every reply sent,
        menus refreshed); returns the text of the bot's first reply to the chat."""
        mark = self.desk.api.mark()
        update_id = self.desk.api.push_update(private_message(None, user_id, text, first_name=first_name))
        done = self.done.setdefault(update_id, asyncio.Event())
        await asyncio.wait_for(done.wait(), timeout)
        return self._first_reply(user_id, mark)

    async def say_raw(self, raw: dict[str, Any], timeout: float = 10.0) -> None:
        """Hand the Application this update as it is (id included) and wait until it is handled."""
        done = self.done[raw["update_id"]] = asyncio.Event()
        await self.desk.app.update_queue.put(Update.de_json(raw, self.desk.app.bot))
        await asyncio.wait_for(done.wait(), timeout)

    def _first_reply(self, user_id: int, mark: int) -> str:
        replies = [c for c in self.desk.api.calls[mark:] if c.ok and c.method.lower() == "sendmessage"
                   and c.raw.get("chat_id") == str(user_id)]
        return replies[0].text or "" if replies else ""


async def _registered(desk: Desk, handling: Handling, user_id: int, department: str) -> str:
    code = await desk.invite(department)
    await desk.delivered()
    return await handling.say(user_id, f"/start {code}")


async def test_start_with_a_code_then_again_then_the_gate_alone_stay_within_budget(desk: Desk, clock):
    await org.import_org(desk.services.db, parse_org(ORG), now=clock())
    handling = Handling(desk)
    code = await desk.invite("区财政局")
    await desk.delivered()

    with handling.counting() as seen:
        reply = await handling.say(7001, f"/start {code}", first_name="王芳")
    print(f"\n/start CODE: {seen.count}\n{seen}")
    assert "登记成功" in reply and "区财政局" in reply
    assert seen.count <= START_CODE_BUDGET, f"/start CODE took {seen.count} statements:\n{seen}"

    await desk.delivered()
    clock.advance(timedelta(minutes=1))
    with handling.counting() as seen:
        reply = await handling.say(7001, "/start", first_name="王芳")
    print(f"\n/start again: {seen.count}\n{seen}")
    assert "区财政局" in reply
    assert seen.count <= START_AGAIN_BUDGET, f"/start again took {seen.count} statements:\n{seen}"

    with handling.counting() as seen:
        reply = await handling.say(7001, "/whoami", first_name="王芳")  # the handler itself does no SQL
    print(f"\ngate (/whoami): {seen.count}\n{seen}")
    assert "区财政局" in reply
    assert seen.count <= GATE_BUDGET, f"the gate took {seen.count} statements:\n{seen}"


async def test_a_changed_name_costs_the_gate_one_more_and_a_redelivered_update_one_in_all(desk: Desk, clock):
    await org.import_org(desk.services.db, parse_org(ORG), now=clock())
    handling = Handling(desk)
    assert "登记成功" in await _registered(desk, handling, 7101, "区科技局")
    await desk.delivered()

    with handling.counting() as seen:
        reply = await handling.say(7101, "/whoami", first_name="王芳（已改名）")
    assert "王芳（已改名）" in reply
    assert seen.count <= GATE_BUDGET, f"the gate with a new name took {seen.count} statements:\n{seen}"

    raw = private_message(9_100_001, 7101, "/whoami", first_name="王芳（已改名）")
    await handling.say_raw(raw)
    mark = desk.api.mark()
    with handling.counting() as seen:
        await handling.say_raw(raw)  # the same update again (a webhook retry, a restart)
    assert not [c for c in desk.api.calls[mark:] if c.method.lower() == "sendmessage"]
    assert seen.count == 1, f"a redelivered update took {seen.count} statements:\n{seen}"


async def test_a_new_liaison_gets_the_open_tasks_notices_with_the_registration_not_a_tick_later(desk: Desk, clock):
    """The notices a department could not get (no liaison when the task was assigned) are queued
    with the registration, in its transaction; a liaison taking over gets them too. No tick runs
    in this test (the minute job is paused)."""
    await org.import_org(desk.services.db, parse_org(ORG), now=clock())
    handling = Handling(desk)
    assert "已通知 0/1" in await desk.admin.send("/assign 区财政局 | 2026-12-10 | 报送资金保障进展")
    code = await desk.invite("区财政局")
    await desk.delivered()

    with handling.counting() as seen:
        assert "登记成功" in await handling.say(7201, f"/start {code}", first_name="王芳")
    # the common case's six, and for the one open task: read it, the liaisons' chats, queue, mark notified
    print(f"\n/start CODE, one open task never notified: {seen.count}\n{seen}")
    assert seen.count <= START_CODE_BUDGET + 4, f"/start CODE with an open task took {seen.count}:\n{seen}"
    notice = await desk.api.wait_for_message(chat_id=7201, contains="报送资金保障进展")
    assert "交办单 #1" in (notice.text or "")
    detail = await desk.admin.send("/task 1", contains="交办单")
    assert "未通知" not in detail

    code = await desk.invite("区财政局")
    await desk.delivered()
    with handling.counting() as seen:
        assert "王芳" in await handling.say(7202, f"/start {code}", first_name="李强")  # takes over from 王芳
    print(f"\n/start CODE, a handover with one open task: {seen.count}\n{seen}")
    assert "报送资金保障进展" in (await desk.api.wait_for_message(chat_id=7202, contains="交办单 #1")).text
    await desk.delivered()
    assert len([c for c in desk.api.sent_messages(7201) if "交办单 #1" in (c.text or "")]) == 1  # not twice
