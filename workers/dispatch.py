"""Queueing background work: what the API and the Slack bot call.

Every queued run gets a fresh `run_id`, the idempotency key of its result. `queue_*`
returns a `Handle` to `wait` on (only the API waits; the bot passes a `ThreadRef` and the
result is posted into the thread). The caller checks the user's access before queueing:
the tasks are system operations.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from taskiq import AsyncTaskiqTask
from taskiq.exceptions import TaskiqResultTimeoutError

import workers.tasks  # noqa: F401  (registers the tasks on the broker)
from models.errors import DomainError
from models.jobs import generation
from workers.broker import broker
from workers.tasks.kick import kick
from workers.tasks.names import CONVERT_TASK, GENERATE_TASK, REWRITE_TASK
from workers.tasks.results import GenerationOutcome, RewriteOutcome
from workers.threads import ThreadRef

POLL_SECONDS = 0.05
"""How often `wait` looks for the result."""


class GenerationTimeout(DomainError):
    """The worker did not answer in time; the work goes on (the API answers 504)."""


class GenerationFailed(DomainError):
    """The model (or the worker) could not do it; `message` says why (the API answers 502)."""


@dataclass(frozen=True, slots=True)
class Handle:
    run_id: str
    task: AsyncTaskiqTask[Any]
    job_id: int | None = None


def new_run_id() -> str:
    return uuid.uuid4().hex


async def _queue(task_name: str, run_id: str, for_job: int | None, **kwargs: Any) -> Handle:
    task = await kick(broker, task_name, run_id=run_id, **kwargs)
    if task is None:
        raise RuntimeError(f"task {task_name} is not registered")
    return Handle(run_id=run_id, task=task, job_id=for_job)


async def queue_conversion(job_id: int) -> Handle:
    """Queue the JD-to-JSON conversion of the job's current description."""
    return await _queue(CONVERT_TASK, new_run_id(), job_id, job_id=job_id)


async def queue_generation(
    job_id: int, thread: ThreadRef | None = None, notes: str | None = None
) -> Handle:
    """Queue writing the job's description (marked pending now); with `thread`, the bot
    posts the result there. Also what a Retry button calls."""
    await generation.mark_description_pending(job_id)
    return await _start_generation(job_id, thread, notes)


async def _start_generation(job_id: int, thread: ThreadRef | None, notes: str | None) -> Handle:
    return await _queue(
        GENERATE_TASK,
        new_run_id(),
        job_id,
        job_id=job_id,
        thread=thread.payload() if thread else None,
        notes=notes,
    )


async def queue_rewrite(
    title: str,
    description: str,
    instruction: str,
    *,
    job_id: int | None = None,
    thread: ThreadRef | None = None,
) -> Handle:
    """Queue a rewrite suggestion (the job, if any, is not changed)."""
    return await _queue(
        REWRITE_TASK,
        new_run_id(),
        job_id,
        title=title,
        description=description,
        instruction=instruction,
        job_id=job_id,
        thread=thread.payload() if thread else None,
    )


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


async def generate_and_wait(
    job_id: int, wait_seconds: float, notes: str | None = None
) -> GenerationOutcome:
    """Write the description of a job that is pending already (a fresh draft) and wait."""
    handle = await _start_generation(job_id, None, notes)
    try:
        result = cast(GenerationOutcome, await wait(handle, wait_seconds))
    except GenerationTimeout:
        raise GenerationTimeout(
            f"The description of job {job_id} is still being written after {wait_seconds:g} s. "
            "The job is saved with its description pending; "
            f"GET /api/jobs/job-detail/{job_id}/ shows it once it is ready."
        ) from None
    if not result["ok"]:
        raise GenerationFailed(result["reason"] or "The description could not be written.")
    return result


async def rewrite_and_wait(
    title: str,
    description: str,
    instruction: str,
    wait_seconds: float,
    job_id: int | None = None,
) -> RewriteOutcome:
    handle = await queue_rewrite(title, description, instruction, job_id=job_id)
    result = cast(RewriteOutcome, await wait(handle, wait_seconds))
    if not result["ok"]:
        raise GenerationFailed(result["reason"] or "The description could not be rewritten.")
    return result
