"""How a report draft, a submission and a cycle's standing read in chat."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.rules.callbacks import Callback
from bot.rules.digest import IndicatorSummary, UnitStanding
from bot.rules.rollup import Compiled
from bot.rules.indicators import (Change, Indicator, convert, figure_text, number_text, shown, shown_unit,
                                  units_compatible)
from bot.texts import CATALOG, cycle_name, fmt_time, t
from bot.views.tasks import Keyboard, button


def number(value: Decimal) -> str:
    """49.60 → 49.6; 496000 → 496000 (no separators, as official documents write figures)."""
    return number_text(value)


def _raw(item: Indicator, unit: str, lang: str) -> str:
    """The line as written, when the figure is shown in a unit the liaison did not write."""
    return "" if unit in item.raw else t(lang, "report.raw", raw=item.raw.strip())


def indicator_line(item: Indicator, lang: str, expected: list[tuple[str, str]] | None = None) -> str:
    unit = shown_unit(item, expected or [])
    return t(lang, "report.indicator", name=item.name, value=shown(item, expected or []), raw=_raw(item, unit, lang))


def change_lines(changes: list[Change], lang: str, expected: list[tuple[str, str]], *, versioned: bool) -> list[str]:
    """The preview's indicators against the previous version: `产值：10.5亿元 → 11.2亿元`, new ones
    marked 新增, then those the new version no longer has."""
    lines: list[str] = []
    dropped: list[str] = []
    for c in changes:
        if c.after is None:
            assert c.before is not None
            dropped.append(f"{c.name} {shown(c.before, expected)}")
            continue
        unit = shown_unit(c.after, expected)
        raw = _raw(c.after, unit, lang)
        if c.before is None:
            key = "report.indicator_new" if versioned else "report.indicator"
            lines.append(t(lang, key, name=c.name, value=shown(c.after, expected), raw=raw))
        elif c.changed:
            before = figure_text(convert(c.before.value, c.before.unit, unit), unit) \
                if units_compatible(c.before.unit, unit) else shown(c.before, expected)
            lines.append(t(lang, "report.indicator_changed", name=c.name, before=before,
                           after=shown(c.after, expected), raw=raw))
        else:
            lines.append(t(lang, "report.indicator", name=c.name, value=shown(c.after, expected), raw=raw))
    if dropped:
        lines.append(t(lang, "report.indicators_dropped", items="、".join(dropped)))
    return lines


def summary_line(summary: IndicatorSummary, lang: str) -> str:
    """One indicator across departments: its total (`产值：15亿元（2个部门合计）`), or for a rate its
    range and each department's figure — never a sum."""
    if summary.count == 1:
        department, value = summary.values[0]
        return t(lang, "summary.one_row", name=summary.name, value=figure_text(value, summary.unit),
                 department=department)
    if summary.total is not None:
        return t(lang, "summary.total_row", name=summary.name, value=figure_text(summary.total, summary.unit),
                 count=summary.count)
    return t(lang, "summary.range_row", name=summary.name, low=figure_text(summary.low, summary.unit),
             high=figure_text(summary.high, summary.unit), count=summary.count,
             items="、".join(t(lang, "summary.item", department=d, value=figure_text(v, summary.unit))
                            for d, v in summary.values))


def items(pairs: list[tuple[str, str]]) -> str:
    return "、".join(f"{name}（{unit}）" for name, unit in pairs)


def draft(view, lang: str, tz: ZoneInfo) -> tuple[str, Keyboard]:  # type: ignore[no-untyped-def]
    """The preview a liaison confirms: what was captured, what the office still expects."""
    lines = [t(lang, "report.draft", label=cycle_name(view.label, lang), version=view.version,
               due=fmt_time(view.deadline, tz))]
    if view.late:
        lines.append(t(lang, "report.draft_late"))
    if view.base_version:
        lines.append(t(lang, "report.copied_from", version=view.base_version))
    if view.parsed.indicators or view.changes:
        lines.append(t(lang, "report.captured"))
        lines += change_lines(view.changes, lang, view.expected, versioned=view.base_version > 0)
    else:
        lines.append(t(lang, "report.no_indicators"))
    lines += [t(lang, "report.repeated", name=name, count=count) for name, count in view.parsed.repeated.items()]
    other = [line for line in view.parsed.remaining_lines if line.strip()]
    lines.append(t(lang, "report.text_lines", count=len(other), files=view.files))
    if view.missing:
        lines.append(t(lang, "report.missing", items=items(view.missing)))
    lines.append(t(lang, "report.confirm_hint"))
    keyboard = {"inline_keyboard": [[button(t(lang, "btn.submit"), Callback("r", "ok", view.draft_id)),
                                     button(t(lang, "btn.discard"), Callback("r", "no", view.draft_id))]]}
    return "\n".join(lines), keyboard


def cycle_status(status, lang: str, tz: ZoneInfo) -> str:  # type: ignore[no-untyped-def]
    sep = "、"
    lines = [t(lang, "cycle.status", label=cycle_name(status.label, lang), due=fmt_time(status.deadline, tz),
               submitted=len(status.submitted), total=status.total)]
    lines.append(t(lang, "cycle.missing", names=sep.join(status.missing)) if status.missing else t(lang, "cycle.all_in"))
    if status.late:
        lines.append(t(lang, "cycle.late", names=sep.join(status.late)))
    if status.expected:
        lines.append(t(lang, "cycle.expected", items=items(status.expected)))
    lines += unit_lines(status.units, lang)
    if status.summaries:
        lines.append(t(lang, "summary.header"))
        lines += [summary_line(i, lang) for i in status.summaries]
    return "\n".join(lines)


def unit_line(unit: UnitStanding, lang: str) -> str:
    """`• 永川区 ✅ 已报送（区内 18/24）`: the unit's own report upward, and its office's inside."""
    state = t(lang, "rollup.reported_late" if unit.late else "rollup.reported") if unit.reported \
        else t(lang, "rollup.not_reported")
    inside = t(lang, "rollup.inside", submitted=unit.inside[0], total=unit.inside[1]) if unit.inside else ""
    return t(lang, "rollup.row", name=unit.name, state=state, inside=inside)


def unit_lines(units: list[UnitStanding], lang: str) -> list[str]:
    """The offices below, one line each (nothing when the office has none)."""
    return [t(lang, "rollup.header")] + [unit_line(u, lang) for u in units] if units else []


def _plain(lang: str, key: str, **params: object) -> str:
    """A catalog text with its parameters as they are: the compiled draft is plain text (it is
    escaped where it is shown, like any report text)."""
    zh, en = CATALOG[key]
    return (en if lang == "en" else zh).format(**params)


def _rate_line(summary: IndicatorSummary, lang: str) -> str:
    if summary.count == 1:
        department, value = summary.values[0]
        return _plain(lang, "rollup.rate_one", name=summary.name, value=figure_text(value, summary.unit),
                      department=department)
    return _plain(lang, "rollup.rate_range", name=summary.name, low=figure_text(summary.low, summary.unit),
                  high=figure_text(summary.high, summary.unit), count=summary.count)


def compiled_text(compiled: Compiled, lang: str, *, office: str, label: str) -> str:
    """The upward report's draft: a title, each working group's departments with their texts and
    figures, the indicator totals (only the additive totals are indicator lines: a rate's line is
    written so that it is not read as one), and who has not reported."""
    sep = "、" if lang != "en" else ", "
    lines = [_plain(lang, "rollup.title", office=office, label=cycle_name(label, lang),
                    submitted=compiled.submitted, total=compiled.total)]
    for section in compiled.sections:
        lines += ["", _plain(lang, "rollup.group", name=section.group) if section.group
                  else _plain(lang, "rollup.no_group")]
        for entry in section.entries:
            lines.append(_plain(lang, "rollup.department", department=entry.department))
            lines += entry.lines
            if entry.figures:
                lines.append(_plain(lang, "rollup.figures", items=sep.join(
                    f"{name}{figure_text(value, unit)}" for name, value, unit in entry.figures)))
            if not entry.lines and not entry.figures:
                lines.append(_plain(lang, "rollup.no_text"))
    if compiled.totals:
        lines += ["", _plain(lang, "rollup.totals")]
        lines += [_plain(lang, "rollup.total_line", name=i.name, value=figure_text(i.total, i.unit))
                  if i.total is not None else _rate_line(i, lang) for i in compiled.totals]
    lines.append("")
    if compiled.missing:
        lines.append(_plain(lang, "rollup.missing", count=len(compiled.missing), names=sep.join(compiled.missing)))
    elif compiled.submitted:
        lines.append(_plain(lang, "rollup.all_in"))
    if not compiled.submitted:
        lines.append(_plain(lang, "rollup.nothing"))
    return "\n".join(lines)
