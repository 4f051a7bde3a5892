"""Jobs a user names in Slack: by id ("42", "#42") or by part of the title."""

from __future__ import annotations

from models.errors import Invalid, NotFound
from models.identity.actor import Actor
from models.jobs.access import Action
from models.jobs.operations import find_jobs, job_names
from models.jobs.schemas import JobName


async def one_job(actor: Actor, reference: str, action: Action = Action.READ) -> JobName:
    """The single job `reference` names; NotFound or Invalid (with the matches) otherwise."""
    matches = await find_jobs(actor, reference, action=action)
    if not matches:
        raise NotFound(f"no job of yours matches “{reference.strip()}”")
    if len(matches) > 1:
        listed = ", ".join(f"{job.title} (#{job.id})" for job in matches[:10])
        raise Invalid(f"several jobs match “{reference.strip()}”: {listed}; use the job id")
    return matches[0]


async def changeable_jobs(actor: Actor) -> list[JobName]:
    """Jobs the user may change: every visible one, unless they only read (Viewers)."""
    return await job_names(actor) if actor.can_write else []
