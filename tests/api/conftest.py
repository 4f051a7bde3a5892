"""The people the API tests act as: an organization's users by role, and everyone around a job."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from models.enums import Role
from models.identity.actor import Actor
from models.jobs import operations as jobs
from tests import factories
from tests.factories import World

Headers = dict[str, str]


@pytest.fixture(name="world")
async def fx_world(db: None) -> World:
    """An Admin, an Editor, a Viewer and another Editor of one organization, and an outsider."""
    return await factories.world()


@dataclass
class People:
    """Everyone's headers around one job, owned by an Editor and shared with an Editor and a
    Viewer."""

    admin: Headers
    owner: Headers  # an Editor who owns the job
    editor_shared: Headers
    viewer_shared: Headers
    editor_unshared: Headers  # same organization, job not shared with them
    other_org: Headers  # an Admin of another organization
    job_id: int
    org_id: int
    other_org_id: int
    owner_actor: Actor


# Criteria and responses follow their job's access: (read status, write status) per caller,
# where 2 stands for any success.
ACCESS = {
    "admin": (200, 2),
    "owner": (200, 2),
    "editor_shared": (200, 2),
    "viewer_shared": (200, 403),
    "editor_unshared": (404, 404),
    "other_org": (404, 404),
}


def matches(status: int, expected: int) -> bool:
    """`expected` is a status, or 2 for any success."""
    return status // 100 == 2 if expected == 2 else status == expected


@pytest.fixture(name="people")
async def fx_people(client: httpx.AsyncClient) -> People:
    org = await factories.org()
    admin = await factories.user(org, Role.ADMIN)
    owner = await factories.user(org, Role.EDITOR)
    shared = await factories.user(org, Role.EDITOR)
    viewer = await factories.user(org, Role.VIEWER)
    unshared = await factories.user(org, Role.EDITOR)
    other_org = await factories.org()
    outsider = await factories.user(other_org, Role.ADMIN)
    job = await factories.job(owner)
    await jobs.share_job(owner, job.id, [shared.user_id, viewer.user_id])
    return People(
        admin=await factories.headers(admin),
        owner=await factories.headers(owner),
        editor_shared=await factories.headers(shared),
        viewer_shared=await factories.headers(viewer),
        editor_unshared=await factories.headers(unshared),
        other_org=await factories.headers(outsider),
        job_id=job.id,
        org_id=org,
        other_org_id=other_org,
        owner_actor=owner,
    )
