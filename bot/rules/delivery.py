"""Delivery rules: what may be sent when (Telegram's limits), retry back-off, outcomes.

Time is a float of seconds on a monotonic clock, passed in; nothing here sleeps or reads a clock.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

# Telegram: ~30 messages/s overall, ~1/s per private chat, 20/min per group. Pacing a little
# below the global ceiling keeps any 1-second window at ≤ 30 despite network jitter.
GLOBAL_RATE = 29.5
PRIVATE_INTERVAL = 1.0
GROUP_PER_MINUTE = 20
BACKOFF_CAP = timedelta(minutes=5)
# A row still "sending" this long after its claim was left behind by a process that stopped (a
# live sender settles a row within one request: at most ~30 s with the outbox bot's timeouts), so
# it goes back to "pending" and is sent again: at least once, never lost; it may arrive twice.
LEASE = timedelta(seconds=60)
RECLAIM_EVERY = 10.0  # seconds between a sender's looks for such rows (at most one UPDATE each)


class Status(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    BLOCKED = "blocked"  # the user blocked the bot or the chat is gone: not retried
    FAILED = "failed"  # Telegram refused the message itself: not retried
    # Left in flight by a process that died under a release before 0011 (which did not send such
    # rows again). Nothing sets it any more: a row in flight at a crash is now sent again.
    UNCONFIRMED = "unconfirmed"


FINAL = (Status.SENT, Status.BLOCKED, Status.FAILED, Status.UNCONFIRMED)


class Verdict(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    retry_in: float = 0.0  # seconds, for RETRY
    pause_all: float = 0.0  # seconds all sending should pause (a 429's retry_after)
    error: str | None = None
    message_id: int | None = None


def backoff(attempts: int, base: float = 1.0, cap: timedelta = BACKOFF_CAP) -> float:
    """Seconds to wait before attempt `attempts + 1`: base·2^(attempts-1), capped."""
    return min(base * 2 ** max(attempts - 1, 0), cap.total_seconds())


def is_group(chat_id: int) -> bool:
    return chat_id < 0


@dataclass
class Pacer:
    """Decides the earliest moment each next message may go, under all three limits."""

    global_rate: float = GLOBAL_RATE
    private_interval: float = PRIVATE_INTERVAL
    group_per_minute: int = GROUP_PER_MINUTE
    _next_global: float = 0.0
    _paused_until: float = 0.0
    _chat_last: dict[int, float] = field(default_factory=dict)
    _group_sends: dict[int, deque[float]] = field(default_factory=dict)

    def ready_at(self, chat_id: int, now: float) -> float:
        at = max(now, self._next_global, self._paused_until)
        if is_group(chat_id):
            sends = self._group_sends.get(chat_id)
            if sends and len(sends) >= self.group_per_minute:
                at = max(at, sends[0] + 60.0)
        else:
            last = self._chat_last.get(chat_id)
            if last is not None:
                at = max(at, last + self.private_interval)
        return at

    def record(self, chat_id: int, at: float) -> None:
        self._next_global = max(self._next_global, at) + 1.0 / self.global_rate
        if is_group(chat_id):
            sends = self._group_sends.setdefault(chat_id, deque())
            sends.append(at)
            while sends and sends[0] <= at - 60.0:
                sends.popleft()
            while len(sends) > self.group_per_minute:
                sends.popleft()
        else:
            self._chat_last[chat_id] = at
            if len(self._chat_last) > 10_000:  # forget chats idle for long
                cutoff = at - self.private_interval
                self._chat_last = {c: t for c, t in self._chat_last.items() if t > cutoff}

    def pause(self, now: float, seconds: float) -> None:
        self._paused_until = max(self._paused_until, now + seconds)


# Outbox kinds besides text/document/photo (the column holds at most 10 characters).
FILE_DOCUMENT = "file_doc"  # a file Telegram already has, sent again by its file id
FILE_PHOTO = "file_photo"
EDIT = "edit"  # edit the text of a message queued earlier (payload "of": that row's id)
NOT_MODIFIED = "message is not modified"  # Telegram's answer to an edit that changes nothing


@dataclass(frozen=True)
class Outgoing:
    """A message to queue. Text is Telegram HTML; documents and photos carry their bytes.

    `file_id` (with `file_kind` photo|document) sends a file Telegram already holds, `text` being
    its caption; `edit_of` (an outbox row id) makes this an edit of that row's message, which the
    sender looks up when it sends the edit. `meta` is kept in the payload for whoever re-renders
    the message later (e.g. the language and time zone a task notice was written in)."""

    chat_id: int
    dedup_key: str
    text: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: bytes | None = None
    photo: bytes | None = None
    filename: str | None = None
    batch: str | None = None
    ref_kind: str | None = None  # what the message is about, so a reply to it can be attached
    ref_id: int | None = None
    file_id: str | None = None
    file_kind: str | None = None  # photo | document, with file_id
    edit_of: int | None = None
    meta: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        if self.edit_of is not None:
            return EDIT
        if self.file_id is not None:
            return FILE_PHOTO if self.file_kind == "photo" else FILE_DOCUMENT
        return "document" if self.document is not None else "photo" if self.photo is not None else "text"

    def payload(self) -> str:
        data: dict[str, Any] = {"text": self.text, "reply_markup": self.reply_markup, "filename": self.filename}
        if self.file_id is not None:
            data["file_id"] = self.file_id
        if self.edit_of is not None:
            data["of"] = self.edit_of
        if self.meta:
            data["meta"] = self.meta
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def render_payload(text: str | None, reply_markup: dict[str, Any] | None, old: str) -> str:
    """`old` (a queued row's payload) with new text and buttons and its version (`meta.v`) one up,
    everything else kept."""
    data = json.loads(old)
    data["text"], data["reply_markup"] = text, reply_markup
    meta = data.setdefault("meta", {})
    meta["v"] = int(meta.get("v", 0)) + 1
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def payload_meta(payload: str) -> dict[str, Any]:
    return json.loads(payload).get("meta") or {}


def shows_same(payload: str, text: str | None, reply_markup: dict[str, Any] | None) -> bool:
    """Whether a queued row's payload already shows this text and these buttons."""
    data = json.loads(payload)
    return data.get("text") == text and (data.get("reply_markup") or None) == (reply_markup or None)
