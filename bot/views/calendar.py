"""`/calendar`'s reply: a month of the office's working-day calendar as a short text for a phone.

    2027年2月：工作日 18 天
    休：2月5日（周五）※、2月8日（周一）
    班：2月7日（周日）※
    ※ 为组织架构文件（本单位或上级）设定的日期，其余来自国家节假日日历。
"""

from __future__ import annotations

from bot.rules.calendar_month import Month, SpecialDay
from bot.texts import t

MARK = "※"


def month_text(month: Month, lang: str) -> str:
    lines = [t(lang, "calendar.header", year=month.year, month=month.month, count=month.workdays)]
    if month.off:
        lines.append(t(lang, "calendar.off", days=_days(month.off, lang)))
    if month.worked:
        lines.append(t(lang, "calendar.worked", days=_days(month.worked, lang)))
    if not month.special:
        lines.append(t(lang, "calendar.plain"))
    if any(d.override for d in month.special):
        lines.append(t(lang, "calendar.from_org"))
    if not month.covered:
        lines.append(t(lang, "calendar.month_uncovered", year=month.year))
    return "\n".join(lines)


def _days(days: tuple[SpecialDay, ...], lang: str) -> str:
    weekdays = t(lang, "calendar.weekdays").split()
    return ("、" if lang != "en" else ", ").join(t(lang, "calendar.day", month=d.day.month, day=d.day.day, weekday=weekdays[d.day.weekday()])
                    + (MARK if d.override else "") for d in days)
