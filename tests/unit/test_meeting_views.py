"""Long minutes still give a proposal Telegram accepts: at most 4,096 characters and 100 buttons,
whatever the number and length of the items (a message over either limit would not be sent, and the
office would be left without its buttons)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.rules.meetings import ProposedItem
from bot.views.meetings import ProposalView, proposal_keyboard, proposal_text

HELD = date(2026, 11, 20)


def _item(n: int, text: str) -> ProposedItem:
    return ProposedItem(n, text, text[:60], ("区经济信息委", "区发展改革委"), ("区财政局", "区科技局", "区商务委"),
                        None, False)


def _view(items: list[ProposedItem], selected: int | None = None) -> ProposalView:
    return ProposalView(1, "全区汽摩产业推进会", HELD, tuple(items), 0, tuple((i.number, "no_date") for i in items),
                        selected=selected)


@pytest.mark.parametrize("count", [6, 65, 150])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_any_number_of_items_fits_one_message(count: int, lang: str) -> None:
    view = _view([_item(n, f"第{n}项：加快推进智能网联新能源汽车产业园建设，完成园区规划编制和首批企业入驻" * 2)
                  for n in range(1, count + 1)])
    text = proposal_text(view, lang)
    buttons = [b for row in proposal_keyboard(view, lang)["inline_keyboard"] for b in row]
    assert len(text) <= 4096 and len(buttons) <= 100
    assert buttons[0]["callback_data"] == "m:ok:1" and buttons[-1]["callback_data"] == "m:no:1"
    if count > 60:  # long minutes: one line per item, and how many more were not listed
        assert ("未列出" if lang == "zh" else "more items") in text


def test_an_items_menu_quotes_a_very_long_item_within_the_limit() -> None:
    view = _view([_item(1, "加快推进产业园建设。" * 600)], selected=1)
    text = proposal_text(view, "zh")
    assert len(text) <= 4096 and text.endswith("……")
