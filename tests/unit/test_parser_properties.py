"""Properties of every parser of user input (hypothesis): each either returns a well-formed value or
raises the domain's own error (UsageError / DomainError; OrgFileError for the org file) — never
anything else — and round-trips where that means something.

The indicator parser has its own properties in test_indicators.py; only `parse_expected_spec`
(the /cycle indicators argument) is covered here.

Two input classes that used to crash have their own tests at the end: digits that str.isdigit()
accepts but int() does not (², ①), and an org file whose unknown top-level keys mix types.
"""

from __future__ import annotations

import string
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot.errors import DomainError, UsageError
from bot.rules import callbacks, commands, indicators, names, tasks
from bot.rules.callbacks import Callback
from bot.rules.org import OrgFileError, OrgSpec, parse_org
from bot.rules.roles import GRANTABLE_ROLES

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)

settings.register_profile("parsers", max_examples=250, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
PARSERS = settings.get_profile("parsers")


def _int_safe(s: str) -> bool:
    """No character that isdigit() accepts and int() refuses (see the tests at the end)."""
    return not any(c.isdigit() and not c.isdecimal() for c in s)


# Text that looks like what people type into the bot: digits, separators, CJK, hostile characters.
_TYPED = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(string.printable)),
        st.sampled_from(list("０１２３４５６７８９٠١٢٣＃#｜|，,、;；:：年月日区局委办科技财政工作专班亿元个%")),
        st.sampled_from(["\u202e", "\u200b", "\u3000", "\ufeff", "😀", "<", ">", "&", "\x01", "\x7f"]),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=60,
)
TYPED = _TYPED.filter(_int_safe)
WORDS = st.lists(TYPED, max_size=5)


def _words(text: str) -> list[str]:
    return text.split()  # what PTB makes of a message's text: context.args


# ---------------------------------------------------------------- bot.rules.commands


@PARSERS
@given(WORDS)
@example(["ZH"])
@example(["中文", "x"])
@example([" en "])
@example([])
def test_parse_lang_returns_a_language_or_the_usage_line(args):
    try:
        lang = commands.parse_lang(args)
    except UsageError as error:
        assert error.command == "lang"
        return
    assert lang in commands.LANGUAGES and len(args) == 1


@pytest.mark.parametrize(("alias", "lang"), [("zh", "zh"), ("ZH", "zh"), ("Cn", "zh"), ("中文", "zh"), ("zh-CN", "zh"),
                                             ("en", "en"), ("English", "en"), ("英文", "en")])
def test_parse_lang_aliases(alias, lang):
    assert commands.parse_lang([alias]) == lang


@PARSERS
@given(st.sampled_from(["grant", "revoke"]), WORDS)
@example("grant", ["0", "admin"])
@example("grant", ["-5", "director"])
@example("revoke", ["1.5", "admin"])
@example("grant", ["12", "liaison"])
@example("grant", ["１２", "主任"])
def test_parse_role_change_returns_a_positive_id_and_a_grantable_role(command, args):
    try:
        change = commands.parse_role_change(command, args)
    except UsageError as error:
        assert error.command == command
        return
    assert isinstance(change.user_id, int) and change.user_id > 0
    assert change.role in GRANTABLE_ROLES and len(args) == 2


@PARSERS
@given(st.integers(min_value=1, max_value=2**52), st.sampled_from(["admin", "ADMIN", "管理员", "director", "主任", "领导"]))
def test_parse_role_change_round_trips(user_id, role):
    change = commands.parse_role_change("grant", [str(user_id), role])
    assert change.user_id == user_id and change.role.value in ("admin", "director")


@PARSERS
@given(WORDS)
@example(["0"])
@example(["101"])
@example(["100"])
@example(["1", "2"])
@example(["١٠"])
def test_parse_audit_returns_a_count_from_1_to_100(args):
    try:
        n = commands.parse_audit(args)
    except UsageError as error:
        assert error.command == "audit"
        return
    assert isinstance(n, int) and 1 <= n <= commands.AUDIT_MAX


@PARSERS
@given(WORDS)
@example(["deputy"])
@example(["区财政局", "DEPUTY"])
@example(["x" * 101])
@example(["  ", "\u3000"])
def test_parse_invite_returns_a_name_or_the_usage_line(args):
    try:
        request = commands.parse_invite(args)
    except UsageError as error:
        assert error.command == "invite"
        return
    assert request.department and request.department == request.department.strip()
    assert len(request.department) <= 100 and isinstance(request.deputy, bool)


@PARSERS
@given(st.lists(st.text(alphabet="区财政局科技委abcXYZ（）()", min_size=1, max_size=8), min_size=1, max_size=4),
       st.booleans())
def test_parse_invite_round_trips(words, deputy):
    args = [*words, "deputy"] if deputy else words
    request = commands.parse_invite(args)
    assert request == commands.InviteRequest(" ".join(words), deputy)


# ---------------------------------------------------------------- bot.rules.tasks

MINUTES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 12, 31, 23, 59)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=TZ))


@PARSERS
@given(TYPED)
@example("2026-02-30")
@example("2026-12-31 24:00")
@example("0000-01-01")
@example("9999-12-31 23:59")
@example("２０２６年１２月３１日 ０８：００")
@example("2026/12/31 8:00")
@example("2026-12-31T08:00")
def test_parse_due_gives_a_future_time_in_the_office_zone_or_a_domain_error(raw):
    try:
        due = tasks.parse_due(raw, now=NOW, tz=TZ)
    except DomainError as error:
        assert error.key in ("due.malformed", "due.past") and error.params["value"] == raw.strip()
        return
    assert due > NOW and due.tzinfo is not None and due.utcoffset() == timedelta(hours=8)


@PARSERS
@given(MINUTES, st.sampled_from(["{:%Y-%m-%d %H:%M}", "{:%Y/%m/%d %H:%M}", "{:%Y.%m.%d %H:%M}",
                                 "{:%Y年%m月%d日 %H:%M}", "{:%Y-%m-%d %H：%M}", "{:%Y-%m-%d}"]))
def test_parse_due_of_a_formatted_time_gives_that_time(moment, form):
    text = form.format(moment)
    expected = moment if "%H" in form else datetime.combine(moment.date(), time(18, 0), tzinfo=TZ)
    if expected <= NOW:
        with pytest.raises(DomainError) as error:
            tasks.parse_due(text, now=NOW, tz=TZ)
        assert error.value.key == "due.past"
    else:
        assert tasks.parse_due(text, now=NOW, tz=TZ) == expected


@PARSERS
@given(TYPED)
@example("a,,b，a、 c;;")
@example(" , ")
@example("区财政局；区科技局")
def test_split_targets_gives_unique_trimmed_names_and_is_stable(raw):
    names_ = tasks.split_targets(raw)
    assert all(n and n == n.strip() for n in names_)
    assert len(set(names_)) == len(names_)
    assert not any(sep in n for n in names_ for sep in ",，、;；")
    assert tasks.split_targets(",".join(names_)) == names_


ASSIGN = st.one_of(
    TYPED,
    st.tuples(TYPED, TYPED, TYPED, TYPED).map(" | ".join),
    st.tuples(TYPED, MINUTES.map("{:%Y-%m-%d %H:%M}".format), TYPED).map(" ｜ ".join),
)


@PARSERS
@given(ASSIGN)
@example("区财政局 | 2026-12-31 | " + "长" * 201)
@example("区财政局 | 2026-12-31 | t | " + "d" * 2001)
@example("| | |")
@example("区财政局|2026-12-31|标题|详情|更多")
def test_parse_assign_gives_a_complete_request_or_a_domain_error(text):
    try:
        request = tasks.parse_assign(text, now=NOW, tz=TZ)
    except DomainError:
        return
    assert request.targets and all(t and t == t.strip() for t in request.targets)
    assert request.title and request.title == request.title.strip() and len(request.title) <= tasks.TITLE_MAX
    assert request.details is None or (request.details and len(request.details) <= tasks.DETAILS_MAX)
    assert request.due > NOW


@PARSERS
@given(st.lists(st.text(alphabet="区财政局科技委工作专班ab", min_size=1, max_size=6), min_size=1, max_size=4, unique=True),
       MINUTES.filter(lambda m: m > NOW), st.text(alphabet="报送材料标题Title ", min_size=1, max_size=40),
       st.one_of(st.none(), st.text(alphabet="附件说明 details", min_size=1, max_size=60)))
def test_parse_assign_round_trips(targets, due, title, details):
    assume(title.strip() and (details is None or details.strip()))
    parts = ["，".join(targets), f"{due:%Y-%m-%d %H:%M}", title] + ([details] if details else [])
    request = tasks.parse_assign(" | ".join(parts), now=NOW, tz=TZ)
    assert request.targets == tuple(targets) and request.due == due
    assert request.title == title.strip() and request.details == (details.strip() if details else None)


@PARSERS
@given(st.one_of(TYPED, st.tuples(MINUTES.map("{:%Y-%m-%d %H:%M}".format), TYPED).map(" ".join)))
@example("2026-12-31")
@example("2026-12-31 10:00")
@example("2026-12-31 理由" + "长" * 600)
@example("")
def test_parse_extension_gives_a_future_time_and_a_reason_or_a_domain_error(text):
    try:
        due, reason = tasks.parse_extension(text, now=NOW, tz=TZ)
    except DomainError:
        return
    assert due > NOW and reason and reason == reason.strip() and len(reason) <= 500


@PARSERS
@given(st.sampled_from(["progress", "done", "task", "close", "extend"]), WORDS, st.booleans())
@example("task", ["#12"], False)
@example("close", ["＃7"], False)
@example("done", ["2147483648"], False)
@example("progress", ["0", "x"], True)
@example("task", ["١٢"], False)
@example("task", ["12.0"], False)
def test_parse_numbered_gives_a_task_number_or_the_usage_line(command, args, text_required):
    try:
        number, body = tasks.parse_numbered(args, command, text_required=text_required)
    except UsageError as error:
        assert error.command == command
        return
    assert isinstance(number, int) and 0 < number < 2**31
    assert body is None or (body and body == body.strip())
    assert body is not None or not text_required


@PARSERS
@given(st.integers(min_value=1, max_value=2**31 - 1), st.sampled_from(["", "#", "＃"]), st.lists(TYPED, max_size=3))
def test_parse_numbered_round_trips(number, mark, words):
    args = [f"{mark}{number}", *words]
    parsed, body = tasks.parse_numbered(args, "progress", text_required=False)
    assert parsed == number and body == (" ".join(words).strip() or None)


# ---------------------------------------------------------------- bot.rules.callbacks


@PARSERS
@given(st.one_of(st.none(), TYPED, st.from_regex(r"\A[a-z]{1,3}:[a-z]{1,8}:\d{1,14}\Z"),
                 st.tuples(st.sampled_from(sorted(callbacks.KINDS)), st.text(max_size=10), st.text(max_size=14))
                 .map(":".join)))
@example("t:ack:1")
@example("t:ack:0001")
@example("a:ok")
@example("x" * 65)
@example("t:ack:1\n")
def test_decode_gives_a_known_button_or_none(data):
    cb = callbacks.decode(data)
    if cb is None:
        return
    assert cb.kind in callbacks.KINDS and cb.action in callbacks.KINDS[cb.kind]
    assert isinstance(cb.ref, int) and 0 < cb.ref <= callbacks.MAX_REF
    assert len(cb.encode().encode()) <= 64
    assert callbacks.decode(cb.encode()) == cb  # the canonical form decodes to the same button


@PARSERS
@given(st.sampled_from([(k, a) for k, actions in callbacks.KINDS.items() for a in sorted(actions)]),
       st.integers(min_value=1, max_value=callbacks.MAX_REF))
def test_every_button_the_bot_can_make_round_trips(kind_action, ref):
    cb = Callback(*kind_action, ref)
    assert len(cb.encode().encode()) <= 64
    assert callbacks.decode(cb.encode()) == cb


# ---------------------------------------------------------------- bot.rules.names


NAME = st.one_of(TYPED, st.text(alphabet="区（）()财政局 　科技\u3000ｱｲＡＢ\t", max_size=12))


@PARSERS
@given(NAME)
@example("区（测试）局")
@example(" 区\u3000财政局 ")
@example("a\u00b4")
def test_normalize_name_is_trimmed_collapsed_and_idempotent(name):
    once = names.normalize_name(name)
    assert once == once.strip() and "  " not in once
    assert not any(c.isspace() and c != " " for c in once)
    assert names.normalize_name(once) == once


@PARSERS
@given(NAME, st.lists(NAME, max_size=8))
@example("财政局", ["区财政局", "区科技局"])
@example("局", ["区财政局", "区科技局"])
@example("区(测试)局", ["区（测试）局"])
def test_find_name_finds_a_known_name_or_lists_candidates(query, pool):
    match = names.find_name(query, pool)
    wanted = names.normalize_name(query)
    if match.found is not None:
        assert match.found in pool and wanted in names.normalize_name(match.found)
        assert match.candidates == ()
    else:
        assert all(c in pool and wanted in names.normalize_name(c) for c in match.candidates)
        assert len(match.candidates) != 1
    if wanted and any(names.normalize_name(n) == wanted for n in pool):
        assert match.found is not None and names.normalize_name(match.found) == wanted  # exact beats partial


# ---------------------------------------------------------------- bot.rules.org

SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10, 100), st.floats(allow_nan=False), TYPED,
                   st.sampled_from(["区财政局", "区科技局", "18:00", "previous_workday", "none", "25"]))
YAMLISH = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.one_of(TYPED, st.integers(0, 3)), inner,
                                                                       max_size=4)), max_leaves=20)
ORG_KEYS = st.sampled_from(["office", "departments", "working_groups", "reporting", "name", "lead", "members",
                            "quarterly_day", "deadline_time", "shift", "reminders_days_before", "extra"])
GROUP = st.dictionaries(st.sampled_from(["name", "lead", "members", "note"]),
                        st.one_of(SCALAR, st.lists(SCALAR, max_size=3)), max_size=4)
REPORTING = st.dictionaries(st.sampled_from(["quarterly_day", "deadline_time", "shift", "reminders_days_before", "x"]),
                            st.one_of(SCALAR, st.lists(st.integers(-3, 70), max_size=4)), max_size=4)
# Top-level keys are text here (mixed-type keys: see the test at the end).
ORG_FILE = st.one_of(
    YAMLISH.filter(lambda v: not isinstance(v, dict) or all(isinstance(k, str) for k in v)),
    st.fixed_dictionaries({}, optional={
        "office": SCALAR, "departments": st.one_of(SCALAR, st.lists(SCALAR, max_size=5)),
        "working_groups": st.one_of(SCALAR, st.lists(st.one_of(GROUP, SCALAR), max_size=3)),
        "reporting": st.one_of(SCALAR, REPORTING), "extra": YAMLISH,
    }),
    st.dictionaries(ORG_KEYS, YAMLISH, max_size=5),
)


@PARSERS
@given(ORG_FILE)
@example({"departments": ["甲", "甲", " 甲 "], "working_groups": [{"name": "组", "lead": "甲", "members": ["甲"]}]})
@example({"departments": [True, 1, 1.5, None, ""]})
@example({"reporting": {"quarterly_day": True}})
@example({"working_groups": [{"name": "组", "lead": []}, {"name": "组", "lead": ["甲"]}]})
@example([])
@example({"office": {"a": 1}, "departments": "区财政局"})
def test_parse_org_gives_a_valid_spec_or_lists_the_problems(raw):
    try:
        spec = parse_org(raw)
    except OrgFileError as error:
        assert error.problems and all(isinstance(p, str) and p for p in error.problems)
        return
    assert isinstance(spec, OrgSpec)
    assert all(d and d == names.normalize_name(d) for d in spec.departments)
    assert len(set(spec.departments)) == len(spec.departments)
    assert len({g.name for g in spec.working_groups}) == len(spec.working_groups)
    for group in spec.working_groups:
        assert group.name and group.lead and not set(group.lead) & set(group.members)
    rule = spec.reporting
    assert 1 <= rule.quarterly_day <= 28 and rule.shift in ("previous_workday", "none")
    assert all(0 <= d <= 60 for d in rule.reminders_days_before)
    assert list(rule.reminders_days_before) == sorted(set(rule.reminders_days_before), reverse=True)


@PARSERS
@given(st.lists(st.text(alphabet="区财政局科技委（）() 　", min_size=1, max_size=8), min_size=1, max_size=6))
def test_parse_org_round_trips_department_names(raw_names):
    assume(all(names.normalize_name(n) for n in raw_names))
    spec = parse_org({"departments": raw_names})
    expected = list(dict.fromkeys(names.normalize_name(n) for n in raw_names))
    assert list(spec.departments) == expected


# ---------------------------------------------------------------- bot.rules.indicators (the /cycle argument only)


@PARSERS
@given(st.one_of(TYPED, st.lists(st.tuples(TYPED, st.sampled_from(["亿元", "个", "%", "万元", "人", "x", ""])),
                                 max_size=5).map(lambda items: ", ".join(f"{n} {u}" for n, u in items))))
@example("产值 亿元, 引进项目 个, 增长 %")
@example(", ".join(f"指标{i} 个" for i in range(31)))
@example("产值(亿元)")
def test_parse_expected_spec_gives_named_units_or_the_cycle_usage_line(spec):
    try:
        items = indicators.parse_expected_spec(spec)
    except UsageError as error:
        assert error.command == "cycle"
        return
    assert 1 <= len(items) <= indicators.MAX_EXPECTED
    assert all(name and unit and ":" not in name and name == names.normalize_name(name) for name, unit in items)


# ---------------------------------------------------------------- inputs that used to crash

OTHER_DIGITS = ["²", "①", "¹²", "⁹⁹"]  # str.isdigit() is True, int() refuses them


@pytest.mark.parametrize("raw", [*OTHER_DIGITS, "#³", "＃①"])
def test_task_numbers_in_other_digit_forms_get_the_usage_line(raw):
    with pytest.raises(UsageError):
        tasks.parse_numbered([raw, "文字"], "progress", text_required=True)


@pytest.mark.parametrize("raw", OTHER_DIGITS)
def test_audit_counts_in_other_digit_forms_get_the_usage_line(raw):
    with pytest.raises(UsageError):
        commands.parse_audit([raw])


@pytest.mark.parametrize("raw", [str(2**63), "99999999999999999999"])
def test_role_change_refuses_an_id_no_telegram_user_can_have(raw):
    with pytest.raises(UsageError):
        commands.parse_role_change("grant", [raw, "admin"])


def test_an_org_file_with_mixed_unknown_keys_is_reported_not_crashed():
    with pytest.raises(OrgFileError) as error:
        parse_org({"departments": ["区财政局"], 1: "x", "foo": "y"})
    assert "1" in str(error.value) and "foo" in str(error.value)
