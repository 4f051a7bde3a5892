"""Version counters of the job lists, bumped in the transaction of every change to them.

A cached list (the API keeps encoded ones, `api/cache.py`) is valid while the counter it was
built under is unchanged, so whoever reads the counter at the start of a request sees every
change committed before it, in every process, with no cache store on the write path.

An Admin's lists depend on every job of the organization: they follow the organization's
counter. Anyone else's follow their own counter, which moves only when a job they own or
is shared with them changes (or their role does), so a busy organization does not empty
every user's cache.
"""

from __future__ import annotations

from collections.abc import Iterable

from models.identity.actor import Actor
from models.tables import Job, JobShare, Organization, User


async def jobs_changed(org_id: int, job_ids: Iterable[int]) -> None:
    """Call inside the change's transaction, while the jobs' owners and shares are still
    those whose lists change (before a delete or an unshare, after a create or a share)."""
    ids = sorted(set(job_ids))
    await Organization.update({Organization.lists_version: Organization.lists_version + 1}).where(
        Organization.id == org_id
    )
    if not ids:
        return
    owners = Job.select(Job.owner).where(Job.id.is_in(ids))
    sharers = JobShare.select(JobShare.user).where(JobShare.job.is_in(ids))
    await User.update({User.lists_version: User.lists_version + 1}).where(
        User.id.is_in(owners) | User.id.is_in(sharers)
    )


async def users_changed(user_ids: Iterable[int]) -> None:
    """A role or an account changed: what those users may see changed."""
    await User.update({User.lists_version: User.lists_version + 1}).where(
        User.id.is_in(sorted(set(user_ids)))
    )


async def lists_version(actor: Actor) -> int:
    """The counter the actor's job lists are valid under (one indexed read)."""
    if actor.is_admin:
        row = (
            await Organization.select(Organization.lists_version)
            .where(Organization.id == actor.org_id)
            .first()
        )
    else:
        row = await User.select(User.lists_version).where(User.id == actor.user_id).first()
    return int(row["lists_version"]) if row else 0
