"""Who may see and change which job. Every surface goes through these functions.

- Admins see and change every job of their organization.
- Editors see and change jobs they own or that are shared with them; they create jobs.
- Viewers read jobs they own or that are shared with them.
- Nobody sees another organization's jobs. A job the caller may not see is NotFound (so
  ids cannot be probed); an action their role does not allow on a visible job is Forbidden.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from piccolo.columns.combination import Where, WhereRaw

from models.db import is_postgres
from models.errors import Forbidden, NotFound
from models.identity.actor import Actor
from models.ids import MAX_ID
from models.tables import Job, JobShare


def is_valid_id(value: int) -> bool:
    """Whether `value` can be a row id (out-of-range values would make the driver raise)."""
    return 0 < value <= MAX_ID


class Action(Enum):
    READ = "read"
    CHANGE = "change"  # edit fields, weights, criteria, candidates, publish
    MANAGE = "manage"  # delete, share, rotate the public link: owner or Admin


def visible_jobs(actor: Actor) -> Where | WhereRaw | Any:
    """A where-clause selecting exactly the jobs `actor` may see."""
    if actor.is_admin:
        return Job.org == actor.org_id
    return owned_or_shared(actor)


_SHARED_POSTGRES = (
    '"job"."id" = ANY(ARRAY(SELECT "job_share"."job" FROM "job_share" '
    'WHERE "job_share"."user" = {}))'
)


def owned_or_shared(actor: Actor) -> Where | WhereRaw | Any:
    """Jobs of the actor's organization they own or that are shared with them (what anyone
    but an Admin sees, and the spec's `list/` for everyone)."""
    shared: Where | WhereRaw | Any
    if is_postgres():
        # The shared ids as one array, read once: PostgreSQL can then OR the owner and id
        # indexes; with `IN (subquery)` it reads every job of every organization.
        shared = WhereRaw(_SHARED_POSTGRES, actor.user_id)
    else:
        shared = Job.id.is_in(JobShare.select(JobShare.job).where(JobShare.user == actor.user_id))
    return (Job.org == actor.org_id) & ((Job.owner == actor.user_id) | shared)


def require_create(actor: Actor) -> None:
    if not actor.can_write:
        raise Forbidden("Viewers cannot create jobs")


async def is_shared_with(job_id: int, user_id: int) -> bool:
    return await JobShare.exists().where((JobShare.job == job_id) & (JobShare.user == user_id))


async def authorize(
    actor: Actor, job: dict[str, Any], action: Action, *, shared: bool | None = None
) -> None:
    """Raise NotFound if `actor` cannot see `job` (a row), Forbidden if the action is not theirs.

    `shared` says whether the job is shared with the actor, when the caller already knows it.
    """
    if job["org"] != actor.org_id:
        raise NotFound(f"job {job['id']} not found")
    owner = job["owner"] == actor.user_id
    if shared is None and not (actor.is_admin or owner):
        shared = await is_shared_with(job["id"], actor.user_id)
    if not (actor.is_admin or owner or shared):
        raise NotFound(f"job {job['id']} not found")
    _allow(actor, owner, action)


def _allow(actor: Actor, owner: bool, action: Action) -> None:
    """The role part of the rules, for a job the actor can see."""
    if action is Action.READ:
        return
    if not actor.can_write:
        raise Forbidden("Viewers can only read jobs")
    if action is Action.MANAGE and not (actor.is_admin or owner):
        raise Forbidden("only the job's owner or an Admin can do that")


async def require_jobs(actor: Actor, job_ids: set[int], action: Action) -> None:
    """`load_job`'s checks for many jobs in one query; NotFound names the first unseen id."""
    wanted = sorted(job_ids)
    valid = [job_id for job_id in wanted if is_valid_id(job_id)]
    rows = (
        await Job.select(Job.id, Job.owner).where(Job.id.is_in(valid) & visible_jobs(actor))
        if valid
        else []
    )
    seen = {row["id"] for row in rows}
    missing = [job_id for job_id in wanted if job_id not in seen]
    if missing:
        raise NotFound(f"job {missing[0]} not found", field="job_id")
    for row in rows:
        _allow(actor, row["owner"] == actor.user_id, action)


async def load_job(actor: Actor, job_id: int, action: Action = Action.READ) -> dict[str, Any]:
    """The job row if `actor` may perform `action` on it."""
    if not is_valid_id(job_id):
        raise NotFound(f"job {job_id} not found")
    row = await Job.select().where(Job.id == job_id).first()
    if row is None:
        raise NotFound(f"job {job_id} not found")
    await authorize(actor, row, action)
    return dict(row)
