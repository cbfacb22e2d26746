"""Issue 13: a city and two districts in one deployment, through the fake Bot API.

Acceptance 3: Yongchuan reports by its own 20th (the district's file sets `quarterly_day: 20`),
its unit's liaison compiles the district's reports with `/report 汇总` and submits them upward
before the city's 25th; the city's quarterly digest shows Yongchuan submitted with the compiled
figures and its own 3/3, Bishan missing, and the city-wide totals. Each office's cycle follows its
own rule (deadline, reminders, escalation to its own directors). A district director's /cycle,
/digest, /export and /status show their district only."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from bot.rules.people import Caller
from bot.rules.roles import Role
from bot.usecases import registration
from tests.e2e.conftest import ADMIN_ID, Chat, Desk
from tests.support.offices import seed_city
from tests.e2e.story import press, tick
from tests.e2e.test_report_story import local



async def submit(desk: Desk, chat: Chat, text: str) -> str:
    preview = await chat.send_raw(text, contains="待确认")
    return await press(desk, chat, preview, "确认提交")


async def everything(desk: Desk, chat: Chat, command: str) -> str:
    """The text of every message a command's answer takes (a digest: its pieces, then a chart)."""
    mark = desk.api.mark()
    await chat.send_raw(command)
    await desk.api.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == chat.id, after=mark)
    return "\n".join(c.text or "" for c in desk.api.calls_to("sendMessage", after=mark) if c.chat_id == chat.id)


class People:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def liaison(self, office: int, department: str, user_id: int, name: str) -> Chat:
        admin = Caller(ADMIN_ID, None, "管理员", "zh", roles=frozenset({Role.ADMIN}), config_admin=True,
                       office_id=office)
        issued = await registration.create_invite(self.desk.services.db, admin, department, deputy=False,
                                                  now=self.desk.services.now())
        chat = self.desk.chat(user_id, name)
        assert "登记成功" in await chat.send(f"/start {issued.code}")
        return chat


@pytest.fixture
async def city(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 10, 8, 10, 0)
    seeded = await seed_city(desk.services.db, clock(), district_days={"yongchuan": 20})
    yc, bs, root = seeded.office["yongchuan"], seeded.office["bishan"], seeded.office["cq-city"]
    people = People(desk)
    chats = {
        "yc_econ": await people.liaison(yc, "区经济信息委", 6101, "永川经信"),
        "yc_fin": await people.liaison(yc, "区财政局", 6102, "永川财政"),
        "yc_sci": await people.liaison(yc, "区科技局", 6103, "永川科技"),
        "bs_fin": await people.liaison(bs, "区财政局", 6201, "璧山财政"),
        "bs_sci": await people.liaison(bs, "区科技局", 6202, "璧山科技"),
        "unit_yc": await people.liaison(root, "永川区", 6301, "永川联络"),
        "unit_bs": await people.liaison(root, "璧山区", 6302, "璧山联络"),
        "city_fin": await people.liaison(root, "市财政局", 6303, "市财政"),
        "city_director": desk.chat(6900, "市主任"),
        "yc_director": desk.chat(6901, "永川主任"),
        "bs_director": desk.chat(6902, "璧山主任"),
    }
    for key, office in (("city_director", None), ("yc_director", "yongchuan"), ("bs_director", "bishan")):
        chat = chats[key]
        await chat.send("/start")
        assert "主任" in await desk.admin.send(f"/grant {chat.id} director" + (f" {office}" if office else ""))
    await desk.delivered()
    await tick(desk, clock, local(2026, 10, 8, 10, 5))  # opens every office's cycle
    await desk.delivered()
    return chats


async def test_a_district_reports_by_its_20th_and_the_city_rolls_it_up(desk: Desk, clock, city):  # type: ignore[no-untyped-def]
    assert "2026-12-18 18:00" in await city["yc_director"].send("/cycle")  # the 20th is a Sunday: Friday
    assert "2026-12-25 18:00" in await city["bs_director"].send("/cycle")
    city_cycle = await city["city_director"].send("/cycle")
    assert "2026-12-25 18:00" in city_cycle and "已报送：0/3" in city_cycle
    assert "• 永川区 ⏳ 未报送（区内 0/3）" in city_cycle and "• 璧山区 ⏳ 未报送（区内 0/3）" in city_cycle

    # Yongchuan's departments report before its deadline; Bishan's report only partly
    clock.current = local(2026, 12, 10, 10, 0)
    assert "第 1 版" in await submit(desk, city["yc_econ"], "/report 产值：30亿元\n增长：3.5%\n整车项目投产")
    assert "第 1 版" in await submit(desk, city["yc_fin"], "/report 产值：1.2亿元\n增长：4.2%\n引进项目：2个\n资金到位")
    clock.current = local(2026, 12, 15, 10, 0)
    assert "第 1 版" in await submit(desk, city["yc_sci"], "/report 引进项目：3个\n科技成果转化")
    assert "第 1 版" in await submit(desk, city["bs_fin"], "/report 产值：9亿元\n璧山的进展")
    yc_cycle = await city["yc_director"].send("/cycle")
    assert "已报送：3/3" in yc_cycle and "下级单位" not in yc_cycle

    # the day after Yongchuan's deadline: its own quarterly bulletin, to its own director only
    await tick(desk, clock, local(2026, 12, 19, 9, 0))
    await desk.delivered()
    bulletin = "\n".join(c.text or "" for c in desk.api.sent_messages(city["yc_director"].id) if "季度通报" in (c.text or ""))
    assert "已报送 3/3" in bulletin and "永川区" in bulletin and "璧山" not in bulletin
    assert not any("季度通报" in (c.text or "") for who in ("city_director", "bs_director")
                   for c in desk.api.sent_messages(city[who].id))

    # the unit's liaison compiles Yongchuan's reports and submits them upward before the 25th
    clock.current = local(2026, 12, 21, 10, 0)
    unit = city["unit_yc"]
    mark = desk.api.mark()
    preview = await unit.send_raw("/report 汇总", contains="待确认")
    note = next(c.text or "" for c in desk.api.calls_to("sendMessage", after=mark) if c.chat_id == unit.id)
    assert "已根据永川区各部门的报送生成汇总草稿（已报送 3/3）" in note
    assert "产值：31.2亿元" in preview.text and "引进项目：5个" in preview.text  # the totals are its indicators
    assert "增长" not in preview.text.split("已识别指标")[1].split("其他内容")[0]  # a rate is not summed
    assert "已提交2026年第四季度报送（第 1 版）" in await press(desk, unit, preview, "确认提交")
    clock.current = local(2026, 12, 22, 10, 0)
    assert "第 1 版" in await submit(desk, city["city_fin"], "/report 产值：5亿元\n引进项目：1个")
    assert "抱歉" in await city["yc_fin"].send("/report 汇总")  # not a unit's liaison: one polite line

    city_cycle = await city["city_director"].send("/cycle")
    assert "已报送：2/3" in city_cycle and "未报送：璧山区" in city_cycle
    assert "• 永川区 ✅ 已报送（区内 3/3）" in city_cycle and "• 璧山区 ⏳ 未报送（区内 1/3）" in city_cycle
    assert "• 产值：36.2亿元（2个部门合计）" in city_cycle and "• 引进项目：6个（2个部门合计）" in city_cycle

    # the city's quarterly bulletin, the day after its deadline
    await tick(desk, clock, local(2026, 12, 26, 9, 0))
    await desk.delivered()
    sent = "\n".join(c.text or "" for c in desk.api.sent_messages(city["city_director"].id))
    assert "季度通报" in sent and "已报送 2/3" in sent and "未报送（1）：璧山区" in sent
    assert "• 永川区 ✅ 已报送（区内 3/3）" in sent and "• 璧山区 ⏳ 未报送（区内 1/3）" in sent
    assert "• 永川区：产值 31.2亿元；引进项目 5个" in sent  # the figures of the district, as compiled
    assert "• 产值：36.2亿元（2个部门合计）" in sent and "• 引进项目：6个（2个部门合计）" in sent  # city-wide
    assert "璧山的进展" not in sent  # a district's own reports stay in the district

    # the workbook: the offices below on their own sheet
    mark = desk.api.mark()
    await city["city_director"].send_raw("/export")
    document = await desk.api.wait_for(lambda c: c.method == "sendDocument" and c.chat_id == city["city_director"].id,
                                       after=mark)
    book = load_workbook(io.BytesIO(next(iter(document.files.values())).data))
    rows = [[c.value for c in row] for row in book["下级单位"].iter_rows()]
    assert rows[1:] == [["永川区", "是", "否", 3, 3, "3/3"], ["璧山区", "否", "否", 1, 3, "1/3"]]


async def test_each_office_reminds_and_escalates_by_its_own_rule(desk: Desk, clock, city):  # type: ignore[no-untyped-def]
    day = local(2026, 10, 9, 10, 0)
    while day <= local(2026, 12, 31, 10, 0):
        await tick(desk, clock, day)
        day += timedelta(days=1)
    await desk.delivered()

    def reminders(key: str) -> list[str]:
        return [c.text or "" for c in desk.api.sent_messages(city[key].id) if (c.text or "").startswith("⏰")]

    def escalations(key: str) -> list[str]:
        return [c.text or "" for c in desk.api.sent_messages(city[key].id) if (c.text or "").startswith("🚨")]

    assert len(reminders("yc_fin")) == 4 and all("2026-12-18 18:00" in r for r in reminders("yc_fin"))
    assert len(reminders("bs_fin")) == 4 and all("2026-12-25 18:00" in r for r in reminders("bs_fin"))
    assert len(reminders("unit_yc")) == 4 and all("2026-12-25 18:00" in r for r in reminders("unit_yc"))
    [yc] = escalations("yc_director")
    assert "0/3" in yc and "区财政局" in yc and "永川区" not in yc.split("尚未报送")[1]  # its departments, not a unit
    assert "（永川区）" in yc  # the district is named: a director of two districts tells them apart
    [bs] = escalations("bs_director")
    assert "0/3" in bs
    [top] = escalations("city_director")
    assert "0/3" in top and all(name in top for name in ("永川区", "璧山区", "市财政局")) and "区科技局" not in top
    assert not escalations("unit_yc") and not any("🚨" in (c.text or "") for c in desk.api.sent_messages(ADMIN_ID))


async def test_a_district_director_sees_only_their_district(desk: Desk, clock, city):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 12, 10, 10, 0)
    await submit(desk, city["bs_fin"], "/report 产值：9亿元\n璧山专属进展")
    await submit(desk, city["city_fin"], "/report 产值：5亿元\n市级专属进展")
    await submit(desk, city["yc_fin"], "/report 产值：1亿元\n永川专属进展")
    director = city["yc_director"]
    others = ("璧山", "市财政局", "市级专属", "市财政", "永川联络")  # Bishan's and the city's names, texts, people

    cycle = await director.send("/cycle")
    assert "已报送：1/3" in cycle and not any(o in cycle for o in others)
    digest = await everything(desk, director, "/digest 季度")
    assert "永川专属进展" in digest and "（永川区）" in digest and not any(o in digest for o in others)
    status = await director.send("/status 区财政局")
    assert "永川财政" in status and "璧山财政" not in status
    unknown = await director.send("/status 市财政局")  # the city's: like a name that does not exist
    assert unknown.startswith("未找到") and "联络员" not in unknown
    mark = desk.api.mark()
    await director.send_raw("/export")
    document = await desk.api.wait_for(lambda c: c.method == "sendDocument" and c.chat_id == director.id, after=mark)
    book = load_workbook(io.BytesIO(next(iter(document.files.values())).data))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None)
    assert "区经济信息委" in cells and "永川财政" in cells and not any(o in cells for o in others)
    assert "下级单位" not in book.sheetnames

    # the city's director sees the districts as units, not their departments
    top = await city["city_director"].send("/cycle")
    assert "市财政局" in top and "区财政局" not in top and "永川区" in top
    assert "永川联络" in await city["city_director"].send("/status 永川区")  # the unit's liaison, in the city
