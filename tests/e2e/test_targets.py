"""Annual targets through the fake Bot API: liaisons report quarterly figures; `/targets` shows each
target's latest year-to-date figure, the completion rate and the on-pace mark, per department and
for the office; the digest's details and the workbook say the same. The expected numbers are
worked out by hand in the comments."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import docx
import pytest
from openpyxl import load_workbook

from bot.rules.org import parse_org
from bot.usecases import org
from tests.e2e.conftest import Chat, Desk
from tests.e2e.test_city_rollup import People
from tests.support.offices import CITY, seed_city
from tests.support.fake_bot_api import Call, callback_query
from tests.e2e.story import tick

TZ = ZoneInfo("Asia/Shanghai")
ECON, TECH, TRADE = "区经济信息委", "区科技局", "区商务委"
ORG = {
    "departments": [ECON, TECH, TRADE],
    "targets": {2026: {"产值": {"unit": "亿元", "total": 500, "departments": {ECON: 300, TECH: 100}},
                       "引进项目": {"unit": "个", "total": 20}}},
}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def submit(desk: Desk, chat: Chat, text: str) -> None:
    preview: Call = await chat.send_raw(f"/report {text}")
    data = next(b["callback_data"] for row in preview.reply_markup["inline_keyboard"] for b in row
                if "确认提交" in b["text"])
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, chat.id, data, preview.result, first_name=chat.first_name))
    assert "已提交" in ((await desk.api.wait_for_message(chat_id=chat.id, after=mark)).text or "")


@pytest.fixture
async def year(desk: Desk, clock):  # type: ignore[no-untyped-def]
    """Q3 and Q4 of 2026 reported: 区商务委 only in Q3, the others in both."""
    clock.current = local(2026, 6, 20, 10, 0)
    people = await desk.set_up(ORG, [ECON, TECH, TRADE], 6301)
    director = desk.chat(6390, "王主任")
    await director.send("/start")
    await desk.admin.send("/grant 6390 director")

    await tick(desk, clock, local(2026, 7, 1, 0, 5))  # opens 2026-Q3
    clock.current = local(2026, 8, 10, 10, 0)
    await submit(desk, people[ECON], "产值：120亿元\n引进项目：5个")
    await submit(desk, people[TECH], "产值：8亿元")
    await submit(desk, people[TRADE], "产值：10亿元\n引进项目：3个")

    await tick(desk, clock, local(2026, 10, 1, 0, 5))  # opens 2026-Q4
    clock.current = local(2026, 11, 2, 10, 0)
    await submit(desk, people[ECON], "产值：280.4亿元\n本季度产值：160.4亿元\n引进项目：9个")
    await submit(desk, people[TECH], "产值：200000万元")  # 20亿元, written in 万元
    clock.current = local(2026, 11, 15, 10, 0)  # 318 of 365 days gone: 87.12% → 87.1
    return people, director


async def test_targets_show_completion_and_pace_per_department_and_in_total(desk: Desk, clock, year):  # type: ignore[no-untyped-def]
    people, director = year
    shown = await director.send("/targets")
    assert "2026年目标完成情况" in shown and "全年时间已过 87.1%" in shown
    # 产值: 280.4 (经信委, Q4) + 20 (科技局, Q4) + 10 (商务委, Q3: its latest) = 310.4 of 500 = 62.08% → 62.1;
    # 本季度产值 is the quarter's own figure and not added
    assert "产值（亿元）：310.4/500，完成率 62.1%，⚠️ 落后进度（应达 87.1%）" in shown
    assert "• 区经济信息委：280.4/300，完成率 93.5%，✅ 进度达标" in shown  # 93.47% ≥ 87.1
    assert "• 区科技局：20/100，完成率 20.0%，⚠️ 落后进度" in shown
    # 引进项目: 9 (经信委, Q4) + 3 (商务委, Q3) = 12 of 20 = 60.0%
    assert "引进项目（个）：12/20，完成率 60.0%，⚠️ 落后进度（应达 87.1%）" in shown

    assert "2025年未设定年度目标" in await director.send("/targets 2025")
    assert (await director.send("/targets 明年")).startswith("用法：/targets")
    assert "仅限" in await people[ECON].send("/targets")

    details = await director.send("/digest 季度", contains="年度目标")
    assert "年度目标</b>（2026年，全年时间已过 87.1%）" in details or "年度目标（2026年，全年时间已过 87.1%）" in details
    assert "产值（亿元）：310.4/500，完成率 62.1%" in details

    mark = desk.api.mark()
    await director.send_raw("/export")
    document = await desk.api.wait_for(lambda c: c.method == "sendDocument" and c.chat_id == director.id, after=mark)
    book = load_workbook(io.BytesIO(next(iter(document.files.values())).data))
    rows = [[c.value for c in row] for row in book["目标完成"].iter_rows()]
    assert rows[0][:8] == ["指标", "单位", "范围", "年累计", "目标", "完成率（%）", "应达进度（%）", "进度"]
    assert rows[1][:8] == ["产值", "亿元", "全办合计", 310.4, 500, 62.1, 87.1, "落后"]
    assert rows[2][:9] == ["产值", "亿元", ECON, 280.4, 300, 93.5, 87.1, "达标", "2026年第四季度"]
    assert rows[3][:4] == ["产值", "亿元", TECH, 20] and rows[4][:6] == ["引进项目", "个", "全办合计", 12, 20, 60]

    # the work report's indicator table: the quarter's totals (280.4 + 20 = 300.4) beside the year's target
    mark = desk.api.mark()
    await director.send_raw("/brief 季度")
    document = await desk.api.wait_for(lambda c: c.method == "sendDocument" and c.chat_id == director.id, after=mark)
    table = docx.Document(io.BytesIO(next(iter(document.files.values())).data)).tables[0]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert [c.text for c in table.rows[0].cells][-1] == "目标"
    assert rows["产值"] == ["产值", "亿元", "300.4", "2", "500"]
    assert rows["本季度产值"][-1] == ""  # the quarter's own figure has no annual target
    assert rows["引进项目"] == ["引进项目", "个", "9", "1", "20"]


async def test_on_pace_when_the_figures_keep_up_with_the_year(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 6, 20, 10, 0)
    people = await desk.set_up(ORG, [ECON, TECH], 6401)
    director = desk.chat(6490, "赵主任")
    await director.send("/start")
    await desk.admin.send("/grant 6490 director")
    await tick(desk, clock, local(2026, 7, 1, 0, 5))  # opens 2026-Q3
    clock.current = local(2026, 8, 10, 10, 0)
    await submit(desk, people[ECON], "产值：160亿元")
    await submit(desk, people[TECH], "产值：100亿元")
    clock.current = local(2026, 8, 20, 10, 0)  # 231 of 365 days gone (Jan–Jul 212 + 19): 63.29% → 63.3
    shown = await director.send("/targets 2026年")
    # 160 + 100 = 260 of 500 = 52.0% < 63.3: behind; 经信委 160/300 = 53.3% behind; 科技局 100/100 done
    assert "产值（亿元）：260/500，完成率 52.0%，⚠️ 落后进度（应达 63.3%）" in shown
    assert "• 区经济信息委：160/300，完成率 53.3%，⚠️ 落后进度" in shown
    assert "• 区科技局：100/100，完成率 100.0%，✅ 已完成全年目标" in shown
    clock.current = local(2026, 4, 20, 10, 0)  # (days before Apr 20: 109/365 = 29.9%) — a figure of 52.0% is on pace
    assert "产值（亿元）：260/500，完成率 52.0%，✅ 进度达标" in await director.send("/targets")


async def test_a_city_measures_its_districts_by_what_they_reported_upward(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 10, 8, 10, 0)
    seeded = await seed_city(desk.services.db, clock())
    await org.import_org(desk.services.db, parse_org({**CITY, "targets": {
        2026: {"产值": {"unit": "亿元", "total": 100, "departments": {"永川区": 60, "璧山区": 40}}}}}), now=clock())
    people = People(desk)
    unit_yc = await people.liaison(seeded.office["cq-city"], "永川区", 6501, "永川联络")
    unit_bs = await people.liaison(seeded.office["cq-city"], "璧山区", 6502, "璧山联络")
    yc_econ = await people.liaison(seeded.office["yongchuan"], "区经济信息委", 6503, "永川经信")
    city_director, yc_director = desk.chat(6590, "市主任"), desk.chat(6591, "永川主任")
    for chat, office in ((city_director, ""), (yc_director, " yongchuan")):
        await chat.send("/start")
        await desk.admin.send(f"/grant {chat.id} director{office}")
    await desk.delivered()
    await tick(desk, clock, local(2026, 10, 8, 10, 5))  # opens every office's 2026-Q4
    clock.current = local(2026, 11, 2, 10, 0)
    await submit(desk, yc_econ, "产值：100亿元")  # inside Yongchuan: not the city's figure
    await submit(desk, unit_yc, "产值：55亿元")  # what Yongchuan reports upward
    await submit(desk, unit_bs, "产值：300000万元")  # 30亿元
    clock.current = local(2026, 11, 15, 10, 0)  # 87.1% of the year gone

    shown = await city_director.send("/targets")
    # 55 + 30 = 85 of 100 = 85.0% < 87.1; 永川区 55/60 = 91.67% → 91.7 on pace; 璧山区 30/40 = 75.0%
    assert "产值（亿元）：85/100，完成率 85.0%，⚠️ 落后进度（应达 87.1%）" in shown
    assert "• 永川区：55/60，完成率 91.7%，✅ 进度达标" in shown
    assert "• 璧山区：30/40，完成率 75.0%，⚠️ 落后进度" in shown
    assert "2026年未设定年度目标" in await yc_director.send("/targets")  # the district has none of its own
