"""Targets as Telegram HTML, one line per target and per department, short enough for a phone:
`产值（亿元）：310.4/500，完成率 62.1%，✅ 进度达标`, then `• 区经济信息委：180.2/300，…`.

Used by `/targets` and by the digest's details (bot/views/digest.py)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.rules.indicators import number_text
from bot.rules.targets import Progress, TargetsReport, TargetStanding
from bot.texts import Raw, t


def _rate(p: Progress, lang: str) -> str:
    return f"{p.rate}%" if p.rate is not None else t(lang, "targets.no_rate")


def mark(p: Progress, standing: TargetStanding, lang: str, *, office: bool) -> str:
    """✅/⚠️: a rate met or not; an additive target reached, on pace or behind (the office's line
    says what the pace asks for)."""
    if not standing.additive:
        return t(lang, "targets.met" if p.on_pace else "targets.not_met")
    if p.on_pace:
        return t(lang, "targets.done" if p.rate is not None and p.rate >= 100 else "targets.on_pace")
    return t(lang, "targets.behind", share=standing.share) if office else t(lang, "targets.behind_short")


def _office_line(st: TargetStanding, lang: str) -> str:
    o, head = st.office, {"indicator": st.indicator, "unit": st.unit}
    if not st.additive:
        if st.low is None or st.high is None:
            return t(lang, "targets.office_none" if o.target is None else "targets.office_empty", **head,
                     target=number_text(o.target) if o.target is not None else "")
        low, high = number_text(st.low), number_text(st.high)
        if o.target is None:
            return t(lang, "targets.office_range_only", **head, low=low, high=high)
        return t(lang, "targets.office_range", **head, low=low, high=high, target=number_text(o.target),
                 mark=Raw(mark(o, st, lang, office=True)))
    if o.figure is None:
        return t(lang, "targets.office_none" if o.target is None else "targets.office_empty", **head,
                 target=number_text(o.target) if o.target is not None else "")
    if o.target is None:
        return t(lang, "targets.office_sum", **head, figure=number_text(o.figure))
    return t(lang, "targets.office", **head, figure=number_text(o.figure), target=number_text(o.target),
             rate=_rate(o, lang), mark=Raw(mark(o, st, lang, office=True)))


def standing_lines(st: TargetStanding, lang: str) -> list[str]:
    """The office's line, then one per department with a target of its own."""
    lines = [_office_line(st, lang)]
    for p in st.departments:
        target = number_text(p.target) if p.target is not None else ""
        if p.figure is None:
            lines.append(t(lang, "targets.dept_empty", department=p.name, target=target))
        else:
            lines.append(t(lang, "targets.dept", department=p.name, figure=number_text(p.figure), target=target,
                           rate=_rate(p, lang), mark=Raw(mark(p, st, lang, office=False))))
    return lines


def report_text(report: TargetsReport, lang: str) -> str:
    """`/targets [YEAR]`."""
    if not report.targets:
        return t(lang, "targets.none", year=report.year)
    lines = [t(lang, "targets.title", year=report.year, share=report.share)]
    for st in report.targets:
        lines += [""] + standing_lines(st, lang)
    return "\n".join(lines)


def digest_lines(found: Sequence[TargetStanding], lang: str) -> list[str]:
    """The digest's targets section (nothing when the office has no target for the year)."""
    if not found:
        return []
    lines = [t(lang, "targets.digest_title", year=found[0].year, share=found[0].share)]
    for st in found:
        lines += standing_lines(st, lang)
    return lines
