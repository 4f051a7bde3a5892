"""The webhook delivery worker: sends each leased delivery, signed, and settles the answers.

Every worker process runs one (`hirebot worker`, and `serve` with the in-memory broker,
where the workers live in the server). It keeps up to `concurrency` deliveries in flight:
it leases due ones (`models.webhooks.deliveries.take_due`, a short statement), posts them
without holding a database connection, and writes the answers in batches (`settle`, which
also decides what happens next). An attempt takes at most `timeout` seconds (10), so a
receiver that hangs costs one slot for that long and nothing else.

Each connection goes only to an address the policy allows (`models.webhooks.addresses`):
the resolver below checks every address a host name resolves to, at connection time, so
a name that starts resolving to a private address is refused then.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ipaddress
import logging
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import msgspec
from aiohttp.abc import AbstractResolver, ResolveResult

from models.secrets import SecretBox, UnreadableSecret
from models.settings import Settings
from models.webhooks import deliveries
from models.webhooks.addresses import AddressRefused, is_public, resolve
from models.webhooks.deliveries import FIRST_RETRY_SECONDS, Answer, Due
from workers.metrics import WEBHOOK_DELIVERIES, WEBHOOK_LATENCY

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
USER_AGENT = "Hirebot-Webhooks/1"
FORGET_EVERY_SECONDS = 3600.0


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`Hirebot-Signature`: t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


class CheckedResolver(AbstractResolver):
    """Resolves a host for aiohttp, keeping only the addresses webhooks may go to."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await resolve(host, port, allow_private=self.allow_private)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (seconds, or an HTTP date) in seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)


class WebhookSender:
    def __init__(
        self,
        settings: Settings,
        *,
        concurrency: int = 100,
        timeout: float = TIMEOUT_SECONDS,
        first_retry: float = FIRST_RETRY_SECONDS,
        poll_seconds: float = 0.5,
        retry_window: timedelta | None = None,
    ) -> None:
        self.allow_private = settings.webhook_allow_private
        self.box = SecretBox(settings.secret_key) if settings.secret_key else None
        self.concurrency, self.timeout, self.first_retry = concurrency, timeout, first_retry
        self.poll_seconds = poll_seconds
        self.retry_window = retry_window or timedelta(hours=settings.webhook_retry_hours)
        self.lease_seconds = timeout + 30.0  # longer than an attempt and its settling
        self._answers: list[Answer] = []
        self._progress = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._secrets: dict[tuple[int, str], str] = {}
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_forget = float("-inf")

    # Life --------------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="hirebot-webhooks")

    async def stop(self) -> None:
        """Stop taking deliveries; those in flight get their timeout to finish and are
        settled (what is left unsettled is sent again when its lease is over)."""
        if self._task is not None:
            # Not cancelled mid-pass: a transaction cancelled while it begins leaks its
            # connection (the pool would never close). A pass is a few short statements.
            self._stopping = True
            self._progress.set()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=10)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=self.timeout + 1)
        with contextlib.suppress(Exception):
            await self._flush()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=CheckedResolver(allow_private=self.allow_private),
                use_dns_cache=False,  # every new connection resolves (and is checked) again
                limit=self.concurrency,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers={"User-Agent": USER_AGENT, "Content-Type": "application/json"},
                auto_decompress=False,
            )
        return self._session

    async def _loop(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                worked = await self.pass_once()
                failures = 0
            except Exception as error:  # the database is away: try again, a little later
                failures += 1
                log.warning("webhook pass failed (%r)", error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._progress.wait(), min(2.0**failures, 30.0))
                self._progress.clear()
                continue
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._progress.wait(), self.poll_seconds)
            self._progress.clear()

    async def pass_once(self) -> int:
        """Lease what fits in the free slots and start it; settle the answers in. How many
        deliveries were started or settled."""
        started = 0
        free = self.concurrency - len(self._in_flight)
        if free > 0:
            for due in await deliveries.take_due(limit=free, lease_seconds=self.lease_seconds):
                task = asyncio.create_task(self._attempt(due))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
                started += 1
        settled = await self._flush()
        if time.monotonic() - self._last_forget >= FORGET_EVERY_SECONDS:
            self._last_forget = time.monotonic()
            await deliveries.forget()
        return started + settled

    def unsettled(self) -> int:
        """Deliveries taken and not settled yet (in flight, or answered and not recorded)."""
        return len(self._in_flight) + len(self._answers)

    async def drain(self) -> None:
        """Wait for the deliveries in flight and settle them (tests and benches)."""
        while self._in_flight:
            await asyncio.wait(self._in_flight)
        await self._flush()

    async def _flush(self) -> int:
        answers, self._answers = self._answers, []
        if not answers:
            return 0
        try:
            counts = await deliveries.settle(
                answers, retry_window=self.retry_window, first_retry=self.first_retry
            )
        except Exception:
            self._answers[:0] = answers  # keep them for the next pass
            raise
        for outcome, count in counts.items():
            if count:
                WEBHOOK_DELIVERIES.labels(outcome).inc(count)
        return len(answers)

    # One attempt -------------------------------------------------------------------------

    async def _attempt(self, due: Due) -> None:
        try:
            answer = await self.send(due)
        except Exception as error:  # never lose the slot's answer
            log.exception("webhook delivery %s failed unexpectedly", due.id)
            answer = self._answer(due, None, 0, f"internal error: {type(error).__name__}")
        self._answers.append(answer)
        self._progress.set()

    async def send(self, due: Due) -> Answer:
        """POST one delivery; its answer (a status code, or the error that stopped it)."""
        host = urlsplit(due.url).hostname or ""
        if not self.allow_private and _is_ip(host) and not is_public(host):
            return self._answer(due, None, 0, f"{host} is not a public address")
        try:
            secret = self._secret(due)
        except UnreadableSecret as error:
            return self._answer(due, None, 0, str(error))
        timestamp = int(time.time())
        headers = {
            "Hirebot-Event-Id": due.event_id,
            "Hirebot-Event-Type": due.event_type,
            "Hirebot-Timestamp": str(timestamp),
            "Hirebot-Signature": signature(secret, timestamp, due.body),
        }
        started = time.perf_counter()
        try:
            async with self.session().post(
                due.url, data=due.body, headers=headers, allow_redirects=False
            ) as response:
                await response.content.read(64 * 1024)  # what is left is dropped
                code, retry_after = response.status, response.headers.get("Retry-After")
        except TimeoutError:
            return self._timed(due, started, None, f"no answer within {self.timeout:g} s")
        except aiohttp.ClientConnectorError as error:
            cause = error.os_error
            reason = str(cause) if isinstance(cause, AddressRefused) else f"cannot connect: {cause}"
            return self._timed(due, started, None, reason)
        except aiohttp.ClientError as error:
            return self._timed(due, started, None, f"{type(error).__name__}: {error}"[:300])
        answer = self._timed(due, started, code, None)
        return answer if retry_after is None else _with_retry_after(answer, retry_after)

    def _secret(self, due: Due) -> str:
        key = (due.endpoint_id, due.sealed_secret)
        if key not in self._secrets:
            if self.box is None:
                raise UnreadableSecret("HIREBOT_SECRET_KEY is not set: cannot sign")
            self._secrets[key] = self.box.open(due.sealed_secret) or ""
        return self._secrets[key]

    def _timed(self, due: Due, started: float, code: int | None, error: str | None) -> Answer:
        elapsed = time.perf_counter() - started
        WEBHOOK_LATENCY.observe(elapsed)
        return self._answer(due, code, round(elapsed * 1000), error)

    @staticmethod
    def _answer(due: Due, code: int | None, latency_ms: int, error: str | None) -> Answer:
        return Answer(
            delivery_id=due.id,
            endpoint_id=due.endpoint_id,
            attempts=due.attempts,
            created_at=due.created_at,
            status_code=code,
            latency_ms=latency_ms,
            error=error,
        )


def _with_retry_after(answer: Answer, header: str) -> Answer:
    return msgspec.structs.replace(answer, retry_after=retry_after_seconds(header))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


_running: WebhookSender | None = None


async def start_webhook_sender(settings: Settings, **options: Any) -> None:
    """Run this process's delivery worker (once, however many times it is asked)."""
    global _running
    if _running is None:
        _running = WebhookSender(settings, **options)
        _running.start()


async def stop_webhook_sender() -> None:
    global _running
    if _running is not None:
        sender, _running = _running, None
        await sender.stop()
