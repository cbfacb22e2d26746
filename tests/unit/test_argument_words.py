"""Chinese argument words (CONTRACT.md, "Chinese arguments"): every command argument word has its
Chinese form, and the Chinese usage lines show exactly words that work."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UsageError
from bot.rules import commands
from bot.rules.digest import KINDS, ON_DEMAND_KINDS, period_for
from bot.rules.roles import Role
from bot.texts import CATALOG

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("parse", "word", "value"),
    [
        (commands.parse_digest_period, "周", "week"), (commands.parse_digest_period, "月", "month"),
        (commands.parse_digest_period, "季度", "quarter"), (commands.parse_digest_period, "年", "year"),
        (commands.parse_digest_period, "Quarter", "quarter"), (commands.parse_digest_period, "ｗｅｅｋ", "week"),
        (commands.parse_task_filter, "进行中", "open"), (commands.parse_task_filter, "逾期", "overdue"),
        (commands.parse_task_filter, "已办结", "done"), (commands.parse_task_filter, "全部", "all"),
        (commands.parse_task_filter, "OVERDUE", "overdue"),
        (commands.parse_export, "任务", "tasks"), (commands.parse_export, "报告", "reports"),
        (commands.parse_export, "tasks", "tasks"),
    ],
)
def test_each_word_in_either_language(parse, word, value):
    assert parse([word]) == value


def test_defaults_and_refusals():
    assert commands.parse_digest_period([]) == "week"
    assert commands.parse_task_filter([]) == "open"
    assert commands.parse_export([]) == "reports"
    for parse, command in ((commands.parse_digest_period, "digest"), (commands.parse_task_filter, "tasks"),
                           (commands.parse_export, "export")):
        for args in (["十年"], ["周", "月"], [""], ["<b>"]):
            with pytest.raises(UsageError) as err:
                parse(args)
            assert err.value.command == command


def test_invite_deputy_grant_lang_and_cycle_words():
    assert commands.parse_invite(["区财政局", "副联络员"]) == commands.InviteRequest("区财政局", True)
    assert commands.parse_invite(["区财政局副联络员"]) == commands.InviteRequest("区财政局", True)
    assert commands.parse_invite(["区财政局", "deputy"]) == commands.InviteRequest("区财政局", True)
    assert commands.parse_invite(["区财政局"]) == commands.InviteRequest("区财政局", False)
    with pytest.raises(UsageError):
        commands.parse_invite(["副联络员"])
    assert commands.parse_role_change("grant", ["42", "管理员"]).role == Role.ADMIN
    assert commands.parse_role_change("revoke", ["42", "主任"]).role == Role.DIRECTOR
    assert commands.parse_lang(["中文"]) == "zh" and commands.parse_lang(["英文"]) == "en"
    assert commands.parse_lang(["ＥＮ"]) == "en"
    assert commands.is_indicators_word("指标") and commands.is_indicators_word("Indicators")
    assert not commands.is_indicators_word("产值")


def _choices(usage: str, command: str) -> list[list[str]]:
    """The `a|b|c` alternatives after /command in a usage line."""
    tail = usage.split(f"/{command}", 1)[1]
    return [group.split("|") for group in re.findall(r"[^\s\[\]]+(?:\|[^\s\[\]，,]+)+", tail)]


@pytest.mark.parametrize(("command", "parse"), [
    ("digest", commands.parse_digest_period), ("tasks", commands.parse_task_filter), ("export", commands.parse_export),
])
def test_the_usage_lines_list_working_words_in_each_language(command, parse):
    zh, en = CATALOG[f"usage.{command}"]
    zh_groups, [en_words] = _choices(zh, command), _choices(en, command)
    zh_words = zh_groups[0]
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+", w) for w in zh_words), zh  # no English in the Chinese line
    assert [parse([w]) for w in zh_words] == [parse([w]) for w in en_words] == en_words
    if command == "digest":  # /digest 上周|上月|上季度|去年: the period just ended
        [_, last] = zh_groups
        assert [commands.parse_digest_request([w]) for w in last] == [(k, True) for k in en_words]
        assert [commands.parse_digest_request(["last", k]) for k in en_words] == [(k, True) for k in en_words]
        assert "last week" in en


def test_role_and_language_words_of_the_chinese_usage_lines_work():
    for command in ("grant", "revoke"):
        [words] = _choices(CATALOG[f"usage.{command}"][0], command)
        assert [commands.parse_role_change(command, ["7", w]).role for w in words] == [Role.ADMIN, Role.DIRECTOR]
    assert re.findall(r"/lang (\S+)", CATALOG["usage.lang"][0]) == ["中文", "英文"]
    assert "副联络员" in CATALOG["usage.invite"][0] and "指标" in CATALOG["usage.cycle"][0]


def test_a_year_digest_is_the_calendar_year_on_demand_only():
    period = period_for("year", datetime(2026, 11, 23, 9, 0, tzinfo=TZ), TZ)
    assert (period.start, period.end, period.label) == (
        datetime(2026, 1, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ), "2026")
    # New Year's Eve, 23:30 in Shanghai, is still that year (not UTC's)
    assert period_for("year", datetime(2026, 12, 31, 15, 30, tzinfo=ZoneInfo("UTC")), TZ).label == "2026"
    assert "year" in ON_DEMAND_KINDS and "year" not in KINDS  # never scheduled
    assert "digest.kind.year" in CATALOG
