"""Jobs: creating, changing, publishing and sharing them, with the work each change implies."""

from __future__ import annotations

from typing import Any

from models import idempotency
from models.db import atomic
from models.enums import JobStatus, Role
from models.errors import Invalid, NotFound
from models.identity.actor import Actor
from models.identity.operations import slack_colleagues
from models.jobs import operations as jobs
from models.jobs.schemas import Job, JobCreate, JobUpdate
from workers import queue
from workers.tasks import convert_jd_to_json


async def create_job(actor: Actor, data: JobCreate) -> Job:
    """Create a job; a job created with a description gets it structured as JSON (queued
    in the same transaction)."""
    async with atomic():
        job = await jobs.create_job(actor, data)
        if job.description.strip():
            await queue.send(convert_jd_to_json, job_id=job.id)
    return job


async def update_job(actor: Actor, job_id: int, data: JobUpdate | JobCreate) -> Job:
    """Change a job; a new (non-blank) description gets structured as JSON again (queued
    in the same transaction)."""
    async with atomic():
        result = await jobs.update_job(actor, job_id, data)
        if result.description_changed and result.job.description.strip():
            await queue.send(convert_jd_to_json, job_id=job_id)
    return result.job


async def set_status(actor: Actor, job_id: int, status: JobStatus) -> Job:
    """Publish (draft -> open), close or reopen a job."""
    return await update_job(actor, job_id, JobUpdate(status=status))


async def add_skill(actor: Actor, job_id: int, skill: str) -> Job:
    """Add one must-have skill (atomically: concurrent additions all land)."""
    return await jobs.add_skill(actor, job_id, skill)


async def share_with_slack_users(
    actor: Actor, job_id: int, team_id: str, slack_ids: list[str], *, default_role: Role
) -> list[int]:
    """Share a job with Slack users, adding those new to Hirebot to the organization in the
    same transaction (a failed share adds nobody)."""
    if not slack_ids:
        raise Invalid("name at least one colleague to share with (@mention them)")
    async with atomic():
        await jobs.get_job(actor, job_id)  # NotFound before anyone is added
        known = await slack_colleagues(actor.org_id, team_id, slack_ids, default_role=default_role)
        return await jobs.share_job(actor, job_id, [known[slack_id] for slack_id in slack_ids])


async def rewrite_proposal(job_id: int, proposal_id: str | None) -> dict[str, Any]:
    """The rewrite a proposal refers to (kept by the worker under its run id)."""
    stored = await idempotency.stored(f"rewrite:{proposal_id}") if proposal_id else None
    if not stored or not stored.get("job_description") or stored.get("job_id") != job_id:
        raise NotFound("this proposal is no longer available; ask for a new rewrite")
    return stored


async def accept_rewrite(actor: Actor, job_id: int, proposal_id: str | None) -> Job:
    """Make a proposed rewrite the job's description (then it is structured again)."""
    proposal = await rewrite_proposal(job_id, proposal_id)
    return await update_job(actor, job_id, JobUpdate(description=str(proposal["job_description"])))
