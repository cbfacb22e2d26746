"""Indicator figures in report text: `产值：49.6亿元`, `引进项目 21个`, `增长：-3.2%`.

A line (after NFKC, so full-width digits and punctuation count, and after a bullet such as
`1.`, `（一）`, `一、`, `-`, `•`, `①`) is an indicator line when it is one figure:

- `NAME: VALUE UNIT` (`:` or `：`) — any unit that names something (see below), or
- `NAME VALUE UNIT` with a space or nothing between — a known unit only, and a NAME without
  `:` or `、`, so a date (`2025年07月04日`) or a document number (`〔2025〕43号`) is not taken;

or consists only of such figures separated by `，` `、` `；` (`海辰储能产值33.2亿元、增长223.8%`
gives two; each may carry its own numbering: `1、产值：3亿元；2、引进项目：21个`). Any other line —
prose with figures in it, headings, dates — is kept as text, unchanged. Figures are never pulled out
of prose: the name would be a guess. Lines longer than 200 characters are prose. A NAME is at most
12 characters (so `本季度全区新能源汽车产业完成产值…` stays a sentence) with a letter in it and no
`，` `。` `；`; numbering is never part of it; it is kept as written (NFKC, spaces collapsed).
Chinese numerals (二十一) are not read.

The same indicator (same name, ignoring spaces and case) twice in one text counts once: the later
line wins, and `ParseResult.repeated` says how often each such name was given.

VALUE: digits with an optional decimal part, `,`/`，` thousands separators, a sign (`-3.2%`).
`约/近/超/超过/逾` before it, `余/多` after it or `左右/以上` after the unit mark it `approx`;
`达/共` before it are dropped.

Units (`Indicator.unit` is canonical, `Indicator.kind` the group):

- money → 万元 (元, 千元, 万元, 百万元, 亿元 ...: 1亿元 = 10000万元), kind `money`;
- electricity → 万千瓦时 (千瓦时, 度, 兆瓦时, kWh), `energy`; power → 万千瓦 (千瓦, 兆瓦, kW),
  `power`; volume → 万立方米 (立方米, 方), `volume`; mass → 万吨, `mass`; area → 万平方米, `area`;
- people → 人 (人, 名, 位; `1.2万人` = 12000人), kind `people`;
- counters (个, 项, 家, 件, 次, 家次, 人次, 台, 套 ...) keep the word as given, with any 万/亿
  multiplied out, kind `count`: 个 and 项 are compatible;
- `%` → `percent`, `‰` → `permille`; `个百分点`/`百分点` → 个百分点, `pp`; 倍, 天, 小时, 亩 as
  given, own kinds; rates (`%`, `‰`, 个百分点, 倍) and durations (天, 小时) are never added up
  (`is_additive`);
- after a colon only, any other word of 1–4 Chinese characters is kept as written, kind `other`,
  compatible only with the same word — except date and clock words (年, 月, 日, 号, 时, 点 ...)
  and a bare 万/亿, which are not units.

`Indicator.written` is the unit as the liaison wrote it (亿元), so a figure can be shown back in
it: `convert` moves a value between compatible units, `figure_text` writes it the way official
documents do (`15亿元`, `179.5亿元`, `21个`, `12.5%`: no separators, no space, at most two decimals).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal, localcontext

from bot.errors import UsageError
from bot.rules.names import normalize_name

MAX_LINE = 200
MAX_NAME = 12
MAX_DIGITS = 18
MAX_VALUE = Decimal(10) ** 20  # in the canonical unit (万元, 个…): far beyond any district's figure
MAX_EXPECTED = 30


@dataclass(frozen=True)
class Indicator:
    name: str
    value: Decimal
    unit: str
    raw: str
    approx: bool = False
    line: int = 0  # index of `raw` among the text's lines
    written: str = ""  # the unit as written (亿元), "" when unknown

    @property
    def kind(self) -> str:
        unit = _resolve_unit(self.unit, generic=True)
        return unit.kind if unit else "other"


@dataclass(frozen=True)
class ParseResult:
    indicators: list[Indicator] = field(default_factory=list)
    remaining_lines: list[str] = field(default_factory=list)
    repeated: dict[str, int] = field(default_factory=dict)  # name given more than once → how often


# --- units -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Unit:
    kind: str
    unit: str
    factor: Decimal  # canonical value = given value × factor


_MULTIPLIERS = {
    "": Decimal(1), "十": Decimal(10), "百": Decimal(100), "千": Decimal(1000), "万": Decimal(10) ** 4,
    "十万": Decimal(10) ** 5, "百万": Decimal(10) ** 6, "千万": Decimal(10) ** 7, "亿": Decimal(10) ** 8,
    "万亿": Decimal(10) ** 12,
}
_TEN_THOUSANDTH = Decimal("0.0001")
# base word → (kind, canonical unit or None to keep the word, value of one base in canonical units)
_BASES: dict[str, tuple[str, str | None, Decimal]] = {
    "元": ("money", "万元", _TEN_THOUSANDTH),
    "千瓦时": ("energy", "万千瓦时", _TEN_THOUSANDTH), "度": ("energy", "万千瓦时", _TEN_THOUSANDTH),
    "kwh": ("energy", "万千瓦时", _TEN_THOUSANDTH), "兆瓦时": ("energy", "万千瓦时", Decimal("0.1")),
    "千瓦": ("power", "万千瓦", _TEN_THOUSANDTH), "kw": ("power", "万千瓦", _TEN_THOUSANDTH),
    "兆瓦": ("power", "万千瓦", Decimal("0.1")),
    "立方米": ("volume", "万立方米", _TEN_THOUSANDTH), "方": ("volume", "万立方米", _TEN_THOUSANDTH),
    "吨": ("mass", "万吨", _TEN_THOUSANDTH),
    "平方米": ("area", "万平方米", _TEN_THOUSANDTH),
    "人": ("people", "人", Decimal(1)), "名": ("people", "人", Decimal(1)), "位": ("people", "人", Decimal(1)),
    "倍": ("ratio", "倍", Decimal(1)), "天": ("days", "天", Decimal(1)), "小时": ("hours", "小时", Decimal(1)),
    "亩": ("land", "亩", Decimal(1)),
}
_COUNTERS = (
    "个 项 家 件 处 次 场 场次 家次 人次 户次 台 台套 套 辆 户 座 条 批 份 单 单次 篇 株 栋 间 所 支 部 "
    "只 头 根 块 本 册 款 种 宗 起 例 张 枚 轮 期 趟 架 艘 幢 处次 项次"
).split()
_BASES.update({word: ("count", None, Decimal(1)) for word in _COUNTERS})
_BASE_WORDS = sorted(_BASES, key=len, reverse=True)
_EXACT = {
    "%": _Unit("percent", "%", Decimal(1)),
    "‰": _Unit("permille", "‰", Decimal(1)),
    "个百分点": _Unit("pp", "个百分点", Decimal(1)),
    "百分点": _Unit("pp", "个百分点", Decimal(1)),
}
_NOT_UNITS = {"年", "月", "日", "号", "时", "点", "秒", "周", "年度", "月份", "季度", "时许"}
_GENERIC = re.compile(r"^[\u4e00-\u9fff]{1,4}$")


@lru_cache(maxsize=4096)
def _resolve_unit(text: str, *, generic: bool) -> _Unit | None:
    word = unicodedata.normalize("NFKC", text).strip().casefold()
    if word in _EXACT:
        return _EXACT[word]
    for base in _BASE_WORDS:
        if word.endswith(base) and (prefix := word[: -len(base)]) in _MULTIPLIERS:
            kind, canonical, factor = _BASES[base]
            return _Unit(kind, canonical or base, _MULTIPLIERS[prefix] * factor)
    if generic and _GENERIC.match(word) and word not in _NOT_UNITS and word not in _MULTIPLIERS:
        return _Unit("other", word, Decimal(1))
    return None


def unit_kind(unit: str) -> str | None:
    """The group a unit belongs to (`money`, `count`, `percent` ...), None when not a unit."""
    resolved = _resolve_unit(unit, generic=True)
    return resolved.kind if resolved else None


@lru_cache(maxsize=4096)
def units_compatible(a: str, b: str) -> bool:
    """Same kind (亿元 and 万元; 个 and 项); words of kind `other` only when equal."""
    ua, ub = _resolve_unit(a, generic=True), _resolve_unit(b, generic=True)
    if ua is None or ub is None:
        return unicodedata.normalize("NFKC", a).strip() == unicodedata.normalize("NFKC", b).strip()
    if ua.kind == "other" or ub.kind == "other":
        return ua.unit == ub.unit
    return ua.kind == ub.kind


# --- lines ---------------------------------------------------------------------------------------

_CIRCLED = re.compile(r"^\s*[\u2460-\u2473\u2474-\u2487\u2488-\u249b\u2776-\u2793]\s*")
_BULLET = re.compile(
    r"^\s*(?:[-*•·●○◆◇▪■□▶►‣⁃]+|\(\s*(?:[0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*\)"
    r"|[0-9]{1,3}\s*[.、)](?![0-9])|[一二三四五六七八九十]{1,3}\s*[、.)])\s*"
)
_TRAILING = re.compile(r"[\s。.;,!！]+$")
_NUMBER = r"(?P<sign>[+-]?)\s*(?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
_VALUE = (
    rf"(?P<pre>超过|约|近|超|逾|达到|达|共)?\s*{_NUMBER}\s*(?P<post>余|多)?\s*"
    r"(?P<unit>[^\s0-9+\-.,:]+?)\s*(?P<tail>左右|以上)?"
)
_COLON_FORM = re.compile(rf"^(?P<name>[^:]+?)\s*:\s*{_VALUE}$")
_PLAIN_FORM = re.compile(rf"^(?P<name>.*?[^\s0-9+\-.,])\s*{_VALUE}$")
_SEGMENT_SPLIT = re.compile(r";|、|,(?![0-9])|(?<![0-9]),")
_APPROX_PRE = {"超过", "约", "近", "超", "逾"}
_NAME_FORBIDDEN = set(",;。!?！？")


@dataclass(frozen=True)
class _Figure:
    name: str
    value: Decimal
    unit: str
    approx: bool
    written: str


def _name_ok(name: str, *, plain: bool) -> bool:
    if not name or len(name) > MAX_NAME or not any(c.isalpha() for c in name):
        return False
    if set(name) & _NAME_FORBIDDEN:
        return False
    return not (plain and ("、" in name or ":" in name))


def _tidy(value: Decimal) -> Decimal:
    if value == 0:
        return Decimal(0)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _unbullet(text: str) -> str:
    """`1.`, `1、`, `(1)`, `（一）`, `一、`, `①`, `-`, `•` and the like off the front (after NFKC)."""
    return _BULLET.sub("", _CIRCLED.sub("", text), count=1).strip()


def _figure(segment: str) -> _Figure | None:
    segment = _unbullet(segment)
    plain = ":" not in segment
    match = (_PLAIN_FORM if plain else _COLON_FORM).match(segment)
    if match is None:
        return None
    name = normalize_name(_unbullet(match["name"]))
    digits = match["num"].replace(",", "")
    unit = _resolve_unit(match["unit"], generic=not plain)
    if unit is None or not _name_ok(name, plain=plain) or len(digits.replace(".", "")) > MAX_DIGITS:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        value = _tidy(Decimal(match["sign"] + digits) * unit.factor)
    if abs(value) >= MAX_VALUE:  # no real figure: a typo, kept as text rather than breaking every total
        return None
    approx = match["pre"] in _APPROX_PRE or bool(match["post"]) or bool(match["tail"])
    written = unicodedata.normalize("NFKC", match["unit"]).strip()
    return _Figure(name, value, unit.unit, approx, written)


_NUMBERING_ONLY = re.compile(r"^(?:[0-9]{1,3}|[一二三四五六七八九十]{1,3})$")


def _segments(text: str) -> list[str]:
    """A line cut at `；` `，` `、`; a piece that is only numbering (`1、…`) joins the next one."""
    pieces = [p.strip() for p in _SEGMENT_SPLIT.split(text)]
    out: list[str] = []
    carry = ""
    for piece in pieces:
        if _NUMBERING_ONLY.match(piece):
            carry = f"{piece}、"
            continue
        out.append(carry + piece)
        carry = ""
    if carry:
        out.append(carry)
    return out


def _clean(line: str) -> str:
    """NFKC (circled numbers first: NFKC would make ① a bare 1), numbering and trailing stops off."""
    text = unicodedata.normalize("NFKC", _CIRCLED.sub("", line))
    return " ".join(_TRAILING.sub("", _unbullet(text)).split())


def _figures(line: str) -> list[_Figure]:
    """The figures of an indicator line; empty for a line of text."""
    if len(line) > MAX_LINE:
        return []
    text = _clean(line)
    if not text:
        return []
    whole = _figure(text)
    if whole is not None:
        return [whole]
    segments = _segments(text)
    if len(segments) < 2 or not all(segments):
        return []
    found = [_figure(s) for s in segments]
    return [f for f in found if f is not None] if all(found) else []


def name_key(name: str) -> str:
    """Two indicator names are the same indicator when these are equal (spaces and case aside)."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def parse_indicators(text: str) -> ParseResult:
    """Indicators and the other lines (verbatim, blank ones too), both in text order.

    Lines are `text.splitlines()`; each is either the `raw` of its indicator(s) or kept as text.
    An indicator given twice counts once, the later one (in the later one's place); `repeated`
    counts how often each such name was given.
    """
    found: list[Indicator] = []
    remaining: list[str] = []
    for index, line in enumerate(text.splitlines()):
        figures = _figures(line)
        if not figures:
            remaining.append(line)
        for f in figures:
            found.append(Indicator(f.name, f.value, f.unit, line, f.approx, index, f.written))
    last: dict[str, int] = {}
    times: dict[str, int] = {}
    for position, item in enumerate(found):
        last[name_key(item.name)] = position
        times[name_key(item.name)] = times.get(name_key(item.name), 0) + 1
    kept = [item for position, item in enumerate(found) if last[name_key(item.name)] == position]
    repeated = {item.name: times[name_key(item.name)] for item in kept if times[name_key(item.name)] > 1}
    return ParseResult(kept, remaining, repeated)


def written_unit(raw: str, name: str) -> str:
    """The unit `name` was written in on its line (亿元 for `产值：49.6亿元`), "" when not found."""
    for item in parse_indicators(raw).indicators:
        if name_key(item.name) == name_key(name):
            return item.written
    return ""


# --- showing figures ------------------------------------------------------------------------------

NON_ADDITIVE_KINDS = frozenset({"percent", "permille", "pp", "ratio", "days", "hours"})


def is_additive(unit: str) -> bool:
    """Money, counts, people, area … add up across departments; rates (`%`, `‰`, 个百分点, 倍) and
    durations (天, 小时) never do."""
    return unit_kind(unit) not in NON_ADDITIVE_KINDS


def convert(value: Decimal, unit: str, to: str) -> Decimal:
    """`value` in `unit` expressed in `to` (496000 万元 → 49.6 亿元); unchanged when the two are not
    compatible units. Exact: no rounding happens here."""
    source, target = _resolve_unit(unit, generic=True), _resolve_unit(to, generic=True)
    if source is None or target is None or source.factor == target.factor or not units_compatible(unit, to):
        return value
    with localcontext() as ctx:
        ctx.prec = 60
        return _tidy(value * source.factor / target.factor)


def _rounded(value: Decimal) -> Decimal:
    if value == 0:
        return Decimal(0)
    if abs(value) >= Decimal("0.01"):
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    with localcontext() as ctx:  # a tiny figure keeps three significant digits rather than showing 0
        ctx.prec = 3
        return +value


def number_text(value: Decimal) -> str:
    """`15`, `179.5`, `-3.2`, `1795000`: at most two decimals, no trailing zeros, no separators."""
    text = format(_tidy(_rounded(value)), "f")
    return "0" if text in ("-0", "") else text


def figure_text(value: Decimal, unit: str) -> str:
    """The figure as official documents write it: `15亿元`, `21个`, `12.5%`, `3个百分点`."""
    return f"{number_text(value)}{unit}"


def shown_unit(item: Indicator, expected: Iterable[tuple[str, str]] = ()) -> str:
    """The unit a figure is shown in: the office's (`/cycle indicators 产值 亿元`), else as written."""
    for name, unit in expected:
        if _satisfies(item, name, unit):
            return unit
    if item.written and units_compatible(item.written, item.unit):
        return item.written
    return item.unit


def shown(item: Indicator, expected: Iterable[tuple[str, str]] = ()) -> str:
    """One indicator's figure as the preview shows it (`49.6亿元`)."""
    unit = shown_unit(item, expected)
    return figure_text(convert(item.value, item.unit, unit), unit)


# --- versions -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """An indicator of the new version against the previous one: `before` None is new (新增),
    `after` None no longer given, both set and different values a change (`旧 → 新`)."""

    name: str
    before: Indicator | None
    after: Indicator | None

    @property
    def changed(self) -> bool:
        if self.before is None or self.after is None:
            return True
        return self.before.value != self.after.value or not units_compatible(self.before.unit, self.after.unit)


def compare(previous: Iterable[Indicator], current: Iterable[Indicator]) -> list[Change]:
    """Each current indicator against the previous version's (by name), then the dropped ones."""
    old = {name_key(i.name): i for i in previous}
    out: list[Change] = []
    seen: set[str] = set()
    for item in current:
        key = name_key(item.name)
        seen.add(key)
        out.append(Change(item.name, old.get(key), item))
    out += [Change(item.name, item, None) for key, item in old.items() if key not in seen]
    return out


def merge_text(base: str, addition: str) -> str:
    """The draft after `addition` is added to `base` (a copy of the previous version): lines are
    appended, and an indicator line replaces the indicator of the same name — the old line in
    place when all its figures are replaced, else the replaced figures are cut from it."""
    addition = addition.strip()
    new = parse_indicators(addition).indicators
    if not base.strip():
        return addition.strip()
    if not addition.strip():
        return base
    replaced = {name_key(i.name) for i in new}
    source = {name_key(i.name): i.line for i in new}  # name → its line in `addition`
    extra = addition.splitlines()
    out: list[str] = []
    placed: set[int] = set()
    for line in base.splitlines():
        figures = _figures(line)
        hit = [f for f in figures if name_key(f.name) in replaced]
        if not hit:
            out.append(line)
        elif len(hit) < len(figures):  # keep the figures that were not replaced
            out.append("；".join(_unbullet(p) for p in _segments(_clean(line))
                                if (f := _figure(p)) is None or name_key(f.name) not in replaced))
        else:  # the new line takes the old one's place
            for n in sorted({source[name_key(f.name)] for f in hit} - placed):
                out.append(extra[n])
                placed.add(n)
    rest = [line for n, line in enumerate(extra) if n not in placed]
    return "\n".join(out + rest).strip("\n")


# --- expected indicators -----------------------------------------------------------------------------

def _satisfies(indicator: Indicator, name: str, unit: str) -> bool:
    wanted, got = name_key(name), name_key(indicator.name)
    return bool(wanted) and wanted in got and units_compatible(unit, indicator.unit)


def expected_missing(
    expected: Iterable[tuple[str, str]], got: ParseResult | Iterable[Indicator]
) -> list[tuple[str, str]]:
    """The expected `(name, unit)` pairs no indicator satisfies, in the given order.

    An indicator satisfies a pair when its name, without spaces and case, contains the expected
    name (产值 is met by 新型储能产业产值) and its unit is compatible (亿元 by 万元, 个 by 项).
    """
    indicators = list(got.indicators if isinstance(got, ParseResult) else got)
    return [(n, u) for n, u in expected if not any(_satisfies(i, n, u) for i in indicators)]


_SPEC_SPLIT = re.compile(r"[,;、\n]")
_SPEC_ITEM = re.compile(r"^(?P<name>.+?)\s*\(\s*(?P<u1>[^()\s]+)\s*\)$|^(?P<name2>.+?)(?:\s*:\s*|\s+)(?P<u2>\S+)$")


def parse_expected_spec(spec: str) -> list[tuple[str, str]]:
    """`产值 亿元, 引进项目 个, 增长 %` → [("产值", "亿元"), ("引进项目", "个"), ("增长", "%")].

    Items are separated by `,` `，` `;` `、` or new lines; each is `NAME UNIT`, `NAME:UNIT` or
    `NAME(UNIT)` with a known unit (not the free `other` words). A name given twice keeps its
    first unit. Raises UsageError("cycle") on anything else.
    """
    items = [i.strip() for i in _SPEC_SPLIT.split(unicodedata.normalize("NFKC", spec))]
    items = [i for i in items if i]
    if not items or len(items) > MAX_EXPECTED:
        raise UsageError("cycle")
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in items:
        match = _SPEC_ITEM.match(item)
        if match is None:
            raise UsageError("cycle")
        name = normalize_name(match["name"] or match["name2"])
        unit = (match["u1"] or match["u2"]).strip()
        if not _name_ok(name, plain=False) or ":" in name or _resolve_unit(unit, generic=False) is None:
            raise UsageError("cycle")
        if name_key(name) not in seen:
            seen.add(name_key(name))
            out.append((name, unit))
    return out
