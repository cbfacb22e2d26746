"""The permission table and the command argument parsers."""

import pytest

from bot.errors import UsageError
from bot.rules.commands import parse_audit, parse_invite, parse_lang, parse_role_change
from bot.rules.names import find_name
from bot.rules.roles import COMMANDS, Role, commands_for, is_allowed, menu_tier

EVERYONE = {"start", "help", "whoami", "lang"}
LIAISON = {"progress", "done", "mytasks", "report", "calendar"}
DIRECTOR = {"digest", "overdue", "status", "export", "tasks", "task", "cycle", "comment", "office", "meeting", "meetings", "brief", "targets", "assessment", "calendar", "dashboard"}
OFFICE = DIRECTOR | {"invite", "liaisons", "grant", "revoke", "audit", "broadcast", "assign", "extend", "close", "inbox", "forward"}


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (frozenset(), EVERYONE),
        (frozenset({Role.LIAISON}), EVERYONE | LIAISON),
        (frozenset({Role.DIRECTOR}), EVERYONE | DIRECTOR),
        (frozenset({Role.ADMIN}), EVERYONE | OFFICE),
        (frozenset({Role.ADMIN, Role.LIAISON}), EVERYONE | OFFICE | LIAISON),
    ],
)
def test_each_role_sees_its_commands(roles, expected):
    assert set(commands_for(roles)) == expected
    for name in (c.name for c in COMMANDS):
        assert is_allowed(name, roles) == (name in expected)


def test_unknown_commands_pass_the_gate_to_get_the_unknown_command_reply():
    assert is_allowed("frobnicate", frozenset())


def test_menu_tier_is_the_highest_role():
    assert menu_tier(frozenset({Role.LIAISON, Role.ADMIN})) == Role.ADMIN
    assert menu_tier(frozenset()) == Role.EVERYONE


@pytest.mark.parametrize(("args", "lang"), [(["zh"], "zh"), (["EN"], "en"), (["中文"], "zh")])
def test_lang_accepts_both_languages(args, lang):
    assert parse_lang(args) == lang


@pytest.mark.parametrize("args", [[], ["fr"], ["zh", "en"]])
def test_lang_rejects_anything_else(args):
    with pytest.raises(UsageError) as err:
        parse_lang(args)
    assert err.value.command == "lang"


def test_role_change_parses_id_and_role_in_either_language():
    assert parse_role_change("grant", ["42", "director"]).role == Role.DIRECTOR
    assert parse_role_change("grant", ["42", "管理员"]).role == Role.ADMIN
    assert parse_role_change("grant", ["42", "管理员"]).office is None


def test_role_change_names_an_office_by_code_or_name():
    assert parse_role_change("grant", ["42", "主任", "yongchuan"]).office == "yongchuan"
    assert parse_role_change("revoke", ["42", "admin", "永川区", "办公室"]).office == "永川区 办公室"


@pytest.mark.parametrize("args", [[], ["42"], ["x", "admin"], ["42", "liaison"], ["-5", "admin"], ["x", "admin", "yongchuan"]])
def test_role_change_rejects_malformed(args):
    with pytest.raises(UsageError):
        parse_role_change("revoke", args)


def test_audit_count_defaults_and_bounds():
    assert parse_audit([]) == 20
    assert parse_audit(["100"]) == 100
    for bad in (["0"], ["101"], ["x"], ["1", "2"]):
        with pytest.raises(UsageError):
            parse_audit(bad)


def test_invite_takes_a_department_and_an_optional_deputy_flag():
    assert parse_invite(["区财政局"]).deputy is False
    request = parse_invite(["区财政局", "deputy"])
    assert (request.department, request.deputy) == ("区财政局", True)
    with pytest.raises(UsageError):
        parse_invite([])
    with pytest.raises(UsageError):
        parse_invite(["deputy"])


def test_department_lookup_is_exact_then_unique_partial():
    names = ["区财政局", "区金融办", "区经济信息委", "区科技局"]
    assert find_name("区财政局", names).found == "区财政局"
    assert find_name("财政", names).found == "区财政局"
    ambiguous = find_name("局", names)
    assert ambiguous.found is None and set(ambiguous.candidates) == {"区财政局", "区科技局"}
    assert find_name("区水利局", names).found is None
    assert find_name("   ", names).found is None
