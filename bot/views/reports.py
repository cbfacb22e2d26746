"""How a report draft, a submission and a cycle's standing read in chat."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.rules.callbacks import Callback
from bot.rules.indicators import Indicator
from bot.texts import fmt_time, t
from bot.views.tasks import Keyboard, button


def number(value: Decimal) -> str:
    """49.60 → 49.6; 496000 → 496,000."""
    text = format(value.normalize(), "f")
    whole, _, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-') or 0):,}"
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def indicator_line(item: Indicator, lang: str) -> str:
    raw = "" if item.unit in item.raw else t(lang, "report.raw", raw=item.raw.strip())
    return t(lang, "report.indicator", name=item.name, value=number(item.value), unit=item.unit, raw=raw)


def items(pairs: list[tuple[str, str]]) -> str:
    return "、".join(f"{name}（{unit}）" for name, unit in pairs)


def draft(view, lang: str, tz: ZoneInfo) -> tuple[str, Keyboard]:  # type: ignore[no-untyped-def]
    """The preview a liaison confirms: what was captured, what the office still expects."""
    lines = [t(lang, "report.draft", label=view.label, version=view.version, due=fmt_time(view.deadline, tz))]
    if view.late:
        lines.append(t(lang, "report.draft_late"))
    if view.parsed.indicators:
        lines.append(t(lang, "report.captured"))
        lines += [indicator_line(i, lang) for i in view.parsed.indicators]
    else:
        lines.append(t(lang, "report.no_indicators"))
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
    lines = [t(lang, "cycle.status", label=status.label, due=fmt_time(status.deadline, tz),
               submitted=len(status.submitted), total=status.total)]
    lines.append(t(lang, "cycle.missing", names=sep.join(status.missing)) if status.missing else t(lang, "cycle.all_in"))
    if status.late:
        lines.append(t(lang, "cycle.late", names=sep.join(status.late)))
    if status.expected:
        lines.append(t(lang, "cycle.expected", items=items(status.expected)))
    return "\n".join(lines)
