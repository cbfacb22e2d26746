"""The org file's validation: what an operator gets back for good and bad files."""

from pathlib import Path

import pytest
import yaml

from bot.rules.org import OrgFileError, ReportingRule, parse_org, unknown_departments

EXAMPLE = Path(__file__).parents[2] / "examples" / "org.yaml"


def test_example_org_has_the_seven_working_groups_of_the_notice():
    spec = parse_org(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    assert len(spec.departments) == 24
    assert [g.name for g in spec.working_groups] == [
        "产业发展工作专班", "招商引资工作专班", "项目建设工作专班", "科技创新工作专班",
        "资金保障工作专班", "人力资源工作专班", "要素保障工作专班",
    ]
    project = spec.working_groups[2]
    assert project.lead == ("区新城建管委", "凤凰湖产业促进中心")
    assert "区市场监管局" in project.members
    assert unknown_departments(spec, []) == []
    assert spec.reporting == ReportingRule()


def test_a_working_group_naming_an_unlisted_department_is_reported_by_name():
    spec = parse_org({"departments": ["区财政局"], "working_groups": [
        {"name": "资金保障工作专班", "lead": ["区财政局"], "members": ["区金融办"]}]})
    problems = unknown_departments(spec, existing=[])
    assert len(problems) == 1 and "区金融办" in problems[0] and "资金保障工作专班" in problems[0]
    assert unknown_departments(spec, existing=["区金融办"]) == []


def test_lead_listed_again_as_member_counts_once_as_lead():
    spec = parse_org({"departments": ["甲", "乙"], "working_groups": [{"name": "组", "lead": ["甲"], "members": ["甲", "乙", "乙"]}]})
    assert spec.working_groups[0].lead == ("甲",)
    assert spec.working_groups[0].members == ("乙",)


def test_full_width_and_spaced_names_are_normalised():
    spec = parse_org({"departments": [" 区财政局 ", "区（测试）局"]})
    assert spec.departments == ("区财政局", "区(测试)局")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ([], "YAML mapping"),
        ({"departments": "区财政局", "working_groups": {"a": 1}}, "working_groups must be a list"),
        ({"departments": ["甲"], "working_groups": [{"lead": ["甲"]}]}, "has no name"),
        ({"departments": ["甲"], "working_groups": [{"name": "组", "members": ["甲"]}]}, "no lead"),
        ({"departments": ["甲"], "working_groups": [{"name": "组", "lead": ["甲"]}, {"name": "组", "lead": ["甲"]}]}, "listed twice"),
        ({"departments": ["甲"], "reporting": {"quarterly_day": 31}}, "quarterly_day"),
        ({"departments": ["甲"], "reporting": {"deadline_time": "25:00"}}, "deadline_time"),
        ({"departments": ["甲"], "reporting": {"shift": "next_workday"}}, "shift"),
        ({"departments": ["甲"], "reporting": {"reminders_days_before": [7, -1]}}, "reminders_days_before"),
        ({"departments": ["甲"], "depts": []}, "unknown top-level keys: depts"),
        ({"departments": ["甲", None]}, "empty or non-text"),
    ],
)
def test_invalid_files_name_the_problem(raw, fragment):
    with pytest.raises(OrgFileError) as err:
        parse_org(raw)
    assert fragment in str(err.value)


def test_reporting_section_overrides_defaults_and_sorts_reminders():
    spec = parse_org({"departments": ["甲"], "reporting": {"quarterly_day": 20, "deadline_time": "17:30",
                                                           "shift": "none", "reminders_days_before": [1, 7, 7]}})
    assert spec.reporting == ReportingRule(20, "17:30", "none", (7, 1))
