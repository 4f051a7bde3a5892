"""The relay: hands outbox messages to the broker, and sweeps for work that got stuck.

Every serving process (the API, Socket Mode) and every worker process runs one. A message
is sent right after the transaction that wrote it commits (`dispatch`), and otherwise by the
relay's loop: when the broker refused it (down), when a retry's backoff is over, and, as
the sweeper, when a sent task has not finished within its worst case (its worker died, or
Redis lost it). Jobs whose description or structure is pending with no message on its way
(queued before the outbox existed, or lost) get theirs queued again. Relays in several
processes never send a message twice at once (leases), and tasks are idempotent anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta

from taskiq import AsyncBroker

from models import outbox
from models.enums import GenerationStatus
from models.outbox import Outgoing
from models.settings import Settings
from models.tables import Job
from workers.retry import worst_case_seconds

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
LEASE_SECONDS = 30.0
SWEEP_SECONDS = 60.0
STOP_SECONDS = 10.0
KEEP_DONE = timedelta(days=7)

_wake = asyncio.Event()


def nudge(after: float = 0.0) -> None:
    """Ask the relay of this process to look now (or in `after` seconds)."""
    if after <= 0:
        _wake.set()
        return
    with contextlib.suppress(RuntimeError):  # no loop: the relay's own poll will find it
        asyncio.get_running_loop().call_later(after, _wake.set)


async def send(broker: AsyncBroker, message: Outgoing) -> bool:
    """Hand one message to the broker; False (and a later try) if it would not take it."""
    task = broker.find_task(message.task_name)
    if task is None:
        log.error("no task %s in this process; message %s waits", message.task_name, message.id)
        await outbox.unsendable(message.id, "task not loaded in this process", 60)
        return False
    try:
        await (
            task.kicker()
            .with_broker(broker)
            .with_task_id(message.task_id)
            .with_labels(**message.labels)
            .kiq(**message.kwargs)
        )
    except Exception as failure:
        error = failure.__cause__ or failure  # taskiq wraps the broker's error
        retry_in = min(2.0 ** min(message.sends, 5), 30.0)
        log.warning(
            "the broker did not take %s (%r); again in %.0f s", message.task_id, error, retry_in
        )
        await outbox.unsendable(message.id, repr(error), retry_in)
        return False
    await outbox.sent(message.id)
    return True


async def dispatch(broker: AsyncBroker, task_id: str) -> None:
    """Send one message right after its transaction committed; any failure leaves it to
    the relay (the change is committed, so this must not raise)."""
    try:
        for message in await outbox.take(lease_seconds=LEASE_SECONDS, task_id=task_id):
            await send(broker, message)
    except Exception as error:
        log.warning("sending %s later (%r)", task_id, error)
        nudge(POLL_SECONDS)


_running: Relay | None = None


async def start_relay(broker: AsyncBroker, settings: Settings) -> None:
    """Run this process's relay (once, however many times it is asked)."""
    global _running
    if _running is None:
        _running = Relay(broker, settings)
        _running.start()


async def stop_relay() -> None:
    global _running
    if _running is not None:
        relay, _running = _running, None
        await relay.stop()


class Relay:
    def __init__(self, broker: AsyncBroker, settings: Settings) -> None:
        self.broker, self.settings = broker, settings
        self.resend_after = worst_case_seconds(settings) + 30.0
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_sweep = float("-inf")

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._loop(), name="hirebot-relay")

    async def stop(self) -> None:
        """Let the pass under way finish, then stop. Not cancelled mid-pass: a transaction
        cancelled while it begins leaks its connection, and the pool would never close."""
        if self._task is not None:
            self._stopping = True
            _wake.set()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=STOP_SECONDS)
            except TimeoutError:  # a pass stuck on a database that does not answer
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None

    async def _loop(self) -> None:
        failures = 0
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_wake.wait(), POLL_SECONDS)
            _wake.clear()
            if self._stopping:
                return
            try:
                await self.pass_once()
                failures = 0
            except Exception as error:  # the database is away: try again, a little later
                failures += 1
                log.warning("relay pass failed (%r)", error)
                with contextlib.suppress(TimeoutError):  # (or until told to stop)
                    await asyncio.wait_for(_wake.wait(), min(2.0**failures, 30.0))

    async def pass_once(self) -> int:
        """Send what is due (and what is overdue); sweep once a minute. How many sent."""
        messages = await outbox.take(lease_seconds=LEASE_SECONDS, resend_after=self.resend_after)
        sent = 0
        for message in messages:
            sent += await send(self.broker, message)
        if time.monotonic() - self._last_sweep >= SWEEP_SECONDS:
            self._last_sweep = time.monotonic()
            await self.sweep()
        return sent

    async def sweep(self) -> int:
        """Queue the work of jobs left pending with nothing on its way; how many."""
        from workers.queue import send as queue_send
        from workers.tasks import convert_jd_to_json, generate_job_description

        patience = datetime.now(UTC) - timedelta(seconds=self.resend_after)
        queued = await outbox.open_task_kwargs(
            [
                generate_job_description.task_name,
                convert_jd_to_json.task_name,
                *[
                    name
                    for name in self.broker.get_all_tasks()
                    if name.startswith("hirebot.slack.")
                ],
            ]
        )
        busy = {kwargs.get("job_id") for kwargs in queued}
        count = 0
        stuck = await Job.select(Job.id, Job.description_status, Job.jd_json_status).where(
            (Job.updated_at < patience)
            & (
                (Job.description_status == GenerationStatus.PENDING)
                | (Job.jd_json_status == GenerationStatus.PENDING)
            )
        )
        for row in stuck:
            if row["id"] in busy:
                continue
            if row["description_status"] == GenerationStatus.PENDING:
                await queue_send(generate_job_description, job_id=row["id"])
            else:
                await queue_send(convert_jd_to_json, job_id=row["id"])
            log.warning("job %s was left pending; its work is queued again", row["id"])
            count += 1
        await outbox.forget(KEEP_DONE)
        return count
