"""Splitting long replies at 4096 characters on line boundaries, losing nothing."""

from hypothesis import given
from hypothesis import strategies as st

from bot.rules.chunks import split_text


def test_short_text_is_one_piece():
    assert split_text("a\nb") == ["a\nb"]


def test_cuts_between_lines():
    lines = [f"line {i:04d}" for i in range(1000)]
    pieces = split_text("\n".join(lines), limit=100)
    assert all(len(p) <= 100 for p in pieces)
    assert "\n".join(pieces).split("\n") == lines


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=60), max_size=40),
       st.integers(min_value=1, max_value=80))
def test_nothing_is_lost_and_no_piece_is_too_long(lines, limit):
    text = "\n".join(lines)
    pieces = split_text(text, limit)
    assert all(len(p) <= limit for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
