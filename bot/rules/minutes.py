"""Agreed items (议定事项) in a meeting's minutes: which paragraphs are items, which departments lead
and cooperate, and by when.

Pure: the minutes as blocks of text (paragraphs, numbered items, a table's rows as labelled text),
the office's department spellings (name or alias → department name) and the meeting's date in;
the items out. Never raises on any input; every department it returns is one of the spellings'
values.

How minutes are read (the choices, and why):

- Blocks (`split_blocks`): a paragraph per line; a numbered item (`一、`, `（一）`, `1.`, `1、`,
  `（1）`, `①`) starts a new block even inside a pasted line, when it stands at the line's start or
  after `。；：！？` or a space — so `12.5亿元` and `2027.1.15` are never split. The numbering is
  removed. A .docx comes as bot.readers.docx_minutes.docx_blocks, which extract_items takes as
  they are (a leading numbering is removed there too); split each with split_blocks as well when a
  paragraph may hold several numbered items.
- Which blocks are candidates: when the minutes have a marker (`会议议定`, `议定如下`, `会议明确`,
  `议定事项`, `会议要求`, `会议决定`, `会议商定`, `会议同意`, `研究决定`), only what follows the
  first marker (the rest of its own paragraph too) are candidates as they are: minutes open with
  who reported what (`会议听取了区经济信息委关于…的汇报`), and those departments carry out nothing.
  A block before the marker is an item only when it says who leads or cooperates (a label, `牵头`,
  `负责`, `配合` …), for minutes whose items come before a closing `会议要求…`. Without a marker
  every block is a candidate. Lists of people and units (`出席：`, `列席：`, `抄送：` …) are never
  items. A line that only carries labels (`牵头单位：…`, `完成时限：…`) belongs to the item above it.
- An item is a candidate that names at least one department: a spelling from `departments`, or a
  name without its level prefix (`科技局` for `区科技局`) when only one name reads so. The longest
  spelling wins and one never matches inside another (`区科技局` is not also `科技局`); a short form
  right after `市`/`省`/`区`/`县` is another level's body (`市经信委`) and not the office's.
- Lead and cooperating departments: labels first — `牵头单位：X`, `配合单位：Y`, `责任单位：Z`
  (lead when no 牵头单位 is given, else cooperating; a `（牵头）` after one name in it makes that one
  lead). Otherwise, within a clause, a department before `牵头`/`负责`/`统筹`/`会同` leads and one
  before `配合`/`协同`/`协助`/`参与` cooperates; after `会同`/`牵头` it cooperates, after
  `配合` (`配合X做好…`) it leads when nothing else does. Departments named without such a word
  cooperate; when nothing leads, the first named leads (no marker at all: the first leads, the
  others cooperate). A department is never both.
- Due date: in a `完成时限：`/`时限要求：` label if there is one; otherwise the first date followed by
  `前` or after `于`/`在`/`截至`, else the first date: `12月底前`, `12月31日前`, `于2027年1月15日前`,
  `2027年3月底前`, `年底前`, `2027年底`, `一季度末`, `上半年`, and whatever bot.rules.dates reads
  inside a text. A date without a year is the first such date on or after the meeting. `长期坚持`,
  `持续推进`, `常态化` and the like make a standing item (no due date) unless a date is written
  too; `完成时限：长期坚持` is standing whatever else the item says.
- Title: the first sentence that still says something once labels, dates and the departments at a
  clause's start (`由X牵头`, `X负责`, `X配合Y`) are taken out — the task names its departments and
  due date anyway — at most TITLE_LIMIT characters; the item's text when nothing is left.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.rules.dates import find_days


@dataclass(frozen=True)
class AgreedItem:
    text: str  # the item as written, its numbering removed, whitespace collapsed
    title: str  # a short title for the task (at most TITLE_LIMIT characters)
    lead: tuple[str, ...]  # department names (canonical), in the order named
    cooperating: tuple[str, ...]  # department names, not among `lead`
    due: date | None  # None when no date is given, and for a standing item
    standing: bool  # 长期坚持 and the like: no final date, progress every month


TITLE_LIMIT = 60

LEVEL_PREFIXES = ("区", "市", "县")
OTHER_LEVEL = "省市区县"  # a short form right after one of these is another body's
MAX_DEPARTMENT_MENTIONS = 5000  # placeholders available for department mentions in one block

# ---------------------------------------------------------------- blocks

_NUMBERING = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}[、．.]"
    r"|[（(][一二三四五六七八九十]{1,3}[)）][、．.]?"
    r"|[（(][0-9０-９]{1,2}[)）][、．.]?"
    r"|[0-9０-９]{1,2}[.．、](?![0-9０-９])"
    r"|[①-⑳])"
)
_BREAKS = "。；;！!？?：:"


def _collapse(text: str) -> str:
    return " ".join(text.split())


def split_blocks(text: str) -> list[str]:
    """Minutes as typed or pasted → blocks: one per paragraph, and a numbered item (`一、`, `（一）`,
    `1.`, `1、`, `(1)`, `①`) starts a new block even inside a paragraph."""
    blocks: list[str] = []
    for line in str(text).splitlines():
        cuts: list[tuple[int, int]] = []  # (start of the numbering, start of the item's text)
        for found in _NUMBERING.finditer(line):
            before = line[: found.start()].rstrip()
            if not before or before[-1] in _BREAKS or before != line[: found.start()]:
                cuts.append((found.start(), found.end()))
        pieces: list[str] = []
        if not cuts:
            pieces.append(line)
        else:
            pieces.append(line[: cuts[0][0]])
            for index, (_start, text_start) in enumerate(cuts):
                end = cuts[index + 1][0] if index + 1 < len(cuts) else len(line)
                pieces.append(line[text_start:end])
        blocks.extend(piece for piece in (_collapse(p) for p in pieces) if piece)
    return blocks


# ---------------------------------------------------------------- departments


def _fold(text: str) -> str:
    """Full-width to half-width one character for one (NFKC where it gives one character), so
    positions in the result are positions in `text`."""
    out = []
    for c in text:
        folded = unicodedata.normalize("NFKC", c)
        out.append(folded if len(folded) == 1 else c)
    return "".join(out)


@dataclass(frozen=True)
class _Spelling:
    name: str
    derived: bool  # a name without its level prefix, not a spelling the office gave


def _spellings(departments: Mapping[str, str]) -> dict[str, _Spelling]:
    given: dict[str, _Spelling] = {}
    for spelling, name in departments.items():
        key = _fold(_collapse(str(spelling)))
        if key and key not in given:
            given[key] = _Spelling(name, False)
    shorts: dict[str, set[str]] = {}
    for key, spelling in given.items():
        if len(key) >= 4 and key.startswith(LEVEL_PREFIXES):
            shorts.setdefault(key[1:], set()).add(spelling.name)
    out = dict(given)
    for short, names in shorts.items():
        if short not in out and len(names) == 1:
            out[short] = _Spelling(next(iter(names)), True)
    return out


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    name: str


def _mentions(folded: str, spellings: Mapping[str, _Spelling]) -> list[_Mention]:
    """Department mentions in `folded`: longest spellings first, never overlapping, in order."""
    found: list[_Mention] = []
    for key, spelling in spellings.items():
        at = folded.find(key)
        while at != -1:
            guarded = at > 0 and folded[at - 1] in OTHER_LEVEL and not key.startswith(LEVEL_PREFIXES)
            if not guarded:
                found.append(_Mention(at, at + len(key), spelling.name))
            at = folded.find(key, at + 1)
    found.sort(key=lambda m: (-(m.end - m.start), m.start))
    taken: list[_Mention] = []
    used = bytearray(len(folded))
    for mention in found:
        if len(taken) >= MAX_DEPARTMENT_MENTIONS:
            break
        if any(used[mention.start:mention.end]):
            continue
        used[mention.start:mention.end] = b"\x01" * (mention.end - mention.start)
        taken.append(mention)
    taken.sort(key=lambda m: m.start)
    return taken


# The working copy of a block: each department mention replaced by one private-use character (so
# phrasings are plain regexes and no keyword is ever found inside a name).
_PUA = 0xE000
_PUA_CLASS = "\ue000-\uf8ff"


@dataclass(frozen=True)
class _Skeleton:
    text: str  # folded, departments as placeholders
    original: str  # the same with the original characters (for titles)
    names: dict[str, str]  # placeholder → department name
    spelled: dict[str, str]  # placeholder → the mention as written


def _skeleton(text: str, spellings: Mapping[str, _Spelling]) -> _Skeleton:
    folded = _fold(text)
    safe = re.sub(f"[{_PUA_CLASS}]", " ", folded)
    original = re.sub(f"[{_PUA_CLASS}]", " ", text)
    parts: list[str] = []
    shown: list[str] = []
    names: dict[str, str] = {}
    spelled: dict[str, str] = {}
    at = 0
    for index, mention in enumerate(_mentions(safe, spellings)):
        mark = chr(_PUA + index)
        parts.append(safe[at:mention.start] + mark)
        shown.append(original[at:mention.start] + mark)
        names[mark] = mention.name
        spelled[mark] = original[mention.start:mention.end]
        at = mention.end
    parts.append(safe[at:])
    shown.append(original[at:])
    return _Skeleton("".join(parts), "".join(shown), names, spelled)


# ---------------------------------------------------------------- roles

_LABEL = re.compile(
    r"(?P<lead>牵头单位|牵头部门|主办单位|主责单位)|(?P<duty>责任单位|责任部门|承办单位)"
    r"|(?P<coop>配合单位|配合部门|协办单位|协同单位|参与单位)"
    r"|(?P<time>完成时限|完成时间|办结时限|时限要求|时间要求|时间节点|完成期限|时限)"
)
_LABEL_COLON = re.compile(rf"\s*[:：]|(?=\s*[{_PUA_CLASS}])")
_SEGMENT_END = re.compile(r"[;；。\n]")
_KEYWORD = re.compile(r"(?P<lead>牵头|负责(?!人|同志)|统筹|主抓|抓总|主办)|(?P<with>会同)"
                      r"|(?P<coop>配合|协同|协助|协办|参与)")
_CLAUSE = re.compile(r"[^,，;；。!！?？:：\n]+")

LEAD, COOP, WEAK = "lead", "coop", "weak"  # WEAK: after 配合 (配合X做好…): leads if nothing else does


@dataclass(frozen=True)
class _Label:
    kind: str
    start: int  # the label's first character
    body: int  # where its value starts
    end: int  # where its value ends


def _labels(skeleton: str) -> list[_Label]:
    found = []
    for match in _LABEL.finditer(skeleton):
        colon = _LABEL_COLON.match(skeleton, match.end())
        if colon is None:
            continue
        found.append((match.lastgroup or "", match.start(), colon.end()))
    labels = []
    for index, (kind, start, body) in enumerate(found):
        end = len(skeleton)
        stop = _SEGMENT_END.search(skeleton, body)
        if stop:
            end = stop.start()
        if index + 1 < len(found):
            end = min(end, found[index + 1][1])
        labels.append(_Label(kind, start, body, max(body, end)))
    return labels


def _keyword_role(clause: str, offset: int) -> dict[int, str]:
    """Position of each placeholder in `clause` → its role from the keywords around it."""
    words = [(m.start(), m.lastgroup or "") for m in _KEYWORD.finditer(clause)]
    roles: dict[int, str] = {}
    if not words:
        return roles
    for index, char in enumerate(clause):
        if not _is_mark(char):
            continue
        after = next((kind for at, kind in words if at > index), None)
        if after is not None:
            roles[offset + index] = LEAD if after in ("lead", "with") else COOP
            continue
        before = [kind for at, kind in words if at < index]
        if before:
            roles[offset + index] = WEAK if before[-1] == "coop" else COOP
    return roles


def _is_mark(char: str) -> bool:
    return _PUA <= ord(char) <= 0xF8FF


def _roles(sk: _Skeleton) -> tuple[tuple[str, ...], tuple[str, ...]]:
    text = sk.text
    labels = [label for label in _labels(text) if label.kind != "time"]
    masked = list(text)
    for label in _labels(text):
        masked[label.start:label.body] = " " * (label.body - label.start)
    plain = "".join(masked)
    has_lead_label = any(label.kind == "lead" for label in labels)
    role_of: dict[int, str] = {}
    for clause in _CLAUSE.finditer(plain):
        role_of.update(_keyword_role(clause.group(), clause.start()))
    for label in labels:
        default = COOP if label.kind == "coop" or (label.kind == "duty" and has_lead_label) else LEAD
        segment = plain[label.body:label.end]
        keyed = _KEYWORD.search(segment) is not None
        for index in range(label.body, label.end):
            if _is_mark(text[index]) and not (keyed and index in role_of):
                role_of[index] = default
    order: list[tuple[str, str | None]] = [(sk.names[c], role_of.get(i)) for i, c in enumerate(text) if _is_mark(c)]
    if not order:
        return (), ()
    lead = _unique(name for name, role in order if role == LEAD)
    if not lead:
        weak = _unique(name for name, role in order if role == WEAK)
        unassigned = _unique(name for name, role in order if role is None)
        lead = weak or unassigned[:1] or (order[0][0],)
    cooperating = _unique(name for name, _role in order if name not in lead)
    return lead, cooperating


def _unique(names: object) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in names:  # type: ignore[attr-defined]
        seen.setdefault(name, None)
    return tuple(seen)


# ---------------------------------------------------------------- due dates

_STANDING = re.compile(r"长期坚持|长期推进|长期执行|长期有效|持续推进|持续开展|常态化|长期(?!以来)")
_CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR_END = re.compile(r"(?P<y>[0-9]{4})\s*年\s*年?[底末]|(?P<next>明)?年(?:底|末|内)")
_QUARTER = re.compile(r"(?:(?P<y>[0-9]{4})\s*年\s*)?第?(?P<q>[一二三四1-4])\s*季度(?P<end>末|底|结束前|前|内)?")
_HALF = re.compile(r"(?:(?P<y>[0-9]{4})\s*年\s*)?(?P<h>上|下)半年(?P<end>末|底|前|内)?")
_YEAR_MONTH_END = re.compile(r"(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月份?\s*[底末]")
_AFTER_DATE = re.compile(r"\s*(?:前|之前|以前)")
_BEFORE_DATE = re.compile(r"(?:于|在|截至|截止|至|到)\s*$")


@dataclass(frozen=True)
class _Due:
    start: int
    end: int
    day: date
    strong: bool  # followed by 前 or after 于…: a deadline rather than a date mentioned


def _safe_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _month_end(year: int, month: int) -> date | None:
    if not 1 <= month <= 12:
        return None
    first_next = _safe_day(year + month // 12, month % 12 + 1, 1)
    if first_next is None:
        return _safe_day(year, 12, 31) if month == 12 else None
    return date.fromordinal(first_next.toordinal() - 1)


def _on_or_after(held_on: date, year: str | None, make: object) -> date | None:
    years = [int(year)] if year else [held_on.year, held_on.year + 1]
    for candidate_year in years:
        day = make(candidate_year)  # type: ignore[operator]
        if day is not None and (year or day >= held_on):
            return day
    return None


def _period_dues(text: str, held_on: date) -> list[_Due]:
    """Dates that bot.rules.dates does not read: a year's end, a quarter, a half, `2027年3月底`."""
    found: list[_Due] = []
    for match in _YEAR_MONTH_END.finditer(text):
        day = _month_end(int(match["y"]), int(match["m"]))
        if day:
            found.append(_Due(match.start(), match.end(), day, False))
    for match in _YEAR_END.finditer(text):
        year = match["y"] or (str(held_on.year + 1) if match["next"] else None)
        day = _on_or_after(held_on, year, lambda y: _safe_day(y, 12, 31))
        if day:
            found.append(_Due(match.start(), match.end(), day, False))
    for match in _QUARTER.finditer(text):
        quarter = _CN_QUARTER[match["q"]]
        day = _on_or_after(held_on, match["y"], lambda y, q=quarter: _month_end(y, 3 * q))
        if day and (match["end"] or match["y"]):
            found.append(_Due(match.start(), match.end(), day, False))
    for match in _HALF.finditer(text):
        month = 6 if match["h"] == "上" else 12
        day = _on_or_after(held_on, match["y"], lambda y, m=month: _month_end(y, m))
        if day:
            found.append(_Due(match.start(), match.end(), day, False))
    return found


def _dues(text: str, held_on: date) -> list[_Due]:
    """Every date in `text`, left to right, not overlapping; `strong` set from the words around."""
    candidates = _period_dues(text, held_on)
    taken = sorted(candidates, key=lambda d: (d.start, -(d.end - d.start)))
    out: list[_Due] = []
    for due in taken:
        if not any(due.start < other.end and other.start < due.end for other in out):
            out.append(due)
    for found in find_days(text, today=held_on):
        if not any(found.start < other.end and other.start < found.end for other in out):
            out.append(_Due(found.start, found.end, found.day, False))
    marked = []
    for due in sorted(out, key=lambda d: d.start):
        after = _AFTER_DATE.match(text, due.end)
        end = after.end() if after else due.end
        strong = bool(after) or text[due.start:due.end].rstrip().endswith("前") \
            or bool(_BEFORE_DATE.search(text[max(0, due.start - 4):due.start]))
        marked.append(_Due(due.start, end, due.day, strong))
    return marked


def _due(text: str, held_on: date) -> tuple[date | None, bool, list[_Due], list[tuple[int, int]]]:
    """(due, standing, the dates found, the standing phrases' spans) of a folded text."""
    dues = _dues(text, held_on)
    standing = [(m.start(), m.end()) for m in _STANDING.finditer(text)]
    for label in _labels(text):
        if label.kind != "time":
            continue
        inside = [d for d in dues if label.body <= d.start < label.end]
        if inside:
            return inside[0].day, False, dues, standing
        if any(label.body <= start < label.end for start, _end in standing):
            return None, True, dues, standing
    strong = [d for d in dues if d.strong]
    if strong or dues:
        return (strong or dues)[0].day, False, dues, standing
    return None, bool(standing), dues, standing


def due_in(text: str, *, held_on: date) -> tuple[date | None, bool]:
    """(due date, standing) written in `text` (`12月底前`, `完成时限：2027年1月15日`, `于…前`,
    `长期坚持`): a date without a year is the first such date on or after `held_on`. (None, False)
    when there is none — for an item, and for the office's fix of one item's date."""
    day, standing, _dues_found, _spans = _due(_fold(_collapse(str(text))), held_on)
    return day, standing


def departments_in(text: str, departments: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(lead, cooperating) named in `text` with the same phrasings as an item (`由X牵头，Y、Z配合`,
    `X负责`, `牵头单位：X；责任单位：Y`, or just names: the first is lead) — for the office's fix of
    one item's departments."""
    return _roles(_skeleton(_collapse(str(text)), _spellings(departments)))


# ---------------------------------------------------------------- items

_MARKER = re.compile(r"(?:会议议定|议定如下|会议明确|议定事项|会议要求|会议决定|会议商定|会议同意|研究决定)"
                     r"(?:事项)?(?:如下)?[\s:：,，.。]*")
_NEVER_ITEM = re.compile(r"(?:出席|列席|参会|参加|请假|抄送|抄报|分送|印发|主持|记录|发送|送)"
                         r"(?:人员|单位|领导|同志|人)?\s*[:：]|参加会议|出席会议")
_LABEL_START = re.compile(r"\s*(?:" + _LABEL.pattern + r")\s*[:：]")


def _only_labels(text: str) -> bool:
    """A line of labels only (`牵头单位：…；完成时限：…`): the rest of the item above it."""
    pieces = [piece for piece in re.split(r"[;；。]", text) if piece.strip()]
    return bool(pieces) and all(_LABEL_START.match(piece) for piece in pieces)


def _candidates(blocks: Sequence[str]) -> list[tuple[str, bool]]:
    """(text, whether it must show a department's role to be an item): a block before the first
    marker is an item only when it says who leads or cooperates (a label, 牵头, 负责, 配合 …)."""
    texts = [_collapse(str(block)) for block in blocks]
    texts = [_NUMBERING.sub("", text, count=1).strip() if _NUMBERING.match(text) else text for text in texts]
    start = next((i for i, text in enumerate(texts) if _MARKER.search(_fold(text))), None)
    marked: list[tuple[str, bool]] = [(text, False) for text in texts]
    if start is not None:
        marker = _MARKER.search(_fold(texts[start]))
        rest = texts[start][marker.end():].strip() if marker else ""
        marked = [(text, True) for text in texts[:start]] + ([(rest, False)] if rest else []) \
            + [(text, False) for text in texts[start + 1:]]
    out: list[tuple[str, bool]] = []
    for text, strict in marked:
        if not text or _NEVER_ITEM.match(_fold(text)):
            continue
        if out and _only_labels(_fold(text)):
            joint = "" if out[-1][0][-1:] in "。；;，," else "；"
            out[-1] = (out[-1][0] + joint + text, out[-1][1])
            continue
        out.append((text, strict))
    return out


_MARKS = rf"[{_PUA_CLASS}](?:\s*[、和及与/]\s*[{_PUA_CLASS}])*(?:等(?:单位|部门))?\s*"
_ROLES = r"(?:牵头|负责|配合|协同|协助|参与|会同)"
_CLAUSE_START = re.compile(  # 由X牵头 / X负责 / X配合Y / X、Y： at a clause's start: the task names them
    rf"^(?:由|请|责成)?{_MARKS}(?:{_ROLES}\s*(?:{_MARKS})?)?"
)
_LEAD_MARKER = re.compile(r"^(?:会议(?:议定|明确|要求|决定|商定|同意|强调)|研究决定)(?:如下)?[\s:：,，]*")
_TITLE_FILLER = re.compile(r"^(?:要|须|需|应|并|在|于|由)+")
_EMPTY_CLAUSE = re.compile(rf"^[{_PUA_CLASS}\s、和及与等]*$|^前?(?:完成|办结|落实到位|完成任务)$|^.{{0,12}}{_ROLES}$")
_SENTENCE = re.compile(r"[^。;；!！?？]+")
_EDGES = " ,，、;；:：.。"


def _title(sk: _Skeleton, dues: list[_Due], standing: list[tuple[int, int]], text: str) -> str:
    """The first sentence left with something to say once labels, dates, `长期坚持` and the
    departments' roles at a clause's start are taken out."""
    chars = list(sk.original)

    def drop(start: int, end: int) -> None:
        chars[start:end] = [""] * (end - start)

    for label in _labels(sk.text):
        drop(label.start, label.end)
    for due in dues:  # a date and the `要在`/`于` before it
        start = due.start
        while start > 0 and sk.text[start - 1] in "于在要须需应":
            start -= 1
        drop(start, due.end)
    for start, end in standing:
        if sk.text[start:end].startswith("长期"):
            drop(start, end)
    work = _LEAD_MARKER.sub("", "".join(chars).strip())
    for sentence in _SENTENCE.finditer(work):
        kept = []
        for clause in re.split(r"[,，:：]", sentence.group()):
            clause = _LEAD_MARKER.sub("", clause.strip(_EDGES))
            clause = _TITLE_FILLER.sub("", _CLAUSE_START.sub("", clause).strip(_EDGES)).strip(_EDGES)
            if clause and not _EMPTY_CLAUSE.match(clause):
                kept.append(clause)
        title = "".join(sk.spelled.get(c, c) for c in "，".join(kept)).strip(_EDGES)
        if title:
            return title[:TITLE_LIMIT]
    return text[:TITLE_LIMIT]


def _item(text: str, spellings: Mapping[str, _Spelling], held_on: date, *, strict: bool) -> AgreedItem | None:
    sk = _skeleton(text, spellings)
    if not sk.names:
        return None
    if strict and not (_KEYWORD.search(sk.text) or any(label.kind != "time" for label in _labels(sk.text))):
        return None
    lead, cooperating = _roles(sk)
    if not lead:
        return None
    due, standing, dues, standing_spans = _due(sk.text, held_on)
    return AgreedItem(text=text, title=_title(sk, dues, standing_spans, text), lead=lead,
                      cooperating=cooperating, due=None if standing else due, standing=standing)


def extract_items(blocks: Sequence[str], departments: Mapping[str, str], *, held_on: date) -> list[AgreedItem]:
    """The agreed items among `blocks`: a numbered block or a paragraph that names at least one
    department (see the module docstring for the phrasings)."""
    spellings = _spellings(departments)
    items = []
    for text, strict in _candidates(blocks):
        item = _item(text, spellings, held_on, strict=strict)
        if item is not None:
            items.append(item)
    return items
