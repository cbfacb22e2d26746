"""Dates as office staff type them (bot.rules.dates): a table of real examples with a fixed `now`
(Friday 2026-11-27 10:00 in Asia/Shanghai), then hypothesis properties over the whole parser."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import cn2an
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.errors import DomainError, UsageError
from bot.rules import dates, tasks
from bot.rules.workdays import china_calendar
from bot.texts import day_off_warning, fmt_due

TZ = ZoneInfo("Asia/Shanghai")
CAL = china_calendar()
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)  # a Friday
PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def when(raw: str, now: datetime = NOW) -> dates.Understood:
    return dates.parse_when(raw, now=now, tz=TZ, calendar=CAL)


DEC31 = local(2026, 12, 31, 18, 0)
NEXT_FRI = local(2026, 12, 4, 18, 0)
TODAY_18 = local(2026, 11, 27, 18, 0)

TABLE = [
    # full dates, every separator, Chinese and full-width numerals
    ("2026-12-31", DEC31), ("2026/12/31", DEC31), ("2026.12.31", DEC31), ("2026年12月31日", DEC31),
    ("２０２６年１２月３１日", DEC31), ("二〇二六年十二月三十一日", DEC31), ("2026年12月31号", DEC31),
    ("  2026-12-31  ", DEC31), ("2026 年 12 月 31 日", DEC31),
    # month and day: this year, or next year once the day has passed
    ("12月31日", DEC31), ("12-31", DEC31), ("12/31", DEC31), ("12.31", DEC31), ("十二月三十一日", DEC31),
    ("12月31号", DEC31), ("11月27日", TODAY_18), ("11月26日", local(2027, 11, 26, 18, 0)),
    ("1月15日", local(2027, 1, 15, 18, 0)), ("1.5", local(2027, 1, 5, 18, 0)),
    # 前 changes nothing; a leading 至 / 延期至 is allowed
    ("12月31日前", DEC31), ("2026-12-31前", DEC31), ("12-31之前", DEC31), ("至12月31日", DEC31), ("延期至12月31日", DEC31),
    # month ends
    ("月底", local(2026, 11, 30, 18, 0)), ("本月底", local(2026, 11, 30, 18, 0)), ("月底前", local(2026, 11, 30, 18, 0)),
    ("下月底", DEC31), ("下个月底", DEC31), ("12月底", DEC31), ("2月底", local(2027, 2, 28, 18, 0)),
    # weekday words: the next one still ahead; 下 = next Monday–Sunday week
    ("周五", TODAY_18), ("本周五", TODAY_18), ("星期五", TODAY_18), ("礼拜五", TODAY_18), ("这周五", TODAY_18),
    ("周五 9:00", local(2026, 12, 4, 9, 0)), ("下周五", NEXT_FRI), ("下个星期五", NEXT_FRI),
    ("周六", local(2026, 11, 28, 18, 0)), ("周日", local(2026, 11, 29, 18, 0)), ("周天", local(2026, 11, 29, 18, 0)),
    ("星期天", local(2026, 11, 29, 18, 0)), ("礼拜日", local(2026, 11, 29, 18, 0)), ("周一", local(2026, 11, 30, 18, 0)),
    ("下周一", local(2026, 11, 30, 18, 0)), ("下下周一", local(2026, 12, 7, 18, 0)), ("周4", local(2026, 12, 3, 18, 0)),
    # relative days and working days
    ("今天", TODAY_18), ("明天", local(2026, 11, 28, 18, 0)), ("后天", local(2026, 11, 29, 18, 0)),
    ("大后天", local(2026, 11, 30, 18, 0)), ("3天后", local(2026, 11, 30, 18, 0)), ("三天后", local(2026, 11, 30, 18, 0)),
    ("10天内", local(2026, 12, 7, 18, 0)), ("两周后", local(2026, 12, 11, 18, 0)),
    ("3个工作日内", local(2026, 12, 2, 18, 0)), ("两个工作日内", local(2026, 12, 1, 18, 0)),
    ("5个工作日后", NEXT_FRI), ("1个工作日内", local(2026, 11, 30, 18, 0)),
    # times
    ("2026-12-31 10:30", local(2026, 12, 31, 10, 30)), ("2026-12-31 10：30", local(2026, 12, 31, 10, 30)),
    ("2026-12-31T10:30", local(2026, 12, 31, 10, 30)), ("12月31日 17:00", local(2026, 12, 31, 17, 0)),
    ("下周五 18：00", NEXT_FRI), ("下周五下午6点", NEXT_FRI), ("12月31日18点前", DEC31),
    ("12月31日 上午9点半", local(2026, 12, 31, 9, 30)), ("12月31日 十七点三十分", local(2026, 12, 31, 17, 30)),
    ("明天 8:00", local(2026, 11, 28, 8, 0)), ("今天 下午5点", local(2026, 11, 27, 17, 0)),
    ("12月31日 中午1点", local(2026, 12, 31, 13, 0)), ("12-31 9:05", local(2026, 12, 31, 9, 5)),
]


@pytest.mark.parametrize(("raw", "expected"), TABLE)
def test_dates_as_typed(raw, expected):
    assert when(raw).moment == expected


@pytest.mark.parametrize(
    ("raw", "key"),
    [("2026-02-30", "due.malformed"), ("2月30日", "due.malformed"), ("13月1日", "due.malformed"), ("12-32", "due.malformed"),
     ("2026-12-31 24:00", "due.malformed"), ("12月31日 25:00", "due.malformed"), ("12月31日 9:60", "due.malformed"),
     ("0个工作日内", "due.malformed"), ("300个工作日内", "due.malformed"), ("99999天后", "due.malformed"),
     ("上周五", "due.malformed"), ("周八", "due.malformed"), ("下周", "due.malformed"), ("尽快", "due.malformed"),
     ("12月31日 尽快", "due.malformed"), ("", "due.malformed"), ("十十月一日", "due.malformed"), ("2026-12-31-01", "due.malformed"),
     ("2026-11-26", "due.past"), ("2026-11-27 10:00", "due.past"), ("今天 9:00", "due.past"), ("11月27日 8:00", "due.past")],
)
def test_impossible_and_past_dates_are_refused_naming_the_value(raw, key):
    with pytest.raises(DomainError) as error:
        when(raw)
    assert error.value.key == key and error.value.params["value"] == raw.strip()


def test_a_weekday_word_on_a_later_day_of_the_week_means_the_coming_one():
    saturday, sunday = local(2026, 11, 28, 10, 0), local(2026, 11, 29, 10, 0)
    assert when("周五", saturday).moment == NEXT_FRI  # Friday has passed: next week's
    assert when("本周五", saturday).moment == NEXT_FRI  # the friendliest reading, stated in the reply
    assert when("下周五", sunday).moment == NEXT_FRI  # weeks run Monday–Sunday
    assert when("周五", local(2026, 11, 27, 19, 0)).moment == NEXT_FRI  # today, but 18:00 has passed
    assert when("月底", local(2026, 11, 30, 9, 0)).moment == local(2026, 11, 30, 18, 0)
    with pytest.raises(DomainError, match="due.past"):
        when("月底", local(2026, 11, 30, 19, 0))


def test_non_working_days_are_named_holiday_or_weekend():
    before_national_day = local(2026, 9, 21, 10, 0)  # a Monday
    assert when("10月1日", before_national_day).day_off == dates.HOLIDAY
    assert when("下周五", before_national_day).moment == local(2026, 10, 2, 18, 0)
    assert when("下周五", before_national_day).day_off == dates.HOLIDAY
    assert when("10月10日", before_national_day).day_off is None  # a Saturday made a working day (调休)
    assert when("10月11日", before_national_day).day_off == dates.WEEKEND
    assert when("2个工作日内", local(2026, 9, 29, 10, 0)).moment == local(2026, 10, 8, 18, 0)  # 9-30, then 10-08
    assert when("12月31日").workday and not when("明天").workday


def test_the_echo_states_the_weekday_and_warns_about_a_day_off():
    assert fmt_due(DEC31, TZ, "zh") == "2026-12-31（周四）18:00"
    assert fmt_due(DEC31, TZ, "en") == "2026-12-31 (Thu) 18:00"
    holiday = local(2026, 10, 1, 18, 0)
    assert day_off_warning(holiday, TZ, "zh", dates.HOLIDAY) == "⚠️ 注意：2026-10-01（周四）是法定节假日，不是工作日。"
    assert "2026-11-28 (Sat)" in (day_off_warning(local(2026, 11, 28, 18, 0), TZ, "en", dates.WEEKEND) or "")
    assert day_off_warning(DEC31, TZ, "zh", None) is None


@pytest.mark.parametrize(
    ("text", "due", "reason"),
    [("下周五 18:00 因故延期", NEXT_FRI, "因故延期"), ("下周五 因故延期", NEXT_FRI, "因故延期"), ("下周五因故延期", NEXT_FRI, "因故延期"),
     ("12月31日前 因为等待批复", DEC31, "因为等待批复"), ("12月31日前因为等待批复", DEC31, "因为等待批复"),
     ("2026-12-31 10:00 等待上级批复", local(2026, 12, 31, 10, 0), "等待上级批复"), ("12.31，材料未齐", DEC31, "材料未齐"),
     ("3个工作日内 3个部门未反馈", local(2026, 12, 2, 18, 0), "3个部门未反馈"),
     ("因等待批复申请延期至12月31日", DEC31, "因等待批复申请延期至12月31日"),
     ("增长12.5%未达标，请延期到下周五", NEXT_FRI, "增长12.5%未达标，请延期到下周五")],
)
def test_an_extension_request_splits_the_date_from_the_reason(text, due, reason):
    assert tasks.parse_extension(text, now=NOW, tz=TZ, calendar=CAL) == (due, reason)


@pytest.mark.parametrize(("text", "key"), [("下周五", "extension.reason_needed"), ("尽快处理", "due.malformed"),
                                           ("2026-02-30 原因", "due.malformed"), ("上周五 原因", "due.malformed"),
                                           ("上个月底前 原因", "due.malformed")])
def test_an_extension_request_without_a_date_or_a_reason_is_refused(text, key):
    with pytest.raises(DomainError) as error:
        tasks.parse_extension(text, now=NOW, tz=TZ, calendar=CAL)
    assert error.value.key == key
    if key == "due.malformed":
        assert error.value.params["value"] == text.split()[0]


# ---------------------------------------------------------------- properties

NOWS = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 12, 31)).map(lambda d: d.replace(tzinfo=TZ))
FUTURE_DAYS = st.dates(min_value=date(2026, 11, 28), max_value=date(2300, 12, 31))
_CN_DIGITS = "〇一二三四五六七八九"


def chinese(day: date) -> str:
    """二〇二六年十二月三十一日, as a document would write it."""
    year = "".join(_CN_DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{cn2an.an2cn(day.month)}月{cn2an.an2cn(day.day)}日"


@PROPS
@given(FUTURE_DAYS, st.sampled_from(["{d.year}年{d.month}月{d.day}日", "{d.year}年{d.month:02d}月{d.day:02d}日",
                                     "{d.year}-{d.month}-{d.day}", "{d.year}/{d.month:02d}/{d.day:02d}", "chinese"]))
def test_every_full_future_date_round_trips(day, form):
    text = chinese(day) if form == "chinese" else form.format(d=day)
    understood = when(text)
    assert understood.moment == datetime.combine(day, time(18, 0), tzinfo=TZ)
    assert understood.workday == CAL.is_workday(day)


@PROPS
@given(NOWS, st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=31),
       st.sampled_from(["{m}月{d}日", "{m}-{d}", "{m}/{d}", "{m}.{d}", "{m}月{d}号前", "chinese"]))
@example(local(2026, 12, 31, 19, 0), 12, 31, "{m}月{d}日")
@example(local(2027, 3, 1, 9, 0), 2, 29, "{m}月{d}日")
def test_a_month_and_day_is_within_the_next_366_days(now, month, day, form):
    text = f"{cn2an.an2cn(month)}月{cn2an.an2cn(day)}日" if form == "chinese" else form.format(m=month, d=day)
    today = now.date()
    try:
        moment = when(text, now).moment
    except DomainError as error:
        if error.key == "due.past":  # only today's date after 18:00
            assert (month, day) == (today.month, today.day) and now.time() >= time(18, 0)
        else:  # no such day this year or next that is not already past
            assert error.key == "due.malformed"
            candidates = []
            for year in (today.year, today.year + 1):
                try:
                    candidates.append(date(year, month, day))
                except ValueError:
                    pass
            assert not any(c >= today for c in candidates)
        return
    assert (moment.month, moment.day) == (month, day) and moment.time() == time(18, 0)
    assert today <= moment.date() < today + timedelta(days=367) and moment > now


WEEKDAY_CHARS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "1": 0, "5": 4, "7": 6}


@PROPS
@given(NOWS, st.sampled_from(["", "本", "这", "这个", "下", "下个", "下下"]), st.sampled_from(["周", "星期", "礼拜"]),
       st.sampled_from(sorted(WEEKDAY_CHARS)), st.sampled_from(["", " 9:00", "下午3点", " 23:59"]))
def test_weekday_words_always_land_on_that_weekday(now, which, word, char, clock):
    understood = when(f"{which}{word}{char}{clock}", now)
    moment = understood.moment
    assert moment.weekday() == WEEKDAY_CHARS[char] and moment > now
    weeks = which.count("下")
    if weeks == 0:
        assert moment - now <= timedelta(days=7)
    else:
        monday = now.date() - timedelta(days=now.weekday())
        assert moment.date() - timedelta(days=moment.weekday()) == monday + timedelta(weeks=weeks)


@PROPS
@given(NOWS, st.integers(min_value=1, max_value=40), st.sampled_from(["{n}个工作日内", "{n}个工作日后", "{n}工作日内", "chinese"]))
def test_n_working_days_lands_on_the_nth_working_day(now, n, form):
    text = f"{cn2an.an2cn(n)}个工作日内" if form == "chinese" else form.format(n=n)
    understood = when(text, now)
    day = understood.moment.date()
    assert CAL.is_workday(day) and understood.workday
    assert len(CAL.workdays_between(now.date() + timedelta(days=1), day)) == n


@PROPS
@given(NOWS, st.integers(min_value=0, max_value=400))
def test_n_days_later_is_that_many_days_later(now, n):
    try:
        moment = when(f"{n}天后", now).moment
    except DomainError as error:  # 0天后 is today, past once 18:00 has gone
        assert error.key == "due.past" and n == 0 and now.time() >= time(18, 0)
        return
    assert moment.date() == now.date() + timedelta(days=n)


# Text built from the parser's own vocabulary reaches deep into it; arbitrary text covers the rest.
VOCABULARY = ["下", "本", "这个", "周", "星期", "礼拜", "五", "日", "天", "月", "底", "年", "号", "前", "之", "个", "工作日", "内",
              "后", "12", "31", "2026", "1", "0", "99999", "-", "/", ".", ":", "：", "点", "半", "分", "时", "下午", "中午",
              "十", "二", "两", "〇", "百", "千", "廿", " ", "T", "至", "延期", "明天", "大后天", "１２", "\u3000", "\u200b", "²", "①"]
TYPED = st.one_of(st.text(max_size=40), st.lists(st.sampled_from(VOCABULARY), max_size=10).map("".join))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TYPED, NOWS)
@example("9999-12-31", local(2026, 1, 1))
@example("12月31日", datetime(9999, 12, 31, 12, tzinfo=TZ))
@example("250个工作日内", datetime(9999, 6, 1, tzinfo=TZ))
@example("3660天后", datetime(9999, 6, 1, tzinfo=TZ))
@example("下下周五", datetime(9999, 12, 28, tzinfo=TZ))
@example("千千千年十十月百日", local(2026, 1, 1))
def test_no_input_raises_anything_but_a_domain_error(text, now):
    for parse in (lambda: when(text, now),
                  lambda: dates.split_when(text, now=now, tz=TZ, calendar=CAL),
                  lambda: tasks.parse_extension(text, now=now, tz=TZ, calendar=CAL)):
        try:
            result = parse()
        except UsageError:
            continue
        except DomainError as error:
            assert error.key in ("due.malformed", "due.past", "extension.reason_needed")
            continue
        if isinstance(result, dates.Understood):
            assert result.moment > now and result.moment.utcoffset() == timedelta(hours=8)
        elif isinstance(result, tuple) and isinstance(result[1], str):
            moment = result[0].moment if isinstance(result[0], dates.Understood) else result[0]
            assert moment > now and result[1] == result[1].strip()


REASONS = st.text(alphabet="因故延期等待上级批复材料未齐需要协调部门意见", min_size=1, max_size=20)
FORMS = ["12月31日", "12-31", "2026/12/31", "下周五", "下周五 17:00", "月底", "3个工作日内", "明天 9:00", "十二月三十一日前"]


@PROPS
@given(st.sampled_from(FORMS), st.sampled_from([" ", "  ", "，", ""]), REASONS)
def test_an_extension_request_is_its_date_and_its_reason(form, gap, reason):
    due, said = tasks.parse_extension(f"{form}{gap}{reason}", now=NOW, tz=TZ, calendar=CAL)
    assert due == tasks.parse_due(form, now=NOW, tz=TZ, calendar=CAL) and said == reason
