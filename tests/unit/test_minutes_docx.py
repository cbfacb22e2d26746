"""Minutes sent as a .docx (bot.readers.docx_minutes): paragraphs and a table of items read in
document order, each table row as labelled text, so the same rule finds the same agreed items as in
the typed minutes; anything that is not a readable .docx is refused with meeting.bad_docx."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from bot.errors import DomainError
from bot.readers.docx_minutes import docx_blocks
from bot.rules.minutes import extract_items, split_blocks
from bot.texts import t
from tests.support.minutes import EXPECTED_SIX, MINUTES_SIX, SIX_HELD_ON, org_spellings, six_items_docx

ORG = org_spellings()


def _items(blocks: list[str]):
    return [(i.lead, i.cooperating, i.due, i.standing)
            for i in extract_items(split_blocks("\n".join(blocks)), ORG, held_on=SIX_HELD_ON)]


def test_the_docx_gives_the_same_six_items_as_the_typed_minutes():
    expected = [(e.lead, e.cooperating, e.due, e.standing) for e in EXPECTED_SIX]
    assert _items(docx_blocks(six_items_docx())) == expected
    direct = extract_items(docx_blocks(six_items_docx()), ORG, held_on=SIX_HELD_ON)  # blocks as they come
    assert [(i.lead, i.cooperating, i.due, i.standing) for i in direct] == expected
    assert _items(split_blocks(MINUTES_SIX)) == expected


def test_paragraphs_and_table_rows_come_in_document_order_each_row_labelled_by_the_header():
    blocks = docx_blocks(six_items_docx())
    assert blocks[0] == "智能网联新能源汽车产业发展调度会会议纪要"
    row = "完成产业链统计监测体系建设方案。牵头单位：区发展改革委；配合单位：区统计局；完成时限：2027年1月15日"
    assert row in blocks
    assert blocks.index("三、各单位要进一步提高思想认识，压紧压实工作责任，形成推进合力。") < blocks.index(row)
    assert blocks.index(row) < next(i for i, b in enumerate(blocks) if b.startswith("抄送："))
    assert not any(b.startswith("序号") or b.startswith("3") for b in blocks)  # header and numbering left out
    assert "组织开展新能源汽车产业技能人才专项培训。牵头单位：区人力社保局、区教委；完成时限：2027年6月30日" in blocks


def test_a_merged_cell_is_read_once_and_a_layout_table_gives_its_cells():
    document = docx.Document()
    items = document.add_table(rows=3, cols=3)
    for cell, text in zip(items.rows[0].cells, ("议定事项", "责任单位", "完成时限"), strict=True):
        cell.text = text
    items.cell(1, 0).text = "加快测试场建设"
    items.cell(1, 1).text = "区经济信息委"
    items.cell(1, 2).merge(items.cell(2, 2)).text = "12月底前"
    items.cell(2, 0).text = "完成充电桩布局"
    items.cell(2, 1).text = "区城市管理局"
    layout = document.add_table(rows=1, cols=2)
    layout.cell(0, 0).text = "会议时间：11月20日"
    layout.cell(0, 1).text = "主持：区政府办公室"
    out = io.BytesIO()
    document.save(out)
    blocks = docx_blocks(out.getvalue())
    assert blocks == ["加快测试场建设。责任单位：区经济信息委；完成时限：12月底前",
                      "完成充电桩布局。责任单位：区城市管理局；完成时限：12月底前",
                      "会议时间：11月20日", "主持：区政府办公室"]


def _zip_without_word() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    return out.getvalue()


@pytest.mark.parametrize("data", [
    b"", b"%PDF-1.7 minutes", "会议纪要".encode(), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),  # an old .doc
    _zip_without_word(), six_items_docx()[:2000],  # truncated
], ids=["empty", "pdf", "text", "doc", "zip", "truncated"])
def test_a_file_that_is_not_a_readable_docx_is_refused_with_a_text_the_office_can_act_on(data):
    with pytest.raises(DomainError) as refused:
        docx_blocks(data)
    assert refused.value.key == "meeting.bad_docx"
    assert ".docx" in t("zh", "meeting.bad_docx") and ".docx" in t("en", "meeting.bad_docx")
