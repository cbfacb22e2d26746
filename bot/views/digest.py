"""The digest as Telegram HTML: every line is self-contained, so splitting at 4096 characters on
line boundaries never breaks a tag. Names and progress text are escaped by the catalog."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.rules.chunks import split_text
from bot.rules.digest import Change, Digest, IndicatorSummary
from bot.rules.indicators import convert, figure_text
from bot.texts import Raw, fmt_date, fmt_time, t
from bot.views.reports import number, summary_line
from bot.views.tasks import role_name

SEP = "、"


def _reporting(d: Digest, lang: str, tz: ZoneInfo) -> list[str]:
    if d.cycle_label is None or d.cycle_deadline is None:
        return [t(lang, "digest.no_cycle")]
    lines = [t(lang, "digest.reporting", label=d.cycle_label, submitted=d.submitted, total=d.total,
               due=fmt_time(d.cycle_deadline, tz))]
    if d.missing:
        lines.append(t(lang, "digest.missing", count=len(d.missing), names=SEP.join(d.missing)))
    if d.late:
        lines.append(t(lang, "digest.late", count=len(d.late), names=SEP.join(d.late)))
    return lines


def _tasks(d: Digest, lang: str) -> list[str]:
    lines = [t(lang, "digest.tasks", opened=d.tasks_opened, finished=d.tasks_finished, overdue=len(d.overdue))]
    lines += [t(lang, "digest.overdue_row", id=o.task_id, title=o.title, department=o.department,
                role=role_name(lang, o.is_lead), days=o.days) for o in d.overdue]
    return lines


def _groups(d: Digest, lang: str) -> list[str]:
    if not d.groups:
        return []
    return [t(lang, "digest.groups")] + [
        t(lang, "digest.group_row", name=g.name, leads=SEP.join(g.leads), reported=g.reported,
          size=len(g.leads) + len(g.members), overdue=g.overdue) for g in d.groups]


def _departments(d: Digest, lang: str, tz: ZoneInfo) -> list[str]:
    lines = [t(lang, "digest.progress")]
    for s in d.departments:
        report = t(lang, "digest.reported_late" if s.late else "digest.reported") if s.reported else t(lang, "digest.not_reported")
        latest = f"{fmt_date(s.latest_at, tz)} {s.latest_progress}" if s.latest_at and s.latest_progress else t(lang, "digest.no_progress")
        overdue = t(lang, "digest.dept_overdue", count=s.tasks_overdue) if s.tasks_overdue else ""
        lines.append(t(lang, "digest.dept_row", department=s.department, report=report, done=s.tasks_done,
                       all=s.tasks_done + s.tasks_open, overdue=overdue, latest=latest))
    return lines


def _figures(d: Digest, lang: str, summaries: list[IndicatorSummary]) -> list[str]:
    if not summaries:
        return [t(lang, "digest.totals"), t(lang, "digest.no_figures")]
    per_dept: dict[str, list[str]] = defaultdict(list)
    for summary in summaries:
        for dept, value in summary.values:
            per_dept[dept].append(f"{summary.name} {figure_text(value, summary.unit)}")
    lines = [t(lang, "digest.totals")]
    lines += [summary_line(summary, lang) for summary in summaries]
    lines.append(t(lang, "digest.figures"))
    lines += [t(lang, "digest.figure_row", department=dept, items="；".join(items)) for dept, items in per_dept.items()]
    return lines


def _change(c: Change, lang: str, summaries: list[IndicatorSummary]) -> str:
    if c.key.startswith("total:"):
        name, _, unit = c.key.removeprefix("total:").partition("|")
        shown = next((s.unit for s in summaries if s.name == name and s.base_unit == unit), unit)
        return t(lang, "digest.change.total", name=name, before=figure_text(convert(c.before, unit, shown), shown),
                 after=figure_text(convert(c.after, unit, shown), shown))
    return t(lang, f"digest.change.{c.key}", before=number(c.before), after=number(c.after))


def render(d: Digest, lang: str, tz: ZoneInfo, *, mark: str | None = None) -> str:
    """The whole digest as one HTML text (see `messages` for Telegram-sized pieces)."""
    p = d.period
    lines = [t(lang, "digest.title", title=t(lang, f"digest.kind.{p.kind}"), label=p.label,
               start=fmt_date(p.start, tz), end=fmt_date(p.end - timedelta(seconds=1), tz)),
             t(lang, "digest.generated", at=fmt_time(d.generated_at, tz)), ""]
    lines += _reporting(d, lang, tz) + [""] + _tasks(d, lang) + [""]
    groups = _groups(d, lang)
    lines += groups + ([""] if groups else [])
    summaries = d.summaries()
    lines += _departments(d, lang, tz) + [""] + _figures(d, lang, summaries)
    if d.changes:
        lines += ["", t(lang, "digest.changes")] + [_change(c, lang, summaries) for c in d.changes]
    if d.narrative:
        lines += ["", t(lang, "digest.narrative", mark=mark or "", text=Raw(html.escape(d.narrative, quote=False)))]
    return "\n".join(lines)


def messages(d: Digest, lang: str, tz: ZoneInfo, *, mark: str | None = None) -> list[str]:
    """Telegram-sized pieces, cut between lines; nothing is dropped."""
    return split_text(render(d, lang, tz, mark=mark))


_TAG = re.compile(r"</?(?:b|i|u|s|code|pre|a)(?:\s[^>]*)?>")


def plain(text: str) -> str:
    """Telegram HTML as plain text (for a terminal, or a callback answer)."""
    return html.unescape(_TAG.sub("", text))
