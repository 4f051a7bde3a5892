"""Descriptions the model writes: drafting a job, writing it again, structuring it again,
and rewrites. Each queues one run; the API waits for it, a Slack route posts it."""

from __future__ import annotations

from typing import cast

from models import usage
from models.db import atomic
from models.errors import GenerationFailed, GenerationTimeout, Invalid
from models.identity.actor import Actor
from models.jobs import generation
from models.jobs import operations as jobs
from models.jobs.access import Action, load_job
from models.jobs.changes import Change, compare
from models.jobs.schemas import MAX_INSTRUCTION, DraftRequest, Job
from models.text import check_text
from workers import queue
from workers.tasks import convert_jd_to_json, generate_job_description, rewrite_job_description
from workers.tasks.results import GenerationOutcome, RewriteOutcome


async def draft_job(
    actor: Actor,
    request: DraftRequest,
    *,
    route: queue.Route | None = None,
    offline: bool = False,
) -> tuple[Job, queue.Handle]:
    """A draft job (its description pending) and the run that writes the description,
    queued in the same transaction. `offline`: the built-in writer, whatever the budget."""
    await require_model_budget(actor, offline=offline)
    async with atomic():
        job = await jobs.draft_for_generation(actor, request)
        handle = await queue.send(
            generate_job_description,
            route=route,
            job_id=job.id,
            notes=request.notes,
            requested_by=actor.user_id,
            offline=offline,
        )
    return job, handle


async def draft_and_wait(
    actor: Actor, request: DraftRequest, wait_seconds: float
) -> tuple[str, Job]:
    """Draft a job and wait for its description: `(text, job as stored now)`."""
    job, handle = await draft_job(actor, request)
    try:
        result = cast(GenerationOutcome, await queue.wait(handle, wait_seconds))
    except GenerationTimeout:
        raise GenerationTimeout(
            f"The description of job {job.id} is still being written after {wait_seconds:g} s. "
            "The job is saved with its description pending; "
            f"GET /api/jobs/job-detail/{job.id}/ shows it once it is ready."
        ) from None
    if not result["ok"]:
        raise GenerationFailed(result["reason"] or "The description could not be written.")
    return result["text"] or "", await jobs.get_job(actor, job.id)


async def describe_again(
    actor: Actor, job_id: int, *, route: queue.Route | None = None, offline: bool = False
) -> tuple[Job, queue.Handle]:
    """Write the description of an existing job again (its Retry): the job as queued
    (pending), and the run. `offline`: the built-in writer, whatever the budget."""
    await require_model_budget(actor, offline=offline)
    async with atomic():
        await load_job(actor, job_id, Action.CHANGE)
        await generation.mark_description_pending(job_id)
        # Read before the commit: an in-process worker may finish the run right after it.
        job = await jobs.get_job(actor, job_id)
        handle = await queue.send(
            generate_job_description,
            route=route,
            job_id=job_id,
            requested_by=actor.user_id,
            offline=offline,
        )
        return job, handle


async def convert_again(actor: Actor, job_id: int) -> tuple[Job, queue.Handle]:
    """Structure the job's current description as JSON again (pending until it is)."""
    async with atomic():
        row = await load_job(actor, job_id, Action.CHANGE)
        if not str(row["description"]).strip():
            raise Invalid("the job has no description to structure", field="description")
        await generation.mark_jd_json_pending(job_id)
        job = await jobs.get_job(actor, job_id)
        return job, await queue.send(convert_jd_to_json, job_id=job_id, requested_by=actor.user_id)


async def rewrite_job(
    actor: Actor,
    job_id: int,
    instruction: str,
    *,
    route: queue.Route | None = None,
    offline: bool = False,
) -> queue.Handle:
    """Ask for a rewrite of a job's description; nothing changes until it is accepted."""
    instruction = _checked_instruction(instruction)
    row = await load_job(actor, job_id, Action.CHANGE)
    await require_model_budget(actor, offline=offline)
    return await queue.send(
        rewrite_job_description,
        route=route,
        job_id=job_id,
        title=row["title"],
        description=row["description"],
        instruction=instruction,
        org_id=actor.org_id,
        requested_by=actor.user_id,
        offline=offline,
    )


async def rewrite_text_and_wait(
    actor: Actor, title: str, description: str, instruction: str, wait_seconds: float
) -> tuple[RewriteOutcome, list[Change]]:
    """A rewrite of a text that is not a stored job (the spec's rewrite endpoint), and
    what it changes."""
    await require_model_budget(actor)
    handle = await queue.send(
        rewrite_job_description,
        title=title,
        description=description,
        instruction=instruction,
        org_id=actor.org_id,
        requested_by=actor.user_id,
    )
    result = cast(RewriteOutcome, await queue.wait(handle, wait_seconds))
    if not result["ok"]:
        raise GenerationFailed(result["reason"] or "The description could not be rewritten.")
    return result, compare(description, result["job_description"] or "")


async def require_model_budget(actor: Actor, *, offline: bool = False) -> None:
    """Refuse model work past the organization's monthly budget; the offline writer,
    which costs nothing, is never refused."""
    if not offline:
        await usage.require_budget(actor.org_id)


def _checked_instruction(instruction: str) -> str:
    instruction = instruction.strip()
    if not instruction:
        raise Invalid("say how the description should change", field="instruction")
    if len(instruction) > MAX_INSTRUCTION:
        raise Invalid(
            f"the instruction may have at most {MAX_INSTRUCTION} characters", field="instruction"
        )
    check_text({"instruction": instruction})
    return instruction
