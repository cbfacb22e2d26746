"""What directors read is Chinese and short (issue 11, acceptance 3 and 4): no codes or English
words in any Chinese text, a first digest message that fits a phone, the period so far on demand,
and a chart that counts each department's task once."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.render.chart import rows_of
from bot.render.workbook import workbook_xlsx
from bot.rules.digest import (DeptStanding, Digest, Figure, GroupStanding, OverdueItem, home_groups,
                              on_demand_period, period_for)
from bot.texts import CATALOG, cycle_name, overdue_days, period_name
from bot.views.digest import HEADLINE_LINES, messages, plain
from bot.views.digest_bundle import bundle
from tests.unit.test_render import read, rows

TZ = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2026, 11, 27, 15, 30, tzinfo=TZ)

# what must never be in a Chinese text: quarter and ISO-week codes, version codes, English words
LEAKS = re.compile(r"Q[1-4]|W\d|(?<![A-Za-z])v\d|photo|document|admin|director|liaison", re.IGNORECASE)


def leaks(text: str) -> list[str]:
    """The codes and English words in `text`, apart from placeholders `{...}`, commands
    (`/liaisons`) and configuration names (`BOT_ADMIN_IDS`), which are typed as they are."""
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"/[a-z_]+", "", text)
    text = re.sub(r"\b[A-Z][A-Z0-9_]{2,}\b", "", text)
    return LEAKS.findall(text)


# --------------------------------------------------------------------------- names of periods


def test_stored_codes_read_as_chinese_names() -> None:
    assert cycle_name("2026-Q4", "zh") == "2026年第四季度"
    assert cycle_name("2027-Q1", "zh") == "2027年第一季度"
    assert period_name("2026-W48", "zh") == "2026年第48周（11月23日—11月29日）"
    assert period_name("2027-W01", "zh") == "2027年第1周（1月4日—1月10日）"
    assert period_name("2026-11", "zh") == "2026年11月"
    assert period_name("2026", "zh") == "2026年"
    assert cycle_name("2026-Q4", "en") == "Q4 2026" and period_name("2026-11", "en") == "November 2026"


def test_no_overdue_by_zero_days() -> None:
    assert overdue_days("zh", 3) == "逾期 3 天"
    assert "0" not in overdue_days("zh", 0) and "不足1天" in overdue_days("zh", 0)


def test_the_on_demand_digest_is_the_period_so_far_and_last_is_the_one_just_ended() -> None:
    week = on_demand_period("week", FRIDAY, TZ)
    assert (week.start, week.until, week.label) == (datetime(2026, 11, 23, tzinfo=TZ), FRIDAY, "2026-W48")
    assert week.start <= FRIDAY - timedelta(hours=2) < week.end  # a task created today counts
    last = on_demand_period("week", FRIDAY, TZ, last=True)
    assert (last.start, last.end, last.label, last.until) == (
        datetime(2026, 11, 16, tzinfo=TZ), datetime(2026, 11, 23, tzinfo=TZ), "2026-W47", None)
    assert period_for("week", FRIDAY, TZ) == last  # scheduled: the week just ended, as before
    assert on_demand_period("month", FRIDAY, TZ).label == "2026-11"
    assert on_demand_period("month", FRIDAY, TZ, last=True).label == "2026-10"
    assert on_demand_period("quarter", FRIDAY, TZ).label == "2026-Q4"
    assert on_demand_period("quarter", FRIDAY, TZ, last=True).label == "2026-Q3"
    assert on_demand_period("month", datetime(2027, 1, 3, tzinfo=TZ), TZ, last=True).label == "2026-12"
    assert on_demand_period("quarter", datetime(2027, 1, 3, tzinfo=TZ), TZ, last=True).label == "2026-Q4"
    assert on_demand_period("year", FRIDAY, TZ, last=True).label == "2025"


# --------------------------------------------------------------------------- a digest with data

DEPTS = [f"区测试{i:02d}局" for i in range(24)]


def full_digest(kind: str, *, at: datetime = FRIDAY, so_far: bool = False) -> Digest:
    """24 departments, 20 not reported, 7 overdue parts, 2 never notified, figures and a photo."""
    period = on_demand_period(kind, at, TZ) if so_far else period_for(kind, at, TZ)
    # open parts include the overdue ones
    standings = [DeptStanding(name, "张三" if i else None, i < 4, i == 3, 1 if i < 4 else 0, i % 3 + (i < 7), i % 2, int(i < 7),
                              None if i == 5 else f"进展{i}", at - timedelta(days=1), ("photo", None) if i == 5 else None)
                 for i, name in enumerate(DEPTS)]
    overdue = [OverdueItem(10 + i, f"事项{i}", DEPTS[i], i % 2 == 0, i) for i in range(7)]
    return Digest(
        period=period, generated_at=at, cycle_label="2026-Q4", cycle_deadline=datetime(2026, 12, 25, 18, 0, tzinfo=TZ),
        submitted=4, total=24, missing=DEPTS[4:], late=[DEPTS[3]], tasks_opened=3, tasks_finished=1,
        overdue=sorted(overdue, key=lambda o: -o.days),
        groups=[GroupStanding("产业发展工作专班", DEPTS[:2], DEPTS[2:12], 4, 3),
                GroupStanding("招商引资工作专班", DEPTS[2:3], DEPTS[:10], 3, 5)],
        departments=standings,
        figures=[Figure(DEPTS[0], "产值", Decimal("496000"), "万元", "亿元"),
                 Figure(DEPTS[1], "产值", Decimal("10000"), "万元", "亿元"),
                 Figure(DEPTS[0], "增长", Decimal("12.5"), "%"), Figure(DEPTS[1], "增长", Decimal("8"), "%")],
        unnotified=[OverdueItem(30, "未通知事项", DEPTS[0], True, 2)],
        narrative="本期总体平稳。",
    )


KINDS = ["week", "month", "quarter", "year"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("so_far", [False, True])
def test_no_chinese_text_the_bot_sends_has_codes_or_english_words(kind: str, so_far: bool) -> None:
    """Acceptance 3: the whole zh catalog, and every rendered digest (text, chart caption,
    workbook cover) for each kind, with data."""
    assert not {key: leaks(zh) for key, (zh, _) in CATALOG.items() if leaks(zh)}
    d = full_digest(kind, so_far=so_far)
    pieces, _, caption = bundle(d, "zh", TZ)
    for text in [*pieces, caption]:
        assert not leaks(text), text
    cover = rows(read(workbook_xlsx(d, "zh", TZ))["概况"])
    assert not [v for row in cover for v in row if isinstance(v, str) and leaks(v)]
    joined = "\n".join(pieces)
    assert "逾期 0 天" not in joined and "［照片］" in joined and "2026年第四季度" in joined


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_message_fits_a_phone_and_nothing_is_lost(kind: str, lang: str) -> None:
    """Acceptance 4: at most 15 lines first, with the headline counts, who is missing (shortened),
    the three most overdue; every department is named somewhere across the messages."""
    d = full_digest(kind)
    pieces = messages(d, lang, TZ)
    first = plain(pieces[0])
    assert len(first.split("\n")) <= HEADLINE_LINES == 15
    if lang == "zh":
        assert "已报送 4/24" in first and "本期新增 3，办结 1，当前逾期 7 项" in first
        assert "未报送（20）：区测试04局、区测试05局、区测试06局、区测试07局、区测试08局、区测试09局等20个" in first
        assert "#16 事项6 — 区测试06局（牵头）逾期 6 天" in first and "另有 4 项逾期" in first
        assert "未通知（无联络员）" in first
    joined = plain("\n".join(pieces))
    assert all(name in joined for name in DEPTS)
    assert all(f"#{o.task_id} " in joined for o in d.overdue)  # the whole overdue list follows


def test_a_thousand_overdue_parts_are_thirty_lines_and_a_count() -> None:
    """At a city's size the list a director scrolls stays a screenful, and says where the rest is
    (/overdue lists every part; the /export workbook has every task and department)."""
    many = [OverdueItem(100 + i, f"事项{i}", DEPTS[i % 24], True, 40 - i // 30) for i in range(1_000)]
    d = replace(full_digest("week"), overdue=many)
    pieces, _, _ = bundle(d, "zh", TZ)
    joined = plain("\n".join(pieces))
    listed = re.findall(r"#(\d+) 事项", joined)
    assert len(set(listed)) == 30 and len(listed) == 33  # the 3 most overdue first, then 30
    assert "另有 970 项未列出" in joined and "/overdue" in joined
    assert len(pieces) <= 3


def test_a_short_digest_is_one_short_first_message_too() -> None:
    d = replace(full_digest("week"), missing=[], late=[], overdue=[], unnotified=[], submitted=24)
    assert len(messages(d, "zh", TZ)[0].split("\n")) <= HEADLINE_LINES


# --------------------------------------------------------------------------- the chart


def test_each_department_has_one_home_group() -> None:
    groups = full_digest("week").groups
    home = home_groups(groups)
    assert home[DEPTS[0]] == home[DEPTS[1]] == "产业发展工作专班"  # leads it (and is a member of the other)
    assert home[DEPTS[2]] == "招商引资工作专班"  # leads 招商, is a member of 产业发展
    assert home[DEPTS[11]] == "产业发展工作专班" and DEPTS[20] not in home


def test_the_chart_counts_each_departments_task_once() -> None:
    """The bars add up to the (task, department) assignments and to the departments, however
    many groups a department belongs to; departments in no group have a row of their own."""
    d = full_digest("week")
    assignments = sum(s.tasks_done + s.tasks_open for s in d.departments)
    chart = rows_of(d, "zh")
    assert sum(r.done + r.open + r.overdue for r in chart) == assignments
    assert sum(r.size for r in chart) == len(DEPTS) and sum(r.reported for r in chart) == 4
    assert [r.label for r in chart] == ["产业发展工作专班", "招商引资工作专班", "不属于任何专班"]
    no_groups = rows_of(replace(d, groups=[]), "zh")  # per department when the office has no groups
    assert sum(r.done + r.open + r.overdue for r in no_groups) == assignments
