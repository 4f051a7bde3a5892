"""A fake OpenAI-compatible server (`POST /v1/chat/completions`) for tests and benchmarks.

It runs aiohttp on its own thread and event loop, so it answers whatever loop the code
under test blocks (see STACK-NOTES on AsyncTestClient). Script it with replies; with an
empty script it answers a plausible completion (JSON that fits the requested schema, or
a short Markdown job description). It records every request it receives.

    with FakeOpenAI() as server:
        server.script(rate_limited(retry_after=1), completion("Hello"))
        settings = Settings(openai_api_key="test", openai_base_url=server.base_url)
        ...
        assert len(server.requests) == 2
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any

from aiohttp import web

DEFAULT_TEXT = (
    "# Example role\n\n## About the role\n\nA role written by the fake OpenAI server.\n\n"
    "## Responsibilities\n\n- Build things.\n\n## Must-have skills\n\n- Python\n"
)


@dataclass(frozen=True)
class Reply:
    """One scripted answer. A 200 with neither content nor refusal answers plausibly."""

    status: int = 200
    content: str | None = None
    refusal: str | None = None
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (use it to trigger client timeouts)."""
    tool_calls: tuple[tuple[str, Any], ...] = ()
    """(function name, arguments) pairs; arguments are a dict, or a string sent as is."""
    chunk_delay: float = 0.0
    """In a streamed answer, seconds between its pieces."""


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    body: dict[str, Any]
    headers: dict[str, str]
    """Lower-cased names."""
    at: float
    """time.monotonic() when the request arrived."""

    @property
    def user_text(self) -> str:
        return "\n".join(
            str(m.get("content", ""))
            for m in self.body.get("messages", [])
            if m.get("role") == "user"
        )

    @property
    def system_text(self) -> str:
        return "\n".join(
            str(m.get("content", ""))
            for m in self.body.get("messages", [])
            if m.get("role") == "system"
        )


def completion(content: str, *, finish_reason: str = "stop") -> Reply:
    return Reply(content=content, finish_reason=finish_reason)


def json_completion(value: Any) -> Reply:
    return Reply(content=json.dumps(value))


def tool_call(name: str, arguments: Any = None, **fields: Any) -> Reply:
    """An answer calling one function (`arguments` a dict or raw text; else the fields)."""
    return Reply(content="", tool_calls=((name, fields if arguments is None else arguments),))


def tool_calls(*calls: tuple[str, Any]) -> Reply:
    """An answer calling several functions at once."""
    return Reply(content="", tool_calls=tuple(calls))


def streamed(content: str, chunk_delay: float = 0.0) -> Reply:
    """A text answer that, asked with `stream=True`, arrives in pieces `chunk_delay` apart."""
    return Reply(content=content, chunk_delay=chunk_delay)


def invalid_json() -> Reply:
    return Reply(content='{"job_description": "cut off in the middle')


def refusal(text: str = "I can't help with that.") -> Reply:
    return Reply(refusal=text)


def rate_limited(retry_after: float = 1) -> Reply:
    return Reply(
        status=429,
        content="Rate limit reached for requests",
        headers={"Retry-After": f"{retry_after:g}"},
    )


def server_error(status: int = 500) -> Reply:
    return Reply(status=status, content="The server had an error while processing your request.")


def slow(seconds: float, then: Reply | None = None) -> Reply:
    return replace(then or Reply(), delay=seconds)


def example_for(schema: dict[str, Any], name: str = "value") -> Any:
    """A value that fits `schema` (the strict subset), plausible enough for a job description."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {key: example_for(sub, key) for key, sub in props.items()}
    if kind == "array":
        return [example_for(schema.get("items", {}), name.rstrip("s"))]
    if kind == "integer":
        return {"min_experience": 2, "max_experience": 5}.get(name, 1)
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    if name == "job_description":
        return DEFAULT_TEXT
    return f"Example {name.replace('_', ' ')}"


def _plausible(body: dict[str, Any]) -> str:
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        return json.dumps(example_for(response_format["json_schema"]["schema"]))
    return DEFAULT_TEXT


class FakeOpenAI:
    """The server; a context manager (sync or async) that starts and stops it."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        responder: Callable[[dict[str, Any]], Reply] | None = None,
    ) -> None:
        self.responder = responder
        """Answers a request (its JSON body) when the script is empty."""
        self.latency = latency
        """Seconds added to every answer (for load tests)."""
        self.requests: list[Received] = []
        self.first_text_at: list[tuple[Received, float]] = []
        """Per streamed answer, when its first piece of text was written (monotonic)."""
        self.in_flight = 0
        self.max_in_flight = 0
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies; each request takes the next one, then plausible answers follow."""
        with self._lock:
            self._script.extend(replies)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [r.body for r in self.requests]

    # ------------------------------------------------------------ lifecycle

    def start(self) -> FakeOpenAI:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="fake-openai", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), loop).result(timeout=10)
        return self

    def stop(self) -> None:
        loop, thread, runner = self._loop, self._thread, self._runner
        if loop is None or thread is None:
            return
        if runner is not None:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        self._loop = self._thread = self._runner = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> FakeOpenAI:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        # Cancel a handler when its client gives up (timeouts), and do not wait long on exit.
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]

    # ------------------------------------------------------------ handler

    async def _chat(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "We could not parse the JSON body of your request.")
        with self._lock:
            headers = {k.lower(): v for k, v in request.headers.items()}
            received = Received(body, headers, time.monotonic())
            self.requests.append(received)
            if self._script:
                reply = self._script.popleft()
            else:
                reply = self.responder(body) if self.responder else Reply()
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if reply.delay or self.latency:
                await asyncio.sleep(reply.delay + self.latency)
        finally:
            with self._lock:
                self.in_flight -= 1
        if reply.status != 200:
            return _error(reply.status, reply.content or "error", reply.headers)
        content = reply.content
        if content is None and reply.refusal is None:
            content = _plausible(body)
        if body.get("stream"):
            return await self._stream(request, received, reply, content or "")
        return web.json_response(
            {
                "id": f"chatcmpl-fake-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake-model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": content,
                            "refusal": reply.refusal,
                        },
                        "logprobs": None,
                        "finish_reason": reply.finish_reason,
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            },
            headers=reply.headers,
        )

    async def _stream(
        self, request: web.Request, received: Received, reply: Reply, content: str
    ) -> web.StreamResponse:
        """Server-sent events as OpenAI sends them: text in pieces, tool calls in two."""
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", **reply.headers}
        )
        await response.prepare(request)
        body = received.body
        ident, created = f"chatcmpl-fake-{len(self.requests)}", int(time.time())

        async def send(delta: dict[str, Any], finish: str | None = None) -> None:
            chunk = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": body.get("model", "fake-model"),
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())

        await send({"role": "assistant", "content": ""})
        for start in range(0, len(content), 12):
            if reply.chunk_delay and start:
                await asyncio.sleep(reply.chunk_delay)
            if not start:
                with self._lock:
                    self.first_text_at.append((received, time.monotonic()))
            await send({"content": content[start : start + 12]})
        for index, (name, arguments) in enumerate(reply.tool_calls):
            raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
            head = {"index": index, "id": f"call_{len(self.requests)}_{index}", "type": "function"}
            await send({"tool_calls": [{**head, "function": {"name": name, "arguments": ""}}]})
            await send({"tool_calls": [{"index": index, "function": {"arguments": raw}}]})
        await send({}, "tool_calls" if reply.tool_calls else reply.finish_reason)
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
            chunk = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": body.get("model", "fake-model"),
                "choices": [],
                "usage": usage,
            }
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    kind = {429: "requests", 400: "invalid_request_error"}.get(status, "server_error")
    return web.json_response(
        {"error": {"message": message, "type": kind, "param": None, "code": None}},
        status=status,
        headers=headers or {},
    )
