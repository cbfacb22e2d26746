"""A child office's upward report compiled from its own departments' reports (`/report 汇总`).

The unit's liaison in the parent office (a district's 经信 department, say) starts their quarterly
report from what the district's departments submitted in the district's cycle of the same quarter:
their texts grouped by working group (a department in several groups once, under its home group:
the first it leads, else the first it is a member of), the indicator totals by the one rule of
`bot.rules.digest.summarize` (rates never added up), and who has not reported yet. The result is
plain data; `bot.views.reports.compiled_text` writes it as the draft's text, in which only the
additive totals are indicator lines, so the draft's indicators are exactly the totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bot.rules.digest import Figure, GroupStanding, IndicatorSummary, home_groups, summarize
from bot.rules.indicators import parse_indicators

ELLIPSIS = "…"
MIN_PER_DEPARTMENT = 120  # characters of a department's text kept at least, however many there are


@dataclass(frozen=True)
class Entry:
    department: str
    lines: list[str]  # the report's text lines that are not indicator lines, verbatim (cut to the budget)
    figures: list[tuple[str, Decimal, str]] = field(default_factory=list)  # (name, value, unit) as the totals show them


@dataclass(frozen=True)
class Section:
    group: str | None  # None: departments in no working group
    entries: list[Entry]


@dataclass(frozen=True)
class Compiled:
    sections: list[Section]
    totals: list[IndicatorSummary]
    missing: list[str]
    submitted: int
    total: int


def _text_lines(text: str) -> list[str]:
    """The lines that are not indicator lines, blank ones left out."""
    return [line.rstrip() for line in parse_indicators(text).remaining_lines if line.strip()]


def _cut(lines: list[str], limit: int) -> list[str]:
    """At most `limit` characters of the lines, the last one cut with … when it does not fit."""
    kept, used = [], 0
    for line in lines:
        if used + len(line) > limit:
            room = limit - used
            piece = line[:room] + ELLIPSIS
            if room > 0 and not parse_indicators(piece).indicators:  # a cut line stays text
                kept.append(piece)
            elif kept:
                kept[-1] = kept[-1] + ELLIPSIS
            break
        kept.append(line)
        used += len(line)
    return kept


def compile_reports(members: list[str], groups: list[GroupStanding], texts: dict[str, str], figures: list[Figure],
                    expected: list[tuple[str, str]] | tuple[()] = (), *, budget: int = 16_000) -> Compiled:
    """`members`: the child office's member units in its cycle, in order; `groups`: its working
    groups (leads and members by name); `texts`: the latest submitted text of each department that
    reported; `figures`: their indicator figures; `expected`: the units the offices ask for. Texts
    share `budget` characters evenly (each keeps at least MIN_PER_DEPARTMENT)."""
    reported = [m for m in members if m in texts]
    totals = summarize(figures, expected)
    given: dict[str, list[tuple[str, Decimal, str]]] = {}
    for summary in totals:
        for department, value in summary.values:
            given.setdefault(department, []).append((summary.name, value, summary.unit))
    limit = max(MIN_PER_DEPARTMENT, budget // max(len(reported), 1))
    entries = {m: Entry(m, _cut(_text_lines(texts[m]), limit), given.get(m, [])) for m in reported}
    home = home_groups(groups)
    sections: list[Section] = []
    for g in groups:
        mine = [entries[d] for d in dict.fromkeys([*g.leads, *g.members]) if d in entries and home.get(d) == g.name]
        if mine:
            sections.append(Section(g.name, mine))
    loose = [entries[m] for m in reported if m not in home]
    if loose:
        sections.append(Section(None, loose))
    return Compiled(sections, totals, [m for m in members if m not in texts], len(reported), len(members))


__all__ = ["Compiled", "Entry", "Section", "compile_reports"]
