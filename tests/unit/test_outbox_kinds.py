"""The outbox's kinds beyond text and uploads: a file sent again by its Telegram file id, and an
edit of a message queued earlier; what their payloads carry; an edit that changes nothing."""

from __future__ import annotations

import json

from telegram.error import BadRequest

from bot.rules.delivery import (EDIT, FILE_DOCUMENT, FILE_PHOTO, Outgoing, Verdict, payload_meta, render_payload,
                                shows_same)
from jobs.sender import classify
from storage.models import OutboxMessage

KEYBOARD = {"inline_keyboard": [[{"text": "确认收到", "callback_data": "t:ack:3"}]]}


def test_kinds_fit_the_column_and_say_what_is_sent():
    assert Outgoing(1, "k", text="x").kind == "text"
    assert Outgoing(1, "k", file_id="BQAC-1", file_kind="document", text="附件").kind == FILE_DOCUMENT
    assert Outgoing(1, "k", file_id="AgAC-1", file_kind="photo").kind == FILE_PHOTO
    assert Outgoing(1, "k", file_id="BQAC-1").kind == FILE_DOCUMENT  # a file of no stated kind is a document
    assert Outgoing(1, "k", text="x", edit_of=42).kind == EDIT
    limit = OutboxMessage.model_fields["kind"].metadata[0].max_length  # type: ignore[attr-defined]
    assert all(len(kind) <= limit for kind in (FILE_DOCUMENT, FILE_PHOTO, EDIT))


def test_payloads_carry_the_file_id_the_row_to_edit_and_the_meta():
    sent_again = json.loads(Outgoing(1, "k", file_id="BQAC-1", file_kind="document", text="交办单 #3 附件：模板.docx").payload())
    assert sent_again["file_id"] == "BQAC-1" and sent_again["text"] == "交办单 #3 附件：模板.docx"
    edit = json.loads(Outgoing(1, "k", text="新", reply_markup=KEYBOARD, edit_of=42).payload())
    assert edit["of"] == 42 and edit["reply_markup"] == KEYBOARD
    plain = json.loads(Outgoing(1, "k", text="x").payload())
    assert set(plain) == {"text", "reply_markup", "filename"}  # rows of the old kinds look as before
    notice = Outgoing(1, "k", text="x", meta={"lang": "zh", "tz": "Asia/Shanghai"}).payload()
    assert payload_meta(notice) == {"lang": "zh", "tz": "Asia/Shanghai"}


def test_rerendering_keeps_the_rest_and_counts_versions():
    first = Outgoing(1, "k", text="待确认", reply_markup=KEYBOARD, meta={"lang": "zh", "tz": "Asia/Shanghai"}).payload()
    assert shows_same(first, "待确认", KEYBOARD) and not shows_same(first, "办理中", KEYBOARD)
    assert not shows_same(first, "待确认", None)
    second = render_payload("办理中", KEYBOARD, first)
    third = render_payload("已办结", None, second)
    assert payload_meta(second)["v"] == 1 and payload_meta(third)["v"] == 2
    assert payload_meta(third)["tz"] == "Asia/Shanghai" and shows_same(third, "已办结", None)
    assert shows_same(Outgoing(1, "k", text="x", reply_markup={}).payload(), "x", None)


def test_an_edit_that_changes_nothing_counts_as_sent():
    outcome = classify(BadRequest("Message is not modified: specified new message content and reply markup are "
                                  "exactly the same"), attempts=1, backoff_base=1.0)
    assert outcome.verdict == Verdict.SENT
    assert classify(BadRequest("Message to edit not found"), attempts=1, backoff_base=1.0).verdict == Verdict.FAILED
