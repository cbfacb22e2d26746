"""The office's work report (工作报告) as plain data, and the pure rules behind it: splitting a
liaison's report into the period's work and the next period's plan when they wrote such headings,
placing each department under one working group, and a task's state in words a report uses.

Built by bot/usecases/brief.py (from the digest, so its figures are the digest's); written as a
Word document by bot/render/brief.py."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from bot.rules.digest import Digest, GroupStanding, IndicatorSummary, home_groups

# ---------------------------------------------------------------- the report's two parts

# Numbering a liaison puts before a heading: 一、 （一） (一) 1. 1、 (1) ① 第一部分 第一，
_NUMBERING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十\d]+(?:部分|项)?[、，,.．：:\s]*"
    r"|[（(][一二三四五六七八九十\d]{1,3}[）)][、.．\s]*"
    r"|[一二三四五六七八九十]{1,3}[、.．，,]\s*"
    r"|\d{1,2}[、.．]\s*(?!\d)"
    r"|[①-⑳]\s*"
    r"|[-•·*]\s*)")
_SPAN = r"(?:季度|季|月份|月|年度|年|阶段|周期)"
_CURRENT = re.compile(
    rf"(?:(?:本|今|这|当)个?{_SPAN}|前期|近期|当前|上半年|前三季度)?的?(?:主要|重点|重要)?"
    r"(?:工作|任务)(?:开展|推进|进展|完成|落实|推动)?(?:的)?(?:情况|成效|进展|总结|亮点|成绩)?"
    r"(?:及(?:成效|亮点|进展|存在(?:的)?问题))?"
    rf"|(?:本|今|这|当)个?{_SPAN}(?:完成|推进|开展|落实)?情况"
    r"|(?:主要|重点)?(?:工作)?(?:成效|进展|亮点)(?:情况)?")
_PLAN = re.compile(
    rf"(?:下|下一|下个|明|来|次)个?(?:{_SPAN}|步)的?(?:主要|重点)?(?:工作)?(?:计划|打算|安排|思路|重点|举措|目标)?"
    r"(?:和|及|与)?(?:计划|打算|安排|思路|重点|举措|目标)?"
    r"|下步(?:工作)?(?:计划|打算|安排|思路)?"
    r"|(?:今后|后续|未来)(?:工作)?(?:计划|打算|安排|思路)"
    r"|工作(?:计划|打算|安排|思路)")
_HEADING_MAX = 24  # a heading line alone; longer text without a colon is a sentence, not a heading
_COLON = re.compile(r"[：:]")
_BARE = {"", "工作", "任务"}  # too plain to be a heading ("工作：…" is a sentence)


@dataclass(frozen=True)
class ReportParts:
    """A report's lines: those before any heading (`lead`), those under a heading of the period's
    work (`current`) and under one of the next period's plan (`plan`). Without either heading
    everything is `lead` and `split` is false: the report is shown as written."""

    lead: tuple[str, ...] = ()
    current: tuple[str, ...] = ()
    plan: tuple[str, ...] = ()
    split: bool = False


def _heading(line: str) -> tuple[str, str] | None:
    """('current'|'plan', what follows the heading's colon) when `line` is such a heading."""
    text = unicodedata.normalize("NFKC", line).strip()
    head = _NUMBERING.sub("", text, count=1).strip()
    colon = _COLON.search(head)
    name, rest = (head[: colon.start()], head[colon.end():]) if colon else (head, "")
    name = name.strip().rstrip("。.；;，,")
    if name in _BARE or len(name) > _HEADING_MAX or (not colon and len(text) > _HEADING_MAX):
        return None
    if colon:  # what follows, as the liaison wrote it (NFKC would turn `，` into `,`)
        rest = _COLON.split(line, maxsplit=1)[-1]
    if _PLAN.fullmatch(name):
        return "plan", rest.strip()
    if _CURRENT.fullmatch(name):
        return "current", rest.strip()
    return None


def split_report(text: str) -> ReportParts:
    """Split a report at its headings (`一、本季度工作情况`, `本季度工作：…`, `二、下季度工作计划`,
    `下一步工作打算` …). A heading's own words are dropped (the document writes its own); text after a
    heading's colon stays. Blank lines are dropped; nothing else is. Never raises."""
    parts: dict[str, list[str]] = {"lead": [], "current": [], "plan": []}
    where, found = "lead", False
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        heading = _heading(line)
        if heading is not None:
            where, found = heading[0], True
            if heading[1]:
                parts[where].append(heading[1])
            continue
        parts[where].append(line)
    return ReportParts(tuple(parts["lead"]), tuple(parts["current"]), tuple(parts["plan"]), found)


# ---------------------------------------------------------------- departments by working group


def by_group(groups: list[GroupStanding], departments: list[str]) -> list[tuple[str | None, list[str]]]:
    """`departments` (in the order given) under their home working group (`home_groups`: a
    department in several groups appears once), groups in the digest's order; those in no group
    last, under None. Groups with none of `departments` are kept (empty), so the report names them."""
    home = home_groups(groups)
    out: list[tuple[str | None, list[str]]] = [(g.name, [d for d in departments if home.get(d) == g.name])
                                               for g in groups]
    rest = [d for d in departments if d not in home]
    if rest:
        out.append((None, rest))
    return out


# ---------------------------------------------------------------- tasks and agreed items

DONE, CLOSED, OVERDUE, OPEN, STANDING = "done", "closed", "overdue", "open", "standing"


@dataclass(frozen=True)
class ItemState:
    """A task as a report states it: `state` one of DONE (every department's part done), CLOSED
    (closed by the office before that), STANDING (长期坚持, never overdue), OVERDUE, OPEN; `done` of
    `total` departments' parts finished; the overdue departments."""

    state: str
    done: int
    total: int
    overdue: tuple[str, ...] = ()


def item_state(statuses: dict[str, str], closed: bool, standing: bool = False) -> ItemState:
    """From the digest's shown statuses (department → pending/…/done/overdue/unnotified)."""
    total = len(statuses)
    done = sum(1 for s in statuses.values() if s == "done")
    late = tuple(d for d, s in statuses.items() if s == "overdue")
    if total and done == total:
        return ItemState(DONE, done, total)
    if closed:
        return ItemState(CLOSED, done, total)
    if standing:
        return ItemState(STANDING, done, total)
    return ItemState(OVERDUE if late else OPEN, done, total, late)


@dataclass(frozen=True)
class AgreedItem:
    """A task that carries out an agreed item (议定事项) of a meeting."""

    task_id: int
    meeting_id: int
    meeting: str  # the meeting's title
    held_on: date
    standing: bool = False


# ---------------------------------------------------------------- the indicator table


@dataclass(frozen=True)
class IndicatorRow:
    """One line of the report's indicator table, from the digest's summary (so the totals are the
    digest's): the total for an additive unit, None for a rate (shown as `low`～`high`); `target`
    the office's target in the same unit, when it has one."""

    name: str
    unit: str
    total: Decimal | None
    low: Decimal
    high: Decimal
    count: int
    values: tuple[tuple[str, Decimal], ...] = ()
    target: Decimal | None = None


def indicator_rows(summaries: list[IndicatorSummary], targets: dict[str, Decimal] | None = None) -> list[IndicatorRow]:
    """The table's rows, in the digest's order. `targets` (indicator name → target in the shown
    unit) is the extension point for the office's targets: without any, the table has no target
    column."""
    targets = targets or {}
    return [IndicatorRow(s.name, s.unit, s.total, s.low, s.high, s.count, s.values, targets.get(s.name))
            for s in summaries]


# ---------------------------------------------------------------- the whole report


@dataclass
class Brief:
    """Everything the work report shows. `digest` supplies the period, counts, groups, tasks, figures
    and the districts' roll-up; `texts` each reporting department's latest report text (department →
    text); `agreed` the period's tasks that carry out agreed items (task id → item)."""

    digest: Digest
    office: str  # the office's name ("" when it has none: the document says 领导小组办公室)
    texts: dict[str, str] = field(default_factory=dict)
    agreed: dict[int, AgreedItem] = field(default_factory=dict)
    targets: dict[str, Decimal] = field(default_factory=dict)  # filled by a later issue (targets)

    def rows(self) -> list[IndicatorRow]:
        return indicator_rows(self.digest.summaries(), self.targets)

    def reporting(self) -> list[tuple[str | None, list[str]]]:
        """The reporting departments (those with a text), in the digest's department order, by group."""
        order = [d.department for d in self.digest.departments if d.department in self.texts]
        order += [d for d in self.texts if d not in order]
        return by_group(self.digest.groups, order)

    def agreed_counts(self) -> tuple[int, int]:
        """(done, total) agreed items: the digest's meeting section when it has one, otherwise the
        period's agreed-item tasks."""
        if self.digest.meetings:
            return sum(m.done for m in self.digest.meetings), sum(m.total for m in self.digest.meetings)
        lines = [t for t in self.digest.tasks if t.task_id in self.agreed]
        finished = sum(1 for t in lines if item_state(t.statuses, t.closed).state in (DONE, CLOSED))
        return finished, len(lines)
