"""Indicator figures in report text (lines from seeds/004), and the admin's expected list."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UsageError
from bot.rules.targets import completion
from bot.rules.indicators import (
    number_text,
    Indicator,
    ParseResult,
    expected_missing,
    parse_expected_spec,
    parse_indicators,
    unit_kind,
    units_compatible,
)

D = Decimal


def only(line: str) -> Indicator:
    result = parse_indicators(line)
    assert result.remaining_lines == [], f"{line!r} was kept as text"
    assert len(result.indicators) == 1
    return result.indicators[0]


# Figures of seeds/004 (铜经信函〔2025〕43号) written as a liaison reports them, one a line.
SEED_LINES = [
    ("引进制造业项目：21个", "引进制造业项目", D("21"), "个", "count"),
    ("协议投资：179.5亿元", "协议投资", D("1795000"), "万元", "money"),
    ("海辰储能产值：33.2亿元", "海辰储能产值", D("332000"), "万元", "money"),
    ("增长：223.8%", "增长", D("223.8"), "%", "percent"),
    ("新型储能产业产值 62.1亿元", "新型储能产业产值", D("621000"), "万元", "money"),
    ("零部件产业产值：49.6亿元", "零部件产业产值", D("496000"), "万元", "money"),  # the seed names more (16 characters): a sentence now
    ("爱玛车业产值：12.1亿元", "爱玛车业产值", D("121000"), "万元", "money"),
    ("增长：36.6%", "增长", D("36.6"), "%", "percent"),
    ("外出招商：9次", "外出招商", D("9"), "次", "count"),
    ("考察拜访：51家次", "考察拜访", D("51"), "家次", "count"),  # the seed names more: a sentence now (test_figures.py)
    ("区财政每年预算资金：5000万元", "区财政每年预算资金", D("5000"), "万元", "money"),
    ("单个项目最高支持：1000万元", "单个项目最高支持", D("1000"), "万元", "money"),
    ("市级数字化车间：42个", "市级数字化车间", D("42"), "个", "count"),
    ("国家级绿色工厂：4家", "国家级绿色工厂", D("4"), "家", "count"),
    ("市级绿色园区：1个", "市级绿色园区", D("1"), "个", "count"),
    ("收集技改项目：141个", "收集技改项目", D("141"), "个", "count"),
    ("计划总投资：93.9亿元", "计划总投资", D("939000"), "万元", "money"),
    ("技改备案项目：81个", "技改备案项目", D("81"), "个", "count"),
    ("技改备案金额：50.6亿元", "技改备案金额", D("506000"), "万元", "money"),
    ("增长：19.3%", "增长", D("19.3"), "%", "percent"),
    ("出具改造建议报告：91家", "出具改造建议报告", D("91"), "家", "count"),
    ("累计认定支持人才：24名", "累计认定支持人才", D("24"), "人", "people"),
    ("产业急需紧缺人才目录：109项", "产业急需紧缺人才目录", D("109"), "项", "count"),
    ("重点人才项目：54个", "重点人才项目", D("54"), "个", "count"),
    ("引进各类急需紧缺人才：496名", "引进各类急需紧缺人才", D("496"), "人", "people"),
    ("线上服务：1192单次", "线上服务", D("1192"), "单次", "count"),
    ("好评率：100%", "好评率", D("100"), "%", "percent"),
    ("创新积分贷企业：23家", "创新积分贷企业", D("23"), "家", "count"),
    ("累计工业用气量：4370万立方米", "累计工业用气量", D("4370"), "万立方米", "volume"),
    ("增长：18%", "增长", D("18"), "%", "percent"),
    ("累计工业用电量：9.5亿千瓦时", "累计工业用电量", D("95000"), "万千瓦时", "energy"),
    ("储能应用场景：25处", "储能应用场景", D("25"), "处", "count"),
    ("光伏装机 3万千瓦", "光伏装机", D("3"), "万千瓦", "power"),
    ("储能规模：21万千瓦时", "储能规模", D("21"), "万千瓦时", "energy"),
]


@pytest.mark.parametrize(("line", "name", "value", "unit", "kind"), SEED_LINES)
def test_seed_figures_are_captured(line, name, value, unit, kind):
    got = only(line)
    assert (got.name, got.value, got.unit, got.kind, got.raw) == (name, value, unit, kind, line)
    assert not got.approx


@pytest.mark.parametrize(
    ("line", "name", "value", "unit"),
    [
        ("产值：49.6亿元", "产值", D("496000"), "万元"),
        ("产值:49.6亿元", "产值", D("496000"), "万元"),
        ("产值 : 49.6 亿元", "产值", D("496000"), "万元"),
        ("引进项目: 21个", "引进项目", D("21"), "个"),
        ("增长：12.5%", "增长", D("12.5"), "%"),
        ("协议投资 179.5 亿元", "协议投资", D("1795000"), "万元"),
        ("产值：４９．６亿元", "产值", D("496000"), "万元"),
        ("增长：１２．５％", "增长", D("12.5"), "%"),
        ("到位资金：1,234.5万元", "到位资金", D("1234.5"), "万元"),
        ("到位资金：1，234万元", "到位资金", D("1234"), "万元"),
        ("到位资金：12,345,678元", "到位资金", D("1234.5678"), "万元"),
        ("增长：-3.2%", "增长", D("-3.2"), "%"),
        ("增长：－3.2％", "增长", D("-3.2"), "%"),
        ("增长：+3.2%", "增长", D("3.2"), "%"),
        ("增长 -3.2%", "增长", D("-3.2"), "%"),
        ("增长-3.2%", "增长", D("-3.2"), "%"),
        ("1. 产值：49.6亿元", "产值", D("496000"), "万元"),
        ("1.产值：49.6亿元", "产值", D("496000"), "万元"),
        ("2、引进项目：21个", "引进项目", D("21"), "个"),
        ("(1)引进项目：21个", "引进项目", D("21"), "个"),
        ("（一）引进项目：21个", "引进项目", D("21"), "个"),
        ("一、引进项目：21个", "引进项目", D("21"), "个"),
        ("- 增长：12.5%", "增长", D("12.5"), "%"),
        ("-增长：12.5%", "增长", D("12.5"), "%"),
        ("• 协议投资 179.5 亿元", "协议投资", D("1795000"), "万元"),
        ("· 协议投资：179.5亿元", "协议投资", D("1795000"), "万元"),
        ("①产值：3亿元", "产值", D("30000"), "万元"),
        ("产值：49.6亿元。", "产值", D("496000"), "万元"),
        ("  产值：49.6亿元；  ", "产值", D("496000"), "万元"),
        ("全区引进制造业项目21个", "全区引进制造业项目", D("21"), "个"),
        ("产值达49.6亿元", "产值", D("496000"), "万元"),
        ("5G基站：120个", "5G基站", D("120"), "个"),
        ("5G基站120个", "5G基站", D("120"), "个"),
        ("规上工业产值（含园区）：12亿元", "规上工业产值(含园区)", D("120000"), "万元"),
        ("引进 项目：21个", "引进 项目", D("21"), "个"),
    ],
)
def test_line_forms(line, name, value, unit):
    got = only(line)
    assert (got.name, got.value, got.unit, got.raw) == (name, value, unit, line)


@pytest.mark.parametrize(
    ("line", "value", "unit", "kind"),
    [
        ("资金：1亿元", D("10000"), "万元", "money"),
        ("资金：5000万元", D("5000"), "万元", "money"),
        ("资金：5000元", D("0.5"), "万元", "money"),
        ("资金：120000元", D("12"), "万元", "money"),
        ("资金：800千元", D("80"), "万元", "money"),
        ("资金：3百万元", D("300"), "万元", "money"),
        ("资金：0.001亿元", D("10"), "万元", "money"),
        ("用电量：5000度", D("0.5"), "万千瓦时", "energy"),
        ("用电量：5000千瓦时", D("0.5"), "万千瓦时", "energy"),
        ("用电量：20000kWh", D("2"), "万千瓦时", "energy"),
        ("用电量：3兆瓦时", D("0.3"), "万千瓦时", "energy"),
        ("装机：500千瓦", D("0.05"), "万千瓦", "power"),
        ("装机：50兆瓦", D("5"), "万千瓦", "power"),
        ("用气量：4370立方米", D("0.437"), "万立方米", "volume"),
        ("用气量：12万方", D("12"), "万立方米", "volume"),
        ("产量：3500吨", D("0.35"), "万吨", "mass"),
        ("厂房面积：2.5万平方米", D("2.5"), "万平方米", "area"),
        ("用地：120亩", D("120"), "亩", "land"),
        ("新增就业：1.2万人", D("12000"), "人", "people"),
        ("专家：20位", D("20"), "人", "people"),
        ("培训：300人次", D("300"), "人次", "count"),
        ("充电桩：1.5万个", D("15000"), "个", "count"),
        ("新增设备：12台", D("12"), "台", "count"),
        ("增速：2.3个百分点", D("2.3"), "个百分点", "pp"),
        ("增速：2.3百分点", D("2.3"), "个百分点", "pp"),
        ("产值：2.1倍", D("2.1"), "倍", "ratio"),
        ("平均入企时间：2小时", D("2"), "小时", "hours"),
        ("工期：120天", D("120"), "天", "days"),
        ("连续增长：5个月", D("5"), "个月", "other"),
    ],
)
def test_units_are_made_canonical(line, value, unit, kind):
    got = only(line)
    assert (got.value, got.unit, got.kind) == (value, unit, kind)


def test_a_value_that_is_a_whole_number_has_no_trailing_decimals():
    assert str(only("产值：49.6亿元").value) == "496000"
    assert str(only("资金：0.5万元").value) == "0.5"
    assert str(only("增长：0%").value) == "0"
    assert str(only("增长：-0%").value) == "0"


@pytest.mark.parametrize(
    ("line", "value", "unit"),
    [
        ("光伏装机：超3万千瓦", D("3"), "万千瓦"),
        ("企业贷款：超6000万元", D("6000"), "万元"),
        ("意向引进科技人才：近20人", D("20"), "人"),
        ("产学研合作：50余项", D("50"), "项"),
        ("本地企业纳入供应链：10余家", D("10"), "家"),
        ("节省电量：35%左右", D("35"), "%"),
        ("投资规模：50亿元以上", D("500000"), "万元"),
        ("解决问题：约30件", D("30"), "件"),
        ("专家教授：20多名", D("20"), "人"),
    ],
)
def test_approximate_figures_are_kept_and_marked(line, value, unit):
    got = only(line)
    assert (got.value, got.unit, got.approx) == (value, unit, True)


def test_one_line_of_figures_only_gives_each_of_them():
    line = "海辰储能实现产值33.2亿元、增长223.8%"
    result = parse_indicators(line)
    assert result.remaining_lines == []
    assert [(i.name, i.value, i.unit, i.raw) for i in result.indicators] == [
        ("海辰储能实现产值", D("332000"), "万元", line),
        ("增长", D("223.8"), "%", line),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("产值：33.2亿元，增长：223.8%", [("产值", D("332000")), ("增长", D("223.8"))]),
        ("累计工业用气量4370万立方米，增长18%；", [("累计工业用气量", D("4370")), ("增长", D("18"))]),
        ("到位资金：1,234万元；增长：5%", [("到位资金", D("1234")), ("增长", D("5"))]),
        ("备案项目81个，备案金额50.6亿元、增长19.3%", [("备案项目", D("81")), ("备案金额", D("506000")),
                                                      ("增长", D("19.3"))]),
    ],
)
def test_lists_of_figures(line, expected):
    result = parse_indicators(line)
    assert [(i.name, i.value) for i in result.indicators] == expected
    assert result.remaining_lines == []


NOT_INDICATORS = [
    "   ",
    "重庆市铜梁区经济和信息化委员会关于区第十八届人民代表大会第七次会议第285号建议的复函",
    "全部类型重庆2025年07月04日",
    "2025年07月04日",
    "铜经信函〔2025〕43号",
    "第285号建议的复函",
    "贺鑫代表:",
    "您提出的《关于持续加大对我区****",
    "一、关于“持续发力加大招商引资力度,做强新能源企业等产业链,做大铜梁高新园区”方面",
    "三、关于“对‘小巨人’、‘专精特新’企业在人才和研发资金方面予以扶持”方面",
    "3.建强新能源产业链。",
    "今年以来，区委区政府主要领导带队外出招商9次，考察拜访国家部委、企业、高校51家次。",
    "截至目前，全区引进制造业项目21个、协议投资179.5亿元，其中，投资规模50亿元及以上项目2个（君卓项目、爱玛配套项目）。",
    "新型储能产业上半年拉动明显，海辰储能实现产值33.2亿元、增长223.8%，带动新型储能产业实现产值62.1亿元、增长82.7%。",
    "预计达产后实现产值7.5亿元、纳税5000万元、单位产品能耗从原有的三级提升为一级。",
    "投资规模50亿元及以上项目2个（君卓项目、爱玛配套项目）",
    "根据测算，光储设施能节省电量35%左右。",
    "（联系人：孔洁莲；联系电话：****；邮政编码：402560）",
    "联系电话：****",
    "联系电话：023-67752345",
    "邮政编码：402560",
    "日期：2025年7月4日",
    "年份：2025年",
    "截止时间：18:00",
    "会议：9点",
    "产值：49.6亿",
    "产值：很高",
    "产值：49.6亿元（同比增长12%）",
    "到位资金：12,34万元",
    "(此件主动公开)",
    "****",
    "产值：1234567890123456789亿元",
    "增长：%",
    ": 21个",
    "21个",
]


@pytest.mark.parametrize("line", NOT_INDICATORS)
def test_lines_that_are_not_indicators_stay_text(line):
    result = parse_indicators(line)
    assert result.indicators == []
    assert result.remaining_lines == [line]


def test_a_long_line_is_prose():
    line = "产值：49.6亿元" + " " * 300
    assert parse_indicators(line).indicators == []


SEED_EXCERPT = """关于区第十八届人民代表大会第七次会议
第285号建议的复函
贺鑫代表:
一、关于“持续发力加大招商引资力度”方面
引进制造业项目：21个
协议投资：179.5亿元

海辰储能产值：33.2亿元
增长：223.8%
新型储能产业上半年拉动明显，带动新型储能产业实现产值62.1亿元。
（联系人：孔洁莲；联系电话：****；邮政编码：402560）"""


def test_a_report_keeps_its_text_lines_in_order_and_numbers_the_indicator_lines():
    result = parse_indicators(SEED_EXCERPT)
    assert [(i.name, i.value, i.unit, i.line) for i in result.indicators] == [
        ("引进制造业项目", D("21"), "个", 4),
        ("协议投资", D("1795000"), "万元", 5),
        ("海辰储能产值", D("332000"), "万元", 7),
        ("增长", D("223.8"), "%", 8),
    ]
    assert result.remaining_lines == [
        "关于区第十八届人民代表大会第七次会议",
        "第285号建议的复函",
        "贺鑫代表:",
        "一、关于“持续发力加大招商引资力度”方面",
        "",
        "新型储能产业上半年拉动明显，带动新型储能产业实现产值62.1亿元。",
        "（联系人：孔洁莲；联系电话：****；邮政编码：402560）",
    ]


def test_windows_line_endings_and_empty_text():
    result = parse_indicators("产值：49.6亿元\r\n说明\r\n")
    assert [i.raw for i in result.indicators] == ["产值：49.6亿元"]
    assert result.remaining_lines == ["说明"]
    assert parse_indicators("") == ParseResult([], [])


@given(st.text(max_size=300))
def test_parsing_never_fails_and_loses_no_line(text):
    _loses_no_line(text)


def _loses_no_line(text: str) -> None:
    """Every line is text or holds figures; a figure line whose figures all came again later is
    neither kept as text nor counted (its indicators are the repeated ones)."""
    result = parse_indicators(text)
    lines = text.splitlines()
    assert [line for line in lines if not parse_indicators(line).indicators] == result.remaining_lines
    assert all(lines[i.line] == i.raw for i in result.indicators)
    kept = {i.line for i in result.indicators}
    for n, line in enumerate(lines):
        if n not in kept and line not in result.remaining_lines:
            assert all(i.name in result.repeated for i in parse_indicators(line).indicators)


_FIGURE_TEXT = st.lists(
    st.one_of(
        st.sampled_from([line for line, *_ in SEED_LINES] + NOT_INDICATORS),
        st.builds(lambda name, n, unit: f"{name}：{n}{unit}",
                  st.sampled_from(["产值", "增长", "引进项目", "协议投资"]),
                  st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
                  st.sampled_from(["亿元", "万元", "%", "个", "项", "人", "万千瓦时"])),
    ),
    max_size=20,
).map("\n".join)


@given(_FIGURE_TEXT)
def test_report_like_text_loses_no_line(text):
    _loses_no_line(text)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_yi_yuan_and_wan_yuan_agree(value):
    assert only(f"产值：{value}亿元").value == only(f"产值：{value * 10000}万元").value == value * 10000


# --- units -------------------------------------------------------------------------------------

def test_unit_kinds_and_compatibility():
    assert unit_kind("亿元") == unit_kind("万元") == unit_kind("元") == "money"
    assert unit_kind("个") == unit_kind("项") == unit_kind("家") == "count"
    assert unit_kind("名") == unit_kind("人") == "people"
    assert unit_kind("%") == "percent"
    assert unit_kind("年") is None and unit_kind("") is None and unit_kind("49") is None
    assert units_compatible("亿元", "万元") and units_compatible("个", "项")
    assert units_compatible("名", "人")
    assert not units_compatible("亿元", "%") and not units_compatible("个", "人")
    assert not units_compatible("个月", "天") and units_compatible("个月", "个月")


# --- expected indicators -------------------------------------------------------------------------

def test_parse_expected_spec():
    assert parse_expected_spec("产值 亿元, 引进项目 个, 增长 %") == [("产值", "亿元"), ("引进项目", "个"), ("增长", "%")]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("产值 亿元，引进项目 个，增长 %", [("产值", "亿元"), ("引进项目", "个"), ("增长", "%")]),
        ("产值(亿元)；增长（%）", [("产值", "亿元"), ("增长", "%")]),
        ("产值:亿元、人才 名", [("产值", "亿元"), ("人才", "名")]),
        ("产值 亿元\n增长 %\n", [("产值", "亿元"), ("增长", "%")]),
        ("引进 项目 个", [("引进 项目", "个")]),
        ("产值 亿元, 产值 万元", [("产值", "亿元")]),
        ("  产值   亿元 ,, ", [("产值", "亿元")]),
    ],
)
def test_expected_spec_forms(spec, expected):
    assert parse_expected_spec(spec) == expected


@pytest.mark.parametrize(
    "spec",
    ["", "   ", ",,,", "产值", "产值亿元", "亿元", "产值 49.6", "产值 亿元 多余", "产值 年", "产值 很多",
     "21 个", "%%% %", "产值 亿元, 增长", "名" * 41 + " 个", ", ".join(f"指标{i} 个" for i in range(31))],
)
def test_garbage_specs_get_the_cycle_usage_line(spec):
    with pytest.raises(UsageError) as caught:
        parse_expected_spec(spec)
    assert caught.value.command == "cycle"


def test_expected_missing_matches_by_name_and_compatible_unit():
    report = parse_indicators("新型储能产业产值：62.1亿元\n引进项目：21项\n增长：223.8%\n人才：496名")
    expected = parse_expected_spec("产值 万元, 引进项目 个, 增长 %, 协议投资 亿元, 人才 人, 产值增长 %")
    assert expected_missing(expected, report) == [("协议投资", "亿元"), ("产值增长", "%")]
    assert expected_missing(expected, report.indicators) == [("协议投资", "亿元"), ("产值增长", "%")]


def test_expected_missing_needs_the_right_kind_of_unit():
    report = parse_indicators("产值：12.5%\n引进项目：21人")
    assert expected_missing([("产值", "亿元"), ("引进项目", "个")], report) == [("产值", "亿元"), ("引进项目", "个")]


def test_expected_missing_ignores_spacing_width_and_case():
    report = parse_indicators("ＧＤＰ 增速：6.1%")
    assert expected_missing([("gdp增速", "%")], report) == []


def test_nothing_expected_or_nothing_reported():
    assert expected_missing([], parse_indicators("产值：1亿元")) == []
    assert expected_missing([("产值", "亿元")], ParseResult()) == [("产值", "亿元")]


def test_an_impossible_figure_stays_text_and_the_largest_kept_one_still_totals():
    """A typo such as `999999999999999999万亿人` would break every total and completion rate of the
    office: it is kept as a line of text instead; the largest figure kept still computes."""
    typo = parse_indicators("就业人数：999999999999999999万亿人")
    assert typo.indicators == [] and typo.remaining_lines == ["就业人数：999999999999999999万亿人"]
    (big,) = parse_indicators("产值：9999999999999999亿元").indicators
    assert big.value == Decimal("99999999999999990000")
    assert number_text(big.value) and completion(big.value, Decimal("1")) > 0
