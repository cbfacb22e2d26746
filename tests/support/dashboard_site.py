"""A city with two districts, played through the real bot, then its dashboard served on 127.0.0.1:
the fixture of the dashboard's API and browser tests.

The story (at 2026-11-20 10:00, Shanghai): the city's 市财政局 reported 产值 10亿元 with a file
`资金保障情况.xlsx`; the unit 永川区 reported upward 产值 5亿元; a department named with markup
(`SCRIPT_NAME`) and 璧山区 have not reported; task #1 to 市财政局 was due 11-10 (overdue); the city's
target for 产值 is 100亿元. In 永川区, 区财政局 reported (1/3). Directors: `CITY_DIRECTOR` (the
city, and the districts below it) and `YONGCHUAN_DIRECTOR` (永川区 only); `LIAISON` is a liaison."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.rules.initdata import sign
from bot.rules.org import parse_org
from bot.rules.people import Caller
from bot.rules.roles import Role
from bot.usecases import org, registration
from bot.webhook import start_web_server
from tests.e2e.conftest import ADMIN_ID, TOKEN, Chat, Desk
from tests.e2e.story import press, tick
from tests.support.offices import CITY, DISTRICTS, district

TZ = ZoneInfo("Asia/Shanghai")
SCRIPT_NAME = "<script>alert(1)</script>市<b>局</b>"
CITY_DIRECTOR, YONGCHUAN_DIRECTOR, LIAISON = 7001, 7002, 7101
FILE_NAME = "资金保障情况.xlsx"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)

CITY_ORG = {**CITY, "departments": ["市财政局", SCRIPT_NAME],
            "working_groups": [{"name": "园区创建专班", "lead": ["市财政局"], "members": ["永川区", "璧山区", SCRIPT_NAME]}],
            "targets": {2026: {"产值": {"unit": "亿元", "total": 100}}}}


@dataclass
class Site:
    desk: Desk
    base: str  # http://127.0.0.1:PORT
    offices: dict[str, int]  # code → office id (cq-city, yongchuan, bishan)
    departments: dict[tuple[str, str], int]  # (office code, name) → department id

    def init_data(self, user_id: int, *, age: int = 0, token: str = TOKEN) -> str:
        """initData as Telegram would sign it for `user_id`, `age` seconds ago (with `token`: a
        forgery when it is not the bot's)."""
        now = int(self.desk.services.now().timestamp()) - age
        return sign(token, user_id=user_id, first_name=f"用户{user_id}", now=now)

    def link(self, user_id: int, *, age: int = 0, token: str = TOKEN) -> str:
        """The page's address as Telegram (or `dashboard-link`) opens it."""
        return f"{self.base}/dashboard#tgWebAppData={quote(self.init_data(user_id, age=age, token=token), safe='')}"

    def headers(self, user_id: int, **kwargs: object) -> dict[str, str]:
        return {"Authorization": f"tma {self.init_data(user_id, **kwargs)}"}  # type: ignore[arg-type]


async def liaison(desk: Desk, office: int, department: str, user_id: int, name: str) -> Chat:
    admin = Caller(ADMIN_ID, None, "管理员", "zh", roles=frozenset({Role.ADMIN}), config_admin=True, office_id=office)
    issued = await registration.create_invite(desk.services.db, admin, department, deputy=False,
                                              now=desk.services.now())
    chat = desk.chat(user_id, name)
    assert "登记成功" in await chat.send(f"/start {issued.code}")
    return chat


async def submit(desk: Desk, chat: Chat, text: str) -> None:
    preview = await chat.send_raw(text, contains="待确认")
    assert "已提交" in await press(desk, chat, preview, "确认提交")


async def play_story(desk: Desk, clock) -> tuple[dict[str, int], dict[tuple[str, str], int]]:  # type: ignore[no-untyped-def]
    """The story of the module's docstring, through the chat; leaves the clock at NOW."""
    from storage.repos import org as org_repo

    db = desk.services.db
    clock.current = datetime(2026, 10, 8, 10, 0, tzinfo=TZ)
    await org.import_org(db, parse_org(CITY_ORG), now=clock())
    for code, name in DISTRICTS:
        await org.import_org(db, parse_org(district(code, name)), now=clock())
    async with db.session() as s:
        offices = {o.code: o.id for o in await org_repo.offices(s) if o.code}
        departments = {(code, d.name): d.id for code, oid in offices.items() for d in await org_repo.departments(s, oid)}
    await tick(desk, clock, clock())  # every office's quarter opens
    for user_id, name, where in ((CITY_DIRECTOR, "市主任", ""), (YONGCHUAN_DIRECTOR, "永川主任", " 永川区")):
        await desk.chat(user_id, name).send("/start")
        assert "已授予" in await desk.admin.send(f"/grant {user_id} 主任{where}")
    city = await liaison(desk, offices["cq-city"], "市财政局", LIAISON, "市财政联络员")
    unit = await liaison(desk, offices["cq-city"], "永川区", 7102, "永川区联络员")
    inside = await liaison(desk, offices["yongchuan"], "区财政局", 7201, "永川财政联络员")
    await desk.delivered()

    clock.current = datetime(2026, 11, 5, 10, 0, tzinfo=TZ)
    assert "#1" in await desk.admin.send("/assign 市财政局 | 11月10日 | 报送资金保障方案", contains="#1")
    await desk.delivered()
    clock.current = datetime(2026, 11, 12, 10, 0, tzinfo=TZ)
    assert "确认提交" in await city.send("/report")
    mark = desk.api.mark()
    desk.api.say(city.id, first_name=city.first_name, document={"file_name": FILE_NAME, "content": b"figures"},
                 caption="产值：10亿元")
    await desk.api.wait_for_message(chat_id=city.id, after=mark)
    await submit(desk, city, "本季度资金保障到位")
    await submit(desk, inside, "/report 产值：5亿元")
    await submit(desk, unit, "/report 产值：5亿元\n永川区汇总")
    clock.current = NOW
    await desk.delivered()
    return offices, departments


@asynccontextmanager
async def open_site(desk: Desk, clock) -> AsyncIterator[Site]:  # type: ignore[no-untyped-def]
    """Play the story, then serve the dashboard (the bot's own web server, WEB_PORT 0) for the test."""
    offices, departments = await play_story(desk, clock)
    desk.services.settings = desk.services.settings.model_copy(update={"web_listen": "127.0.0.1", "web_port": 0})
    server = await start_web_server(desk.services)
    try:
        yield Site(desk, f"http://127.0.0.1:{server.port}", offices, departments)
    finally:
        await server.stop()
