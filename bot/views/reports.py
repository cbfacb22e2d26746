"""How a report draft, a submission and a cycle's standing read in chat."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.rules.callbacks import Callback
from bot.rules.digest import IndicatorSummary
from bot.rules.indicators import (Change, Indicator, convert, figure_text, number_text, shown, shown_unit,
                                  units_compatible)
from bot.texts import cycle_name, fmt_time, t
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
    if status.summaries:
        lines.append(t(lang, "summary.header"))
        lines += [summary_line(i, lang) for i in status.summaries]
    return "\n".join(lines)
