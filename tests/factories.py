"""Small builders for rows the tests need, going through the domain operations."""

from __future__ import annotations

import itertools

from models.enums import Role
from models.identity import operations as identity
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.jobs import schemas as job_schemas

_counter = itertools.count(1)


async def org(name: str | None = None) -> int:
    return (await identity.create_org(name or f"Org {next(_counter)}")).id


async def user(org_id: int, role: Role = Role.EDITOR, email: str | None = None) -> Actor:
    created = await identity.create_user(
        org_id, email or f"user{next(_counter)}@example.com", f"User {next(_counter)}", role
    )
    return identity.actor_of(created)


async def token(actor: Actor) -> str:
    return (await identity.issue_token(actor.user_id, "test")).token


async def job(owner: Actor, title: str = "Backend Engineer", **fields: object) -> job_schemas.Job:
    data = {
        "title": title,
        "description": "Build and run our APIs.",
        "must_have_skills": ["Python", "PostgreSQL"],
        "min_experience": 2,
        "max_experience": 5,
        **fields,
    }
    import msgspec

    return await jobs.create_job(owner, msgspec.convert(data, job_schemas.JobCreate))
