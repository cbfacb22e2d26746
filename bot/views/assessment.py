"""The annual assessment as Telegram HTML: a heading, the weights, then one compact line per unit in
rank order (every line self-contained, so splitting at Telegram's limit never breaks a tag)."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.rules.assessment import Assessment, Standing, year_bounds
from bot.rules.chunks import split_text
from bot.texts import Raw, period_name, t


def score_text(score: Decimal | None) -> str:
    return "—" if score is None else f"{score:.1f}"


def ack_text(hours: float | None, lang: str) -> str:
    if hours is None:
        return t(lang, "assessment.ack_none")
    return t(lang, "assessment.ack_hours", hours=f"{hours:.1f}")


def line(s: Standing, lang: str, *, targets: bool) -> str:
    if s.score is None:
        return t(lang, "assessment.unscored", name=s.unit.name)
    c = s.counts
    extra = ""
    if targets:
        extra = (t(lang, "assessment.line_targets", met=c.targets_met, total=c.targets_total) if c.targets_total
                 else t(lang, "assessment.line_no_targets"))
    return t(lang, "assessment.line", rank=s.rank, name=s.unit.name, score=score_text(s.score), due=c.due,
             on_time=c.on_time, late=c.late, overdue=c.overdue, ack=ack_text(c.ack_hours, lang),
             expected=c.reports_expected, r_on=c.reports_on_time, r_late=c.reports_late, missing=c.reports_missing,
             supplied=c.indicators_supplied, asked=c.indicators_asked, targets=Raw(extra))


def _day(a: Assessment, tz: ZoneInfo, lang: str) -> str:
    local = a.as_of.astimezone(tz).date()
    return f"{local.year}年{local.month}月{local.day}日" if lang != "en" else local.isoformat()


def render(a: Assessment, lang: str, tz: ZoneInfo) -> str:
    full = a.as_of >= year_bounds(a.year, tz)[1]
    span = t(lang, "assessment.span_full") if full else t(lang, "assessment.span_so_far", day=_day(a, tz, lang))
    w = a.weights
    lines = [t(lang, "assessment.title", year=a.year, span=span),
             t(lang, "assessment.weights", tasks=w.tasks_on_time, reports=w.reports_on_time,
               indicators=w.indicators_complete, targets=w.targets_met)]
    if not a.targets_known:
        lines.append(t(lang, "assessment.no_targets"))
    names = ("、" if lang != "en" else ", ").join(period_name(label, lang) for label in a.cycles)
    lines.append(t(lang, "assessment.cycles", names=names) if a.cycles else t(lang, "assessment.no_cycles"))
    lines.append("")
    if not a.standings:
        lines.append(t(lang, "assessment.empty"))
    lines += [line(s, lang, targets=a.targets_known) for s in a.standings]
    if a.standings:
        lines += ["", t(lang, "assessment.footer")]
    return "\n".join(lines)


def messages(a: Assessment, lang: str, tz: ZoneInfo) -> list[str]:
    return split_text(render(a, lang, tz))
