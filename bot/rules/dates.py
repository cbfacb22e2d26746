"""Dates as office staff type them: `12月31日`, `下周五`, `3个工作日内`, `2026/12/31 17:00`…

`parse_when(raw, now=, tz=, calendar=)` reads one due date and answers `Understood`: the moment in
the office's zone and whether that day is a working day. `split_when` reads a date at the start of a
longer text (an extension request, `下周五 18:00 因故延期`) and hands back the rest.

What is understood (times are in `tz`; a date alone means 18:00, DEFAULT_DUE_TIME):

- `2026-12-31`, `2026/12/31`, `2026.12.31`, `2026年12月31日` (also `31号`, a year in Chinese
  numerals `二〇二六年`): that day.
- `12月31日`, `12-31`, `12/31`, `12.31`: that day this year; once the day has passed (before today),
  next year. Today with a time already passed is an error (`due.past`), not next year.
  `2月29日` in a year without one takes the next year that has it, within a year, else malformed.
- `月底`/`本月底`/`这个月底` (also `月末`): the last day of this month; `下月底`/`下个月底`: of next
  month; `12月底`: the last day of December (this year, or next once passed).
- `周五`, `本周五`, `这周五`, `星期五`, `礼拜五` (`周日`/`周天`/`星期天`, digits `周5`): the next Friday
  whose moment is still ahead — today if it is Friday before 18:00 (or the time given), otherwise
  the coming one. `本周五` on a Saturday therefore means the Friday after (the friendliest reading:
  the reply states the date, so the user sees it). `下周五`: the Friday of next week (weeks run
  Monday–Sunday, so on a Sunday `下周五` is five days away); `下下周五` the week after.
- `今天`, `明天`/`明日`, `后天`, `大后天`; `N天后`/`N天内`/`N日内` (today + N days), `N周后`.
- `N个工作日内`/`N个工作日后`: the N-th working day after today (today not counted), from the
  calendar (holidays and make-up workdays); N from 1 to 250.
- Any of these may be followed by a time — `18:00`, `18：00`, `T18:00`, `18点`, `18点30分`, `6点半`,
  `下午6点` (下午/晚上/傍晚 add 12 to 1–11; 中午1点 is 13:00) — and by `前`/`之前`/`以前`, which
  changes nothing (`12月31日前` is due 12-31 18:00); a leading `至`/`到`/`于`/`延期至`/`截止` is
  allowed.
- Chinese numerals anywhere a number goes (`十二月三十一日`, `三天后`, `两个工作日内`), read with
  `cn2an`; full-width digits, `：`, `／`, `．`, `－` and odd spaces are normalised first.

Anything else, and an impossible day (`2026-02-30`, `25:00`), raises `DomainError("due.malformed")`;
a moment not after `now` raises `DomainError("due.past")`; both name the value as typed.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import cn2an

from bot.errors import DomainError
from bot.rules.workdays import WorkCalendar

DEFAULT_TIME = time(18, 0)  # a date alone: bot.rules.tasks.DEFAULT_DUE_TIME
MAX_DAYS = 3660  # `N天后` further than ten years is a typo
MAX_WORKDAYS = 250
SCAN_LIMIT = 200  # how far into a text split_when looks for a date not at its start

HOLIDAY, WEEKEND = "holiday", "weekend"


class WorkdayCalendar(Protocol):
    """What the parser needs of bot.rules.workdays.WorkCalendar (or bot.rules.tasks.Calendar)."""

    def is_workday(self, day: date) -> bool: ...


WEEKDAYS_ONLY: WorkdayCalendar = WorkCalendar()  # no holiday source: Monday–Friday


@dataclass(frozen=True)
class Understood:
    """A due moment as understood, and what kind of day it falls on."""

    moment: datetime
    day_off: str | None  # None on a working day; HOLIDAY (a weekday off) or WEEKEND

    @property
    def workday(self) -> bool:
        return self.day_off is None


def day_off(day: date, calendar: WorkdayCalendar) -> str | None:
    """None for a working day; otherwise HOLIDAY (Monday–Friday off: a statutory holiday or a day
    moved into one) or WEEKEND (a Saturday or Sunday that is not a make-up workday)."""
    if calendar.is_workday(day):
        return None
    return WEEKEND if day.weekday() >= 5 else HOLIDAY


# ---------------------------------------------------------------- normalising

_SAME_LENGTH = {"：": ":", "／": "/", "．": ".", "－": "-", "Ｔ": "T", "\u200b": " ", "\ufeff": " ", "\u2060": " "}


def _normalise(raw: str) -> str:
    """Full-width digits and punctuation to ASCII, every space to ' ', one character for one, so
    positions in the result are positions in `raw`."""
    out = []
    for c in raw:
        if c in _SAME_LENGTH:
            out.append(_SAME_LENGTH[c])
        elif c.isdecimal():
            out.append(str(unicodedata.decimal(c)))
        elif c.isspace():
            out.append(" ")
        else:
            out.append(c)
    return "".join(out)


class _Bad(Exception):
    """An impossible date or time: becomes due.malformed naming the value."""


_CN = "〇零一二两三四五六七八九十廿百千"
_NUM = rf"(?:[0-9]{{1,4}}(?![0-9])|[{_CN}]{{1,8}})"
_YEAR = rf"(?:[0-9]{{4}}(?![0-9])|[{_CN}]{{2,8}})"
_START = rf"(?<![0-9{_CN}])"  # not inside a longer number


def _num(token: str) -> int:
    if token.isascii():
        return int(token)
    try:
        value = cn2an.cn2an(token, "smart")
    except Exception:  # cn2an raises ValueError and friends for 十十, 百…
        raise _Bad from None
    if not isinstance(value, int | float) or value != int(value) or value < 0:
        raise _Bad
    return int(value)


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        raise _Bad from None


def _plus(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise _Bad from None


def _month_end(year: int, month: int) -> date:
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        raise _Bad
    return date(year, month, monthrange(year, month)[1])


def _this_or_next_year(today: date, make: Callable[[int], date]) -> date:
    """The first of `make(this year)`, `make(next year)` that exists and is not before today."""
    for year in (today.year, today.year + 1):
        try:
            candidate = make(year)
        except _Bad:
            continue
        if candidate >= today:
            return candidate
    raise _Bad


# ---------------------------------------------------------------- the forms


@dataclass(frozen=True)
class _Ctx:
    today: date
    calendar: WorkdayCalendar


# A form resolves to a day, or (weekday words) to a day and "roll a week if the moment has passed".
Resolver = Callable[[re.Match[str], _Ctx], tuple[date, bool]]


def _ymd(m: re.Match[str], ctx: _Ctx) -> tuple[date, bool]:
    return _day(_num(m["y"]), _num(m["m"]), _num(m["d"])), False


def _md(m: re.Match[str], ctx: _Ctx) -> tuple[date, bool]:
    month, day = _num(m["m"]), _num(m["d"])
    return _this_or_next_year(ctx.today, lambda year: _day(year, month, day)), False


def _m_end(m: re.Match[str], ctx: _Ctx) -> tuple[date, bool]:
    month = _num(m["m"])
    return _this_or_next_year(ctx.today, lambda year: _month_end(year, month)), False


def _month_end_word(m: re.Match[str], ctx: _Ctx) -> tuple[date, bool]:
    ahead = (m["which"] or "").count("下")
    months = ctx.today.year * 12 + ctx.today.month - 1 + ahead
    return _month_end(months // 12, months % 12 + 1), False


_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def _weekday(m: re.Match[str], ctx: _Ctx) -> tuple[date, bool]:
    w = m["w"]
    target = int(w) - 1 if w.isdigit() else _WEEKDAY[w]
    if not 0 <= target <= 6:
        raise _Bad
    weeks = (m["next"] or "").count("下")
    if weeks == 0:  # the next such day still ahead (rolled a week by the caller if passed)
        return _plus(ctx.today, (target - ctx.today.weekday()) % 7), True
    monday = _plus(ctx.today, -ctx.today.weekday())
    return _plus(monday, 7 * weeks + target), False


_RELATIVE = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}


def _relative(m: re.Match[str], ctx: _Ctx) -> tuple[date, bool]:
    return _plus(ctx.today, _RELATIVE[m["word"]]), False


def _in_days(m: re.Match[str], ctx: _Ctx) -> tuple[date, bool]:
    n = _num(m["n"]) * (7 if m["unit"] not in ("天", "日") else 1)
    if n > MAX_DAYS:
        raise _Bad
    return _plus(ctx.today, n), False


def _workdays(m: re.Match[str], ctx: _Ctx) -> tuple[date, bool]:
    n = _num(m["n"])
    if not 1 <= n <= MAX_WORKDAYS:
        raise _Bad
    day = ctx.today
    for _ in range(n):
        for _step in range(366):
            day = _plus(day, 1)
            if ctx.calendar.is_workday(day):
                break
        else:
            raise _Bad
    return day, False


@dataclass(frozen=True)
class _Form:
    regex: re.Pattern[str]
    resolve: Resolver
    scan: bool  # may be looked for inside a text (not only at its start)


_AFTER = r"(?:后|以后|之后|内|以内|之内)"
_FORMS = (
    _Form(re.compile(rf"{_START}(?P<y>{_YEAR})\s*+(?P<sep>[-/.])\s*+(?P<m>{_NUM})\s*+(?P=sep)\s*+(?P<d>{_NUM})(?:\s*+[日号])?"),
          _ymd, True),
    _Form(re.compile(rf"{_START}(?P<y>{_YEAR})\s*+年\s*+(?P<m>{_NUM})\s*+月\s*+(?P<d>{_NUM})(?:\s*+[日号])?"), _ymd, True),
    _Form(re.compile(rf"{_START}(?P<m>{_NUM})\s*+月\s*+(?P<d>{_NUM})(?:\s*+[日号])?"), _md, True),
    _Form(re.compile(rf"{_START}(?P<m>[0-9]{{1,2}})(?P<sep>[-/.])(?P<d>[0-9]{{1,2}})(?![0-9])(?!(?P=sep)[0-9])(?:\s*+[日号])?"),
          _md, False),
    _Form(re.compile(rf"{_START}(?P<m>{_NUM})\s*+月份?\s*+[底末]"), _m_end, True),
    # (?<![上个]): inside a text, 上周五 / 上个月底 are not 周五 / 月底
    _Form(re.compile(r"(?<![上个])(?P<which>本|这个?|下下个?|下个?)?月[底末]"), _month_end_word, True),
    _Form(re.compile(r"(?<![上个])(?:(?P<next>下+)个?|本|这个?)?(?:周|星期|礼拜)(?P<w>[一二三四五六日天]|[1-7](?![0-9]))"),
          _weekday, True),
    _Form(re.compile(r"(?P<word>大后天|今天|今日|明天|明日|后天)"), _relative, True),
    _Form(re.compile(rf"{_START}(?P<n>{_NUM})\s*+(?P<unit>天|日|个?星期|个?礼拜|周)\s*+{_AFTER}"), _in_days, True),
    _Form(re.compile(rf"{_START}(?P<n>{_NUM})\s*+个?\s*+工作日\s*+{_AFTER}"), _workdays, True),
)

_LEAD = re.compile(r"(?:(?:延期|延|推迟|顺延|截止|截至)?(?:至|到|于)|截止|截至)?\s*+")
_TIME = re.compile(
    rf"(?:T|\s*+)(?P<ap>上午|早上|早晨|凌晨|中午|下午|傍晚|晚上)?\s*+(?P<h>{_NUM})\s*+"
    rf"(?::\s*+(?P<mm>[0-9]{{2}})(?![0-9])|[点时](?:(?P<half>半)|\s*+(?P<cm>[0-9]{{1,2}}|[{_CN}]{{1,3}})\s*+分|(?P<cm2>[0-9]{{2}})(?![0-9]))?)"
)
_BEFORE = re.compile(r"\s*+(?:之|以)?前")
_PAST_HOUR = {"下午": 12, "傍晚": 12, "晚上": 12}


def _clock(m: re.Match[str] | None) -> time:
    if m is None:
        return DEFAULT_TIME
    hour = _num(m["h"])
    minute = 30 if m["half"] else _num(m["mm"] or m["cm"] or m["cm2"] or "0")
    ap = m["ap"]
    if ap in _PAST_HOUR and 1 <= hour < 12:
        hour += 12
    elif ap == "中午" and 1 <= hour <= 3:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise _Bad
    return time(hour, minute)


@dataclass(frozen=True)
class _Match:
    form: _Form
    date_match: re.Match[str]
    time_match: re.Match[str] | None
    start: int
    end: int


def _match_at(text: str, pos: int, *, scan: bool) -> _Match | None:
    at = pos if scan else _LEAD.match(text, pos).end()  # type: ignore[union-attr]  # _LEAD always matches
    best: tuple[_Form, re.Match[str]] | None = None
    for form in _FORMS:
        if scan and not form.scan:
            continue
        found = form.regex.match(text, at)
        if found and (best is None or found.end() > best[1].end()):
            best = form, found
    if best is None:
        return None
    form, found = best
    end = found.end()
    clock = _TIME.match(text, end)
    if clock:
        end = clock.end()
    before = _BEFORE.match(text, end)
    if before:
        end = before.end()
    return _Match(form, found, clock, pos, end)


def _understand(found: _Match, value: str, *, now: datetime, tz: ZoneInfo, calendar: WorkdayCalendar) -> Understood:
    today = now.astimezone(tz).date()
    try:
        day, rolls = found.form.resolve(found.date_match, _Ctx(today, calendar))
        at = _clock(found.time_match)
        moment = datetime.combine(day, at, tzinfo=tz)
        if rolls and moment <= now:
            moment = datetime.combine(_plus(day, 7), at, tzinfo=tz)
    except (_Bad, ValueError, OverflowError):
        raise DomainError("due.malformed", value=value) from None
    if moment <= now:
        raise DomainError("due.past", value=value)
    return Understood(moment, day_off(moment.date(), calendar))


_TRAILING = " 。.!！"


def parse_when(raw: str, *, now: datetime, tz: ZoneInfo, calendar: WorkdayCalendar = WEEKDAYS_ONLY) -> Understood:
    """The whole of `raw` as one due date (see the module's docstring); DomainError otherwise."""
    value = raw.strip()
    text = _normalise(raw)
    start = len(text) - len(text.lstrip())
    found = _match_at(text, start, scan=False)
    if found is None or text[found.end:].strip(_TRAILING):
        raise DomainError("due.malformed", value=value)
    return _understand(found, value, now=now, tz=tz, calendar=calendar)


_SEPARATORS = " ,，、;；:：.。-—~～"
_ASKED = re.compile(r"(?:延期|延|推迟|顺延|截止|截至)?(?:至|到)")


def split_when(raw: str, *, now: datetime, tz: ZoneInfo,
               calendar: WorkdayCalendar = WEEKDAYS_ONLY) -> tuple[Understood, str] | None:
    """A date at the start of `raw` and the text after it (separators trimmed): `下周五 18:00 因故延期`
    → (next week's Friday 18:00, `因故延期`). Failing that, a date inside the first SCAN_LIMIT
    characters in an unambiguous form (not `12.5`), preferring one after `至`/`到`/`延期至`: then the
    rest is the whole text (`因等待批复申请延期至12月31日` reads well as it is). None when there is
    no date at all; DomainError when the date found is impossible or past (naming that date)."""
    text = _normalise(raw)
    start = len(text) - len(text.lstrip())
    found = _match_at(text, start, scan=False)
    if found is not None:
        understood = _understand(found, raw[start:found.end].strip(), now=now, tz=tz, calendar=calendar)
        return understood, raw[found.end:].strip().lstrip(_SEPARATORS).strip()
    inside = _scan(text)
    if inside is None:
        return None
    understood = _understand(inside, raw[inside.start:inside.end].strip(), now=now, tz=tz, calendar=calendar)
    return understood, raw.strip()


def _scan(text: str) -> _Match | None:
    limit = min(len(text), SCAN_LIMIT)
    for asked in _ASKED.finditer(text, 0, limit):
        found = _match_at(text, asked.end(), scan=True)
        if found is not None:
            return found
    for pos in range(limit):
        found = _match_at(text, pos, scan=True)
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------- dates inside a longer text


@dataclass(frozen=True)
class FoundDay:
    """A date written somewhere in a text: the day and where it stands (`end` takes in a time and a
    trailing `前` as parse_when would)."""

    day: date
    start: int
    end: int


def find_days(raw: str, *, today: date, calendar: WorkdayCalendar = WEEKDAYS_ONLY) -> list[FoundDay]:
    """Every date in `raw` in a form that reads unambiguously inside a text (not `12.5`), left to
    right, not overlapping, relative to `today` (`12月31日` is the first such day on or after it).

    Unlike parse_when/split_when nothing is refused: a past date is simply a date (minutes are
    recorded after the meeting they note), and an impossible one (`2月30日`) is skipped. Never
    raises. For the agreed items of meeting minutes (bot.rules.minutes)."""
    text = _normalise(raw)
    ctx = _Ctx(today, calendar)
    found: list[FoundDay] = []
    pos = 0
    while pos < len(text):
        match = _match_at(text, pos, scan=True)
        if match is None or match.end <= pos:
            pos += 1
            continue
        try:
            day, _rolls = match.form.resolve(match.date_match, ctx)
        except (_Bad, ValueError, OverflowError):
            pos = match.end
            continue
        found.append(FoundDay(day, match.start, match.end))
        pos = match.end
    return found
