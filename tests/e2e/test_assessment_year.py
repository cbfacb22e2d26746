"""Issue 15, acceptance 1: a scripted year through the bot — tasks done on time, late and never,
quarterly reports on time, late and missing with the indicators asked, targets — then
`/assessment 2026` gives each department the counts scripted here, the score computed by hand
from the README's formula, and the rank; the workbook has the same numbers; and the directors
receive it on `assessment.send_on` (once)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from jobs.tick import run_steps
from tests.e2e.conftest import Chat, Desk
from tests.e2e.story import press

TZ = ZoneInfo("Asia/Shanghai")
A, B, C = "区甲局", "区乙局", "区丙局"
WEIGHTS = {"tasks": 40, "reports": 30, "indicators": 20, "targets": 10}
ORG = {
    "departments": [A, B, C],
    "targets": {2026: {"产值": {"unit": "亿元", "total": 300, "departments": {A: 100, B: 100}}}},
    "assessment": {"tasks_on_time": 40, "reports_on_time": 30, "indicators_complete": 20, "targets_met": 10,
                   "send_on": "01-10"},
}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def report(desk: Desk, clock, chat: Chat, at: datetime, text: str) -> None:  # type: ignore[no-untyped-def]
    clock.current = at
    preview = await chat.send_raw(f"/report {text}")
    assert "已提交" in await press(desk, chat, preview, "确认提交")


async def ask(desk: Desk, clock, at: datetime, spec: str) -> None:  # type: ignore[no-untyped-def]
    clock.current = at
    await desk.admin.send("/cycle")  # opens the quarter's cycle
    assert "2026" in await desk.admin.send(f"/cycle 指标 {spec}")


async def assign(desk: Desk, clock, at: datetime, line: str) -> None:  # type: ignore[no-untyped-def]
    clock.current = at
    assert "#" in await desk.admin.send(f"/assign {line}")
    await desk.delivered()


async def act(clock, chat: Chat, at: datetime, command: str) -> None:  # type: ignore[no-untyped-def]
    clock.current = at
    await chat.send(command)


@pytest.fixture
async def year(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 1, 5, 9, 0)
    people = await desk.set_up(ORG, [A, B, C], 6100)
    a, b, c = people[A], people[B], people[C]
    director = desk.chat(6900, "王主任")
    await director.send("/start")
    await desk.admin.send("/grant 6900 director")

    # Q1: 产值 and 引进项目 asked; 甲 on time with both, 乙 on time with 产值 only, 丙 missing
    await ask(desk, clock, local(2026, 1, 6, 10, 0), "产值 亿元, 引进项目 个")
    # task 1 (甲, 乙), due 02-27 18:00: 甲 acknowledges after 2 h and finishes on time; 乙 finishes late
    await assign(desk, clock, local(2026, 2, 2, 10, 0), f"{A},{B} | 2026-02-27 | 一号任务")
    await act(clock, a, local(2026, 2, 2, 12, 0), "/progress 1 正在推进")
    await report(desk, clock, a, local(2026, 2, 10, 10, 0), "产值：30亿元\n引进项目：2个")
    await report(desk, clock, b, local(2026, 2, 10, 11, 0), "产值：20亿元")
    await act(clock, a, local(2026, 2, 20, 10, 0), "/done 1")
    await act(clock, b, local(2026, 3, 5, 10, 0), "/done 1")  # acknowledged then too: 31 days = 744 h

    # Q2: both asked; 甲 on time (both), 乙 late (both), 丙 on time with 引进项目 only
    await ask(desk, clock, local(2026, 4, 2, 10, 0), "产值 亿元, 引进项目 个")
    # task 2 (甲, 丙), due 06-30: 丙 finishes it the same day (acknowledged after 6 h); 甲 never does
    await assign(desk, clock, local(2026, 5, 11, 9, 0), f"{A},{C} | 2026-06-30 | 二号任务")
    await act(clock, c, local(2026, 5, 11, 15, 0), "/done 2")
    await report(desk, clock, a, local(2026, 5, 12, 10, 0), "产值：60亿元\n引进项目：3个")
    await report(desk, clock, c, local(2026, 5, 12, 11, 0), "引进项目：1个")
    await report(desk, clock, b, local(2026, 6, 28, 10, 0), "产值：45亿元\n引进项目：2个")

    # Q3: only 产值 asked; 甲 missing, 乙 on time, 丙 late
    await ask(desk, clock, local(2026, 7, 2, 10, 0), "产值 亿元")
    await report(desk, clock, b, local(2026, 8, 10, 10, 0), "产值：65亿元")
    # task 3 (乙, 丙), due 10-30: 乙 acknowledges after 4 h and finishes on time; 丙 after 48 h, never finishes
    await assign(desk, clock, local(2026, 9, 1, 10, 0), f"{B},{C} | 2026-10-30 | 三号任务")
    await act(clock, b, local(2026, 9, 1, 14, 0), "/progress 3 已部署")
    await act(clock, c, local(2026, 9, 3, 10, 0), "/progress 3 收到")
    await report(desk, clock, c, local(2026, 9, 28, 10, 0), "产值：15亿元")

    # Q4: both asked; everyone on time with both; 甲 reaches its 产值 target (120 of 100), 乙 does not (80)
    await ask(desk, clock, local(2026, 10, 8, 10, 0), "产值 亿元, 引进项目 个")
    await act(clock, b, local(2026, 10, 20, 10, 0), "/done 3")
    # task 4 (甲), due in 2027: assigned in 2026, not yet due
    await assign(desk, clock, local(2026, 11, 2, 10, 0), f"{A} | 2027-01-29 | 四号任务")
    await report(desk, clock, a, local(2026, 12, 10, 10, 0), "产值：120亿元\n引进项目：5个")
    await report(desk, clock, b, local(2026, 12, 10, 11, 0), "产值：80亿元\n引进项目：4个")
    await report(desk, clock, c, local(2026, 12, 10, 12, 0), "产值：30亿元\n引进项目：1个")
    return director


def by_hand(tasks: tuple[int, int], reports: tuple[int, int], indicators: tuple[int, int],
            targets: tuple[int, int]) -> tuple[Decimal, dict[str, Fraction]]:
    """The README's formula, written out: ratio × weight, the weights of parts with nothing to
    measure shared pro rata, rounded half up to one decimal at the end."""
    parts = {"tasks": tasks, "reports": reports, "indicators": indicators, "targets": targets}
    applying = {k: Fraction(n, d) for k, (n, d) in parts.items() if d}
    share = Fraction(100, sum(WEIGHTS[k] for k in applying))
    points = {k: WEIGHTS[k] * share * r for k, r in applying.items()}
    exact = sum(points.values())
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP), points


# department → (assigned, due, on time, late, not done, mean hours to acknowledge,
#               reports expected, on time, late, missing, indicators asked, supplied, targets, met)
SCRIPTED = {
    A: (3, 2, 1, 0, 1, 2.0, 4, 3, 0, 1, 7, 6, 1, 1),
    B: (2, 2, 1, 1, 0, (744 + 4) / 2, 4, 3, 1, 0, 7, 6, 1, 0),
    C: (2, 2, 1, 0, 1, (6 + 48) / 2, 4, 2, 1, 1, 7, 4, 0, 0),
}


def expected_scores() -> dict[str, Decimal]:
    out = {}
    for name, (_, due, on_time, _, _, _, expected, r_on, _, _, asked, supplied, total, met) in SCRIPTED.items():
        out[name] = by_hand((on_time, due), (r_on, expected), (supplied, asked), (met, total))[0]
    return out


async def test_assessment_of_a_scripted_year(desk: Desk, clock, year):  # type: ignore[no-untyped-def]
    director = year
    scores = expected_scores()
    # by hand: 甲 40×1/2 + 30×3/4 + 20×6/7 + 10×1 = 69.64…; 乙 the same without its target = 59.64…;
    # 丙 has no target: (40×1/2 + 30×2/4 + 20×4/7) × 100/90 = 51.58…
    assert scores == {A: Decimal("69.6"), B: Decimal("59.6"), C: Decimal("51.6")}

    clock.current = local(2027, 1, 12, 10, 0)
    mark = desk.api.mark()
    reply = await director.send("/assessment 2026")
    lines = {name: next(line for line in reply.splitlines() if name in line) for name in SCRIPTED}
    assert "2026年度考核" in reply and "全年" in reply
    for rank, name in enumerate((A, B, C), 1):
        assigned, due, on_time, late, overdue, ack, expected, r_on, r_late, missing, asked, supplied, total, met = \
            SCRIPTED[name]
        line = lines[name]
        assert line.startswith(f"{rank}. {name} {scores[name]}分"), line
        assert f"交办{due}项：按时{on_time}、逾期办结{late}、未办结{overdue}" in line, line
        assert f"平均{ack:.1f}小时确认" in line, line
        assert f"报送{expected}次：按时{r_on}、逾期{r_late}、未报{missing}" in line, line
        assert f"指标{supplied}/{asked}" in line, line
        assert (f"目标{met}/{total}" if total else "无本单位目标") in line, line
    chart = await desk.api.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == director.id, after=mark)
    assert chart.files["photo"].data.startswith(b"\x89PNG")
    document = await desk.api.wait_for(lambda c: c.method == "sendDocument" and c.chat_id == director.id, after=mark)
    upload = next(iter(document.files.values()))
    assert upload.filename == "2026年度考核.xlsx"
    sheet = load_workbook(io.BytesIO(upload.data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == [A, B, C]
    for rank, name in enumerate((A, B, C), 1):
        assigned, due, on_time, late, overdue, ack, expected, r_on, r_late, missing, asked, supplied, total, met = \
            SCRIPTED[name]
        row = rows[name]
        assert (row["名次"], row["总分"]) == (rank, float(scores[name]))
        assert [row[k] for k in ("交办事项", "应办结", "按时办结", "逾期办结", "未办结", "平均确认时长（小时）")] == \
            [assigned, due, on_time, late, overdue, round(ack, 1)]
        assert [row[k] for k in ("应报送", "按时报送", "逾期报送", "未报送", "应报指标", "已报指标", "目标数", "完成目标")] == \
            [expected, r_on, r_late, missing, asked, supplied, total, met]
        points = by_hand((on_time, due), (r_on, expected), (supplied, asked), (met, total))[1]
        for column, part in (("交办按时得分", "tasks"), ("按时报送得分", "reports"), ("指标齐全得分", "indicators"),
                             ("目标完成得分", "targets")):
            wanted = points.get(part)
            assert row[column] == (None if wanted is None else pytest.approx(float(wanted), abs=0.005)), (name, column)


async def test_directors_receive_last_years_assessment_on_send_on_once(desk: Desk, clock, year):  # type: ignore[no-untyped-def]
    director = year
    scores = expected_scores()
    for at in (local(2027, 1, 10, 8, 59), local(2027, 1, 10, 9, 0), local(2027, 1, 10, 9, 30)):
        clock.current = at
        await run_steps(desk.services, at, datetime.now(UTC))
    await desk.delivered()
    sent = desk.api.sent_messages(director.id)
    heads = [c for c in sent if "2026年度考核结果" in (c.text or "")]
    assert len(heads) == 1
    body = "\n".join(c.text or "" for c in sent if c.method == "sendMessage")
    for rank, name in enumerate((A, B, C), 1):
        assert f"{rank}. {name} {scores[name]}分" in body
    books = [c for c in sent if c.method == "sendDocument" and next(iter(c.files.values())).filename == "2026年度考核.xlsx"]
    assert len(books) == 1
    # nobody else gets it
    assert not any("年度考核" in (c.text or "") for c in desk.api.sent_messages(desk.admin.id))
    # on the day, /assessment without a year is the same (last year's); a word that is not a year is refused
    assert f"1. {A} {scores[A]}分" in await director.send("/assessment", contains="年度考核")
    assert (await director.send("/assessment 去年", contains="用法")).startswith("用法：/assessment")
