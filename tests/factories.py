"""Small builders for rows the tests need, going through the domain operations."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping

import msgspec

from models.db import insert_one
from models.enums import CriteriaKind, Role
from models.identity import operations as identity
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.jobs import schemas as job_schemas
from models.screening import criteria as screening
from models.screening.schemas import CriteriaCreate
from models.tables import Candidate

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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def headers(actor: Actor) -> dict[str, str]:
    """Request headers with a new token of `actor`."""
    return bearer(await token(actor))


async def job(owner: Actor, title: str = "Backend Engineer", **fields: object) -> job_schemas.Job:
    data = {
        "title": title,
        "description": "Build and run our APIs.",
        "must_have_skills": ["Python", "PostgreSQL"],
        "min_experience": 2,
        "max_experience": 5,
        **fields,
    }
    return await jobs.create_job(owner, msgspec.convert(data, job_schemas.JobCreate))


async def draft(actor: Actor, **fields: object) -> int:
    """A draft job waiting for its description (what /job new and generate create)."""
    data = {
        "job_title": "Backend Engineer",
        "must_have_skills": ["Python", "PostgreSQL"],
        "employment_type": "Full-time",
        "min_experience": 2,
        "max_experience": 5,
        **fields,
    }
    request = msgspec.convert(data, job_schemas.DraftRequest)
    return (await jobs.draft_for_generation(actor, request)).id


async def candidate(org_id: int, email: str = "ada@example.com") -> int:
    return int((await insert_one(Candidate(org=org_id, name="Ada", email=email)))["id"])


async def applicant(owner: Actor, job_id: int, email: str = "ada@example.com") -> int:
    """A candidate who applied to the job (answers need an application): their id."""
    from models.pipeline import operations as pipeline
    from models.pipeline.schemas import CandidateIn

    application = await pipeline.add_candidate(owner, job_id, CandidateIn(name="Ada", email=email))
    return application.candidate_id


async def criteria_of_every_kind(owner: Actor, job_id: int) -> dict[str, int]:
    """One criterion of each kind (its question is the kind): kind -> id."""
    made: dict[str, int] = {}
    for kind, options in (
        (CriteriaKind.YES_NO, []),
        (CriteriaKind.NUMBER, []),
        (CriteriaKind.CHOICE, ["Remote", "Office"]),
        (CriteriaKind.TEXT, []),
    ):
        created = await screening.create_criteria(
            owner, CriteriaCreate(job_id=job_id, question=kind.value, kind=kind, options=options)
        )
        made[kind.value] = created.id
    return made


# An organization's people ------------------------------------------------------------------

ROLES = {"admin": Role.ADMIN, "editor": Role.EDITOR, "viewer": Role.VIEWER, "other": Role.EDITOR}


@dataclasses.dataclass
class World:
    """Users of one organization by name (`ROLES`' by default; `other` is a second Editor),
    an Admin of another organization (`outsider`), and their tokens."""

    people: dict[str, Actor]
    tokens: dict[str, str]

    def __getattr__(self, who: str) -> Actor:
        """`world.editor` and so on: the user of that name."""
        try:
            return self.__dict__["people"][who]
        except KeyError:
            raise AttributeError(who) from None

    def headers(self, who: str) -> dict[str, str]:
        return bearer(self.tokens[who])


async def world(roles: Mapping[str, Role] = ROLES, email_domain: str | None = None) -> World:
    """`roles`' users in one organization (`email_domain`: emails `<name>@<domain>`), then an
    outsider; each with a token."""
    org_id = await org()
    people = {
        name: await user(org_id, role, f"{name}@{email_domain}" if email_domain else None)
        for name, role in roles.items()
    }
    people["outsider"] = await user(await org(), Role.ADMIN)
    tokens = {name: await token(actor) for name, actor in people.items()}
    return World(people, tokens)
