"""Tasks that fail on a transient fault are tried again; a task cut off by shutdown is not
reported as failed.

`RetryMiddleware` (on every broker) looks at each failed run. A transient failure
(`workers.faults`) is sent again with the same task id, after a backoff that honours
`Retry-After` (1 s, 2 s, 4 s... at most 30 s, with jitter), for at least `RETRY_FOR`
seconds; the retry waits in the outbox, so it survives the broker and this process. Then
the task's give-up handler (if it registered one) tells whoever waits, and the failure is
logged. A permanent failure is not retried. Either way the waiting caller sees the final
result only: a run being retried stores none.

The worst case of one run (`worst_case_seconds`) is what the redelivery window of the
Redis stream and the sweeper's patience are checked against.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from taskiq import TaskiqMessage, TaskiqMiddleware, TaskiqResult
from taskiq.exceptions import NoResultError

from models import outbox
from models.settings import Settings
from workers.faults import is_transient, retry_after

log = logging.getLogger(__name__)

RETRY_FOR = 180.0
"""Seconds a task is tried again for, from its first failure."""
MAX_DELAY = 30.0
TURN_BUDGET = 300.0
"""A conversation turn ends within this at most, whatever the model does."""
MAX_ROUNDS = 6
"""Model calls of a conversation turn, at most."""
OPENAI_BACKOFF = 8.0
"""The openai client's longest wait between its own attempts."""
MARGIN = 10.0
"""The database and Slack calls of one run."""

GiveUp = Callable[[dict[str, Any], BaseException], Awaitable[None]]
_give_up: dict[str, GiveUp] = {}
_waiting: set[asyncio.Task[None]] = set()


def on_give_up(task_name: str, handler: GiveUp) -> None:
    """Register what to do when `task_name` fails for good (mark the job failed, tell the
    user by DM...); `handler(kwargs, error)`."""
    _give_up[task_name] = handler


def model_call_seconds(settings: Settings) -> float:
    """The longest one model call may take: every attempt at its timeout, and the waits."""
    attempts = settings.llm_max_attempts
    return attempts * settings.llm_timeout_seconds + (attempts - 1) * OPENAI_BACKOFF


def turn_budget_seconds(settings: Settings) -> float:
    """What a conversation turn may take: its model rounds, within `TURN_BUDGET`."""
    return min(TURN_BUDGET, MAX_ROUNDS * model_call_seconds(settings))


def worst_case_seconds(settings: Settings) -> float:
    """The longest one run may take: a generation asks the model at most twice (an unusable
    answer is asked for again), a turn has its budget; plus its database and Slack calls."""
    return max(2 * model_call_seconds(settings), turn_budget_seconds(settings)) + MARGIN


def backoff(attempt: int, server_says: float | None) -> float:
    if server_says is not None:
        return min(max(server_says, 0.5), 120.0)
    return min(2.0 ** (attempt - 1), MAX_DELAY) * (0.75 + random.random() / 2)


class RetryMiddleware(TaskiqMiddleware):
    async def on_error(
        self, message: TaskiqMessage, result: TaskiqResult[Any], exception: BaseException
    ) -> None:
        if isinstance(exception, asyncio.CancelledError):
            # Cut off by shutdown: the message stays unacknowledged and comes back.
            result.error = NoResultError()
            return
        if not is_transient(exception):
            return
        attempt = int(message.labels.get("attempt", 0)) + 1
        first = float(message.labels.get("first_failure", time.time()))
        if time.time() - first > RETRY_FOR:
            await self._give_up(message, exception)
            return
        delay = backoff(attempt, retry_after(exception))
        labels = {**message.labels, "attempt": attempt, "first_failure": first}
        log.warning(
            "task %s (%s) failed on %s; retry %d in %.1f s",
            message.task_name,
            message.task_id,
            type(exception).__name__,
            attempt,
            delay,
        )
        result.error = NoResultError()  # the caller waits for the retry's result
        try:
            await outbox.retry_later(
                message.task_name, message.task_id, message.kwargs, labels, delay=delay
            )
        except Exception as error:  # the database is away too: retry from this process
            log.warning("outbox unavailable (%s); retrying in-process", type(error).__name__)
            waiting = asyncio.create_task(self._kick_later(message, labels, delay))
            _waiting.add(waiting)
            waiting.add_done_callback(_waiting.discard)
        else:
            from workers.relay import nudge  # the relay runs in this process as well

            nudge(delay)

    async def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        if isinstance(result.error, NoResultError):
            return  # being retried, or abandoned at shutdown
        try:
            await outbox.done(message.task_id)
        except Exception as error:  # the sweeper sends it again; the task is idempotent
            log.warning("could not mark %s done: %s", message.task_id, type(error).__name__)

    async def _give_up(self, message: TaskiqMessage, exception: BaseException) -> None:
        log.error(
            "task %s (%s) failed for good after %s s: %r",
            message.task_name,
            message.task_id,
            RETRY_FOR,
            exception,
        )
        handler = _give_up.get(message.task_name)
        if handler is not None:
            try:
                await handler(message.kwargs, exception)
            except Exception:
                log.exception("the give-up handler of %s failed", message.task_name)
        try:
            await outbox.given_up(message.task_id, repr(exception))
        except Exception as error:
            log.warning("could not record that %s gave up: %r", message.task_id, error)

    async def _kick_later(
        self, message: TaskiqMessage, labels: dict[str, Any], delay: float
    ) -> None:
        await asyncio.sleep(delay)
        task = self.broker.find_task(message.task_name)
        if task is None:
            return
        try:
            await (
                task.kicker()
                .with_broker(self.broker)
                .with_task_id(message.task_id)
                .with_labels(**labels)
                .kiq(*message.args, **message.kwargs)
            )
        except Exception:
            log.exception("could not send the retry of %s", message.task_id)
