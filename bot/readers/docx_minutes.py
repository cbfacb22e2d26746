"""A .docx of meeting minutes → text blocks for bot.rules.minutes, in document order.

Paragraphs come as they are. A table of agreed items (a header row such as
序号 | 议定事项 | 牵头单位 | 配合单位 | 完成时限, then one row per item) gives one block per row, its
cells labelled by the header — `加快…建设。牵头单位：区经济信息委；配合单位：区科技局、区商务委；
完成时限：2027年1月15日` — so the same rule reads a row and a typed paragraph. The numbering column
is left out (it is not the item's text). A table whose first row is not such a header (a layout
table) gives each cell's paragraphs as blocks. Headers, footers and text boxes are not read: the
minutes' items are in the body.

Anything that is not a readable .docx (a .doc, a PDF, a damaged file) raises
DomainError("meeting.bad_docx"): the office is asked for a .docx or the text itself."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from bot.errors import DomainError

HEADER_WORDS = re.compile(r"序号|编号|事项|内容|任务|牵头|配合|责任|协办|时限|时间|单位|部门")
NUMBER_HEADER = re.compile(r"^(?:序号|编号|No\.?|#)$", re.IGNORECASE)
ITEM_HEADER = re.compile(r"议定事项|事项|内容|任务|工作")
MAX_BYTES = 20 * 1024 * 1024  # a bigger file is not minutes (Telegram's bot download limit too)
_ENDS = "。；;！!？?.…"


def docx_blocks(data: bytes) -> list[str]:
    """The document's paragraphs and tables' rows, in order, as text blocks (empty ones dropped)."""
    document = _open(data)
    try:
        return [block for block in _blocks(document) if block]
    except Exception:  # python-docx on a damaged part: lxml, KeyError, ValueError …
        raise DomainError("meeting.bad_docx") from None


def _open(data: bytes):  # -> docx.document.Document (python-docx has no public type to import)
    if not data or len(data) > MAX_BYTES or not zipfile.is_zipfile(io.BytesIO(data)):
        raise DomainError("meeting.bad_docx")
    try:
        import docx

        return docx.Document(io.BytesIO(data))
    except Exception:  # not a Word document inside the zip: PackageNotFoundError, ValueError, KeyError …
        raise DomainError("meeting.bad_docx") from None


def _blocks(document) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield _clean(Paragraph(child, document).text)
        elif tag == "tbl":
            yield from _table(Table(child, document))


def _clean(text: str) -> str:
    return " ".join(text.split())


def _cells(row) -> list[str]:
    """A row's cells' texts, a merged cell once."""
    seen: set[int] = set()
    texts = []
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        texts.append("\n".join(_clean(p.text) for p in cell.paragraphs if _clean(p.text)))
    return texts


def _table(table) -> Iterator[str]:
    rows = [_cells(row) for row in table.rows]
    if not rows:
        return
    header = [_clean(text) for text in rows[0]]
    if len(rows) < 2 or not sum(1 for h in header if HEADER_WORDS.search(h)) >= 2:
        for cells in rows:
            for text in cells:
                yield from (line for line in text.split("\n") if line)
        return
    item_column = next((i for i, h in enumerate(header) if ITEM_HEADER.search(h) and not _is_unit(h)), None)
    for cells in rows[1:]:
        yield _row(header, cells, item_column)


def _is_unit(header: str) -> bool:
    return any(word in header for word in ("单位", "部门", "时限", "时间"))


def _row(header: list[str], cells: list[str], item_column: int | None) -> str:
    """One row as labelled text: the item's text first, then `标题：值` for each other column."""
    parts: list[str] = []
    item = ""
    for index, text in enumerate(cells):
        value = " ".join(text.split())
        label = header[index] if index < len(header) else ""
        if not value or NUMBER_HEADER.match(label):
            continue
        if index == item_column or not label:
            item = f"{item}{value}" if not item else f"{item} {value}"
            continue
        parts.append(f"{label}：{value}")
    if item and parts and item[-1] not in _ENDS:
        item += "。"
    return item + "；".join(parts)
