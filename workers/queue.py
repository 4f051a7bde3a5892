"""Sending work to the workers, and waiting for it.

Every queued run gets a fresh `run_id`, the idempotency key of its result and its task id.
`send` records the task in the outbox, in the caller's transaction when there is one (so
the work is queued with the change, or not at all), and hands it to the broker once that
transaction has committed (`workers.relay`; an in-memory broker starts the task at once,
and it must not run inside the caller's transaction). `wait` waits for its result (only the
API waits). A `Route` names a task that wraps the plain one, so that its outcome also goes
somewhere (the bot's tasks post into a Slack thread); the application operations take one
where a surface wants that.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from taskiq.decor import AsyncTaskiqDecoratedTask

from models import outbox
from models.db import after_commit
from models.errors import GenerationFailed, GenerationTimeout
from workers import logs, relay
from workers.broker import active_broker

log = logging.getLogger(__name__)

POLL_SECONDS = 0.05
"""How often `wait` looks for the result."""

Task = AsyncTaskiqDecoratedTask[..., Any]


@dataclass(frozen=True, slots=True)
class Route:
    """A task to run instead of the plain one (same arguments, plus `kwargs`)."""

    task: Task
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Handle:
    run_id: str
    task_id: str
    """What its result is stored under (the run id, unless given another)."""
    job_id: int | None = None


def new_run_id() -> str:
    return uuid.uuid4().hex


async def send(
    task: Task,
    *,
    route: Route | None = None,
    job_id: int | None = None,
    run_id: str | None = None,
    task_id: str | None = None,
    **kwargs: Any,
) -> Handle:
    """Queue `task` (or the route's task) with a new run id (or the given one, with a task
    id of its own: a follow-up of a run)."""
    run_id = run_id or new_run_id()
    task_id = task_id or run_id
    target = route.task if route else task
    arguments = {"run_id": run_id, **kwargs, **(dict(route.kwargs) if route else {})}
    if job_id is not None:
        arguments["job_id"] = job_id
    await outbox.put(target.task_name, task_id, arguments, logs.labels())
    broker = active_broker()

    async def hand_over() -> None:
        await relay.dispatch(broker, task_id)

    await after_commit(hand_over)
    return Handle(run_id=run_id, task_id=task_id, job_id=job_id)


async def wait(handle: Handle, seconds: float) -> dict[str, Any]:
    """The run's result, waiting up to `seconds` (through brief outages of the result
    store). Raises GenerationTimeout past it (the run goes on) and GenerationFailed when the
    task failed for good instead of returning a result."""
    backend = active_broker().result_backend
    deadline = time.monotonic() + seconds
    while True:
        try:
            if await backend.is_result_ready(handle.task_id):
                result = await backend.get_result(handle.task_id)
                break
        except Exception as error:  # the result store is briefly away: keep waiting
            log.warning("could not read the result of %s yet (%r)", handle.task_id, error)
        if time.monotonic() >= deadline:
            what = f"job {handle.job_id}" if handle.job_id is not None else "this request"
            raise GenerationTimeout(
                f"The language model has not finished {what} after {seconds:g} s; "
                "it goes on in the background."
            )
        await asyncio.sleep(POLL_SECONDS)
    if result.is_err:
        raise GenerationFailed("The background task failed unexpectedly; it has been logged.")
    return cast(dict[str, Any], result.return_value)
