"""Typed department and working-group names: full name, alias, fragment, candidates and "did you
mean" suggestions (bot/rules/names.py)."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.rules.names import SUGGEST_MAX, find_name, normalize_name
from bot.rules.org import parse_org

EXAMPLE = Path(__file__).parents[2] / "examples" / "org.yaml"
SPEC = parse_org(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
NAMES = [*SPEC.departments, *(g.name for g in SPEC.working_groups)]
ALIASES = dict(SPEC.aliases)


def lookup(query: str):  # type: ignore[no-untyped-def]
    return find_name(query, NAMES, ALIASES)


def test_full_name_alias_and_unique_fragment_are_found():
    assert lookup("区财政局").found == "区财政局"
    assert lookup("经信委").found == "区经济信息委"
    assert lookup("区经信委").found == "区经济信息委"
    assert lookup("发改委").found == "区发展改革委"
    assert lookup("财政局").found == "区财政局"  # a fragment only one name contains
    assert lookup("要素保障").found == "要素保障工作专班"
    assert lookup("人社").found == "区人力社保局"  # a fragment of an alias
    assert lookup(" 经信委 ").found == "区经济信息委"  # normalised like the names


def test_a_typo_gets_the_name_it_resembles_suggested():
    match = lookup("区财正局")
    assert match.found is None and match.candidates == ()
    assert match.suggestions[0] == "区财政局"
    assert lookup("区水务局").suggestions[0] == "区水利局"
    assert lookup("产业发展专班").suggestions[0] == "产业发展工作专班"
    # a typo in an alias suggests the department, not the alias
    assert lookup("经信为").suggestions[0] == "区经济信息委"


def test_a_typo_without_the_level_prefix_is_still_suggested():
    # people drop the 区 when they type fast: 财正局 for 区财政局
    assert lookup("财正局").suggestions[0] == "区财政局"
    assert lookup("水务局").suggestions[0] == "区水利局"


def test_nonsense_gets_no_suggestion():
    for query in ("你好", "abc", "区测试局", "今天天气很好", "123", "局局局", "区公安局"):
        match = lookup(query)
        assert match == type(match)(None), (query, match)


def test_an_ambiguous_fragment_lists_its_candidates_not_suggestions():
    match = lookup("专班")
    assert match.found is None and len(match.candidates) == 7 and match.suggestions == ()
    # a fragment of a department and of a working group
    assert set(lookup("招商").candidates) >= {"区招商投资局", "招商引资工作专班"}


def test_a_name_and_its_alias_containing_the_fragment_count_once():
    match = find_name("经信", ["区经济信息委", "区财政局"], {"经信委": "区经济信息委", "区经信委": "区经济信息委"})
    assert match.found == "区经济信息委"


def test_suggestions_are_ranked_and_at_most_three():
    pool = ["区水利局", "区财政一局", "区财政二局", "区财政三局", "区财政局"]
    match = find_name("区财政分局", pool)
    # four similar names: the most similar first, equals in the caller's order, three at most
    assert match.found is None and match.suggestions == ("区财政局", "区财政一局", "区财政二局")


def test_without_aliases_lookup_is_as_before():
    names = ["区财政局", "区金融办", "区经济信息委", "区科技局"]
    assert find_name("财政", names).found == "区财政局"
    assert set(find_name("局", names).candidates) == {"区财政局", "区科技局"}
    assert find_name("   ", names) == find_name("", names)
    assert find_name("   ", names).found is None and find_name("   ", names).suggestions == ()


# ---------------------------------------------------------------- properties

PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
_CHARS = "区县市局委办室中心管理会财政科技经济信息发展改革商务交通水利工作专班（）() 　ＡＢab1１-"
NAME = st.text(alphabet=_CHARS, min_size=1, max_size=10).filter(lambda n: normalize_name(n) != "")
QUERY = st.one_of(NAME, st.text(max_size=20))


@st.composite
def directories(draw):  # type: ignore[no-untyped-def]
    """Known names and aliases as the org file allows them: no two spellings the same."""
    spellings = draw(st.lists(NAME, min_size=1, max_size=12, unique_by=normalize_name))
    split = draw(st.integers(1, len(spellings)))
    names, alias_words = spellings[:split], spellings[split:]
    aliases = {alias: draw(st.sampled_from(names)) for alias in alias_words}
    return names, aliases


@PROPS
@given(directories())
@example((["区财政局", "区财政局机关"], {"财政": "区财政局机关"}))
@example((["区（测试）局", "区经济信息委"], {"经信委": "区经济信息委"}))
def test_every_known_name_and_alias_is_found_exactly(directory):
    names, aliases = directory
    for name in names:
        assert find_name(name, names, aliases).found == name
    for alias, name in aliases.items():
        match = find_name(alias, names, aliases)
        assert match.found == name, (alias, match)
        assert find_name(f" {alias}　", names, aliases).found == name  # spaces, full-width spaces


@PROPS
@given(QUERY, directories())
@example("区财正局", (["区财政局", "区财务局", "区财政所", "区财经局"], {}))
def test_a_lookup_finds_or_lists_or_suggests_at_most_three_known_names(query, directory):
    names, aliases = directory
    match = find_name(query, names, aliases)
    assert len(match.suggestions) <= SUGGEST_MAX
    assert len(set(match.suggestions)) == len(match.suggestions)
    assert set(match.suggestions) | set(match.candidates) | {match.found} - {None} <= set(names)
    if match.found is not None:
        assert match.candidates == () and match.suggestions == ()
    if match.candidates:
        assert len(match.candidates) >= 2 and match.suggestions == ()
