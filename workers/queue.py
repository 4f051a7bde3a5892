"""Sending work to the workers, and waiting for it.

Every queued run gets a fresh `run_id`, the idempotency key of its result. `send` queues a
task (after the change that implies it has committed: an in-memory broker starts the task
at once, and it must not run inside the caller's transaction) and returns a `Handle`;
`wait` waits for its result (only the API waits). A `Route` names a task that wraps the
plain one, so that its outcome also goes somewhere (the bot's tasks post into a Slack
thread); the application operations take one where a surface wants that.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from taskiq import AsyncTaskiqTask
from taskiq.decor import AsyncTaskiqDecoratedTask
from taskiq.exceptions import TaskiqResultTimeoutError

from models.errors import GenerationFailed, GenerationTimeout
from workers.broker import active_broker

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
    task: AsyncTaskiqTask[Any]
    job_id: int | None = None


def new_run_id() -> str:
    return uuid.uuid4().hex


async def send(
    task: Task, *, route: Route | None = None, job_id: int | None = None, **kwargs: Any
) -> Handle:
    """Queue `task` (or the route's task) with a new run id."""
    run_id = new_run_id()
    target = route.task if route else task
    extra = dict(route.kwargs) if route else {}
    if job_id is not None:
        extra["job_id"] = job_id
    sent = await target.kicker().with_broker(active_broker()).kiq(run_id=run_id, **kwargs, **extra)
    return Handle(run_id=run_id, task=sent, job_id=job_id)


async def wait(handle: Handle, seconds: float) -> dict[str, Any]:
    """The run's result, waiting up to `seconds`.

    Raises GenerationTimeout past it (the run goes on) and GenerationFailed when the task
    crashed instead of returning a result.
    """
    try:
        result = await handle.task.wait_result(check_interval=POLL_SECONDS, timeout=seconds)
    except TaskiqResultTimeoutError:
        what = f"job {handle.job_id}" if handle.job_id is not None else "this request"
        raise GenerationTimeout(
            f"The language model has not finished {what} after {seconds:g} s; "
            "it goes on in the background."
        ) from None
    if result.is_err:
        raise GenerationFailed("The background task failed unexpectedly; it has been logged.")
    return cast(dict[str, Any], result.return_value)
