"""Jobs: creating, changing, publishing and sharing them, with the work each change implies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from models import idempotency
from models.db import atomic
from models.enums import JobStatus, Role
from models.errors import Conflict, Invalid, NotFound
from models.identity.actor import Actor
from models.identity.operations import slack_colleagues
from models.jobs import operations as jobs
from models.jobs import versions
from models.jobs.changes import Change, apply, compare, normalise
from models.jobs.schemas import Job, JobCreate, JobUpdate
from workers import queue
from workers.tasks import convert_jd_to_json


async def create_job(
    actor: Actor, data: JobCreate, *, provenance: versions.Provenance | None = None
) -> Job:
    """Create a job; a job created with a description gets it structured as JSON (queued
    in the same transaction). `provenance` says who wrote the description (`actor` typed
    it, unless it says otherwise)."""
    async with atomic():
        job = await jobs.create_job(actor, data, provenance=provenance)
        if job.description.strip():
            await queue.send(convert_jd_to_json, job_id=job.id, requested_by=actor.user_id)
    return job


async def update_job(
    actor: Actor,
    job_id: int,
    data: JobUpdate | JobCreate,
    *,
    provenance: versions.Provenance | None = None,
) -> Job:
    """Change a job; a new description is its next version (typed by `actor` unless
    `provenance` says otherwise) and, when not blank, is structured as JSON again (queued
    in the same transaction)."""
    async with atomic():
        result = await jobs.update_job(actor, job_id, data, provenance=provenance)
        if result.description_changed and result.job.description.strip():
            await queue.send(convert_jd_to_json, job_id=job_id, requested_by=actor.user_id)
    return result.job


async def set_status(actor: Actor, job_id: int, status: JobStatus) -> Job:
    """Publish (draft -> open), close or reopen a job."""
    return await update_job(actor, job_id, JobUpdate(status=status))


async def add_skill(actor: Actor, job_id: int, skill: str) -> Job:
    """Add one must-have skill (atomically: concurrent additions all land)."""
    return await jobs.add_skill(actor, job_id, skill)


async def share_with_slack_users(
    actor: Actor,
    job_id: int,
    team_id: str,
    slack_ids: list[str],
    *,
    default_role: Role,
    emails: Mapping[str, str] | None = None,
) -> list[int]:
    """Share a job with Slack users, linking those new to Hirebot by `emails` to the users
    with those addresses or adding them to the organization, in the same transaction (a
    failed share adds nobody)."""
    if not slack_ids:
        raise Invalid("name at least one colleague to share with (@mention them)")
    async with atomic():
        await jobs.get_job(actor, job_id)  # NotFound before anyone is added
        known = await slack_colleagues(
            actor.org_id, team_id, slack_ids, default_role=default_role, emails=emails
        )
        return await jobs.share_job(actor, job_id, [known[slack_id] for slack_id in slack_ids])


async def rewrite_proposal(job_id: int, proposal_id: str | None) -> dict[str, Any]:
    """The rewrite a proposal refers to (kept by the worker under its run id)."""
    stored = await idempotency.stored(f"rewrite:{proposal_id}") if proposal_id else None
    if not stored or not stored.get("job_description") or stored.get("job_id") != job_id:
        raise NotFound("this proposal is no longer available; ask for a new rewrite")
    return stored


def changes_of(proposal: dict[str, Any]) -> list[Change]:
    """What a stored proposal changes in the description it was made from."""
    return compare(str(proposal.get("base") or ""), str(proposal["job_description"]))


async def proposed_changes(actor: Actor, job_id: int, proposal_id: str | None) -> list[Change]:
    """What a proposed rewrite changes in the job's current description."""
    job = await jobs.get_job(actor, job_id)
    proposal = await rewrite_proposal(job_id, proposal_id)
    return compare(_base(proposal, job), str(proposal["job_description"]))


class AcceptedRewrite(msgspec.Struct, frozen=True, kw_only=True):
    job: Job
    """The job with its new description."""
    changes: list[Change]
    """Everything the proposal changed; `accepted` are the indexes of those taken."""
    accepted: list[int]
    suggested_skills: list[str]


async def accept_rewrite(
    actor: Actor, job_id: int, proposal_id: str | None, accepted: list[int] | None = None
) -> AcceptedRewrite:
    """Make a proposed rewrite the job's description: all its changes, or only those
    `accepted` (their indexes); the next version says the model wrote it and `actor`
    accepted it. Then it is structured again."""
    proposal = await rewrite_proposal(job_id, proposal_id)
    job = await jobs.get_job(actor, job_id)
    base, rewritten = _base(proposal, job), str(proposal["job_description"])
    changes = compare(base, rewritten)
    chosen = sorted(set(range(len(changes)) if accepted is None else accepted))
    if not chosen:
        raise Invalid("choose at least one change to accept", field="accepted")
    try:
        text = apply(base, rewritten, chosen)
    except ValueError as exc:
        raise Invalid(str(exc), field="accepted") from None
    provenance = versions.Provenance.rewrite(
        actor,
        proposal.get("generated_by"),
        proposal.get("call_id"),
        partial=len(chosen) < len(changes),
    )
    job = await update_job(actor, job_id, JobUpdate(description=text), provenance=provenance)
    skills = [str(skill) for skill in proposal.get("suggested_skills") or []]
    return AcceptedRewrite(job=job, changes=changes, accepted=chosen, suggested_skills=skills)


def _base(proposal: dict[str, Any], job: Job) -> str:
    """The description the rewrite was made from, which must still be the job's."""
    base = str(proposal.get("base", job.description))
    if normalise(base) != normalise(job.description):
        raise Conflict(
            "the description changed since this rewrite was proposed; ask for a new rewrite"
        )
    return base


async def restore_version(actor: Actor, job_id: int, number: int) -> Job:
    """Make an earlier version the job's description again (as a new version)."""
    text = await versions.version_text(actor, job_id, number)
    return await update_job(
        actor,
        job_id,
        JobUpdate(description=text),
        provenance=versions.Provenance.restored(actor, number),
    )
