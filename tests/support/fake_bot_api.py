"""A fake Telegram Bot API HTTP server for tests and benchmarks.

`FakeBotAPI` serves the Bot API on 127.0.0.1 (random port) with tornado, on the
current asyncio loop, so a real ``telegram.Bot`` / ``telegram.ext.Application``
can talk to it::

    async with FakeBotAPI(token="123456:TEST-token") as api:
        app = (
            ApplicationBuilder().token(api.token)
            .base_url(api.base_url).base_file_url(api.base_file_url).build()
        )
        ...
        api.push_update(private_message(None, 42, "/start"))
        call = await api.wait_for_message(chat_id=42)

When the bot calls ``setWebhook``, the fake stops serving ``getUpdates`` (409, as
Telegram) and POSTs each pushed update to the webhook's URL instead, with the
``X-Telegram-Bot-Api-Secret-Token`` header: one update per request, up to
``max_connections`` (default 40) at once, in no guaranteed order; a delivery not
answered 2xx (an error status, refused, reset, timed out) is tried again after a
short backoff (`WebhookAttempt`, `FakeBotAPI.webhook_attempts`, the ``webhook_*``
counters). ``deleteWebhook`` returns to getUpdates.

Every request is recorded as a `Call`. Failures (`fail_next`, `block_chat`),
delays (`delay`) and Telegram's flood limits (``enforce_limits=True``) can be
injected. Module-level builders (`private_message`, `group_message`,
`callback_query`, ...) return plain Bot API JSON dicts for `FakeBotAPI.push_update`.

To play a user by hand, `FakeBotAPI.say` (a message, photo or document, or a reply),
`FakeBotAPI.press` (an inline button) and `FakeBotAPI.sent_view` (what the bot's
messages show now) are also served over HTTP as ``POST /_fake/say``,
``POST /_fake/press`` and ``GET /_fake/sent`` (see `_ControlHandler`), e.g. by the
standalone server: ``python -m tests.support.fake_bot_api 8081``.

How PTB 22 (HTTPXRequest) encodes a request — what this server parses:

* always ``POST {base_url}{token}/{method}``, even for ``getMe``/``getUpdates``;
* parameters go through ``RequestData.json_parameters``: ``str`` values are sent
  as-is, every other value (ints, bools, dicts, lists) is ``json.dumps``-ed, and
  ``None`` values are dropped; so ``chat_id=5`` and ``chat_id="5"`` arrive alike;
* without uploads they are sent as ``application/x-www-form-urlencoded``; with
  uploads as ``multipart/form-data`` where each upload is a part named after the
  parameter (``document``) or, for ``attach://<name>`` references (thumbnails,
  media groups), after the random attach name;
* no parameters at all (``getMe``) means an empty body with no content type.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import heapq
import html
import inspect
import itertools
import json
import logging
import math
import mimetypes
import re
import ssl
import time
import zlib
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, TypeAlias

import httpx
import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web

__all__ = [
    "BOT_FIRST_NAME",
    "add_standalone_controls",
    "BOT_USERNAME",
    "Call",
    "ControlError",
    "FakeBotAPI",
    "UploadedFile",
    "WEBHOOK_SECRET_HEADER",
    "WebhookAttempt",
    "bot_user_for",
    "callback_query",
    "command_entities",
    "group_message",
    "make_document",
    "make_photo",
    "make_user",
    "private_message",
]

JSONDict: TypeAlias = dict[str, Any]
ChatKey: TypeAlias = int | str
CallPredicate: TypeAlias = Callable[["Call"], bool]

_LOGGER = logging.getLogger(__name__)

BOT_FIRST_NAME = "联络员协同助手"
BOT_USERNAME = "liaison_desk_test_bot"

#: Default ``message_id`` of builder messages comes from a process-wide counter
#: starting here, so it never collides with the per-chat ids the fake assigns to
#: messages the bot sends (those start at 1 in every chat).
AUTO_MESSAGE_ID_BASE = 1_000_000

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

#: Methods returned by `FakeBotAPI.sent_messages`.
SENT_MESSAGE_METHODS = ("sendMessage", "sendPhoto", "sendDocument")

#: Methods that deliver a message: subject to flood limits, counted in ``delivered``.
_SEND_METHODS = frozenset(
    name.lower()
    for name in (
        "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendVideo",
        "sendAudio", "sendVoice", "sendAnimation", "sendSticker", "sendVideoNote",
        "sendLocation", "sendVenue", "sendContact", "sendPoll", "sendDice",
        "copyMessage", "copyMessages", "forwardMessage", "forwardMessages",
    )
)
#: Methods that act on ``chat_id``: answer 403 for a blocked chat.
_CHAT_BOUND_METHODS = _SEND_METHODS | frozenset(
    name.lower()
    for name in (
        "sendChatAction", "editMessageText", "editMessageCaption",
        "editMessageReplyMarkup", "deleteMessage",
    )
)

_BLOCKED = "Forbidden: bot was blocked by the user"
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: _BLOCKED,
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    502: "Bad Gateway",
}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply "
    "markup are exactly the same as a current content and reply markup of the message"
)
_MESSAGE_CONTENT_KEYS = (
    "text", "entities", "caption", "caption_entities", "photo", "document",
    "video", "audio", "voice", "animation", "sticker", "location", "contact",
)
_TAG_RE = re.compile(r"<[^>]+>")
#: The bytes of a photo invented by `FakeBotAPI.say` (a 1×1 PNG).
SAID_PHOTO_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
_auto_message_ids = itertools.count(AUTO_MESSAGE_ID_BASE + 1)
_auto_query_ids = itertools.count(1)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class UploadedFile:
    """One multipart upload of a call: part name, file name, content type, bytes."""

    field: str
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        """Number of bytes uploaded."""
        return len(self.data)


@dataclass
class Call:
    """One Bot API request received by the fake.

    ``raw`` holds every parameter as the string that was sent; ``params`` holds the
    same with JSON objects/arrays decoded (numbers and bools stay strings, as sent).
    ``status``/``response`` are filled in once the fake has answered (``None`` while
    the call is still being served, e.g. during a long poll or an injected delay).
    """

    method: str
    params: dict[str, Any]
    raw: dict[str, str]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    index: int = -1
    status: int | None = None
    response: JSONDict | None = None

    @property
    def ok(self) -> bool:
        """Whether the fake answered this call successfully."""
        return self.status == HTTPStatus.OK

    @property
    def result(self) -> Any:
        """The ``result`` of a successful answer (e.g. the sent Message dict), else None."""
        return self.response.get("result") if self.ok and self.response else None

    @property
    def description(self) -> str | None:
        """The error description of a failed answer, else None."""
        return self.response.get("description") if self.response else None

    @property
    def chat_id(self) -> int | None:
        """``chat_id`` as an int (None when absent or not numeric, e.g. ``@channel``)."""
        return _as_int(self.raw.get("chat_id"))

    @property
    def text(self) -> str | None:
        """``text``, or ``caption`` when there is no text (as sent, markup included)."""
        return self.raw.get("text", self.raw.get("caption"))

    @property
    def reply_markup(self) -> JSONDict | None:
        """The decoded ``reply_markup`` dict, if any."""
        markup = self.params.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    def int_param(self, name: str) -> int | None:
        """Parameter ``name`` as an int, or None."""
        return _as_int(self.raw.get(name))

    def summary(self) -> str:
        """A one-line description for assertion messages."""
        parts = [f"#{self.index} {self.method}"]
        if "chat_id" in self.raw:
            parts.append(f"chat={self.raw['chat_id']}")
        if self.text is not None:
            parts.append(f"text={_shorten(self.text)!r}")
        if self.files:
            parts.append(f"files={sorted(f.filename for f in self.files.values())}")
        outcome = "pending" if self.status is None else str(self.status)
        if self.status not in (None, HTTPStatus.OK) and self.description:
            outcome += f" {self.description}"
        return " ".join(parts) + f" -> {outcome}"


#: The header Telegram sends with every webhook delivery when setWebhook had a ``secret_token``.
WEBHOOK_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass
class WebhookAttempt:
    """One POST of one update to the webhook (`FakeBotAPI.webhook_attempts`), as Telegram makes it.

    ``attempt`` is 1 for an update's first delivery, 2 for its first retry, and so on. ``status``
    is the HTTP status answered (None while in flight, or when nothing was answered: refused,
    reset or timed out; ``error`` then says which, in Telegram's ``last_error_message`` words)."""

    update_id: int
    attempt: int
    url: str
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    status: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the webhook answered 2xx (Telegram then forgets the update)."""
        return self.status is not None and 200 <= self.status < 300

    def as_dict(self) -> JSONDict:
        """For ``GET /_fake/stats?attempts=1``."""
        return {"update_id": self.update_id, "attempt": self.attempt, "started": self.started,
                "finished": self.finished, "status": self.status, "error": self.error}


@dataclass(frozen=True)
class _Webhook:
    """What setWebhook set."""

    url: str
    secret: str | None
    max_connections: int
    allowed_updates: list[str] | None


@dataclass(frozen=True)
class _Failure:
    """An injected error answer."""

    status: int
    description: str
    error_code: int
    retry_after: int | None = None

    def error(self) -> _ApiError:
        """The error to raise for this failure."""
        return _ApiError(self.status, self.description, self.error_code, self.retry_after)


@dataclass
class _Delay:
    """An injected delay for a method (``remaining`` None = every call)."""

    seconds: float
    remaining: int | None


@dataclass
class _StoredFile:
    """A file known to the fake (registered or uploaded)."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def as_document(self) -> JSONDict:
        """Bot API ``Document`` dict."""
        return _drop_none(
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_name": self.file_name,
                "mime_type": self.mime_type,
                "file_size": len(self.data),
            }
        )

    def as_photo(self) -> list[JSONDict]:
        """Bot API ``PhotoSize`` list (one size)."""
        return make_photo(self.file_id, file_size=len(self.data), file_unique_id=self.file_unique_id)


class _ApiError(Exception):
    """Raised inside method implementations to answer with a Bot API error."""

    def __init__(
        self,
        status: int,
        description: str,
        error_code: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.error_code = error_code if error_code is not None else status
        self.retry_after = retry_after

    def body(self) -> JSONDict:
        """The JSON error body Telegram would send."""
        body: JSONDict = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad_request(detail: str) -> _ApiError:
    """A 400 error with Telegram's ``Bad Request:`` prefix."""
    return _ApiError(HTTPStatus.BAD_REQUEST, f"Bad Request: {detail}")


# --------------------------------------------------------------------------- helpers


class _Pulse:
    """Wakes every current waiter when fired (a re-armed asyncio.Event)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        """Wake all waiters."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        """Wait for the next `fire` for at most ``timeout`` seconds; True if fired."""
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True


class _SlidingWindow:
    """At most ``limit`` events per ``period`` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._stamps: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event fits (0 if it fits now)."""
        while self._stamps and self._stamps[0] <= now - self.period:
            self._stamps.popleft()
        if len(self._stamps) < self.limit:
            return 0.0
        return self._stamps[-self.limit] + self.period - now

    def add(self, now: float) -> None:
        """Record an event."""
        self._stamps.append(now)


class _RateLimiter:
    """Telegram's flood limits: global/s, per chat/s, per group/min (limit ≤ 0 disables)."""

    def __init__(self, global_per_second: int, per_chat_per_second: int, per_group_per_minute: int) -> None:
        self._global = _SlidingWindow(global_per_second, 1.0)
        self._per_chat: defaultdict[ChatKey, _SlidingWindow] = defaultdict(
            lambda: _SlidingWindow(per_chat_per_second, 1.0)
        )
        self._per_group: defaultdict[ChatKey, _SlidingWindow] = defaultdict(
            lambda: _SlidingWindow(per_group_per_minute, 60.0)
        )

    def _windows(self, chat: ChatKey) -> list[_SlidingWindow]:
        windows = [self._global, self._per_chat[chat]]
        if not isinstance(chat, int) or chat < 0:
            windows.append(self._per_group[chat])
        return [window for window in windows if window.limit > 0]

    def retry_after(self, chat: ChatKey, now: float) -> int:
        """Whole seconds to wait before a send to ``chat`` is allowed (0 = allowed now)."""
        wait = max((window.wait_time(now) for window in self._windows(chat)), default=0.0)
        return 0 if wait <= 0 else max(1, math.ceil(wait))

    def record(self, chat: ChatKey, now: float) -> None:
        """Count one delivered send to ``chat``."""
        for window in self._windows(chat):
            window.add(now)


def _as_int(value: Any) -> int | None:
    """``value`` as an int, or None when it is not an integer."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _as_float(value: Any, default: float) -> float:
    """``value`` as a float, or ``default``."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _flag(raw: str | None) -> bool:
    """A boolean parameter as PTB sends it (``true``/``false``, JSON-encoded)."""
    return (raw or "").strip().lower() in ("true", "1")


def _decode_param(raw: str) -> Any:
    """JSON-decode ``raw`` when it is a JSON object/array, else return it unchanged."""
    if raw[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            decoded = json.loads(raw)
            if isinstance(decoded, dict | list):
                return decoded
    return raw


def _drop_none(data: JSONDict) -> JSONDict:
    """``data`` without None values."""
    return {key: value for key, value in data.items() if value is not None}


def _shorten(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _now() -> int:
    """Current Unix time as Telegram reports it."""
    return int(time.time())


def _unique_id(seed: bytes) -> str:
    """A stable ``file_unique_id`` for ``seed``."""
    return "AgAD" + hashlib.sha1(seed).hexdigest()[:12]


def _utf16_len(text: str) -> int:
    """Length in UTF-16 code units (what Telegram entity offsets use)."""
    return len(text.encode("utf-16-le")) // 2


def _plain_text(text: str, parse_mode: str | None) -> str:
    """The text Telegram shows: HTML tags stripped for ``parse_mode=HTML``."""
    if parse_mode and parse_mode.lower() == "html":
        return html.unescape(_TAG_RE.sub("", text))
    return text


def _inline_markup(call: Call) -> JSONDict | None:
    """The call's reply_markup if inline (Telegram only echoes inline keyboards)."""
    markup = call.reply_markup
    return markup if markup is not None and "inline_keyboard" in markup else None


def _list_param(call: Call, name: str) -> list[Any] | None:
    """Parameter ``name`` if it decoded to a JSON array."""
    value = call.params.get(name)
    return value if isinstance(value, list) else None


def _as_predicate(match: CallPredicate | str) -> CallPredicate:
    """A predicate from a callable or a method name."""
    if isinstance(match, str):
        method = match.lower()
        return lambda call: call.method.lower() == method
    return match


def _error_body(status: int, description: str) -> JSONDict:
    """A Bot API error body."""
    return {"ok": False, "error_code": status, "description": description}


def bot_user_for(token: str) -> JSONDict:
    """The ``getMe`` User of the test bot; its id is the token's numeric prefix."""
    return {
        "id": _as_int(token.split(":", 1)[0]) or 1,
        "is_bot": True,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


# --------------------------------------------------------------------------- request parsing


def _request_fields(request: tornado.httputil.HTTPServerRequest) -> dict[str, str]:
    """All parameters of a request as strings (query, then form/multipart or JSON body)."""
    fields = {name: values[-1].decode() for name, values in request.query_arguments.items()}
    content_type = request.headers.get("Content-Type", "")
    if content_type.startswith("application/json"):
        fields.update(_json_fields(request.body))
    else:
        fields.update({name: values[-1].decode() for name, values in request.body_arguments.items()})
    return fields


def _json_fields(body: bytes) -> dict[str, str]:
    """A JSON object body as string parameters (non-strings JSON-encoded, nulls dropped)."""
    if not body.strip():
        return {}
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("JSON body must be an object")
    return {
        name: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        for name, value in data.items()
        if value is not None
    }


def _request_files(request: tornado.httputil.HTTPServerRequest) -> dict[str, UploadedFile]:
    """Multipart uploads of a request by part name."""
    return {
        name: UploadedFile(name, upload.filename, upload.content_type, upload.body)
        for name, uploads in request.files.items()
        for upload in uploads[-1:]
    }


class _ApiHandler(tornado.web.RequestHandler):
    """Serves ``/bot{token}/{method}``."""

    def initialize(self, api: FakeBotAPI) -> None:  # noqa: D102 - tornado hook
        self._api = api

    async def get(self, token: str, method: str) -> None:
        """Handle a GET call."""
        await self._serve(token, method)

    async def post(self, token: str, method: str) -> None:
        """Handle a POST call."""
        await self._serve(token, method)

    async def _serve(self, token: str, method: str) -> None:
        try:
            fields = _request_fields(self.request)
        except (ValueError, UnicodeDecodeError):
            status, body = HTTPStatus.BAD_REQUEST, _error_body(400, "Bad Request: can't parse JSON")
        else:
            status, body = await self._api._handle(token, method, fields, _request_files(self.request))
        self.set_status(int(status))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))


class _FileHandler(tornado.web.RequestHandler):
    """Serves ``/file/bot{token}/{file_path}``."""

    def initialize(self, api: FakeBotAPI) -> None:  # noqa: D102 - tornado hook
        self._api = api

    def get(self, token: str, file_path: str) -> None:
        """Send the bytes registered for the file id at the end of ``file_path``."""
        status, data = self._api._file_download(token, file_path)
        self.set_status(status)
        if status != HTTPStatus.OK:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(_error_body(status, HTTPStatus(status).phrase)))
            return
        self.set_header("Content-Type", "application/octet-stream")
        self.finish(data)


class ControlError(ValueError):
    """A hand-driven request (`FakeBotAPI.say`/`press`, ``/_fake/...``) the fake cannot carry out."""

    def __init__(self, description: str, status: int = HTTPStatus.BAD_REQUEST, **extra: Any) -> None:
        super().__init__(description)
        self.status = status
        self.extra = extra


def _int_field(body: JSONDict, name: str) -> int | None:
    """``body[name]`` as an int (None when absent); a ControlError when it is not a whole number."""
    value = body.get(name)
    if value is None:
        return None
    number = _as_int(value)
    if number is None:
        raise ControlError(f"{name} must be a whole number, not {value!r}")
    return number


class _ControlHandler(tornado.web.RequestHandler):
    """For trying the bot by hand with curl, and for benchmarks. Every answer is JSON; a request the
    fake cannot carry out gets ``{"ok": false, "description": ...}`` with status 400 (or 504 when the
    bot did not answer in time).

    * ``POST /_fake/say`` pushes a private message from a user (`FakeBotAPI.say`):
      ``{"user_id", "text"?, "first_name"?, "username"?, "photo"?, "document"?, "caption"?,
      "reply_to"?}``. ``photo`` is a file id, or ``"1"`` to invent one; ``document`` is a file name
      or ``{"file_name", "mime_type"?, "content"?, "content_base64"?}``. Either is registered in the fake's file store,
      so the bot can getFile and download it. ``reply_to`` is the message id of a bot message in
      that chat (``GET /_fake/sent?chat_id=…`` lists them). Answers ``{"update_id", "message_id"}``.
      ``{"messages": [{...}, ...]}`` pushes several at once (one request, so pushing is not the
      bottleneck of a throughput measurement) and answers ``{"update_ids": [...]}``.
    * ``POST /_fake/press`` with ``{"user_id", "button", "message_id"?, "timeout"?}`` presses the
      inline button whose label contains ``button`` on that message of the user's chat (default: the
      newest bot message there with buttons), waits (``timeout``, default 10 s) until the bot answers
      the callback query and answers ``{"answer", "show_alert", "button", "message_id", ...}``
      (`FakeBotAPI.press`).
    * ``GET /_fake/sent`` lists the bot's messages, oldest first (the last 50; ``?limit=0`` for all,
      ``?chat_id=`` for one chat): ``chat_id``, ``message_id``, ``method``, ``text`` (the text or
      caption as the user reads it, as it is now: an edited message shows its current text and
      ``"edited": true``), ``file`` (``{"type": "document", "name", "file_id"}`` or ``{"type":
      "photo", "file_id"}``), ``buttons`` (their labels) and ``reply_to`` (`FakeBotAPI.sent_view`).
    * ``GET /_fake/file?file_id=…`` answers the bytes of a file the bot sent or a user said (the
      ``file_id`` that ``/_fake/sent`` shows), to open a document the bot sent.
    * ``POST /_fake/delay`` with ``{"method", "seconds", "times"}``: `FakeBotAPI.delay`.
    * ``GET /_fake/stats`` counts what was delivered, as the server saw it (times are the server's
      ``time.monotonic()``, like ``Call.at``): ``delivered_total``, ``delivered_chats``,
      ``too_many_requests``, ``pushed`` (messages pushed through ``/_fake/say``) with
      ``first_push``/``last_push``, ``polling`` (whether a getUpdates call has arrived),
      ``sends_in_flight`` (not answered yet), ``pending_updates`` (pushed, not yet confirmed by a
      getUpdates offset, or with a webhook set, not yet answered 2xx by it), ``webhook`` (its
      ``url`` or null, ``max_connections``, and counters: ``delivered`` updates answered 2xx,
      ``failed`` attempts that were not, ``retried`` attempts that were a retry, ``attempts``,
      ``in_flight``, ``pending``, ``last_error``; ``?attempts=1`` adds ``attempt_list``, every
      POST as `WebhookAttempt.as_dict`) and ``now``. With ``?contains=TEXT`` (or ``?detail=1``) it also scans the
      successful sends whose text contains TEXT: ``per_chat`` counts, ``matched``,
      ``first_delivery``/``last_delivery`` and refused sends by status (``refused``); ``&times=1``
      adds every matching delivery time (sorted); ``&deliveries=1`` every matching delivery as
      ``{"chat_id", "at", "text"}``, in the order the sends arrived (a benchmark's latencies).

    ``say``, ``sent`` and ``press`` are served by every `FakeBotAPI`; ``stats`` and ``delay`` by the
    standalone server (``python -m tests.support.fake_bot_api``) only.
    """

    def initialize(self, api: FakeBotAPI) -> None:  # noqa: D102 - tornado hook
        self._api = api

    def _answer(self, status: int, body: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))

    def _body(self) -> JSONDict:
        try:
            body = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError) as error:
            raise ControlError(f"the body is not JSON: {error}") from None
        if not isinstance(body, dict):
            raise ControlError("the body must be a JSON object")
        return body

    async def post(self, action: str) -> None:  # noqa: D102
        try:
            body = self._body()
            if action == "delay":
                self._api.delay(str(body["method"]), float(body["seconds"]), body.get("times"))
                self._answer(HTTPStatus.OK, {"ok": True})
            elif action == "press":
                self._answer(HTTPStatus.OK, await self._press(body))
            elif action == "say":
                self._answer(HTTPStatus.OK, self._say(body))
            else:
                self._answer(HTTPStatus.METHOD_NOT_ALLOWED, _error_body(405, f"use GET /_fake/{action}"))
        except ControlError as error:
            self._answer(error.status, {"ok": False, "description": str(error), **error.extra})
        except (KeyError, TypeError, ValueError) as error:
            self._answer(HTTPStatus.BAD_REQUEST, {"ok": False, "description": f"bad request: {error!r}"})

    def _say(self, body: JSONDict) -> JSONDict:
        items = body["messages"] if isinstance(body.get("messages"), list) else [body]
        results = [self._say_one(item) for item in items]
        if len(results) == 1:
            return results[0]
        return {"update_ids": [result["update_id"] for result in results]}

    def _say_one(self, item: Any) -> JSONDict:
        if not isinstance(item, dict) or "user_id" not in item:
            raise ControlError('each message needs "user_id"')
        user_id = _as_int(item["user_id"])
        if user_id is None or user_id <= 0:
            raise ControlError(f"user_id must be a positive integer, not {item['user_id']!r}")
        return self._api.say(
            user_id, item.get("text"), first_name=item.get("first_name"), username=item.get("username"),
            photo=item.get("photo"), document=item.get("document"), caption=item.get("caption"),
            reply_to=_int_field(item, "reply_to"),
        )

    async def _press(self, body: JSONDict) -> JSONDict:
        user_id = _as_int(body.get("user_id"))
        if user_id is None or user_id <= 0:
            raise ControlError('"user_id" (a positive integer) is required')
        button = body.get("button")
        if not isinstance(button, str) or not button.strip():
            raise ControlError('"button" (part of the label of the button to press) is required')
        timeout = min(max(_as_float(body.get("timeout"), 10.0), 0.1), 60.0)
        return await self._api.press(user_id, button, message_id=_int_field(body, "message_id"), timeout=timeout)

    def get(self, action: str) -> None:  # noqa: D102
        if action == "stats":
            self._answer(HTTPStatus.OK, self._stats())
            return
        if action == "file":  # the bytes of a file the bot sent (a .docx, an .xlsx, a chart), by its file_id
            data = self._api.file_bytes(self.get_query_argument("file_id", "").strip())
            if data is None:
                self._answer(HTTPStatus.NOT_FOUND, _error_body(404, "no such file_id (see GET /_fake/sent)"))
                return
            self.set_header("Content-Type", "application/octet-stream")
            self.finish(data)
            return
        if action == "menu":  # the chat's menu button, as setChatMenuButton last set it
            self._answer(HTTPStatus.OK, self._api.menu_button(_chat_key(self.get_query_argument("chat_id", "").strip())))
            return
        if action != "sent":
            self._answer(HTTPStatus.METHOD_NOT_ALLOWED, _error_body(405, f"use POST /_fake/{action}"))
            return
        raw_chat = self.get_query_argument("chat_id", "").strip()
        limit = _as_int(self.get_query_argument("limit", "50"))
        if limit is None or limit < 0:
            self._answer(HTTPStatus.BAD_REQUEST, _error_body(400, "limit must be a whole number (0: all)"))
            return
        sent = self._api.sent_view(_chat_key(raw_chat) if raw_chat else None)
        self._answer(HTTPStatus.OK, sent[-limit:] if limit else sent)

    def _stats(self) -> JSONDict:
        api = self._api
        pushes = api._said_at
        stats: JSONDict = {
            "now": time.monotonic(),
            "delivered_total": sum(api.delivered.values()),
            "delivered_chats": len(api.delivered),
            "too_many_requests": api.too_many_requests,
            "calls": len(api.calls),
            "pushed": len(pushes),
            "first_push": pushes[0] if pushes else None,
            "last_push": pushes[-1] if pushes else None,
            "polling": any(call.method.lower() == "getupdates" for call in reversed(api.calls)),
            "sends_in_flight": sum(call.status is None and call.method.lower() in _SEND_METHODS for call in api.calls),
            "pending_updates": len(api.pending_updates),
            "webhook": api.webhook_stats(),
        }
        if self.get_query_argument("attempts", "0") not in ("", "0"):
            stats["webhook"]["attempt_list"] = [attempt.as_dict() for attempt in api.webhook_attempts]
        contains = self.get_query_argument("contains", None)
        if contains is None and self.get_query_argument("detail", "0") in ("", "0"):
            return stats
        per_chat: Counter[str] = Counter()
        refused: Counter[str] = Counter()
        times: list[float] = []
        deliveries: list[JSONDict] = []
        for call in api.calls:
            if call.method.lower() not in _SEND_METHODS or call.status is None:
                continue
            if contains and contains not in (call.text or ""):
                continue
            if not call.ok:
                refused[str(call.status)] += 1
                continue
            per_chat[str(call.raw.get("chat_id"))] += 1
            times.append(call.at)
            deliveries.append({"chat_id": call.raw.get("chat_id"), "at": call.at, "text": call.text})
        times.sort()
        stats.update(per_chat=dict(per_chat), matched=len(times), refused=dict(refused),
                     first_delivery=times[0] if times else None, last_delivery=times[-1] if times else None)
        if self.get_query_argument("times", "0") not in ("", "0"):
            stats["times"] = times
        if self.get_query_argument("deliveries", "0") not in ("", "0"):
            stats["deliveries"] = deliveries
        return stats


class _NotFoundHandler(tornado.web.RequestHandler):
    """JSON 404 for any other path (what Telegram answers for a malformed URL)."""

    def prepare(self) -> None:  # noqa: D102 - tornado hook
        self.set_status(HTTPStatus.NOT_FOUND)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(_error_body(404, "Not Found")))


# --------------------------------------------------------------------------- the server


class FakeBotAPI:
    """An in-process fake of the Telegram Bot API (see the module docstring)."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        enforce_limits: bool = False,
        global_per_second: int = 30,
        per_chat_per_second: int = 1,
        per_group_per_minute: int = 20,
        long_poll_cap: float = 1.0,
        port: int = 0,
        monotonic: Callable[[], float] = time.monotonic,
        webhook_timeout: float = 10.0,
        webhook_retry_delays: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0, 2.0),
        webhook_ca: str | None = None,
    ) -> None:
        """Configure the fake; nothing listens until `start`.

        ``long_poll_cap`` bounds how long a ``getUpdates`` waits whatever its
        ``timeout``, so shutdown stays quick. ``monotonic`` is the clock of the
        flood limits (a test can hold it still). ``webhook_timeout`` is how long a
        webhook delivery may take before it counts as failed; after the n-th failed
        attempt of an update it is tried again ``webhook_retry_delays[n-1]`` seconds
        later (the last delay repeats): Telegram's retry, shortened for tests.
        ``webhook_ca`` is a CA file that an ``https://`` webhook's certificate is checked
        against (a self-signed one made by a test), instead of the system's.
        """
        self.token = token
        self.bot_user: JSONDict = bot_user_for(token)
        self.enforce_limits = enforce_limits
        self.long_poll_cap = long_poll_cap
        self._wanted_port = port
        self.calls: list[Call] = []
        self.delivered: Counter[ChatKey] = Counter()
        self.too_many_requests = 0
        self.unauthorized = 0
        self._limits = _RateLimiter(global_per_second, per_chat_per_second, per_group_per_minute)
        self._monotonic = monotonic
        self._said_at: list[float] = []  # time.monotonic() of each message pushed by `say`
        self._said_ids = itertools.count(1)
        self._updates: list[JSONDict] = []
        self._last_update_id = 0
        self._failures: defaultdict[str, deque[_Failure]] = defaultdict(deque)
        self._delays: dict[str, _Delay] = {}
        self._blocked: set[ChatKey] = set()
        self._files: dict[str, _StoredFile] = {}
        self._upload_ids = itertools.count(1)
        self._messages: dict[tuple[ChatKey, int], JSONDict] = {}
        self._last_message_ids: defaultdict[ChatKey, int] = defaultdict(int)
        self._users: dict[int, JSONDict] = {}
        self._chats: dict[ChatKey, JSONDict] = {}
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._menu_buttons: dict[str, JSONDict] = {}
        self._call_pulse = _Pulse()
        self._update_pulse = _Pulse()
        self._stopping = asyncio.Event()
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._server: tornado.httpserver.HTTPServer | None = None
        self._port: int | None = None
        self._methods = self._method_table()
        # webhook delivery (setWebhook): see "webhook delivery" below
        self.webhook_timeout = webhook_timeout
        self.webhook_ca = webhook_ca
        self.webhook_retry_delays = tuple(webhook_retry_delays) or (0.1,)
        self.webhook: _Webhook | None = None
        self.webhook_attempts: list[WebhookAttempt] = []
        self.webhook_delivered = 0  # updates answered 2xx
        self.webhook_failed = 0  # attempts not answered 2xx (an error status, refused, reset, timed out)
        self.webhook_retried = 0  # attempts that were a retry (attempt ≥ 2)
        self._hook_pending: dict[int, JSONDict] = {}  # not yet answered 2xx, by update_id
        self._hook_ready: deque[int] = deque()  # to deliver now, in order
        self._hook_retry: list[tuple[float, int]] = []  # heap of (loop time, update_id)
        self._hook_flying: dict[int, asyncio.Task[None]] = {}
        self._hook_attempt_counts: Counter[int] = Counter()
        self._hook_last_error: tuple[int, str] | None = None
        self._hook_pulse = _Pulse()
        self._hook_dispatcher: asyncio.Task[None] | None = None
        self._hook_client: httpx.AsyncClient | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on 127.0.0.1 (random port) on the running asyncio loop."""
        if self._server is not None:
            return
        self._stopping = asyncio.Event()
        sockets = tornado.netutil.bind_sockets(self._wanted_port, "127.0.0.1")
        self._server = tornado.httpserver.HTTPServer(self._application())
        self._server.add_sockets(sockets)
        self._port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening, end long polls and delays, wait for in-flight calls, close connections."""
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        self._stopping.set()
        await self._stop_webhook_delivery()
        self._update_pulse.fire()
        self._call_pulse.fire()  # ends a waiting press (`press`)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), 5.0)
        await server.close_all_connections()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _application(self) -> tornado.web.Application:
        handler_args = {"api": self}
        return tornado.web.Application(
            [
                (r"/bot([^/]+)/([A-Za-z0-9_]+)/?", _ApiHandler, handler_args),
                (r"/file/bot([^/]+)/(.+)", _FileHandler, handler_args),
                (r"/_fake/(say|sent|press|file|menu)", _ControlHandler, handler_args),
            ],
            default_handler_class=_NotFoundHandler,
            log_function=lambda handler: None,
        )

    @property
    def port(self) -> int:
        """The TCP port (only once started)."""
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url(...)`` / ``Bot(base_file_url=...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------ inspection

    def mark(self) -> int:
        """The current number of calls: pass as ``after=`` to only look at later calls."""
        return len(self.calls)

    def calls_to(self, method: str, after: int = 0) -> list[Call]:
        """Calls of ``method`` (case-insensitive), from index ``after`` on."""
        wanted = method.lower()
        return [call for call in self.calls[after:] if call.method.lower() == wanted]

    def sent_messages(self, chat_id: ChatKey | None = None, *, include_failed: bool = False) -> list[Call]:
        """Successful sendMessage/sendPhoto/sendDocument calls, optionally to one chat."""
        methods = {name.lower() for name in SENT_MESSAGE_METHODS}
        return [
            call
            for call in self.calls
            if call.method.lower() in methods
            and (include_failed or call.ok)
            and (chat_id is None or call.raw.get("chat_id") == str(chat_id))
        ]

    async def wait_for(self, predicate: CallPredicate | str, timeout: float = 5.0, after: int = 0) -> Call:
        """The first call at index ≥ ``after`` matching ``predicate`` (or a method name).

        Waits until such a call arrives; raises AssertionError listing recent calls
        after ``timeout`` seconds. Calls are visible as soon as they arrive; use
        ``call.ok`` in the predicate to wait for a successful answer.
        """
        match = _as_predicate(predicate)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        index = after
        while True:
            found, index = self._scan(match, index)
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(self._timeout_report(timeout, after))
            await self._call_pulse.wait(remaining)

    async def wait_for_message(
        self,
        chat_id: ChatKey | None = None,
        contains: str | None = None,
        timeout: float = 5.0,
        after: int = 0,
    ) -> Call:
        """The first successful sendMessage/sendPhoto/sendDocument to ``chat_id`` containing ``contains``."""
        methods = {name.lower() for name in SENT_MESSAGE_METHODS}

        def matches(call: Call) -> bool:
            return (
                call.ok
                and call.method.lower() in methods
                and (chat_id is None or call.raw.get("chat_id") == str(chat_id))
                and (contains is None or contains in (call.text or ""))
            )

        return await self.wait_for(matches, timeout=timeout, after=after)

    def _scan(self, match: CallPredicate, start: int) -> tuple[Call | None, int]:
        """Search calls from ``start``; also return where the next scan may begin.

        Answered calls that did not match are skipped next time; pending ones are
        looked at again (their status may change).
        """
        resume = start
        settled = True
        for call in self.calls[start:]:
            if match(call):
                return call, resume
            settled = settled and call.status is not None
            if settled:
                resume = call.index + 1
        return None, resume

    def _timeout_report(self, timeout: float, after: int) -> str:
        """AssertionError text for `wait_for`: the recent non-getUpdates calls."""
        recent = [call for call in self.calls[after:] if call.method.lower() != "getupdates"][-10:]
        lines = [f"no matching Bot API call within {timeout:.1f}s (after #{after}); recent calls:"]
        lines += [f"  {call.summary()}" for call in recent] or ["  (none)"]
        return "\n".join(lines)

    def commands_for(self, scope: JSONDict | None = None, language_code: str | None = None) -> list[JSONDict]:
        """Commands last set by setMyCommands for ``scope`` (default scope if None) and language."""
        return list(self._commands.get(_commands_key(scope, language_code), []))

    def menu_button(self, chat_id: ChatKey) -> JSONDict:
        """The chat's menu button as setChatMenuButton last set it (Telegram's default: commands)."""
        return self._menu_buttons.get(str(chat_id), {"type": "default"})

    def message(self, chat_id: ChatKey, message_id: int) -> JSONDict | None:
        """Current state of a message the fake knows (sent by the bot or pushed), or None."""
        stored = self._messages.get((chat_id, message_id))
        return dict(stored) if stored is not None else None

    def file_bytes(self, file_id: str) -> bytes | None:
        """Bytes of a registered or uploaded file."""
        stored = self._files.get(file_id)
        return stored.data if stored else None

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Pushed updates not yet confirmed by a getUpdates offset (with a webhook set: not yet
        answered 2xx by the webhook, in flight or not)."""
        return list(self._updates) + [self._hook_pending[key] for key in sorted(self._hook_pending)]

    # ------------------------------------------------------------------ scripting

    def next_update_id(self) -> int:
        """Reserve and return the next update_id."""
        self._last_update_id += 1
        return self._last_update_id

    def push_update(self, update: JSONDict) -> int:
        """Queue an update for getUpdates (assigning ``update_id`` if missing); returns its id."""
        update = json.loads(json.dumps(update))
        if update.get("update_id") is None:
            update["update_id"] = self.next_update_id()
        self._last_update_id = max(self._last_update_id, update["update_id"])
        self._learn_update(update)
        if self.webhook is not None:
            self._hook_enqueue(update)
            return int(update["update_id"])
        self._updates.append(update)
        self._updates.sort(key=lambda queued: queued["update_id"])
        self._update_pulse.fire()
        return int(update["update_id"])

    def add_file(
        self, file_id: str, data: bytes, file_name: str | None = None, mime_type: str | None = None
    ) -> JSONDict:
        """Register bytes for getFile/download; returns a Document dict usable in builders."""
        stored = _StoredFile(file_id, _unique_id(data), data, file_name, mime_type)
        self._files[file_id] = stored
        return stored.as_document()

    # ------------------------------------------------------------------ playing a user by hand

    def say(
        self,
        user_id: int,
        text: str | None = None,
        *,
        first_name: str | None = None,
        username: str | None = None,
        photo: Any = None,
        document: Any = None,
        caption: str | None = None,
        reply_to: int | None = None,
    ) -> JSONDict:
        """Push a private message from ``user_id`` as a person would send it (``POST /_fake/say``).

        ``photo``: a file id, or ``True``/``1``/``"1"`` to invent one. ``document``: a file name,
        or a dict with ``file_name`` and optionally ``mime_type`` and ``content`` (text, or bytes)
        or ``content_base64`` (a binary file such as a .docx, over HTTP). Files are
        registered in the fake's store (`add_file`), so the bot can getFile and download them.
        ``reply_to``: the id of a message in that chat (the message is filled in from the store).
        Returns ``{"ok", "update_id", "message_id"}``; raises `ControlError` for what Telegram
        would not let a person send.
        """
        photo_sizes = self._said_photo(photo)
        document_dict = self._said_document(document)
        media = photo_sizes is not None or document_dict is not None
        if photo_sizes is not None and document_dict is not None:
            raise ControlError("send a photo or a document, not both in one message")
        if not media and not (text or "").strip():
            raise ControlError('nothing to say: give "text", "photo" or "document"')
        if not media and len(text or "") > TEXT_LIMIT:
            raise ControlError(f"a message holds at most {TEXT_LIMIT} characters")
        if media and len(caption if caption is not None else text or "") > CAPTION_LIMIT:
            raise ControlError(f"a caption holds at most {CAPTION_LIMIT} characters")
        if reply_to is not None and (user_id, reply_to) not in self._messages:
            raise ControlError(f"there is no message {reply_to} in the chat with {user_id}; "
                               f"GET /_fake/sent?chat_id={user_id} lists the bot's messages")
        known = self._users.get(user_id, {})
        update = private_message(
            None, user_id, text, first_name=first_name or known.get("first_name") or "张三",
            username=username or known.get("username"), reply_to=reply_to, photo=photo_sizes,
            document=document_dict, caption=caption,
        )
        update_id = self.push_update(update)
        self._said_at.append(time.monotonic())
        return {"ok": True, "update_id": update_id, "message_id": update["message"]["message_id"]}

    def _said_photo(self, photo: Any) -> list[JSONDict] | None:
        """PhotoSizes for `say`'s ``photo`` (registering its bytes), or None."""
        if photo is None or photo is False or photo == "" or photo == 0:
            return None
        if photo is True or photo == 1 or photo == "1":
            file_id = f"said-photo-{next(self._said_ids)}"
        elif isinstance(photo, str):
            file_id = photo.strip()
        else:
            raise ControlError('"photo" is a file id, or "1" to invent one')
        stored = self._files.get(file_id)
        if stored is None:
            self.add_file(file_id, SAID_PHOTO_BYTES, mime_type="image/png")
            stored = self._files[file_id]
        return stored.as_photo()

    def _said_document(self, document: Any) -> JSONDict | None:
        """A Document dict for `say`'s ``document`` (registering its bytes), or None."""
        if document is None or document is False or document == "":
            return None
        if isinstance(document, str):
            document = {"file_name": document}
        if not isinstance(document, dict):
            raise ControlError('"document" is a file name, or {"file_name", "mime_type", "content" or "content_base64"}')
        name = str(document.get("file_name") or "文件.txt")
        content = document.get("content")
        if document.get("content_base64") is not None:  # a binary file over HTTP (a .docx, a .xlsx)
            try:
                content = base64.b64decode(str(document["content_base64"]), validate=True)
            except (binascii.Error, ValueError):
                raise ControlError('"content_base64" is not base64') from None
        if isinstance(content, bytes | bytearray):
            data = bytes(content)
        else:
            data = content.encode() if isinstance(content, str) else f"（模拟文件）{name}\n".encode()
        mime_type = document.get("mime_type") or mimetypes.guess_type(name)[0] or "application/octet-stream"
        return self.add_file(f"said-document-{next(self._said_ids)}", data, file_name=name, mime_type=str(mime_type))

    async def press(
        self, user_id: int, button: str, *, message_id: int | None = None, timeout: float = 10.0
    ) -> JSONDict:
        """Press, as ``user_id``, the inline button whose label contains ``button`` (``POST /_fake/press``).

        The message is ``message_id`` in the user's chat, or else the newest bot message there
        with inline buttons, as it is now (after edits). An exact label wins over a partial one;
        otherwise the first match in keyboard order. Pushes the callback query and waits at most
        ``timeout`` seconds for the bot's answerCallbackQuery; returns ``{"ok", "update_id",
        "chat_id", "message_id", "button", "answer", "show_alert"}``. Raises `ControlError`
        (status 504, with ``update_id``) when the bot did not answer in time.
        """
        message = self._pressable(user_id, message_id)
        label, data = _choose_button(message, button)
        query_id = f"press-{next(_auto_query_ids)}"
        update = callback_query(None, user_id, data, message, query_id=query_id)
        if user_id in self._users:
            update["callback_query"]["from"] = dict(self._users[user_id])
        mark = self.mark()
        update_id = self.push_update(update)

        def answered(call: Call) -> bool:
            return (call.method.lower() == "answercallbackquery" and call.status is not None
                    and call.raw.get("callback_query_id") == query_id)

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        index = mark
        while True:
            found, index = self._scan(answered, index)
            if found is not None:
                break
            remaining = deadline - loop.time()
            if remaining <= 0 or self._stopping.is_set():
                raise ControlError(f"the bot did not answer the button {label!r} within {timeout:g}s "
                                   "(is it running and polling this fake?)", HTTPStatus.GATEWAY_TIMEOUT,
                                   update_id=update_id)
            await self._call_pulse.wait(remaining)
        return {
            "ok": True, "update_id": update_id, "chat_id": user_id, "message_id": message["message_id"],
            "button": label, "answer": found.raw.get("text", ""),
            "show_alert": found.raw.get("show_alert", "").lower() in ("true", "1"),
        }

    def _pressable(self, user_id: int, message_id: int | None) -> JSONDict:
        """The message to press a button on (see `press`)."""
        if message_id is not None:
            message = self._messages.get((user_id, message_id))
            if message is None:
                raise ControlError(f"there is no message {message_id} in the chat with {user_id}; "
                                   f"GET /_fake/sent?chat_id={user_id} lists the bot's messages")
            if not _button_list(message):
                raise ControlError(f"message {message_id} in the chat with {user_id} has no buttons (any more)")
            return message
        bot_id = self.bot_user["id"]
        with_buttons = [message for (chat, _), message in self._messages.items()
                        if chat == user_id and message.get("from", {}).get("id") == bot_id and _button_list(message)]
        if not with_buttons:
            raise ControlError(f"the bot has no message with buttons in the chat with {user_id}")
        return max(with_buttons, key=lambda message: message["message_id"])

    def sent_view(self, chat_id: ChatKey | None = None) -> list[JSONDict]:
        """The bot's messages, oldest first, as they are now (``GET /_fake/sent``).

        Each: ``chat_id``, ``message_id``, ``method``, ``text`` (text or caption as shown, the
        current one if edited), ``edited``, ``file`` (document name / photo, or None),
        ``buttons`` (labels), ``reply_to`` (a message id, or None); ``deleted`` when deleted.
        """
        view: list[JSONDict] = []
        for call in self.calls:
            if not call.ok or call.method.lower() not in _SEND_METHODS:
                continue
            chat = _chat_key(call.raw.get("chat_id", ""))
            if chat_id is not None and chat != chat_id:
                continue
            results = call.result if isinstance(call.result, list) else [call.result]
            for sent in results:
                if isinstance(sent, dict) and "message_id" in sent:
                    view.append(self._describe_sent(call, chat, sent))
        return view

    def _describe_sent(self, call: Call, chat: ChatKey, sent: JSONDict) -> JSONDict:
        current = self._messages.get((chat, sent["message_id"]))
        shown = current if current is not None else sent
        reply = shown.get("reply_to_message")
        item: JSONDict = {
            "chat_id": chat,
            "message_id": sent["message_id"],
            "method": call.method,
            "text": shown.get("text", shown.get("caption")),
            "edited": "edit_date" in shown,
            "file": _file_of(shown),
            "buttons": [button.get("text", "") for button in _button_list(shown)],
            # buttons that open something rather than call back: a link, or a Mini App (web_app)
            "opens": [{"text": button.get("text", ""), **({"web_app": button["web_app"].get("url")}
                                                           if isinstance(button.get("web_app"), dict) else {}),
                       **({"url": button["url"]} if "url" in button else {})}
                      for button in _button_list(shown) if "web_app" in button or "url" in button],
            "reply_to": reply.get("message_id") if isinstance(reply, dict) else None,
        }
        if current is None:
            item["deleted"] = True
        return item

    def fail_next(
        self,
        method: str,
        times: int = 1,
        status: int = 502,
        description: str | None = None,
        retry_after: int | None = None,
        error_code: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error.

        ``retry_after`` makes it a 429 flood error (PTB raises RetryAfter); 403
        defaults to "Forbidden: bot was blocked by the user", 400 to "Bad Request:
        chat not found", 502 to "Bad Gateway" (NetworkError in PTB).
        """
        if retry_after is not None:
            status = HTTPStatus.TOO_MANY_REQUESTS
            description = description or f"Too Many Requests: retry after {retry_after}"
        description = description or _DEFAULT_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
        failure = _Failure(status, description, error_code or status, retry_after)
        self._failures[method.lower()].extend([failure] * times)

    def block_chat(self, chat_id: ChatKey) -> None:
        """Make every send to ``chat_id`` answer 403 "bot was blocked by the user"."""
        self._blocked.add(_chat_key(str(chat_id)))

    def unblock_chat(self, chat_id: ChatKey) -> None:
        """Undo `block_chat`."""
        self._blocked.discard(_chat_key(str(chat_id)))

    def delay(self, method: str, seconds: float, times: int | None = None) -> None:
        """Delay answers to ``method`` by ``seconds`` (next ``times`` calls, or all; 0 clears).

        The call is still recorded and still takes effect (like Telegram delivering a
        message the client timed out on).
        """
        if seconds <= 0:
            self._delays.pop(method.lower(), None)
        else:
            self._delays[method.lower()] = _Delay(seconds, times)

    # ------------------------------------------------------------------ request pipeline

    async def _handle(
        self, token: str, method: str, raw: dict[str, str], files: dict[str, UploadedFile]
    ) -> tuple[int, JSONDict]:
        """Authorize, record, answer and complete one call."""
        if token != self.token:
            self.unauthorized += 1
            return HTTPStatus.UNAUTHORIZED, _error_body(401, "Unauthorized")
        call = self._record(method, raw, files)
        async with self._tracked():
            status, body = await self._answer(call)
        call.status, call.response = int(status), body
        self._call_pulse.fire()
        return status, body

    def _record(self, method: str, raw: dict[str, str], files: dict[str, UploadedFile]) -> Call:
        params = {name: _decode_param(value) for name, value in raw.items()}
        call = Call(method, params, raw, files, index=len(self.calls))
        self.calls.append(call)
        self._call_pulse.fire()
        return call

    @contextlib.asynccontextmanager
    async def _tracked(self) -> AsyncIterator[None]:
        """Count the call as in flight (stop() waits for these)."""
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def _answer(self, call: Call) -> tuple[int, JSONDict]:
        """Run the call and turn the outcome into (HTTP status, JSON body)."""
        try:
            result = await self._run(call)
        except _ApiError as error:
            return error.status, error.body()
        except Exception as error:  # a bug in the fake: surface it, don't hang the client
            _LOGGER.exception("FakeBotAPI failed on %s", call.method)
            return HTTPStatus.INTERNAL_SERVER_ERROR, _error_body(500, f"Internal Server Error: {error!r}")
        return HTTPStatus.OK, {"ok": True, "result": result}

    async def _run(self, call: Call) -> Any:
        """Delays, injected failures, blocks, flood limits, then the method itself."""
        name = call.method.lower()
        await self._apply_delay(name)
        if self._failures[name]:
            raise self._failures[name].popleft().error()
        if name in _CHAT_BOUND_METHODS:
            self._check_not_blocked(call)
        if name in _SEND_METHODS:
            self._check_flood_limits(call)
        result = self._methods.get(name, _answer_true)(call)
        if inspect.isawaitable(result):
            result = await result
        if name in _SEND_METHODS:
            self._count_delivery(call)
        return result

    async def _apply_delay(self, name: str) -> None:
        delay = self._delays.get(name)
        if delay is None:
            return
        if delay.remaining is not None:
            delay.remaining -= 1
            if delay.remaining <= 0:
                del self._delays[name]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), delay.seconds)

    def _check_not_blocked(self, call: Call) -> None:
        chat = call.raw.get("chat_id")
        if chat is not None and _chat_key(chat) in self._blocked:
            raise _ApiError(HTTPStatus.FORBIDDEN, _BLOCKED)

    def _check_flood_limits(self, call: Call) -> None:
        if not self.enforce_limits:
            return
        retry_after = self._limits.retry_after(_require_chat(call), self._monotonic())
        if retry_after:
            self.too_many_requests += 1
            raise _ApiError(
                HTTPStatus.TOO_MANY_REQUESTS,
                f"Too Many Requests: retry after {retry_after}",
                retry_after=retry_after,
            )

    def _count_delivery(self, call: Call) -> None:
        chat = _require_chat(call)
        self.delivered[chat] += 1
        if self.enforce_limits:
            self._limits.record(chat, self._monotonic())

    def _file_download(self, token: str, file_path: str) -> tuple[int, bytes]:
        """(status, bytes) for GET /file/bot{token}/{file_path}."""
        if token != self.token:
            return HTTPStatus.UNAUTHORIZED, b""
        stored = self._files.get(file_path.rsplit("/", 1)[-1])
        if stored is None:
            return HTTPStatus.NOT_FOUND, b""
        return HTTPStatus.OK, stored.data

    # ------------------------------------------------------------------ methods

    def _method_table(self) -> dict[str, Callable[[Call], Any | Awaitable[Any]]]:
        """Implemented methods by lower-case name; anything else answers ``true``."""
        table: dict[str, Callable[[Call], Any | Awaitable[Any]]] = {
            "getMe": lambda call: dict(self.bot_user),
            "getUpdates": self._get_updates,
            "getWebhookInfo": self._get_webhook_info,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendMediaGroup": self._send_media_group,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "deleteMessage": self._delete_message,
            "getFile": self._get_file,
        }
        return {name.lower(): function for name, function in table.items()}

    async def _get_updates(self, call: Call) -> list[JSONDict]:
        """Long poll: confirm below ``offset``, wait ≤ min(timeout, cap) for an update."""
        if self.webhook is not None:
            raise _ApiError(HTTPStatus.CONFLICT, "Conflict: can't use getUpdates method while webhook is active; "
                                                 "use deleteWebhook to delete the webhook first")
        self._confirm_updates(call.int_param("offset") or 0)
        limit = min(max(call.int_param("limit") or 100, 1), 100)
        timeout = min(max(_as_float(call.raw.get("timeout"), 0.0), 0.0), self.long_poll_cap)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._updates and not self._stopping.is_set():
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self._update_pulse.wait(remaining)
        return [json.loads(json.dumps(update)) for update in self._updates[:limit]]

    def _confirm_updates(self, offset: int) -> None:
        """Forget updates below ``offset`` (negative: keep only the last -offset)."""
        if offset > 0:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _get_webhook_info(self, call: Call) -> JSONDict:
        info: JSONDict = {"url": self.webhook.url if self.webhook else "", "has_custom_certificate": False,
                          "pending_update_count": len(self.pending_updates)}
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
        if self._hook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._hook_last_error
        return info

    # ------------------------------------------------------------------ webhook delivery

    def _set_webhook(self, call: Call) -> bool:
        """From now on POST each pushed update to ``url`` instead of serving getUpdates (an empty
        ``url`` removes the webhook, as on Telegram). Plain ``http://`` is accepted: tests run on
        loopback, where Telegram would insist on HTTPS."""
        url = call.raw.get("url", "").strip()
        if not url:
            return self._delete_webhook(call)
        if not re.match(r"https?://[^/\s]+", url):
            raise _bad_request("bad webhook: HTTPS url must be provided for webhook")
        secret = call.raw.get("secret_token") or None
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(secret):
            raise _bad_request("secret token contains unallowed characters")
        max_connections = call.int_param("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise _bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = _list_param(call, "allowed_updates")
        if _flag(call.raw.get("drop_pending_updates")):
            self._drop_pending()
        self.webhook = _Webhook(url, secret, max_connections, allowed)
        for update in self._updates:  # what getUpdates had not handed out yet goes by webhook now
            self._hook_enqueue(update)
        self._updates = []
        if self._hook_dispatcher is None or self._hook_dispatcher.done():
            self._hook_dispatcher = asyncio.get_running_loop().create_task(self._dispatch_webhook(),
                                                                           name="fake-webhook-dispatcher")
        self._hook_pulse.fire()
        return True

    def _delete_webhook(self, call: Call) -> bool:
        """Back to getUpdates: updates not yet delivered are served there (deliveries in flight
        finish; one that fails goes back to getUpdates too)."""
        if _flag(call.raw.get("drop_pending_updates")):
            self._drop_pending()
        if self.webhook is None:
            return True
        self.webhook = None
        for update_id in sorted(self._hook_pending):
            if update_id not in self._hook_flying:
                self._back_to_polling(update_id)
        self._hook_ready.clear()
        self._hook_retry.clear()
        self._hook_pulse.fire()
        return True

    def _drop_pending(self) -> None:
        self._updates = []
        for update_id in [key for key in self._hook_pending if key not in self._hook_flying]:
            del self._hook_pending[update_id]
        self._hook_ready.clear()
        self._hook_retry.clear()

    def _back_to_polling(self, update_id: int) -> None:
        update = self._hook_pending.pop(update_id, None)
        if update is not None:
            self._updates.append(update)
            self._updates.sort(key=lambda queued: queued["update_id"])
            self._update_pulse.fire()

    def _hook_enqueue(self, update: JSONDict) -> None:
        self._hook_pending[update["update_id"]] = update
        self._hook_ready.append(update["update_id"])
        self._hook_pulse.fire()

    @property
    def webhook_in_flight(self) -> int:
        """Deliveries POSTed and not answered yet."""
        return len(self._hook_flying)

    def webhook_stats(self) -> JSONDict:
        """The webhook's counters (``GET /_fake/stats`` → ``webhook``)."""
        return {"url": self.webhook.url if self.webhook else None,
                "max_connections": self.webhook.max_connections if self.webhook else None,
                "delivered": self.webhook_delivered, "retried": self.webhook_retried, "failed": self.webhook_failed,
                "attempts": len(self.webhook_attempts), "in_flight": self.webhook_in_flight,
                "pending": len(self._hook_pending),
                "last_error": self._hook_last_error[1] if self._hook_last_error else None}

    async def _dispatch_webhook(self) -> None:
        """Start deliveries while a webhook is set: ready updates in order, retries when their
        time comes, never more than ``max_connections`` in flight."""
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set() and self.webhook is not None:
            hook = self.webhook
            now = loop.time()
            while self._hook_retry and self._hook_retry[0][0] <= now:
                self._hook_ready.append(heapq.heappop(self._hook_retry)[1])
            while self._hook_ready and len(self._hook_flying) < hook.max_connections:
                update_id = self._hook_ready.popleft()
                if update_id in self._hook_pending and update_id not in self._hook_flying:
                    self._hook_flying[update_id] = loop.create_task(self._deliver(hook, update_id),
                                                                    name=f"fake-webhook-{update_id}")
            wait = self._hook_retry[0][0] - now if self._hook_retry else 1.0
            await self._hook_pulse.wait(max(wait, 0.001))

    def _webhook_client(self) -> httpx.AsyncClient:
        if self._hook_client is None:
            verify: ssl.SSLContext | bool = (ssl.create_default_context(cafile=self.webhook_ca) if self.webhook_ca
                                             else True)
            self._hook_client = httpx.AsyncClient(
                timeout=self.webhook_timeout, trust_env=False, verify=verify,
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=100))
        return self._hook_client

    async def _deliver(self, hook: _Webhook, update_id: int) -> None:
        """POST one update; 2xx delivers it, anything else schedules a retry."""
        self._hook_attempt_counts[update_id] += 1
        attempt = WebhookAttempt(update_id, self._hook_attempt_counts[update_id], hook.url)
        self.webhook_attempts.append(attempt)
        if attempt.attempt > 1:
            self.webhook_retried += 1
        headers = {"Content-Type": "application/json"}
        if hook.secret:
            headers[WEBHOOK_SECRET_HEADER] = hook.secret
        body = json.dumps(self._hook_pending[update_id], ensure_ascii=False).encode()
        try:
            try:
                response = await self._webhook_client().post(hook.url, content=body, headers=headers)
            except httpx.TimeoutException:
                attempt.error = "Read timeout expired"
            except httpx.ConnectError:
                attempt.error = "Connection refused"
            except httpx.HTTPError as error:
                attempt.error = f"Connection closed: {type(error).__name__}"
            else:
                attempt.status = response.status_code
                if not attempt.ok:
                    attempt.error = f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
        finally:
            attempt.finished = time.monotonic()
            self._hook_flying.pop(update_id, None)
        self._settle(attempt)

    def _settle(self, attempt: WebhookAttempt) -> None:
        update_id = attempt.update_id
        if attempt.ok:
            self.webhook_delivered += 1
            self._hook_pending.pop(update_id, None)
        else:
            self.webhook_failed += 1
            self._hook_last_error = (_now(), attempt.error or "")
            if self.webhook is None:
                self._back_to_polling(update_id)
            elif update_id in self._hook_pending:
                delays = self.webhook_retry_delays
                delay = delays[min(attempt.attempt, len(delays)) - 1]
                heapq.heappush(self._hook_retry, (asyncio.get_running_loop().time() + delay, update_id))
        self._hook_pulse.fire()

    async def _stop_webhook_delivery(self) -> None:
        tasks = [task for task in (self._hook_dispatcher, *self._hook_flying.values()) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._hook_dispatcher = None
        if self._hook_client is not None:
            client, self._hook_client = self._hook_client, None
            await client.aclose()

    def _set_my_commands(self, call: Call) -> bool:
        commands = _list_param(call, "commands")
        if commands is None:
            raise _bad_request("parameter \"commands\" is required")
        self._commands[_commands_key(call.params.get("scope"), call.raw.get("language_code"))] = commands
        return True

    def _delete_my_commands(self, call: Call) -> bool:
        self._commands.pop(_commands_key(call.params.get("scope"), call.raw.get("language_code")), None)
        return True

    def _get_my_commands(self, call: Call) -> list[JSONDict]:
        scope = call.params.get("scope")
        return self.commands_for(scope if isinstance(scope, dict) else None, call.raw.get("language_code"))

    def _set_chat_menu_button(self, call: Call) -> bool:
        button = call.params.get("menu_button")
        self._menu_buttons[call.raw.get("chat_id", "")] = button if isinstance(button, dict) else {"type": "default"}
        return True

    def _get_chat_menu_button(self, call: Call) -> JSONDict:
        return self._menu_buttons.get(call.raw.get("chat_id", ""), {"type": "default"})

    def _send_chat_action(self, call: Call) -> bool:
        _require_chat(call)
        return True

    def _send_message(self, call: Call) -> JSONDict:
        text = _plain_text(call.raw.get("text", ""), call.raw.get("parse_mode"))
        if not text.strip():
            raise _bad_request("message text is empty")
        if len(text) > TEXT_LIMIT:
            raise _bad_request("message is too long")
        return self._new_message(call, {"text": text, "entities": _list_param(call, "entities")})

    def _send_photo(self, call: Call) -> JSONDict:
        photo = self._media(call, "photo", "photo")
        return self._new_message(call, {"photo": photo.as_photo(), **self._caption(call)})

    def _send_document(self, call: Call) -> JSONDict:
        document = self._media(call, "document", "document")
        return self._new_message(call, {"document": document.as_document(), **self._caption(call)})

    def _send_media_group(self, call: Call) -> list[JSONDict]:
        items = _list_param(call, "media")
        if not items:
            raise _bad_request("parameter \"media\" is required")
        group_id = str(next(self._upload_ids))
        return [self._media_group_message(call, item, group_id) for item in items]

    def _media_group_message(self, call: Call, item: JSONDict, group_id: str) -> JSONDict:
        stored = self._resolve_file(call, str(item.get("media", "")), item.get("type", "document"))
        media = {"photo": stored.as_photo()} if item.get("type") == "photo" else {"document": stored.as_document()}
        caption = _plain_text(item.get("caption", ""), item.get("parse_mode")) or None
        content = {**media, "caption": caption, "caption_entities": item.get("caption_entities")}
        return self._new_message(call, {**content, "media_group_id": group_id})

    def _edit_message_text(self, call: Call) -> JSONDict | bool:
        text = _plain_text(call.raw.get("text", ""), call.raw.get("parse_mode"))
        if not text.strip():
            raise _bad_request("message text is empty")
        return self._edit(call, {"text": text, "entities": _list_param(call, "entities")})

    def _edit_message_caption(self, call: Call) -> JSONDict | bool:
        return self._edit(call, self._caption(call) or {"caption": None, "caption_entities": None})

    def _edit_message_reply_markup(self, call: Call) -> JSONDict | bool:
        return self._edit(call, {})

    def _copy_message(self, call: Call) -> JSONDict:
        source = self._source_message(call, "copy")
        content = {key: source[key] for key in _MESSAGE_CONTENT_KEYS if key in source}
        if "caption" in call.raw and "text" not in content:
            content.update(self._caption(call))
        return {"message_id": self._new_message(call, content)["message_id"]}

    def _forward_message(self, call: Call) -> JSONDict:
        source = self._source_message(call, "forward")
        content = {key: source[key] for key in _MESSAGE_CONTENT_KEYS if key in source}
        content["forward_origin"] = _forward_origin(source)
        return self._new_message(call, content, with_markup=False)

    def _delete_message(self, call: Call) -> bool:
        message_id = call.int_param("message_id")
        self._messages.pop((_require_chat(call), message_id or 0), None)
        return True

    def _get_file(self, call: Call) -> JSONDict:
        stored = self._files.get(call.raw.get("file_id", ""))
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": f"documents/{stored.file_id}",
        }

    # ------------------------------------------------------------------ messages

    def _new_message(self, call: Call, content: JSONDict, *, with_markup: bool = True) -> JSONDict:
        """Store and return a new bot message in the call's chat."""
        chat = _require_chat(call)
        self._last_message_ids[chat] += 1
        message = {
            "message_id": self._last_message_ids[chat],
            "date": _now(),
            "chat": self._chat(chat),
            "from": dict(self.bot_user),
            **_drop_none(content),
        }
        markup = _inline_markup(call) if with_markup else None
        reply_to = self._reply_to(call, chat)
        message.update(_drop_none({"reply_markup": markup, "reply_to_message": reply_to}))
        self._messages[(chat, message["message_id"])] = message
        return json.loads(json.dumps(message))

    def _edit(self, call: Call, changes: JSONDict) -> JSONDict | bool:
        """Apply ``changes`` (None values remove keys) and the new inline markup to a message."""
        if call.raw.get("inline_message_id"):
            return True
        chat = _require_chat(call)
        message_id = call.int_param("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        current = self._messages.get((chat, message_id)) or self._placeholder(chat, message_id)
        updated = {key: value for key, value in current.items() if key not in changes and key != "reply_markup"}
        updated.update(_drop_none(changes))
        updated.update(_drop_none({"reply_markup": _inline_markup(call)}))
        if _without(updated, "edit_date") == _without(current, "edit_date"):
            raise _bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        updated["edit_date"] = _now()
        self._messages[(chat, message_id)] = updated
        return json.loads(json.dumps(updated))

    def _placeholder(self, chat: ChatKey, message_id: int) -> JSONDict:
        """A message the fake never saw, for edits of unknown messages."""
        return {"message_id": message_id, "date": _now(), "chat": self._chat(chat), "from": dict(self.bot_user)}

    def _source_message(self, call: Call, verb: str) -> JSONDict:
        """The message named by ``from_chat_id``/``message_id`` (400 if unknown)."""
        source_chat = _chat_key(call.raw.get("from_chat_id", ""))
        stored = self._messages.get((source_chat, call.int_param("message_id") or 0))
        if stored is None:
            raise _bad_request(f"message to {verb} not found")
        return stored

    def _reply_to(self, call: Call, chat: ChatKey) -> JSONDict | None:
        """``reply_to_message`` for reply_parameters / reply_to_message_id."""
        parameters = call.params.get("reply_parameters")
        if isinstance(parameters, dict):
            message_id = _as_int(parameters.get("message_id"))
        else:
            message_id = call.int_param("reply_to_message_id")
        if message_id is None:
            return None
        stored = self._messages.get((chat, message_id))
        if stored is not None:
            return _without(stored, "reply_to_message")
        return {"message_id": message_id, "date": _now(), "chat": self._chat(chat)}

    def _caption(self, call: Call) -> JSONDict:
        """Caption keys of a call (HTML stripped, length checked)."""
        caption = _plain_text(call.raw.get("caption", ""), call.raw.get("parse_mode"))
        if len(caption) > CAPTION_LIMIT:
            raise _bad_request("message caption is too long")
        if not caption:
            return {}
        return {"caption": caption, "caption_entities": _list_param(call, "caption_entities")}

    def _chat(self, chat: ChatKey) -> JSONDict:
        """The Chat dict for ``chat``: learned from pushed updates, else a default."""
        if chat in self._chats:
            return dict(self._chats[chat])
        if isinstance(chat, str):
            return {"id": -(10**12) - zlib.crc32(chat.encode()), "type": "channel", "title": chat,
                    "username": chat.lstrip("@")}
        if chat > 0:
            user = self._users.get(chat, {})
            return _drop_none({"id": chat, "type": "private", "first_name": user.get("first_name", f"用户{chat}"),
                               "username": user.get("username")})
        return {"id": chat, "type": "group", "title": f"测试群{-chat}"}

    # ------------------------------------------------------------------ files

    def _media(self, call: Call, part: str, kind: str) -> _StoredFile:
        """The file sent as ``part``: an upload, an attach:// reference, a file_id or a URL."""
        if part in call.files:
            return self._store_upload(call.files[part], kind)
        reference = call.raw.get(part)
        if not reference:
            raise _bad_request(f"there is no {part} in the request")
        return self._resolve_file(call, reference, kind)

    def _resolve_file(self, call: Call, reference: str, kind: str) -> _StoredFile:
        if reference.startswith("attach://"):
            upload = call.files.get(reference.removeprefix("attach://"))
            if upload is None:
                raise _bad_request(f"file {reference} not found in the request")
            return self._store_upload(upload, kind)
        if reference in self._files:
            return self._files[reference]
        name = reference.rsplit("/", 1)[-1] if "://" in reference else reference
        return _StoredFile(reference, _unique_id(reference.encode()), b"", name)

    def _store_upload(self, upload: UploadedFile, kind: str) -> _StoredFile:
        """Register an upload under a new file_id so getFile/download work on it."""
        file_id = f"fake-{kind}-{next(self._upload_ids)}"
        stored = _StoredFile(file_id, _unique_id(upload.data), upload.data, upload.filename, upload.content_type)
        self._files[file_id] = stored
        return stored

    # ------------------------------------------------------------------ learning from pushed updates

    def _learn_update(self, update: JSONDict) -> None:
        """Remember users, chats and messages of a pushed update."""
        for key in ("message", "edited_message", "channel_post"):
            if isinstance(update.get(key), dict):
                self._learn_message(update[key])
        query = update.get("callback_query")
        if isinstance(query, dict):
            self._learn_user(query.get("from"))
            message = query.get("message")
            if isinstance(message, dict) and "chat" in message:
                self._messages.setdefault((message["chat"]["id"], message["message_id"]), message)

    def _learn_message(self, message: JSONDict) -> None:
        chat = message["chat"]
        self._learn_user(message.get("from"))
        if chat.get("type") != "private":
            self._chats[chat["id"]] = chat
        if message["message_id"] <= AUTO_MESSAGE_ID_BASE:
            last = self._last_message_ids[chat["id"]]
            self._last_message_ids[chat["id"]] = max(last, message["message_id"])
        self._expand_reply(message)
        self._messages[(chat["id"], message["message_id"])] = message

    def _expand_reply(self, message: JSONDict) -> None:
        """Replace a minimal ``reply_to_message`` by the stored message it points at."""
        reply = message.get("reply_to_message")
        if not isinstance(reply, dict) or "from" in reply:
            return
        stored = self._messages.get((message["chat"]["id"], reply.get("message_id", 0)))
        if stored is not None:
            message["reply_to_message"] = _without(stored, "reply_to_message")

    def _learn_user(self, user: JSONDict | None) -> None:
        if isinstance(user, dict) and not user.get("is_bot"):
            self._users[user["id"]] = user


def _answer_true(call: Call) -> bool:
    """Default answer for methods the fake does not model."""
    return True


def _chat_key(raw: str) -> ChatKey:
    """A chat_id parameter as a dict key: int when numeric, else the ``@username``."""
    number = _as_int(raw)
    return number if number is not None else raw


def _require_chat(call: Call) -> ChatKey:
    """The call's chat key (400 when chat_id is missing)."""
    raw = call.raw.get("chat_id", "").strip()
    if not raw:
        raise _bad_request("chat_id is empty")
    return _chat_key(raw)


def _commands_key(scope: Any, language_code: str | None) -> tuple[str, str]:
    """Storage key of a command list: canonical scope JSON + language code."""
    scope = scope if isinstance(scope, dict) and scope else {"type": "default"}
    return json.dumps(scope, sort_keys=True, ensure_ascii=False), language_code or ""


def _without(data: JSONDict, *keys: str) -> JSONDict:
    """``data`` without ``keys``."""
    return {key: value for key, value in data.items() if key not in keys}


def _forward_origin(source: JSONDict) -> JSONDict:
    """The MessageOrigin of a forwarded copy of ``source``."""
    if "from" in source:
        return {"type": "user", "date": source["date"], "sender_user": source["from"]}
    if source["chat"].get("type") == "channel":
        return {"type": "channel", "date": source["date"], "chat": source["chat"],
                "message_id": source["message_id"]}
    return {"type": "hidden_user", "date": source["date"], "sender_user_name": "Hidden"}


def _button_list(message: JSONDict) -> list[JSONDict]:
    """The inline buttons of a message, row by row."""
    markup = message.get("reply_markup")
    if not isinstance(markup, dict):
        return []
    return [button for row in markup.get("inline_keyboard", []) for button in row if isinstance(button, dict)]


def _choose_button(message: JSONDict, wanted: str) -> tuple[str, str]:
    """(label, callback_data) of the button whose label is, or else contains, ``wanted``."""
    buttons = _button_list(message)
    key = wanted.strip().casefold()
    exact = [button for button in buttons if button.get("text", "").strip().casefold() == key]
    partial = [button for button in buttons if key in button.get("text", "").casefold()]
    chosen = (exact or partial or [None])[0]
    labels = [button.get("text", "") for button in buttons]
    if chosen is None:
        raise ControlError(f"no button of message {message['message_id']} has {wanted!r} in its label; "
                           f"its buttons: {labels}")
    label = chosen.get("text", "")
    data = chosen.get("callback_data")
    if not isinstance(data, str):
        raise ControlError(f"the button {label!r} is not a callback button (it opens "
                           f"{chosen.get('url') or 'something else'}); there is nothing to press")
    return label, data


def _file_of(message: JSONDict) -> JSONDict | None:
    """The file a message carries, for `FakeBotAPI.sent_view`."""
    document = message.get("document")
    if isinstance(document, dict):
        return {"type": "document", "name": document.get("file_name"), "file_id": document.get("file_id")}
    photo = message.get("photo")
    if isinstance(photo, list) and photo:
        return {"type": "photo", "file_id": photo[-1].get("file_id")}
    return None


# --------------------------------------------------------------------------- update builders


def make_user(user_id: int, first_name: str = "张三", username: str | None = None,
              language_code: str | None = "zh-hans") -> JSONDict:
    """A (human) User dict."""
    return _drop_none({"id": user_id, "is_bot": False, "first_name": first_name,
                       "username": username, "language_code": language_code})


def make_photo(file_id: str, width: int = 1280, height: int = 720, file_size: int | None = None,
               file_unique_id: str | None = None) -> list[JSONDict]:
    """A ``photo`` value: a list with one PhotoSize."""
    unique = file_unique_id or _unique_id(file_id.encode())
    return [_drop_none({"file_id": file_id, "file_unique_id": unique, "width": width,
                        "height": height, "file_size": file_size})]


def make_document(file_id: str, file_name: str | None = None, file_size: int | None = None,
                  mime_type: str | None = None) -> JSONDict:
    """A Document dict (see also `FakeBotAPI.add_file`, which also serves its bytes)."""
    return _drop_none({"file_id": file_id, "file_unique_id": _unique_id(file_id.encode()),
                       "file_name": file_name or file_id, "file_size": file_size, "mime_type": mime_type})


def command_entities(text: str | None) -> list[JSONDict]:
    """A bot_command entity for a leading ``/command`` (or ``/command@bot``) word."""
    if not text or not text.startswith("/"):
        return []
    word = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(word)}]


def _message(
    chat: JSONDict,
    sender: JSONDict,
    text: str | None,
    *,
    message_id: int | None,
    reply_to: int | JSONDict | None,
    photo: str | list[JSONDict] | None,
    document: str | JSONDict | None,
    caption: str | None,
) -> JSONDict:
    """A Message dict from a user; with media, ``text`` is used as the caption if none given."""
    message: JSONDict = {
        "message_id": message_id if message_id is not None else next(_auto_message_ids),
        "date": _now(),
        "chat": chat,
        "from": sender,
    }
    if photo is not None or document is not None:
        caption = caption if caption is not None else text
        if photo is not None:
            message["photo"] = make_photo(photo) if isinstance(photo, str) else photo
        if document is not None:
            message["document"] = make_document(document) if isinstance(document, str) else document
        message.update(_drop_none({"caption": caption, "caption_entities": command_entities(caption) or None}))
    elif text is not None:
        message.update(_drop_none({"text": text, "entities": command_entities(text) or None}))
    if reply_to is not None:
        message["reply_to_message"] = (
            reply_to if isinstance(reply_to, dict)
            else {"message_id": reply_to, "date": message["date"], "chat": chat}
        )
    return message


def _update(update_id: int | None, key: str, payload: JSONDict) -> JSONDict:
    """An Update dict; ``update_id`` None leaves it to `FakeBotAPI.push_update`."""
    update: JSONDict = {key: payload}
    if update_id is not None:
        update["update_id"] = update_id
    return update


def private_message(
    update_id: int | None,
    user_id: int,
    text: str | None = None,
    first_name: str = "张三",
    username: str | None = None,
    language_code: str | None = "zh-hans",
    message_id: int | None = None,
    reply_to: int | JSONDict | None = None,
    photo: str | list[JSONDict] | None = None,
    document: str | JSONDict | None = None,
    caption: str | None = None,
) -> JSONDict:
    """An Update with a private-chat message from ``user_id``.

    A leading ``/command`` gets a bot_command entity. ``photo``/``document`` take a
    file_id or a full dict; ``reply_to`` a message_id or a Message dict (e.g.
    ``call.result``); pushed minimal replies are expanded from messages the fake knows.
    """
    sender = make_user(user_id, first_name, username, language_code)
    chat = _drop_none({"id": user_id, "type": "private", "first_name": first_name, "username": username})
    message = _message(chat, sender, text, message_id=message_id, reply_to=reply_to,
                       photo=photo, document=document, caption=caption)
    return _update(update_id, "message", message)


def group_message(
    update_id: int | None,
    chat_id: int,
    user_id: int,
    text: str | None = None,
    title: str = "测试工作群",
    first_name: str = "张三",
    username: str | None = None,
    language_code: str | None = "zh-hans",
    chat_type: str = "group",
    message_id: int | None = None,
    reply_to: int | JSONDict | None = None,
    photo: str | list[JSONDict] | None = None,
    document: str | JSONDict | None = None,
    caption: str | None = None,
) -> JSONDict:
    """An Update with a message from ``user_id`` in group ``chat_id`` (negative id)."""
    sender = make_user(user_id, first_name, username, language_code)
    chat = {"id": chat_id, "type": chat_type, "title": title}
    message = _message(chat, sender, text, message_id=message_id, reply_to=reply_to,
                       photo=photo, document=document, caption=caption)
    return _update(update_id, "message", message)


def callback_query(
    update_id: int | None,
    user_id: int,
    data: str,
    message: JSONDict,
    first_name: str = "张三",
    username: str | None = None,
    language_code: str | None = "zh-hans",
    query_id: str | None = None,
) -> JSONDict:
    """An Update with a callback query on ``message`` (e.g. a sent message's ``call.result``)."""
    query = {
        "id": query_id or f"cbq-{next(_auto_query_ids)}",
        "from": make_user(user_id, first_name, username, language_code),
        "chat_instance": str(message.get("chat", {}).get("id", user_id)),
        "data": data,
        "message": message,
    }
    return _update(update_id, "callback_query", query)



def add_standalone_controls(api: FakeBotAPI) -> None:
    """Serve ``GET /_fake/stats`` and ``POST /_fake/delay`` too, as the standalone server does."""
    app = api._server.request_callback  # type: ignore[union-attr]
    app.add_handlers(r".*", [(r"/_fake/(stats|delay)", _ControlHandler, {"api": api})])


async def _serve_forever(port: int, token: str, *, enforce_limits: bool = False, webhook_timeout: float = 10.0,
                         webhook_retry: float = 0.1, webhook_ca: str | None = None) -> None:
    delays = tuple(min(webhook_retry * 2 ** i, max(webhook_retry, 2.0)) for i in range(5))
    async with FakeBotAPI(token=token, port=port, enforce_limits=enforce_limits, webhook_timeout=webhook_timeout,
                          webhook_retry_delays=delays, webhook_ca=webhook_ca) as api:
        add_standalone_controls(api)
        limits = "Telegram's flood limits enforced" if enforce_limits else "no flood limits"
        print(f"fake Bot API on {api.base_url} (token {token}, {limits}); "
              "POST /_fake/say, POST /_fake/press, GET /_fake/sent, GET /_fake/stats, POST /_fake/delay\n"
              f"  curl -XPOST localhost:{api.port}/_fake/say -d '{{\"user_id\": 42, \"text\": \"/help\"}}'"
              "   (also \"photo\": \"1\", \"document\": \"name.xlsx\", \"caption\", \"reply_to\": MESSAGE_ID)\n"
              f"  curl -XPOST localhost:{api.port}/_fake/press -d '{{\"user_id\": 42, \"button\": \"LABEL\"}}'"
              "   (the newest message with buttons, or \"message_id\")\n"
              f"  curl 'localhost:{api.port}/_fake/sent?chat_id=42'", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":  # python -m tests.support.fake_bot_api [PORT] [TOKEN] [--enforce-limits]
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.support.fake_bot_api", description="a fake Telegram Bot API")
    parser.add_argument("port", nargs="?", type=int, default=8081)
    parser.add_argument("token", nargs="?", default="123456:TEST-token")
    parser.add_argument("--enforce-limits", action="store_true",
                        help="answer 429 beyond 30 messages/s overall, 1/s per chat, 20/min per group")
    parser.add_argument("--webhook-timeout", type=float, default=10.0, metavar="SECONDS",
                        help="a webhook delivery not answered within this fails and is retried (default 10)")
    parser.add_argument("--webhook-retry", type=float, default=0.1, metavar="SECONDS",
                        help="first retry delay of a failed webhook delivery, doubling up to 2 s (default 0.1)")
    parser.add_argument("--webhook-ca", metavar="FILE",
                        help="check an https webhook's certificate against this CA file (e.g. a self-signed one)")
    cli = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(cli.port, cli.token, enforce_limits=cli.enforce_limits,
                                   webhook_timeout=cli.webhook_timeout, webhook_retry=cli.webhook_retry,
                                   webhook_ca=cli.webhook_ca))
