"""Meeting minutes for tests (issue 14): realistic texts of our own writing, the agreed items each
must give, and a .docx built with python-docx (paragraphs and a table of items).

Every department named is one of examples/org.yaml's (full names or its aliases), so e2e tests can
set up an office from that file. Dates are relative to each meeting's day (`*_HELD_ON`).

- MINUTES_SIX / EXPECTED_SIX / SIX_HELD_ON: a 调度会 with exactly six agreed items, a summary
  naming departments before `会议议定如下` (not items) and a numbered paragraph that names no
  department (not an item). `six_items_docx()` holds the same six items, four of them as rows of a
  table 序号|议定事项|牵头单位|配合单位|完成时限.
- MINUTES_TOPICAL / EXPECTED_TOPICAL / TOPICAL_HELD_ON: a 专题会 pasted as one line, numbered
  `（一）`, `1.`, `（1）`, `①` inside it.
- MINUTES_PLENARY / EXPECTED_PLENARY / PLENARY_HELD_ON: a 全体会议 with `会议要求` and
  `会议明确` paragraphs, a city body (`市经济信息委`) that is not the office's, and the attendance
  and copy lists at the end (not items).
- MINUTES_NO_MARKER / EXPECTED_NO_MARKER: a short record with no `会议议定` marker at all.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Expected:
    """What one agreed item must be read as."""

    lead: tuple[str, ...]
    cooperating: tuple[str, ...]
    due: date | None
    standing: bool = False
    title_has: str = ""  # a phrase its title must contain


SIX_HELD_ON = date(2026, 11, 20)
SIX_TITLE = "智能网联新能源汽车产业发展调度会"

_SIX_INTRO = """永川区智能网联新能源汽车特色产业发展领导小组办公室
智能网联新能源汽车产业发展调度会会议纪要
2026年11月20日，区领导小组办公室在区行政中心第三会议室召开智能网联新能源汽车产业发展调度会。会议听取了区经济信息委关于前三季度产业运行情况的汇报，区发展改革委、区招商投资局作了补充发言。
会议认为，今年以来全区智能网联新能源汽车产业总体保持平稳向好态势，但重点项目建设进度仍需加快，要素保障仍有短板。
会议议定如下："""

_SIX_ITEM_1 = "一、由区经济信息委牵头，区科技局、区商务委配合，加快智能网联汽车测试场二期建设，12月底前完成主体工程。"
_SIX_ITEM_2 = "二、区财政局负责统筹产业发展专项资金12.5亿元，于2027年1月15日前完成首批资金拨付。"
_SIX_NO_DEPARTMENT = "三、各单位要进一步提高思想认识，压紧压实工作责任，形成推进合力。"
_SIX_ITEM_3 = ("四、加快充电基础设施布局，新建公共充电桩500个。"
               "牵头单位：区城市管理局；配合单位：区住房城乡建委、区交通局；完成时限：2027年3月底前。")
_SIX_ITEM_4 = "五、持续推进重点企业“一对一”服务，招商局会同区规划自然资源局做好用地等要素保障，长期坚持。"
_SIX_ITEM_5 = "六、区发展改革委、区统计局 2027.1.15 前完成产业链统计监测体系建设方案。"
_SIX_ITEM_6 = ("七、组织开展新能源汽车产业技能人才专项培训。"
               "责任单位：区人力社保局、区教委；完成时限：2027年6月30日。")
_SIX_END = """抄送：区政府办公室，区经济信息委、区财政局、区发展改革委。
永川区智能网联新能源汽车特色产业发展领导小组办公室 2026年11月21日印发"""

MINUTES_SIX = "\n".join([_SIX_INTRO, _SIX_ITEM_1, _SIX_ITEM_2, _SIX_NO_DEPARTMENT, _SIX_ITEM_3, _SIX_ITEM_4,
                         _SIX_ITEM_5, _SIX_ITEM_6, _SIX_END])

EXPECTED_SIX = (
    Expected(("区经济信息委",), ("区科技局", "区商务委"), date(2026, 12, 31), title_has="测试场二期建设"),
    Expected(("区财政局",), (), date(2027, 1, 15), title_has="专项资金"),
    Expected(("区城市管理局",), ("区住房城乡建委", "区交通局"), date(2027, 3, 31), title_has="充电基础设施"),
    Expected(("区招商投资局",), ("区规划自然资源局",), None, standing=True, title_has="一对一"),
    Expected(("区发展改革委",), ("区统计局",), date(2027, 1, 15), title_has="统计监测体系"),
    Expected(("区人力社保局", "区教委"), (), date(2027, 6, 30), title_has="技能人才专项培训"),
)

# The same six in a .docx: items 一、二 and the paragraph without a department as paragraphs, the
# other four as a table's rows (the lead column holds two names in the last row).
_SIX_TABLE_HEADER = ("序号", "议定事项", "牵头单位", "配合单位", "完成时限")
_SIX_TABLE_ROWS = (
    ("1", "加快充电基础设施布局，新建公共充电桩500个", "区城市管理局", "区住房城乡建委、区交通局", "2027年3月底前"),
    ("2", "持续推进重点企业“一对一”服务，做好用地等要素保障", "招商局", "区规划自然资源局", "长期坚持"),
    ("3", "完成产业链统计监测体系建设方案", "区发展改革委", "区统计局", "2027年1月15日"),
    ("4", "组织开展新能源汽车产业技能人才专项培训", "区人力社保局、区教委", "", "2027年6月30日"),
)


def six_items_docx() -> bytes:
    """MINUTES_SIX as a Word document: title, summary, two numbered paragraphs, one paragraph
    without a department, a table of the other four items, and the copy list."""
    import docx

    document = docx.Document()
    lines = _SIX_INTRO.split("\n")
    document.add_heading(lines[1], level=1)
    for line in lines[2:]:
        document.add_paragraph(line)
    for line in (_SIX_ITEM_1, _SIX_ITEM_2, _SIX_NO_DEPARTMENT):
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=len(_SIX_TABLE_HEADER))
    for cell, text in zip(table.rows[0].cells, _SIX_TABLE_HEADER, strict=True):
        cell.text = text
    for row in _SIX_TABLE_ROWS:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    for line in _SIX_END.split("\n"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


TOPICAL_HELD_ON = date(2026, 12, 8)
TOPICAL_TITLE = "凤凰湖产业园要素保障专题会"

# Pasted from a chat as one line: numbering inside the line.
MINUTES_TOPICAL = (
    "12月8日，区政府分管副区长主持召开凤凰湖产业园要素保障专题会，听取了凤凰湖产业促进中心关于园区"
    "标准厂房建设情况的汇报。会议议定：（一）区规划自然资源局牵头，区住房城乡建委协同，12月31日前完成"
    "园区二期用地规划调整。（二）区交通局负责园区内部道路改造，区水利局、区城市管理局配合，2027年一季度末"
    "完成。（三）责任单位：区财政局（牵头）、区金融办；年底前完成园区基础设施专项债券申报。"
    "（四）区大数据局配合凤凰湖产业促进中心做好园区5G网络覆盖，2027年上半年完成。"
    "（五）园区安全生产检查常态化开展，牵头单位：区应急管理局。"  # not a department of the office
    "（六）区市场监管局会同区生态环境局对入园企业开展常态化服务。"
)

EXPECTED_TOPICAL = (
    Expected(("区规划自然资源局",), ("区住房城乡建委",), date(2026, 12, 31), title_has="用地规划调整"),
    Expected(("区交通局",), ("区水利局", "区城市管理局"), date(2027, 3, 31), title_has="道路改造"),
    Expected(("区财政局",), ("区金融办",), date(2026, 12, 31), title_has="专项债券申报"),
    Expected(("凤凰湖产业促进中心",), ("区大数据发展局",), date(2027, 6, 30), title_has="5G网络覆盖"),
    Expected(("区市场监管局",), ("区生态环境局",), None, standing=True, title_has="入园企业"),
)

PLENARY_HELD_ON = date(2027, 1, 12)
PLENARY_TITLE = "领导小组2027年第一次全体会议"

MINUTES_PLENARY = """区智能网联新能源汽车特色产业发展领导小组2027年第一次全体会议纪要
1月12日，区委副书记、区长主持召开领导小组2027年第一次全体会议。区经济信息委通报了2026年产业发展目标完成情况，区科技局汇报了创新平台建设情况。
会议强调，全区上下要牢牢把握产业发展窗口期，以更大力度推进产业集群建设。
会议要求：
1. 积极争取市经济信息委支持，由区经济信息委牵头编制2027年产业发展工作要点，2月15日前报领导小组审定。
2. 科技局负责组织重点企业申报市级研发平台，3月底前完成。
3. 区卫健委、区教委配合区人社局做好高层次人才住房、子女入学和医疗保障服务，长期坚持。
4. 要持续优化营商环境，切实为企业纾困解难。
会议明确，由区委宣传部牵头，区融媒体中心配合，于2027年2月28日前策划产业发展主题宣传。
出席：区政府办公室、区发展改革委、区经济信息委、区科技局、区财政局、区人力社保局
列席：区统计局、区金融办"""

EXPECTED_PLENARY = (
    Expected(("区经济信息委",), (), date(2027, 2, 15), title_has="工作要点"),
    Expected(("区科技局",), (), date(2027, 3, 31), title_has="研发平台"),
    Expected(("区人力社保局",), ("区卫生健康委", "区教委"), None, standing=True, title_has="人才"),
    Expected(("区委宣传部",), (), date(2027, 2, 28), title_has="主题宣传"),
)

NO_MARKER_HELD_ON = date(2026, 11, 2)

# No 会议议定 / 会议要求 marker: every block naming a department is an item; no role words, so
# the first named leads.
MINUTES_NO_MARKER = """11月2日项目建设调度情况
1、永川高新区管委会、区新城建管委：加快整车项目配套道路建设，11月30日前具备通车条件。
2、区生态环境局 区发改委：12月15日前完成整车项目环评批复。
3、下一步工作另行通知。"""

EXPECTED_NO_MARKER = (
    Expected(("永川高新区管委会",), ("区新城建管委",), date(2026, 11, 30), title_has="配套道路"),
    Expected(("区生态环境局",), ("区发展改革委",), date(2026, 12, 15), title_has="环评批复"),
)


def org_spellings() -> dict[str, str]:
    """examples/org.yaml's departments as bot.rules.minutes wants them: every name and alias → name."""
    from pathlib import Path

    import yaml

    raw = yaml.safe_load((Path(__file__).resolve().parents[2] / "examples" / "org.yaml").read_text("utf-8"))
    spellings: dict[str, str] = {}
    for entry in raw["departments"]:
        if isinstance(entry, str):
            spellings[entry] = entry
        else:
            spellings[entry["name"]] = entry["name"]
            for alias in entry.get("aliases", ()):
                spellings[alias] = entry["name"]
    return spellings
