"""Aliases in the org file: `{name: 区经济信息委, aliases: [经信委, 区经信委]}` under departments."""

from __future__ import annotations

import pytest

from bot.rules.org import OrgFileError, alias_conflicts, parse_org, unknown_departments


def test_plain_names_and_names_with_aliases_mix():
    spec = parse_org({"departments": ["区财政局", {"name": "区经济信息委", "aliases": ["经信委", " 区经信委 ", "经信委"]},
                                      {"name": "区发展改革委", "aliases": "发改委"}, {"name": "区科技局"}]})
    assert spec.departments == ("区财政局", "区经济信息委", "区发展改革委", "区科技局")
    assert spec.aliases == (("经信委", "区经济信息委"), ("区经信委", "区经济信息委"), ("发改委", "区发展改革委"))
    assert spec.aliases_of("区经济信息委") == ("经信委", "区经信委")
    assert spec.aliases_of("区财政局") == ()


def test_an_alias_equal_to_its_own_name_is_ignored():
    assert parse_org({"departments": [{"name": "区财政局", "aliases": ["区财政局", "财政"]}]}).aliases == (("财政", "区财政局"),)


@pytest.mark.parametrize(
    ("departments", "groups", "fragment"),
    [
        (["区财政局", {"name": "区经济信息委", "aliases": ["区财政局"]}], [], "alias 区财政局 of 区经济信息委 is the name of another department"),
        ([{"name": "甲", "aliases": ["经信委"]}, {"name": "乙", "aliases": ["经信委"]}], [], "alias 经信委 is given to both 甲 and 乙"),
        ([{"name": "甲", "aliases": ["专班"]}], [{"name": "专班", "lead": ["甲"]}], "alias 专班 of 甲 is the name of a working group"),
        ([{"name": "甲", "aliases": {"x": 1}}], [], "aliases must be a list"),
        ([{"name": "甲", "aliases": [None]}], [], "empty or non-text"),
        ([{"name": "甲", "alias": ["乙"]}], [], "unknown keys alias"),
        ([{"aliases": ["乙"]}], [], "has no name"),
        ([{"name": "甲", "aliases": ["乙" * 101]}], [], "longer than"),
    ],
)
def test_bad_aliases_are_errors_naming_them(departments, groups, fragment):
    with pytest.raises(OrgFileError) as err:
        parse_org({"departments": departments, "working_groups": groups})
    assert any(fragment in p for p in err.value.problems), err.value.problems


def test_a_working_group_naming_a_department_by_its_alias_is_told_the_full_name():
    spec = parse_org({"departments": [{"name": "区经济信息委", "aliases": ["经信委"]}],
                      "working_groups": [{"name": "组", "lead": ["经信委"]}]})
    assert unknown_departments(spec, []) == ["unknown department 经信委 in working group 组 (use the full name 区经济信息委)"]


def test_aliases_are_checked_against_what_the_database_already_knows():
    spec = parse_org({"departments": [{"name": "甲", "aliases": ["乙", "丙委", "旧组"]}, "新局"]})
    problems = alias_conflicts(spec, departments=["甲", "乙"], groups=["旧组"], aliases={"丙委": "丁", "新局": "丁"})
    assert problems == [
        "alias 乙 of 甲 is the name of another department",
        "alias 丙委 of 甲 is already an alias of 丁",
        "alias 旧组 of 甲 is the name of a working group",
        "department 新局 is already an alias of 丁",
    ]
    # an alias the file takes away from a department it lists is free to move
    moved = parse_org({"departments": [{"name": "甲", "aliases": ["丙委"]}, "丁"]})
    assert alias_conflicts(moved, departments=["甲", "丁"], groups=[], aliases={"丙委": "丁"}) == []


def test_an_alias_problem_names_the_line_of_its_department():
    from bot.usecases.org import parse_org_text

    text = "departments:\n  - 区财政局\n  - {name: 区测试局, aliases: [测试局]}\n  - name: 区测试二局\n    aliases: [测试局]\n"
    with pytest.raises(OrgFileError) as err:
        parse_org_text(text)
    assert err.value.problems == ["line 4: departments[2]: alias 测试局 is given to both 区测试局 and 区测试二局"]


def test_an_impossible_date_in_the_file_is_one_line_not_a_traceback():
    """YAML reads `2027-13-01` as a date and fails inside the loader; the operator gets the reason."""
    from bot.usecases.org import parse_org_text

    with pytest.raises(OrgFileError) as refused:
        parse_org_text("office: x\ndepartments: [区财政局]\ncalendar: {holidays: [2027-13-01]}\n")
    assert "invalid date" in str(refused.value) and "2027-02-07" in str(refused.value)
