"""The office's work report (工作报告) as a Word document (python-docx), laid out as a Chinese
official document (GB/T 9704): A4, margins 37/35/28/26 mm (top/bottom/left/right), the title in
方正小标宋简体 22pt centred, body text in 仿宋_GB2312 16pt (三号) at an exact 28-point line spacing,
first-level headings in 黑体 and second-level ones in 楷体_GB2312, page numbers `— 1 —` in the footer.

The fonts are named in the styles (Normal, Title, Heading 1, Heading 2, Footer), for East Asian
text (`w:eastAsia`) as well as Latin (`w:ascii`, `w:hAnsi`), the theme fonts removed: the office's
Word shows them when they are installed. Runs carry no fonts of their own, so an office that
prefers other fonts changes the styles once.

Content, in order: the title and the period, 一、总体情况 (headline counts, the offices below),
二、各工作组推进情况 (each reporting department's text under its home working group, split into
the period's work and the next period's plan when the liaison wrote such headings), 三、主要指标 (a
table from the digest's summaries: the totals are the digest's; a 目标 column only when targets
exist), 四、交办事项和议定事项, 五、未报送单位, and the office's name and the date at the end.

What liaisons wrote goes in as plain text runs (characters XML cannot hold are dropped)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle

from bot.rules.brief import CLOSED, DONE, OVERDUE, STANDING, Brief, ItemState, ReportParts, item_state, split_report
from bot.rules.digest import Digest, TaskLine
from bot.rules.indicators import figure_text, number_text
from bot.texts import CATALOG, period_name

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONTS = ("黑体", "楷体_GB2312")  # level 1, level 2
FOOTER_FONT = "宋体"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
TABLE_SIZE = Pt(14)  # 四号: a table of figures in 三号 rarely fits the page's width
LINE = Pt(28)
PAGE = (Mm(210), Mm(297))
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
SEP = "、"

_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CN_DIGITS = "零一二三四五六七八九"


def _say(lang: str, key: str, **params: object) -> str:
    """A catalog text with its parameters as they are (a document needs no HTML escaping)."""
    zh, en = CATALOG[key]
    return (en if lang == "en" else zh).format(**params)


def _clean(text: str) -> str:
    return _XML_UNSAFE.sub("", text)


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (headings' numbering); beyond, digits."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


def _day(day: date, lang: str) -> str:
    return _say(lang, "brief.date", year=day.year, month=day.month, day=day.day)


# ---------------------------------------------------------------- styles and page


def _fonts(style: ParagraphStyle, name: str) -> None:
    """Name `name` for every script in the style: python-docx's `font.name` sets only ascii and
    hAnsi, and a theme font (asciiTheme, eastAsiaTheme…) would override an explicit one."""
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _plain_style(style: ParagraphStyle, font: str, size: Pt, *, align=None, exact: bool = True) -> None:  # type: ignore[no-untyped-def]
    _fonts(style, font)
    style.font.size = size
    style.font.bold = False
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    for extra in ("w:spacing", "w:kern", "w:caps", "w:smallCaps"):  # the template's title letter-spacing
        for node in rpr.findall(qn(extra)):
            rpr.remove(node)
    ppr = style.element.get_or_add_pPr()
    for extra in ("w:pBdr", "w:contextualSpacing"):  # the template's title underline
        for node in ppr.findall(qn(extra)):
            ppr.remove(node)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
    if align is not None:
        fmt.alignment = align


def _styles(doc) -> None:  # type: ignore[no-untyped-def]
    normal = doc.styles["Normal"]
    _plain_style(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.first_line_indent = Pt(32)  # two characters
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    title = doc.styles["Title"]
    _plain_style(title, TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, exact=False)
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.space_after = LINE
    for level, font in enumerate(HEADING_FONTS, start=1):
        heading = doc.styles[f"Heading {level}"]
        _plain_style(heading, font, BODY_SIZE)
        heading.paragraph_format.first_line_indent = Pt(32)
        heading.paragraph_format.keep_with_next = True
    footer = doc.styles["Footer"]
    _plain_style(footer, FOOTER_FONT, Pt(14), align=WD_ALIGN_PARAGRAPH.CENTER, exact=False)
    footer.paragraph_format.first_line_indent = Pt(0)


def _page(doc) -> None:  # type: ignore[no-untyped-def]
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    footer.add_run(" —")


# ---------------------------------------------------------------- paragraphs


def _para(doc, text: str, *, bold: bool = False, align=None, indent: bool = True):  # type: ignore[no-untyped-def]
    paragraph = doc.add_paragraph()
    paragraph.add_run(_clean(text)).bold = bold or None
    if align is not None:
        paragraph.alignment = align
    if not indent:
        paragraph.paragraph_format.first_line_indent = Pt(0)
    return paragraph


def _heading(doc, text: str, level: int) -> None:  # type: ignore[no-untyped-def]
    doc.add_paragraph(_clean(text), style=f"Heading {level}")


def _period_line(d: Digest, lang: str, tz: ZoneInfo) -> str:
    start = d.period.start.astimezone(tz).date()
    end = d.period.until.astimezone(tz).date() if d.period.until else (d.period.end - timedelta(days=1)).astimezone(tz).date()
    return _say(lang, "brief.period", start=_day(start, lang), end=_day(end, lang))


def _overview(doc, b: Brief, lang: str) -> None:  # type: ignore[no-untyped-def]
    d = b.digest
    _heading(doc, _say(lang, "brief.h.overview"), 1)
    if d.cycle_label is None:
        _para(doc, _say(lang, "brief.no_cycle"))
    else:
        line = _say(lang, "brief.reporting", cycle=period_name(d.cycle_label, lang), total=d.total,
                    submitted=d.submitted, missing=len(d.missing))
        if d.late:
            line += _say(lang, "brief.reporting_late", count=len(d.late), names=SEP.join(d.late))
        _para(doc, line)
    _para(doc, _say(lang, "brief.tasks", opened=d.tasks_opened, finished=d.tasks_finished, overdue=len(d.overdue)))
    done, total = b.agreed_counts()
    _para(doc, _say(lang, "brief.agreed", done=done, total=total) if total else _say(lang, "brief.no_agreed"))
    if d.units:
        _para(doc, _say(lang, "brief.units"))
        for u in d.units:
            state = "brief.unit.late" if u.reported and u.late else "brief.unit.reported" if u.reported else "brief.unit.missing"
            inside = _say(lang, "brief.unit.inside", submitted=u.inside[0], total=u.inside[1]) if u.inside else ""
            _para(doc, _say(lang, "brief.unit_row", name=u.name, state=_say(lang, state), inside=inside))


def _parts(doc, parts: ReportParts, kind: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    for line in parts.lead:
        _para(doc, line)
    if not parts.split:
        return
    for which, lines in (("current", parts.current), ("plan", parts.plan)):
        if lines:
            _para(doc, _say(lang, f"brief.part.{which}.{kind}"))
            for line in lines:
                _para(doc, line)


def _groups(doc, b: Brief, lang: str) -> None:  # type: ignore[no-untyped-def]
    _heading(doc, _say(lang, "brief.h.groups"), 1)
    kind = b.digest.period.kind if b.digest.period.kind in ("month", "quarter", "year") else "quarter"
    if not b.texts:
        _para(doc, _say(lang, "brief.no_reports"))
    late = set(b.digest.late)
    grouped = b.reporting()
    for n, (group, departments) in enumerate(grouped, start=1):
        if group is not None or len(grouped) > 1:
            name = group if group is not None else _say(lang, "brief.other_units")
            _heading(doc, _say(lang, "brief.sub", n=chinese_number(n), name=name), 2)
        if not departments:
            _para(doc, _say(lang, "brief.group_none"))
        for i, dept in enumerate(departments, start=1):
            _para(doc, _say(lang, "brief.dept_late" if dept in late else "brief.dept", n=i, department=dept), bold=True)
            text = b.texts.get(dept, "")
            if text.strip():
                _parts(doc, split_report(text), kind, lang)
            else:
                _para(doc, _say(lang, "brief.no_text"))


def _cell(cell, text: str, *, bold: bool = False, center: bool = False) -> None:  # type: ignore[no-untyped-def]
    paragraph = cell.paragraphs[0]
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    run = paragraph.add_run(_clean(text))
    run.font.size = TABLE_SIZE
    run.bold = bold or None


def _total(row, lang: str) -> str:  # type: ignore[no-untyped-def]
    if row.total is not None:
        return number_text(row.total)
    if row.low == row.high:
        return number_text(row.low)
    return _say(lang, "brief.range", low=number_text(row.low), high=number_text(row.high))


def _indicators(doc, b: Brief, lang: str) -> None:  # type: ignore[no-untyped-def]
    _heading(doc, _say(lang, "brief.h.indicators"), 1)
    rows = b.rows()
    if not rows:
        _para(doc, _say(lang, "brief.no_figures"))
        return
    with_target = any(r.target is not None for r in rows)  # targets come with a later issue
    keys = ["brief.col.name", "brief.col.unit", "brief.col.total", "brief.col.count"] + (["brief.col.target"] if with_target else [])
    table = doc.add_table(rows=1, cols=len(keys))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    header_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row again on every page the table runs over
    header_pr.append(repeat)
    for cell, key in zip(header.cells, keys, strict=True):
        _cell(cell, _say(lang, key), bold=True, center=True)
    for r in rows:
        values = [r.name, r.unit, _total(r, lang), str(r.count)]
        if with_target:
            values.append(number_text(r.target) if r.target is not None else "")
        for i, (cell, value) in enumerate(zip(table.add_row().cells, values, strict=True)):
            _cell(cell, value, center=i > 0)
    per_dept: dict[str, list[str]] = {}
    for r in rows:
        for dept, value in r.values:
            per_dept.setdefault(dept, []).append(f"{r.name}{figure_text(value, r.unit)}")
    _para(doc, _say(lang, "brief.by_dept"))
    for dept, items in per_dept.items():
        _para(doc, _say(lang, "brief.dept_figures", department=dept, items="；".join(items)))


def _state(state: ItemState, lang: str) -> str:
    if state.state in (DONE, CLOSED):
        return _say(lang, f"brief.state.{state.state}")
    if state.state == OVERDUE:
        return _say(lang, "brief.state.overdue", names=SEP.join(state.overdue), done=state.done, total=state.total)
    key = "brief.state.standing" if state.state == STANDING else "brief.state.open"
    return _say(lang, key, done=state.done, total=state.total)


def _tasks(doc, b: Brief, lang: str, tz: ZoneInfo) -> None:  # type: ignore[no-untyped-def]
    d = b.digest
    _heading(doc, _say(lang, "brief.h.tasks"), 1)
    _heading(doc, _say(lang, "brief.sub", n=chinese_number(1), name=_say(lang, "brief.tasks_heading")), 2)
    plain = [t for t in d.tasks if t.task_id not in b.agreed]
    if not plain:  # "none besides the agreed items" when the period's tasks are all agreed items
        _para(doc, _say(lang, "brief.no_other_tasks" if d.tasks else "brief.no_tasks"))
    for n, task in enumerate(plain, start=1):
        _para(doc, _say(lang, "brief.task_row", n=n, title=task.title, id=task.task_id,
                        due=_day(task.due.astimezone(tz).date(), lang), state=_state(item_state(task.statuses, task.closed), lang)))
    _heading(doc, _say(lang, "brief.sub", n=chinese_number(2), name=_say(lang, "brief.agreed_heading")), 2)
    _agreed(doc, b, lang)


def _agreed(doc, b: Brief, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Each meeting once (those the digest counts, then those of earlier meetings whose items the
    period still has), with its done/total, then its items with their state."""
    lines: dict[int, list[TaskLine]] = {}
    for task in b.digest.tasks:
        item = b.agreed.get(task.task_id)
        if item is not None:
            lines.setdefault(item.meeting_id, []).append(task)
    meetings: dict[int, tuple[str, date, int, int]] = {
        m.meeting_id: (m.title, m.held_on, m.done, m.total) for m in b.digest.meetings}
    for meeting_id, tasks in lines.items():
        if meeting_id not in meetings:
            item = b.agreed[tasks[0].task_id]
            done = sum(1 for t in tasks if item_state(t.statuses, t.closed).state in (DONE, CLOSED))
            meetings[meeting_id] = (item.meeting, item.held_on, done, len(tasks))
    if not meetings:
        _para(doc, _say(lang, "brief.no_items"))
    for n, (meeting_id, (title, held, done, total)) in enumerate(meetings.items(), start=1):
        _para(doc, _say(lang, "brief.meeting_row", n=n, title=title, held=_day(held, lang), total=total, done=done))
        for i, task in enumerate(lines.get(meeting_id, []), start=1):
            standing = b.agreed[task.task_id].standing
            state = item_state(task.statuses, task.closed, standing)
            _para(doc, _say(lang, "brief.standing_row" if standing else "brief.item_row", n=i, title=task.title,
                            id=task.task_id, state=_state(state, lang)))


def _missing(doc, b: Brief, lang: str) -> None:  # type: ignore[no-untyped-def]
    d = b.digest
    _heading(doc, _say(lang, "brief.h.missing"), 1)
    if d.cycle_label is None:
        _para(doc, _say(lang, "brief.no_cycle"))
    elif d.missing:
        _para(doc, _say(lang, "brief.missing", names=SEP.join(d.missing), count=len(d.missing)))
    else:
        _para(doc, _say(lang, "brief.all_reported"))


def office_name(b: Brief, lang: str) -> str:
    return b.office or _say(lang, "brief.office_default")


def title(b: Brief, lang: str) -> str:
    """`领导小组办公室2026年第四季度工作报告`."""
    return _say(lang, "brief.title", office=office_name(b, lang), label=period_name(b.digest.period.label, lang))


def brief_docx(b: Brief, lang: str, tz: ZoneInfo) -> bytes:
    """The work report as the bytes of a .docx file."""
    doc = Document()
    _styles(doc)
    _page(doc)
    doc.core_properties.title = _clean(title(b, lang))
    doc.core_properties.author = _clean(office_name(b, lang))
    doc.add_paragraph(_clean(title(b, lang)), style="Title")
    _para(doc, _period_line(b.digest, lang, tz), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _overview(doc, b, lang)
    _groups(doc, b, lang)
    _indicators(doc, b, lang)
    _tasks(doc, b, lang, tz)
    _missing(doc, b, lang)
    _signature(doc, b, lang, tz)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _signature(doc, b: Brief, lang: str, tz: ZoneInfo) -> None:  # type: ignore[no-untyped-def]
    """The office's name and the date, right-aligned, after a blank line (公文's 落款)."""
    moment: datetime = b.digest.generated_at
    _para(doc, "")
    _para(doc, office_name(b, lang), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, _day(moment.astimezone(tz).date(), lang), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)


__all__ = ["BODY_FONT", "HEADING_FONTS", "MARGINS", "TITLE_FONT", "brief_docx", "chinese_number", "filename", "title"]


def filename(b: Brief, lang: str) -> str:
    """`2026年第四季度工作报告.docx`."""
    return _say(lang, "brief.filename", label=period_name(b.digest.period.label, lang))
