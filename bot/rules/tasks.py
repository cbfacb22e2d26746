"""Task assignments (交办单): per-department status, parsing, and the reminder schedule.

A department's part moves pending → acknowledged → in progress → done; "overdue" is derived
(not done, task open, past its due time). Reminders are planned from the due time, the creation
time and a working-day calendar; every planned message has a stable key, so planning again for the
same moment queues nothing new."""

from __future__ import annotations

from calendar import monthrange
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.errors import DomainError, UsageError
from bot.rules.dates import DEFAULT_TIME, WEEKDAYS_ONLY, parse_when, split_when

TITLE_MAX = 200
DETAILS_MAX = 2000
DEFAULT_DUE_TIME = DEFAULT_TIME  # 18:00, a date typed without a time
REMIND_AT = time(9, 0)
DUE_REMINDER_DAYS = (3, 1, 0)
ACK_NUDGE_AFTER = timedelta(hours=24)


class Calendar(Protocol):
    """A working-day calendar (bot.rules.workdays.WorkCalendar)."""

    def is_workday(self, day: date) -> bool: ...

    def covers(self, year: int) -> bool: ...


class TargetStatus(StrEnum):
    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    DONE = "done"


OVERDUE = "overdue"  # derived, never stored


class Action(StrEnum):
    ACK = "ack"
    PROGRESS = "progress"
    DONE = "done"


def next_status(current: str, action: Action) -> str:
    """The status after `action`; a department that is done stays done."""
    if current == TargetStatus.DONE or action == Action.DONE:
        return TargetStatus.DONE
    if action == Action.PROGRESS:
        return TargetStatus.IN_PROGRESS
    return TargetStatus.ACKNOWLEDGED if current == TargetStatus.PENDING else current


def is_overdue(status: str, due: datetime, closed: bool, now: datetime, *, standing: bool = False) -> bool:
    """A part not done of an open task past its due time; a standing item's (长期坚持) never is:
    its due time is only the month's checkpoint for progress (`standing_checkpoint`)."""
    return not standing and not closed and status != TargetStatus.DONE and now > due


def shown_status(status: str, due: datetime, closed: bool, now: datetime, *, standing: bool = False) -> str:
    return OVERDUE if is_overdue(status, due, closed, now, standing=standing) else status


# ---------------------------------------------------------------- parsing

_SEPARATORS = re.compile(r"\s*[|｜]\s*")
_TARGET_SPLIT = re.compile(r"[,，、;；]+")


def parse_due(raw: str, *, now: datetime, tz: ZoneInfo, calendar: Calendar | None = None) -> datetime:
    """A due time as office staff type it (`2026-12-31 [HH:MM]`, `12月31日`, `下周五`, `3个工作日内`…:
    bot.rules.dates) in the office's zone; a date alone means 18:00. `calendar` counts working days
    (Monday–Friday without one). A past time or a malformed date raises a DomainError that names the
    value."""
    return parse_when(raw, now=now, tz=tz, calendar=calendar or WEEKDAYS_ONLY).moment


@dataclass(frozen=True)
class AssignRequest:
    targets: tuple[str, ...]
    due: datetime
    title: str
    details: str | None
    cooperating: tuple[str, ...] = ()  # departments named as cooperating (配合), never lead


def split_targets(raw: str) -> tuple[str, ...]:
    names: list[str] = []
    for part in _TARGET_SPLIT.split(raw):
        name = part.strip()
        if name and name not in names:
            names.append(name)
    return tuple(names)


def parse_assign(text: str, *, now: datetime, tz: ZoneInfo, calendar: Calendar | None = None) -> AssignRequest:
    """`TARGETS | DUE | TITLE [| DETAILS]`."""
    parts = _SEPARATORS.split(text.strip(), maxsplit=3)
    if len(parts) < 3:
        raise UsageError("assign")
    targets, due, title = split_targets(parts[0]), parts[1], parts[2].strip()
    details = parts[3].strip() if len(parts) == 4 and parts[3].strip() else None
    if not targets or not title:
        raise UsageError("assign")
    check_title(title)
    if details and len(details) > DETAILS_MAX:
        raise DomainError("assign.details_too_long", limit=DETAILS_MAX)
    return AssignRequest(targets, parse_due(due, now=now, tz=tz, calendar=calendar), title, details)


def due_allowed(due: datetime, limit: datetime, now: datetime) -> bool:
    """A forwarded (转办) task is due no later than the parent office's part it comes from; once that
    has passed, any time to come is allowed (nothing earlier is possible)."""
    return due <= limit or limit <= now


def check_title(title: str) -> str:
    if len(title) > TITLE_MAX:
        raise DomainError("assign.title_too_long", limit=TITLE_MAX)
    return title


def parse_task_number(raw: str, command: str) -> int:
    value = raw.strip().lstrip("#＃")
    if not re.fullmatch(r"[0-9]{1,10}", value) or not 0 < int(value) < 2**31:
        raise UsageError(command)
    return int(value)


def parse_numbered(args: Sequence[str], command: str, *, text_required: bool) -> tuple[int, str | None]:
    """`N [TEXT]` as used by /progress, /done, /task, /close."""
    if not args:
        raise UsageError(command)
    number = parse_task_number(args[0], command)
    text = " ".join(args[1:]).strip() or None
    if text_required and not text:
        raise UsageError(command)
    return number, text


def parse_extension(text: str, *, now: datetime, tz: ZoneInfo, calendar: Calendar | None = None) -> tuple[datetime, str]:
    """`DATE [TIME] REASON` → (new due, reason), the date in any form parse_due takes, which may be
    several words and need no space before the reason (`下周五 18:00 等待批复`, `12月31日前因为…`).
    A text that does not start with a date may still name one (`因等待批复申请延期至12月31日`):
    then the whole text is the reason. No date at all: due.malformed naming the first word."""
    if not text.strip():
        raise UsageError("extension")
    found = split_when(text, now=now, tz=tz, calendar=calendar or WEEKDAYS_ONLY)
    if found is None:
        raise DomainError("due.malformed", value=text.split()[0][:40])
    understood, reason = found
    reason = reason[:500].strip()
    if not reason:
        raise DomainError("extension.reason_needed")
    return understood.moment, reason


# ---------------------------------------------------------------- reminders


def _at(day: date, tz: ZoneInfo, clock: time = REMIND_AT) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


def _workday_on_or_before(day: date, cal: Calendar) -> date:
    while not cal.is_workday(day):
        day -= timedelta(days=1)
    return day


def _workday_after(day: date, cal: Calendar) -> date:
    day += timedelta(days=1)
    while not cal.is_workday(day):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class Slot:
    key: str  # stable part of the dedup key, e.g. "due-3@2026-12-20"
    at: datetime
    days_left: int


def due_slots(due: datetime, created: datetime, tz: ZoneInfo, cal: Calendar) -> list[Slot]:
    """Reminders at 09:00 three days and one day before the due day and on the day itself, each
    moved back to a working day; none before the task existed or after it was due; one a day."""
    due_day = due.astimezone(tz).date()
    slots: list[Slot] = []
    taken: set[date] = set()
    for n in DUE_REMINDER_DAYS:
        day = _workday_on_or_before(due_day - timedelta(days=n), cal)
        moment = _at(day, tz)
        if day in taken or moment <= created or moment >= due:
            continue
        taken.add(day)
        slots.append(Slot(f"due-{n}@{due_day.isoformat()}", moment, (due_day - day).days))
    return slots


def slot_is_due(slot_at: datetime, at: datetime, tz: ZoneInfo) -> bool:
    """A day's reminder goes out on that day only: a tick the next day does not send it late."""
    return slot_at <= at and at.astimezone(tz).date() == slot_at.astimezone(tz).date()


def overdue_nudge_day(due: datetime, at: datetime, tz: ZoneInfo, cal: Calendar) -> date | None:
    """The day whose overdue nudge is due at `at`: each working day after the due day, from 09:00."""
    local = at.astimezone(tz)
    if local.date() <= due.astimezone(tz).date() or not cal.is_workday(local.date()) or local.time() < REMIND_AT:
        return None
    return local.date()


def escalation_at(due: datetime, tz: ZoneInfo, cal: Calendar) -> datetime:
    """09:00 on the first working day after the due day."""
    return _at(_workday_after(due.astimezone(tz).date(), cal), tz)


def days_overdue(due: datetime, now: datetime, tz: ZoneInfo) -> int:
    return max((now.astimezone(tz).date() - due.astimezone(tz).date()).days, 0)


# ---------------------------------------------------------------- the morning round
#
# Everything the scheduler tells people about tasks goes out in one round a day, at 09:00 on
# working days: per liaison one reminder (due soon, due today, overdue) and one acknowledgement
# nudge, per director one escalation. What a round contains is derived from the rows and the
# round's nominal moment (not from when the pass happened to run), so running it twice on a day
# finds the same things.

ROUND_HORIZON = timedelta(days=15)  # a due day whose reminders can fall on a round's day (holidays move them back)


def round_day(at: datetime, tz: ZoneInfo, cal: Calendar) -> date | None:
    """The day whose morning round is due at `at`: a working day, from 09:00."""
    local = at.astimezone(tz)
    if not cal.is_workday(local.date()) or local.time() < REMIND_AT:
        return None
    return local.date()


def round_at(day: date, tz: ZoneInfo) -> datetime:
    """The round's nominal moment: 09:00 on its day."""
    return _at(day, tz)


def next_round(at: datetime, tz: ZoneInfo, cal: Calendar) -> datetime:
    """The first round after `at`'s own (today's 09:00 when it is still to come)."""
    day = at.astimezone(tz).date()
    if cal.is_workday(day) and at < _at(day, tz):
        return _at(day, tz)
    return _at(_workday_after(day, cal), tz)


def ack_nudge_cutoff(day: date, tz: ZoneInfo) -> datetime:
    """A notice sent at or before this, still not acknowledged, is nudged in `day`'s round (once:
    the first round at least 24 hours after the notice)."""
    return round_at(day, tz) - ACK_NUDGE_AFTER


def round_ref(day: date) -> int:
    """A round's day as a button carries it: 20261202."""
    return day.year * 10_000 + day.month * 100 + day.day


def round_of_ref(ref: int) -> date | None:
    """The day a button's `round_ref` names; None for a number that is no date."""
    try:
        return date(ref // 10_000, ref // 100 % 100, ref % 100)
    except ValueError:
        return None


def reminder_on(day: date, due: datetime, created: datetime, tz: ZoneInfo, cal: Calendar, *,
                standing: bool = False) -> tuple[str, int] | None:
    """What a department that is not done hears about its part in `day`'s round:
    ("due", days left) on a reminder day before or on the due day, ("overdue", days) on each
    working day after it, or nothing. A standing item hears "due" before each monthly checkpoint
    (its due time), never "overdue"."""
    moment = round_at(day, tz)
    for slot in due_slots(due, created, tz, cal):
        if slot_is_due(slot.at, moment, tz):
            return "due", slot.days_left
    if not standing and overdue_nudge_day(due, moment, tz, cal) == day:
        return "overdue", days_overdue(due, moment, tz)
    return None


def escalates_by(due: datetime, day: date, tz: ZoneInfo, cal: Calendar) -> bool:
    """Whether a task due at `due` has reached its escalation by `day`'s round."""
    return escalation_at(due, tz, cal) <= round_at(day, tz)


def standing_checkpoint(after: datetime, tz: ZoneInfo) -> datetime:
    """A standing item's (长期坚持) next monthly checkpoint after `after`: the last day of the month
    at DEFAULT_DUE_TIME, local time (the next month's when this month's has passed)."""
    local = after.astimezone(tz)
    year, month = local.year, local.month
    for _ in range(2):
        last = monthrange(year, month)[1]
        moment = datetime(year, month, last, DEFAULT_DUE_TIME.hour, DEFAULT_DUE_TIME.minute, tzinfo=tz)
        if moment > after:
            return moment
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("unreachable: next month's end is always later")


def standing_needs_roll(due: datetime, at: datetime) -> bool:
    """A standing item whose checkpoint has come moves on to the next one (`standing_checkpoint(at)`):
    the tick's roll step, which runs at each checkpoint before the morning round."""
    return due <= at
