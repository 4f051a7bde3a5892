"""A webhook receiver on loopback, for tests and the delivery bench.

It runs aiohttp on its own thread and event loop, checks every request's
`Hirebot-Signature` with the secret it is given (as the README tells receivers to), and
answers from a script: a status code, a status with headers, or HANG (never answers).
With an empty script it answers 200. It records every request.

    with WebhookReceiver() as receiver:
        receiver.secret = created["secret"]
        receiver.script(500, 500, 200)
        ...
        assert [r.status for r in receiver.requests] == [500, 500, 200]
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web

HANG = -1


@dataclass(frozen=True)
class Received:
    event_id: str
    event_type: str
    timestamp: str
    signature: str
    signature_ok: bool
    body: dict[str, Any]
    status: int
    """What the receiver answered (HANG: nothing)."""
    at: float


def verify(secret: str, header: str, body: bytes, *, tolerance: float = 300) -> bool:
    """The README's receiver check: the v1 signature of "<t>.<body>", and a fresh t."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    timestamp = parts.get("t", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts.get("v1", ""))


class WebhookReceiver:
    def __init__(self, *, host: str = "127.0.0.1", record: bool = True) -> None:
        self.host = host
        self.record = record
        self.secret = ""
        self.requests: list[Received] = []
        self.count = 0
        self._script: deque[int | tuple[int, dict[str, str]]] = deque()
        self._matching: list[tuple[Callable[[dict[str, Any]], bool], deque[int]]] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hooks/hirebot"

    def script(self, *answers: int | tuple[int, dict[str, str]]) -> None:
        with self._lock:
            self._script.extend(answers)

    def script_for(self, match: Callable[[dict[str, Any]], bool], *answers: int) -> None:
        """Answer the requests whose body `match`es with `answers` first."""
        with self._lock:
            self._matching.append((match, deque(answers)))

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks/hirebot", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        with self._lock:
            planned = self._planned(json.loads(body) if self.record else {})
            self.count += 1
        status, headers = planned if isinstance(planned, tuple) else (planned, {})
        if self.record:
            signature = request.headers.get("Hirebot-Signature", "")
            self.requests.append(
                Received(
                    event_id=request.headers.get("Hirebot-Event-Id", ""),
                    event_type=request.headers.get("Hirebot-Event-Type", ""),
                    timestamp=request.headers.get("Hirebot-Timestamp", ""),
                    signature=signature,
                    signature_ok=bool(self.secret) and verify(self.secret, signature, body),
                    body=json.loads(body),
                    status=status,
                    at=time.monotonic(),
                )
            )
        if status == HANG:
            await asyncio.sleep(3600)
        return web.Response(status=status, headers=headers, text="ok")

    def _planned(self, body: dict[str, Any]) -> int | tuple[int, dict[str, str]]:
        for match, answers in self._matching:
            if answers and match(body):
                return answers.popleft()
        return self._script.popleft() if self._script else 200

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        """Block until `count` requests arrived (from a test thread)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.requests)


def main() -> None:  # a fast receiver for bench/webhooks.py, in a process of its own
    import argparse
    import signal

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hooks/hirebot", handle)

    async def serve() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", args.port, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print(port, flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await runner.cleanup()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
