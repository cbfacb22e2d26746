"""The optional digest narrative: an OpenAI-compatible endpoint behind httpx.MockTransport (and one
loopback server), one retry, truncated input, and never a failure that stops the digest."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from bot.narrative import DEFAULT_MODEL, MARK, MAX_CHARS, TRUNCATED, endpoint, marked, narrative, truncate
from bot.settings import Settings

KEY = "sk-test-0123456789abcdef-never-log-me"
URL = "http://llm.test/v1"
FACTS = "报送：20/24\n未报送：区财政局、区科技局\n逾期交办单：3"


def settings(url: str | None = URL, key: str | None = KEY, model: str | None = "qwen-test") -> Settings:
    return Settings(_env_file=None, summary_llm_url=url, summary_llm_api_key=key, summary_llm_model=model)


def ok(text: str = "  本期已有20个部门报送，3项交办单逾期。  ") -> httpx.Response:
    return httpx.Response(200, json={"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]})


class Recorder:
    """A MockTransport handler answering from a script of responses or exceptions, recording requests."""

    def __init__(self, *script: httpx.Response | type[Exception] | Callable[[], object]) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0)
        if isinstance(step, type) and issubclass(step, Exception):
            raise step("scripted failure", request=request)  # type: ignore[call-arg]
        if callable(step):
            return await step()  # type: ignore[misc]
        return step

    @property
    def calls(self) -> int:
        return len(self.requests)

    def body(self, i: int = 0) -> dict:
        return json.loads(self.requests[i].content)


class Pauses:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
def pauses() -> Pauses:
    return Pauses()


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[[Recorder], httpx.AsyncClient]]:
    clients: list[httpx.AsyncClient] = []

    def make(recorder: Recorder) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def test_success_sends_model_messages_facts_and_key_and_returns_the_answer(make_client, pauses):
    rec = Recorder(ok())
    text = await narrative(settings(), FACTS, lang="zh", client=make_client(rec), sleep=pauses)
    assert text == "本期已有20个部门报送，3项交办单逾期。"
    assert rec.calls == 1 and pauses.seconds == []
    request = rec.requests[0]
    assert request.method == "POST"
    assert str(request.url) == "http://llm.test/v1/chat/completions"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    body = rec.body()
    assert body["model"] == "qwen-test"
    assert body["temperature"] == 0.2 and body["max_tokens"] > 0
    system, user = body["messages"]
    assert system["role"] == "system" and "200" in system["content"]
    assert user == {"role": "user", "content": FACTS}


async def test_english_prompt_default_model_and_no_key_no_authorization(make_client):
    rec = Recorder(ok("Twenty of 24 departments reported."))
    text = await narrative(settings(key=None, model=None), "Reported: 20/24", lang="en", client=make_client(rec))
    assert text == "Twenty of 24 departments reported."
    assert "Authorization" not in rec.requests[0].headers
    body = rec.body()
    assert body["model"] == DEFAULT_MODEL
    assert "120 words" in body["messages"][0]["content"]


async def test_unset_url_returns_none_without_any_request(make_client):
    rec = Recorder()
    assert await narrative(settings(url=None), FACTS, lang="zh", client=make_client(rec)) is None
    assert await narrative(Settings(_env_file=None, summary_llm_url=""), FACTS, lang="zh", client=make_client(rec)) is None
    assert rec.calls == 0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://api.example.com/v1", "https://api.example.com/v1/chat/completions"),
        ("https://api.example.com/v1/", "https://api.example.com/v1/chat/completions"),
        ("https://api.example.com/v1/chat/completions", "https://api.example.com/v1/chat/completions"),
        ("http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1/chat/completions"),
        ("https://x.example/openai/v1/chat/completions?api-version=1", "https://x.example/openai/v1/chat/completions?api-version=1"),
        ("https://x.example/openai/v1?api-version=1", "https://x.example/openai/v1/chat/completions?api-version=1"),
    ],
)
def test_url_as_endpoint_or_as_base(given, expected):
    assert str(endpoint(given)) == expected


async def test_timeout_then_success_on_the_retry(make_client, pauses):
    rec = Recorder(httpx.ReadTimeout, ok("第二次成功。"))
    text = await narrative(settings(), FACTS, lang="zh", client=make_client(rec), sleep=pauses)
    assert text == "第二次成功。"
    assert rec.calls == 2
    assert pauses.seconds == [1.0]
    assert rec.body(0) == rec.body(1)


async def test_two_timeouts_give_none_and_one_warning(make_client, pauses, caplog):
    caplog.set_level(logging.DEBUG)
    rec = Recorder(httpx.ReadTimeout, httpx.ConnectTimeout)
    assert await narrative(settings(), FACTS, lang="zh", client=make_client(rec), sleep=pauses) is None
    assert rec.calls == 2 and len(pauses.seconds) == 1
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "llm.test" in warnings[0].getMessage() and warnings[0].exc_info is None


async def test_a_slow_answer_is_cut_by_the_deadline_even_without_an_httpx_timeout(make_client, pauses):
    async def slow() -> httpx.Response:
        await asyncio.sleep(30)
        return ok()

    rec = Recorder(slow, slow)
    started = asyncio.get_running_loop().time()
    assert await narrative(settings(), FACTS, lang="zh", client=make_client(rec), timeout=0.05, sleep=pauses) is None
    assert rec.calls == 2
    assert asyncio.get_running_loop().time() - started < 5


async def test_connection_error_then_success(make_client, pauses):
    rec = Recorder(httpx.ConnectError, ok("好。"))
    assert await narrative(settings(), FACTS, lang="zh", client=make_client(rec), sleep=pauses) == "好。"
    assert rec.calls == 2


async def test_500_then_500_gives_none_after_two_calls(make_client, pauses, caplog):
    rec = Recorder(httpx.Response(500, text="boom"), httpx.Response(503, text="busy"))
    assert await narrative(settings(), FACTS, lang="zh", client=make_client(rec), sleep=pauses) is None
    assert rec.calls == 2
    assert [r.levelname for r in caplog.records if r.levelno >= logging.WARNING] == ["WARNING"]


async def test_429_is_retried(make_client, pauses):
    rec = Recorder(httpx.Response(429, json={"error": "slow down"}), ok("限流后成功。"))
    assert await narrative(settings(), FACTS, lang="zh", client=make_client(rec), sleep=pauses) == "限流后成功。"
    assert rec.calls == 2


@pytest.mark.parametrize("status", [400, 401, 404, 422])
async def test_other_4xx_is_not_retried(make_client, pauses, status):
    rec = Recorder(httpx.Response(status, json={"error": {"message": "bad request"}}))
    assert await narrative(settings(), FACTS, lang="zh", client=make_client(rec), sleep=pauses) is None
    assert rec.calls == 1 and pauses.seconds == []


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json={"error": "no choices"}),
        httpx.Response(200, json={"choices": []}),
        httpx.Response(200, json={"choices": [{"message": {"role": "assistant"}}]}),
        httpx.Response(200, json={"choices": [{"message": {"content": None}}]}),
        httpx.Response(200, json={"choices": [{"message": {"content": "   \n "}}]}),
        httpx.Response(200, json={"choices": [{"message": {"content": "<think>hmm</think>\n"}}]}),
        httpx.Response(200, json=["not", "an", "object"]),
    ],
)
async def test_malformed_or_empty_answers_give_none_without_retry(make_client, pauses, response):
    rec = Recorder(response)
    assert await narrative(settings(), FACTS, lang="zh", client=make_client(rec), sleep=pauses) is None
    assert rec.calls == 1


async def test_answer_is_cleaned_and_capped(make_client):
    long = "<think>reasoning</think>\n" + "甲" * 2000
    rec = Recorder(ok(long))
    text = await narrative(settings(), FACTS, lang="zh", client=make_client(rec))
    assert text is not None and len(text) == MAX_CHARS and text.endswith("…") and "think" not in text
    rec = Recorder(ok("line one\n\n  line two  "))
    assert await narrative(settings(), FACTS, lang="en", client=make_client(rec)) == "line one line two"


async def test_facts_over_the_budget_are_cut_at_a_line_boundary_with_the_marker(make_client):
    lines = [f"部门{i:03d}：已报送，进展正常" for i in range(500)]
    facts = "\n".join(lines)
    rec = Recorder(ok())
    await narrative(settings(), facts, lang="zh", client=make_client(rec), budget_chars=300)
    sent = rec.body()["messages"][1]["content"]
    assert len(sent) <= 300
    *kept, last = sent.split("\n")
    assert last == TRUNCATED["zh"]
    assert kept == lines[: len(kept)] and len(kept) > 0


def test_truncate_rules():
    assert truncate("short\nfacts", 100) == "short\nfacts"
    cut = truncate("aaaa\nbbbb\ncccc\n" + "d" * 100, 4 + 1 + len(TRUNCATED["en"]) + 3, "en")
    assert cut == "aaaa\n" + TRUNCATED["en"]
    one_long_line = truncate("x" * 500, 100, "en")
    assert len(one_long_line) == 100 and one_long_line.endswith(TRUNCATED["en"])
    assert truncate("x" * 500, 5, "zh") == TRUNCATED["zh"][:5]


async def test_the_api_key_never_reaches_the_logs(make_client, pauses, caplog):
    caplog.set_level(logging.DEBUG)
    # The endpoint echoes the key back, as some providers do in their error messages.
    echo = {"error": {"message": f"Incorrect API key provided: {KEY}"}}
    cases = [
        Recorder(httpx.Response(401, json=echo)),
        Recorder(httpx.Response(500, json=echo), httpx.Response(500, json=echo)),
        Recorder(httpx.ReadTimeout, httpx.ConnectError),
        Recorder(httpx.Response(200, text=f"not json {KEY}")),
        Recorder(ok()),
    ]
    for rec in cases:
        await narrative(settings(), FACTS, lang="zh", client=make_client(rec), sleep=pauses)
    assert caplog.records, "the failures were logged"
    assert all(KEY not in r.getMessage() for r in caplog.records)
    assert KEY not in caplog.text


def test_marked_puts_the_machine_written_mark_first():
    assert marked("摘要。", "zh") == f"{MARK['zh']}\n摘要。"
    assert marked("Summary.", "en").startswith(MARK["en"])
    assert set(MARK) == {"zh", "en"}


# --- a real HTTP server on 127.0.0.1, with the client narrative() makes itself -------------------


async def _serve(answer: bytes | None) -> tuple[asyncio.Server, str, list[bytes]]:
    """A loopback HTTP server: answers every request with `answer`, or never answers when None."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            seen.append(head + await reader.readexactly(length))
            if answer is None:
                await asyncio.sleep(30)
                return
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(answer), answer))
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/v1", seen


@pytest.fixture
def no_proxy(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


async def test_loopback_server_success_with_an_own_client(no_proxy, pauses):
    answer = json.dumps({"choices": [{"message": {"content": "本地服务器的摘要。"}}]}, ensure_ascii=False).encode()
    server, url, seen = await _serve(answer)
    async with server:
        text = await narrative(settings(url=url), FACTS, lang="zh", timeout=5, sleep=pauses)
    assert text == "本地服务器的摘要。"
    assert len(seen) == 1 and seen[0].startswith(b"POST /v1/chat/completions ")


async def test_loopback_server_that_never_answers_gives_none_after_two_tries(no_proxy, pauses):
    server, url, seen = await _serve(None)
    async with server:
        assert await narrative(settings(url=url), FACTS, lang="zh", timeout=0.2, sleep=pauses) is None
        server.close()
    assert len(seen) == 2


async def test_nothing_listening_gives_none(no_proxy, pauses):
    server, url, _ = await _serve(None)
    server.close()
    await server.wait_closed()
    assert await narrative(settings(url=url), FACTS, lang="zh", timeout=2, sleep=pauses) is None
    assert len(pauses.seconds) == 1  # a connection error is retried once
