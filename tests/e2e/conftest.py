"""End-to-end harness: the real PTB Application, polling a fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from telegram import Update

from bot.app import build_application
from bot.rules.org import parse_org
from bot.rules.delivery import Pacer
from bot.services import Services
from bot.usecases import org, outbox
from bot.settings import Settings
from storage.db import Database
from tests.support.fake_bot_api import Call, FakeBotAPI, group_message, private_message

TOKEN = "123456:TEST-token-e2e"
ADMIN_ID = 1001


REPLY_METHODS = {"sendmessage", "sendphoto", "senddocument"}
REGISTRATION_NOTE = re.compile(r"^\S+：.+ 已登记为(副)?联络员（已登记 \d+/\d+）$")


def is_registration_note(call: Call) -> bool:
    """The admins' note of a liaison's registration (`区财政局：张三 已登记为联络员（已登记 5/24）`):
    it comes through the outbox at its own moment after a registration, so an admin's next reply
    is read past it (`Chat.send`)."""
    return bool(REGISTRATION_NOTE.match(call.text or ""))


class Chat:
    """One Telegram user talking to the bot in a private chat."""

    def __init__(self, api: FakeBotAPI, user_id: int, first_name: str, username: str | None = None) -> None:
        self.api, self.id, self.first_name, self.username = api, user_id, first_name, username

    async def send(self, text: str, *, timeout: float = 5.0, contains: str | None = None) -> str:
        """Send `text`; return the text of the bot's first reply (containing `contains`, if given;
        an admins' registration note is never taken for the reply).

        "First" counts every message to this chat from now on, including the outbox's (notices,
        reminders, broadcasts, a broadcast's report): where one of those may still be on its way
        to this chat, pass `contains` (or `await desk.delivered()` first)."""
        return (await self.send_raw(text, timeout=timeout, contains=contains)).text or ""

    async def send_raw(self, text: str, *, timeout: float = 5.0, contains: str | None = None) -> Call:
        mark = self.api.mark()
        self.api.push_update(private_message(None, self.id, text, first_name=self.first_name, username=self.username))
        if contains is not None:
            return await self.api.wait_for_message(chat_id=self.id, contains=contains, after=mark, timeout=timeout)
        return await self.api.wait_for(lambda c: c.ok and c.method.lower() in REPLY_METHODS
                                       and c.raw.get("chat_id") == str(self.id) and not is_registration_note(c),
                                       after=mark, timeout=timeout)

    def menu(self) -> list[str]:
        return [c["command"] for c in self.api.commands_for({"type": "chat", "chat_id": self.id})]


class Desk:
    """A running bot plus the people who talk to it."""

    def __init__(self, api: FakeBotAPI, app, services: Services) -> None:  # type: ignore[no-untyped-def]
        self.api, self.app, self.services = api, app, services
        self.admin = Chat(api, ADMIN_ID, "办公室管理员", "office_admin")

    def chat(self, user_id: int, first_name: str, username: str | None = None) -> Chat:
        return Chat(self.api, user_id, first_name, username)

    async def group_says(self, chat_id: int, user_id: int, text: str) -> None:
        self.api.push_update(group_message(None, chat_id, user_id, text))

    async def delivered(self, timeout: float = 10.0) -> None:
        """Wait until the bot's sender has sent everything queued so far."""
        self.services.wake_outbox()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while await outbox.backlog(self.services.db):
            assert loop.time() < deadline, "the outbox did not drain"
            await asyncio.sleep(0.02)

    async def set_up(self, org_data: dict, liaisons: list[str], first_id: int) -> dict[str, Chat]:  # type: ignore[type-arg]
        """Import `org_data` (as a parsed org file) and register a liaison for each of `liaisons`
        (user ids from `first_id`, named 联络员0, 联络员1, …); returns department → their chat."""
        await org.import_org(self.services.db, parse_org(org_data), now=self.services.now())
        people = {}
        for i, dept in enumerate(liaisons):
            chat = self.chat(first_id + i, f"联络员{i}")
            assert "登记成功" in await chat.send(f"/start {await self.invite(dept)}")
            people[dept] = chat
        await self.delivered()  # the admins' registration notes are out before the test goes on
        return people

    async def invite(self, department: str) -> str:
        """The admin asks for an invite; returns the code from the deep link in the reply (after
        any queued message to the admin, such as the note of a registration just made, is out)."""
        await self.delivered()
        reply = await self.admin.send(f"/invite {department}", contains="start=")
        found = re.search(r"\?start=([A-Za-z0-9_-]+)", reply)
        assert found, reply
        return found.group(1)


class Processed:
    """Knows when the Application has finished an update (every reply of its handlers sent, or a
    deliberate silence): wraps `app.process_update` on this instance."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.done: set[int] = set()
        self._event = asyncio.Event()
        original = app.process_update

        async def process_update(update: object) -> None:
            try:
                await original(update)
            finally:
                if isinstance(update, Update):
                    self.done.add(update.update_id)
                self._event.set()
                self._event = asyncio.Event()

        app.process_update = process_update

    async def wait(self, update_id: int, timeout: float = 20.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while update_id not in self.done:
            remaining = deadline - loop.time()
            assert remaining > 0, f"update {update_id} was not processed within {timeout}s"
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except TimeoutError:
                pass

    async def push(self, desk: Desk, update: dict, timeout: float = 20.0) -> None:  # type: ignore[type-arg]
        """Push an update through the fake and wait until the bot has handled it."""
        await self.wait(desk.api.push_update(update), timeout)


def make_settings(api: FakeBotAPI, db_url: str, **overrides) -> Settings:  # type: ignore[no-untyped-def]
    values = dict(
        telegram_bot_token=TOKEN, database_url=db_url, telegram_api_base_url=api.base_url,
        telegram_api_file_url=api.base_file_url, bot_admin_ids=frozenset({ADMIN_ID}), bot_language="zh",
        bot_timezone="Asia/Shanghai", webhook_url=None, web_listen="127.0.0.1", web_port=0,  # any free port
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as server:
        yield server


async def start(app) -> None:  # type: ignore[no-untyped-def]
    """What run_polling does, minus signal handling and loop ownership."""
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()


async def stop(app) -> None:  # type: ignore[no-untyped-def]
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)


def pause_minute_job(app) -> None:  # type: ignore[no-untyped-def]
    """Keep the bot's minute job (the tick's steps, first run 5 s after start) from running on its own.

    It runs at the test's clock but on the wall clock's schedule, so whether it ran during a test
    depended on how fast the machine was: a weekly digest at the clock's Monday 09:00 in the middle
    of a director's exchange, a holiday-table notice to the admins after `clock.advance`, a tick of
    the test's skipped because the job held the tick lock. Tests run the steps themselves
    (`jobs.tick.run_steps`); a test that wants the job sets `job.enabled = True` again."""
    if app.job_queue is not None:
        for job in app.job_queue.get_jobs_by_name("tick"):
            job.enabled = False


def desk_services(api: FakeBotAPI, db: Database, clock, **overrides) -> Services:  # type: ignore[no-untyped-def]
    """The services of a desk on `db` (settings as `make_settings`, with `overrides`)."""
    return Services(settings=make_settings(api, str(db.url.render_as_string(hide_password=False)), **overrides),
                    db=db, clock=clock, pacing=lambda: Pacer(private_interval=0.0))  # 1 msg/s/chat is tested elsewhere


@asynccontextmanager
async def running(api: FakeBotAPI, services: Services) -> AsyncIterator[Desk]:
    """The real Application on `services`, polling the fake, its minute job paused; stopped after."""
    app = build_application(services)
    await start(app)
    pause_minute_job(app)
    try:
        yield Desk(api, app, services)
    finally:
        await stop(app)


@pytest.fixture
async def desk(api: FakeBotAPI, db: Database, clock) -> AsyncIterator[Desk]:  # type: ignore[no-untyped-def]
    async with running(api, desk_services(api, db, clock)) as opened:
        yield opened
