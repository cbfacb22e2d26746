"""The digest as Telegram HTML: every line is self-contained, so splitting at 4096 characters on
line boundaries never breaks a tag. Names and progress text are escaped by the catalog."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from zoneinfo import ZoneInfo

from bot.rules.chunks import split_text
from bot.rules.digest import Change, DeptStanding, Digest, IndicatorSummary, MeetingStanding, OverdueItem
from bot.rules.indicators import convert, figure_text
from bot.texts import Raw, cycle_name, fmt_date, fmt_time, overdue_days, period_name, t
from bot.views.reports import number, summary_line, unit_lines
from bot.views.tasks import day_name, role_name
from bot.views.targets import digest_lines as target_lines

SEP = "、"


HEADLINE_LINES = 15  # the first message fits a phone screen
NAMES_SHOWN = 6  # names in the first message before `等N个`
TOP_OVERDUE = 3  # overdue items in the first message
LISTED_OVERDUE = 30  # in the messages after it; the workbook and /overdue have every one
MEETING_OVERDUE_SHOWN = 5  # overdue items named on a meeting's line; the workbook has every item


def names_text(names: list[str], lang: str, limit: int | None = None) -> str:
    """Names joined with 、; beyond `limit`, the first ones and `等N个` (N the whole count)."""
    if limit is None or len(names) <= limit:
        return SEP.join(names)
    return t(lang, "digest.names_more", names=SEP.join(names[:limit]), count=len(names))


def overdue_line(o: OverdueItem, lang: str) -> str:
    """`• #7 编制产业规划 — 区财政局（牵头）逾期 3 天` (never `逾期 0 天`)."""
    return t(lang, "digest.overdue_line", id=o.task_id, title=o.title, department=o.department,
             role=role_name(lang, o.is_lead), overdue=overdue_days(lang, o.days))


def _reporting(d: Digest, lang: str, tz: ZoneInfo, limit: int | None = None) -> list[str]:
    if d.cycle_label is None or d.cycle_deadline is None:
        return [t(lang, "digest.no_cycle")]
    lines = [t(lang, "digest.reporting", label=cycle_name(d.cycle_label, lang), submitted=d.submitted,
               total=d.total, due=fmt_time(d.cycle_deadline, tz))]
    if d.missing:
        lines.append(t(lang, "digest.missing", count=len(d.missing), names=names_text(d.missing, lang, limit)))
    if d.late:
        lines.append(t(lang, "digest.late", count=len(d.late), names=names_text(d.late, lang, limit)))
    return lines


def _tasks_headline(d: Digest, lang: str, top: int = TOP_OVERDUE) -> list[str]:
    lines = [t(lang, "digest.tasks", opened=d.tasks_opened, finished=d.tasks_finished, overdue=len(d.overdue))]
    if d.overdue:
        lines.append(t(lang, "digest.top_overdue"))
        lines += [overdue_line(o, lang) for o in d.overdue[:top]]
        if len(d.overdue) > top:
            lines.append(t(lang, "digest.more_overdue", count=len(d.overdue) - top))
    return lines


def _meetings_headline(d: Digest, lang: str) -> list[str]:
    """One line for the agreed items of the digest's meetings, when there are any."""
    if not d.meetings:
        return []
    return [t(lang, "digest.meetings.headline", done=sum(m.done for m in d.meetings),
              total=sum(m.total for m in d.meetings), overdue=sum(len(m.overdue) for m in d.meetings))]


def _top_overdue(d: Digest, lang: str, tz: ZoneInfo) -> int:
    """How many of the most overdue the headline names: TOP_OVERDUE, fewer when the agreed items'
    line would otherwise push it past HEADLINE_LINES (the rest follow in the details)."""
    top = TOP_OVERDUE
    while top > 0 and d.meetings and len(_headline(d, lang, tz, top)) > HEADLINE_LINES:
        top -= 1
    return top


def _title(d: Digest, lang: str) -> str:
    title = t(lang, "digest.title", title=t(lang, f"digest.kind.{d.period.kind}"), label=period_name(d.period.label, lang))
    return title + t(lang, "digest.office", office=d.office) if d.office else title


def headline(d: Digest, lang: str, tz: ZoneInfo) -> list[str]:
    """The first message, at most HEADLINE_LINES lines: the period, submitted/total and who is
    missing, the task counts and the most overdue, the agreed items' done/total when the period
    had meetings; the rest follows (`details`)."""
    return _headline(d, lang, tz, _top_overdue(d, lang, tz))


def _headline(d: Digest, lang: str, tz: ZoneInfo, top: int) -> list[str]:
    moment = d.period.until or d.generated_at
    when = t(lang, "digest.so_far", at=fmt_time(moment, tz)) if d.period.until else \
        t(lang, "digest.generated", at=fmt_time(moment, tz))
    lines = [_title(d, lang), when, ""]
    lines += _reporting(d, lang, tz, NAMES_SHOWN) + [""] + _tasks_headline(d, lang, top)
    lines += _meetings_headline(d, lang)
    unnotified = list(dict.fromkeys(o.department for o in d.unnotified))
    if unnotified:  # kept apart from the overdue: they were never told
        lines.append(t(lang, "escalate.unnotified", names=names_text(unnotified, lang, NAMES_SHOWN)))
    lines.append(t(lang, "digest.details_follow"))
    return lines


def _unlisted(items: list, lang: str) -> list[str]:  # type: ignore[type-arg]
    """A phone shows thirty lines of a list well, not a thousand: the rest are counted, and named
    by /overdue and in the /export workbook."""
    rest = len(items) - LISTED_OVERDUE
    return [t(lang, "digest.unlisted", count=rest)] if rest > 0 else []


def details(d: Digest, lang: str, tz: ZoneInfo, *, mark: str | None = None) -> list[str]:
    """Everything else, for the messages after the first: the full lists the headline shortened,
    working groups, every department, the figures, the changes and the narrative."""
    lines = [t(lang, "digest.details_title", title=t(lang, f"digest.kind.{d.period.kind}"),
               label=period_name(d.period.label, lang))]
    full = [t(lang, f"digest.{key}", count=len(names), names=names_text(names, lang))
            for key, names in (("missing", d.missing), ("late", d.late)) if len(names) > NAMES_SHOWN]
    if full:  # the names the headline shortened with 等N个
        lines += [""] + full
    if len(d.overdue) > _top_overdue(d, lang, tz):
        lines += ["", t(lang, "digest.overdue_all", count=len(d.overdue))]
        lines += [overdue_line(o, lang) for o in d.overdue[:LISTED_OVERDUE]] + _unlisted(d.overdue, lang)
    if d.unnotified:
        lines += ["", t(lang, "overdue.unnotified", count=len(d.unnotified))]
        lines += [t(lang, "overdue.unnotified_row", id=o.task_id, title=o.title, department=o.department,
                    role=role_name(lang, o.is_lead)) for o in d.unnotified[:LISTED_OVERDUE]]
        lines += _unlisted(d.unnotified, lang)
    if d.meetings:
        lines += [""] + meeting_lines(d.meetings, lang)
    if d.units:  # the offices below: each one's report upward and its own submitted/total
        lines += [""] + unit_lines(d.units, lang)
    groups = _groups(d, lang)
    if groups:
        lines += [""] + groups
    summaries = d.summaries()
    lines += [""] + _departments(d, lang, tz) + [""] + _figures(d, lang, summaries)
    if d.targets:  # the year's targets against the latest year-to-date figures
        lines += [""] + target_lines(d.targets, lang)
    if d.changes:
        lines += ["", t(lang, "digest.changes")] + [_change(c, lang, summaries) for c in d.changes]
    if d.narrative:
        lines += ["", t(lang, "digest.narrative", mark=mark or "", text=Raw(html.escape(d.narrative, quote=False)))]
    return lines


def meeting_lines(meetings: list[MeetingStanding], lang: str) -> list[str]:
    """Per meeting: `• 《区创建工作推进会》（11月20日）已办结 2/5，逾期：#13 编制方案（3天）`; at most
    MEETING_OVERDUE_SHOWN overdue items named, the rest counted."""
    lines = [t(lang, "digest.meetings.title")]
    for m in meetings:
        late = ""
        if m.overdue:
            named = [t(lang, "digest.meetings.item" if days else "digest.meetings.item_today", id=task_id,
                       title=title, days=days) for task_id, title, days in m.overdue[:MEETING_OVERDUE_SHOWN]]
            more = len(m.overdue) - MEETING_OVERDUE_SHOWN
            items = t(lang, "digest.meetings.sep").join(named) + (t(lang, "digest.meetings.more", count=more) if more > 0 else "")
            late = t(lang, "digest.meetings.overdue", items=Raw(items))
        lines.append(t(lang, "digest.meetings.row", title=m.title, day=day_name(m.held_on, lang),
                       done=m.done, total=m.total, overdue=Raw(late)))
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
        latest = f"{fmt_date(s.latest_at, tz)} {latest_text(s, lang)}" if s.latest_at and latest_text(s, lang) \
            else t(lang, "digest.no_progress")
        overdue = t(lang, "digest.dept_overdue", count=s.tasks_overdue) if s.tasks_overdue else ""
        lines.append(t(lang, "digest.dept_row", department=s.department, report=report, done=s.tasks_done,
                       all=s.tasks_done + s.tasks_open, overdue=overdue, latest=latest))
    return lines


def latest_text(s: DeptStanding, lang: str) -> str | None:
    """A department's latest progress in one line; a photo or file without text by its kind."""
    if s.latest_progress:
        return s.latest_progress
    if s.latest_file is None:
        return None
    kind, name = s.latest_file
    if kind == "photo" or not name:
        return t(lang, "digest.file_photo") if kind == "photo" else t(lang, "inbox.file", name=t(lang, "inbox.unnamed"))
    return t(lang, "digest.file_named", name=name)


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
    """The whole digest as one HTML text: the headline, then the details (see `messages`)."""
    return "\n".join(headline(d, lang, tz) + [""] + details(d, lang, tz, mark=mark))


def messages(d: Digest, lang: str, tz: ZoneInfo, *, mark: str | None = None) -> list[str]:
    """Telegram messages: the headline first (at most HEADLINE_LINES lines), then the details cut
    between lines into Telegram-sized pieces; nothing is dropped."""
    return split_text("\n".join(headline(d, lang, tz))) + split_text("\n".join(details(d, lang, tz, mark=mark)))


_TAG = re.compile(r"</?(?:b|i|u|s|code|pre|a)(?:\s[^>]*)?>")


def plain(text: str) -> str:
    """Telegram HTML as plain text (for a terminal, or a callback answer)."""
    return html.unescape(_TAG.sub("", text))
