"""The digest renderers: the chart is a valid 1000×600 PNG drawn with a Chinese font (or, without
one, with codes and no missing-glyph warnings), and the workbook reads back with the exact sheets,
rows, numbers, datetimes and names — including a hostile one."""

from __future__ import annotations

import io
import logging
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.render.chart import HEIGHT_PX, MAX_ROWS, WIDTH_PX, chart_png, fonts, packaged_font
from bot.render.workbook import sheet_names, workbook_xlsx
from bot.rules.digest import (DeptStanding, Digest, Figure, GroupStanding, LiaisonLine, OverdueItem, TaskLine,
                              period_for)

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in the office
PNG = b"\x89PNG\r\n\x1a\n"
HOSTILE = '<b>&"区"</b>'
FORMULA = "=HYPERLINK(\"http://x.test\",\"点我\")"
DEPTS = ["区经济信息委", "区财政局", "区发展改革委", HOSTILE, "区商务委", FORMULA]


def standing(name: str, *, reported: bool, late: bool = False, open_: int = 0, done: int = 0, overdue: int = 0,
             liaison: str | None = "张三") -> DeptStanding:
    return DeptStanding(name, liaison, reported, late, 2 if reported else 0, open_, done, overdue,
                        "进展一行" if reported else None, AT if reported else None)


def digest(**changes: object) -> Digest:
    due = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # 18:00 in the office
    d = Digest(
        period=period_for("week", AT, TZ), generated_at=AT, cycle_label="2026-Q4",
        cycle_deadline=datetime(2026, 12, 25, 10, 0, tzinfo=UTC),
        submitted=3, total=5, missing=["区发展改革委", "区商务委"], late=[HOSTILE], tasks_opened=2, tasks_finished=1,
        overdue=[OverdueItem(7, "编制产业规划", "区财政局", True, 3), OverdueItem(7, "编制产业规划", HOSTILE, False, 3)],
        groups=[
            GroupStanding("产业发展工作专班", ["区经济信息委"], ["区财政局", "区发展改革委"], 2, 1),
            GroupStanding("招商引资工作专班", ["区商务委"], [HOSTILE, "区财政局"], 2, 2),
            GroupStanding("资金$保障$工作专班", ["区财政局"], [], 1, 1),  # "$…$" must not become mathtext
        ],
        departments=[
            standing("区经济信息委", reported=True, open_=1, done=2),
            standing("区财政局", reported=True, open_=2, done=1, overdue=1),
            standing("区发展改革委", reported=False, open_=1, liaison=None),
            standing(HOSTILE, reported=True, late=True, open_=1, overdue=1),
            standing("区商务委", reported=False),
            standing(FORMULA, reported=False),
        ],
        figures=[
            Figure("区经济信息委", "产值", Decimal("1234.5"), "万元"),
            Figure("区经济信息委", "企业数", Decimal("12"), "个"),
            Figure("区财政局", "产值", Decimal("765.25"), "万元"),
            Figure("区财政局", "完成率", Decimal("87.5"), "%"),
            Figure(HOSTILE, "企业数", Decimal("3"), "个"),
        ],
        tasks=[
            TaskLine(7, "编制产业规划", due, AT - timedelta(days=10), False,
                     {"区财政局": "overdue", HOSTILE: "overdue", "区经济信息委": "done"}),
            TaskLine(12, "报送项目清单\x07（第二批）", due + timedelta(days=30), AT - timedelta(days=2), False,
                     {"区商务委": "pending", "区经济信息委": "in_progress"}),
            TaskLine(3, "已关闭的事项", due, AT - timedelta(days=40), True, {"区财政局": "done"}),
        ],
        liaisons=[
            LiaisonLine("区经济信息委", "张三", "primary", datetime(2026, 3, 1, 2, 30, tzinfo=UTC), False),
            LiaisonLine("区经济信息委", "李四", "deputy", datetime(2026, 4, 1, 2, 30, tzinfo=UTC), False),
            LiaisonLine("区财政局", "王五", "primary", datetime(2026, 5, 1, 2, 30, tzinfo=UTC), True),
            LiaisonLine("区发展改革委", None, None, None, False),
            LiaisonLine(HOSTILE, HOSTILE, "primary", datetime(2026, 6, 1, 16, 30, tzinfo=UTC), False),
        ],
    )
    return replace(d, **changes)  # type: ignore[arg-type]


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        image.load()  # decodes every byte: a truncated file fails here
        return image.size


def read(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(data))


def rows(ws) -> list[tuple]:  # type: ignore[no-untyped-def]
    return list(ws.iter_rows(values_only=True))


# --------------------------------------------------------------------------- chart


def test_the_packaged_chinese_font_is_found_and_used() -> None:
    path = packaged_font()
    assert path is not None and path.name == "NotoSansSC-Regular.otf"
    chosen = fonts()
    assert chosen.cjk and chosen.families[0] == "Noto Sans SC"
    assert chosen.covers("".join(DEPTS[:3]) + "产业发展工作专班已报送 3/5")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chart_is_a_valid_png_of_the_agreed_size(lang: str, caplog: pytest.LogCaptureFixture) -> None:
    with warnings.catch_warnings(record=True) as seen, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        data = chart_png(digest(), lang, TZ)
    assert png_size(data) == (WIDTH_PX, HEIGHT_PX) == (1000, 600)
    assert not [w for w in seen if "Glyph" in str(w.message) or "font" in str(w.message).lower()]
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")]


def test_chart_without_a_cjk_font_uses_codes_and_warns_about_nothing(caplog: pytest.LogCaptureFixture) -> None:
    with warnings.catch_warnings(record=True) as seen, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        fallback = chart_png(digest(), "zh", TZ, font=None)
        by_department = chart_png(digest(groups=[]), "zh", TZ, font=None)
    assert not fonts(None).cjk
    assert png_size(fallback) == png_size(by_department) == (1000, 600)
    assert fallback != chart_png(digest(), "zh", TZ)
    assert not [w for w in seen if "Glyph" in str(w.message)], [str(w.message) for w in seen]
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")]


def test_chart_per_department_when_there_are_no_groups_and_many_departments() -> None:
    many = [standing(f"区第{i}号测试局", reported=i % 3 == 0, open_=i % 4, done=i % 5, overdue=i % 2)
            for i in range(MAX_ROWS * 3)]
    assert png_size(chart_png(digest(groups=[], departments=many), "zh", TZ)) == (1000, 600)


def test_chart_of_an_empty_digest() -> None:
    empty = digest(groups=[], departments=[], figures=[], tasks=[], liaisons=[], overdue=[], submitted=0, total=0,
                   cycle_label=None, cycle_deadline=None)
    assert png_size(chart_png(empty, "zh", TZ)) == (1000, 600)


def test_charts_drawn_in_parallel_threads_are_all_valid() -> None:
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda lang: chart_png(digest(), lang, TZ), ["zh", "en"] * 4))
    assert all(png_size(r) == (1000, 600) for r in results)
    assert results[0] == results[2]  # deterministic


# --------------------------------------------------------------------------- workbook


def test_workbook_sheets_are_named_in_the_language() -> None:
    assert read(workbook_xlsx(digest(), "zh", TZ)).sheetnames == ["概况", "交办任务", "报送与指标", "指标合计", "联络员"]
    en = read(workbook_xlsx(digest(), "en", TZ)).sheetnames
    assert en == ["Summary", "Tasks", "Reports and indicators", "Indicator totals", "Liaisons"] == sheet_names("en")
    assert all(len(name) <= 31 for name in en + sheet_names("zh"))


def test_cover_has_the_period_generation_time_and_submitted_over_total() -> None:
    cover = dict(rows(read(workbook_xlsx(digest(), "zh", TZ))["概况"]))
    assert cover["标题"] == "周调度 2026年第47周（11月16日—11月22日）"  # the name, never the stored code
    assert cover["报送周期"] == "2026年第四季度"
    assert cover["生成时间"] == datetime(2026, 11, 23, 9, 0)  # naive, office time
    assert cover["统计区间起"] == datetime(2026, 11, 16) and cover["统计区间止"] == datetime(2026, 11, 22)
    assert cover["报送截止"] == datetime(2026, 12, 25, 18, 0)
    assert (cover["已报送部门"], cover["应报送部门"], cover["已报送/应报送"]) == (3, 5, "3/5")
    assert (cover["未报送部门"], cover["逾期报送部门"], cover["当前逾期事项"]) == (2, 1, 2)


def test_tasks_sheet_has_one_row_per_task_and_a_status_per_department() -> None:
    ws = read(workbook_xlsx(digest(), "zh", TZ))["交办任务"]
    table = rows(ws)
    header = table[0]
    assert header[:7] == ("编号", "交办事项", "截止时间", "交办时间", "状态", "已办结部门", "承办部门")
    assert header[7:] == ("区经济信息委", "区财政局", HOSTILE, "区商务委")  # involved only, in digest order
    assert len(table) == 1 + 3
    first = dict(zip(header, table[1], strict=True))
    assert first["编号"] == 7 and ws["A2"].number_format == '"#"0' and ws["A2"].data_type == "n"
    assert first["截止时间"] == datetime(2026, 11, 20, 18, 0)
    assert (first["状态"], first["已办结部门"], first["承办部门"]) == ("办理中", 1, 3)
    assert (first["区财政局"], first[HOSTILE], first["区经济信息委"], first["区商务委"]) == ("已逾期", "已逾期", "已办结", None)
    assert ws.cell(2, 9).fill.fgColor.rgb.endswith("FFCDD2")  # overdue is red
    second = dict(zip(header, table[2], strict=True))
    assert second["交办事项"] == "报送项目清单（第二批）"  # the control character is dropped
    assert second["区经济信息委"] == "办理中" and second["区商务委"] == "待确认"
    assert dict(zip(header, table[3], strict=True))["状态"] == "已关闭"
    assert ws.freeze_panes == "C2"


def test_reports_sheet_has_a_numeric_column_per_indicator() -> None:
    ws = read(workbook_xlsx(digest(), "zh", TZ))["报送与指标"]
    table = rows(ws)
    assert table[0] == ("部门", "联络员", "已报送", "逾期报送", "版本", "产值（万元）", "企业数（个）", "完成率（%）")
    assert [r[0] for r in table[1:]] == DEPTS  # the hostile names round-trip exactly
    by_dept = {r[0]: r for r in table[1:]}
    assert by_dept["区经济信息委"] == ("区经济信息委", "张三", "是", "否", 2, 1234.5, 12, None)
    assert by_dept["区财政局"][5:] == (765.25, None, 87.5)
    assert by_dept[HOSTILE][2:7] == ("是", "是", 2, None, 3)
    assert by_dept["区发展改革委"][1:5] == (None, "否", "否", None)
    numbers = [c for r in ws.iter_rows(min_row=2, min_col=5) for c in r if c.value is not None]
    assert numbers and all(c.data_type == "n" and isinstance(c.value, int | float) for c in numbers)
    formula = ws.cell(1 + DEPTS.index(FORMULA) + 1, 1)
    assert formula.value == FORMULA and formula.data_type == "s"  # text, never a formula
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == "A1:H7"


def test_totals_sheet_sums_additive_indicators_and_never_a_rate() -> None:
    ws = read(workbook_xlsx(digest(), "zh", TZ))["指标合计"]
    table = rows(ws)
    assert table == [("指标", "单位", "合计", "最低", "最高", "报送部门数"), ("产值", "万元", 1999.75, 765.25, 1234.5, 2),
                     ("企业数", "个", 15, 3, 12, 2), ("完成率", "%", None, 87.5, 87.5, 1)]
    assert Decimal(str(table[1][2])) == Decimal("1234.5") + Decimal("765.25")
    assert all(ws.cell(r, 3).data_type == "n" for r in range(2, 4))
    two_rates = digest(figures=[Figure("区经济信息委", "增长", Decimal("12.5"), "%"),
                                Figure("区财政局", "增长", Decimal("223.8"), "%")])
    assert rows(read(workbook_xlsx(two_rates, "zh", TZ))["指标合计"])[1] == ("增长", "%", None, 12.5, 223.8, 2)


def test_liaisons_sheet_lists_every_line_with_local_dates() -> None:
    table = rows(read(workbook_xlsx(digest(), "zh", TZ))["联络员"])
    assert table == [
        ("部门", "联络员", "类别", "任职起", "无法联系"),
        ("区经济信息委", "张三", "联络员", datetime(2026, 3, 1, 10, 30), "否"),
        ("区经济信息委", "李四", "副联络员", datetime(2026, 4, 1, 10, 30), "否"),
        ("区财政局", "王五", "联络员", datetime(2026, 5, 1, 10, 30), "是"),
        ("区发展改革委", None, None, None, "否"),
        (HOSTILE, HOSTILE, "联络员", datetime(2026, 6, 2, 0, 30), "否"),  # the next day in Shanghai
    ]


def test_english_workbook_and_an_empty_digest() -> None:
    empty = digest(groups=[], departments=[], figures=[], tasks=[], liaisons=[], overdue=[], submitted=0, total=0,
                   cycle_label=None, cycle_deadline=None)
    wb = read(workbook_xlsx(empty, "en", TZ))
    assert dict(rows(wb["Summary"]))["Reported/due"] == "0/0"
    assert rows(wb["Tasks"]) == [("No.", "Task", "Due", "Assigned", "State", "Departments done", "Departments")]
    assert rows(wb["Indicator totals"]) == [("Indicator", "Unit", "Total", "Lowest", "Highest",
                                             "Departments reporting it")]
    assert len(rows(wb["Liaisons"])) == 1
