"""Demo data for a first look: one organization, three users, jobs with pipelines.

Idempotent: the organization and its jobs are created once; every run replaces the demo
token with a fresh one.
"""

from __future__ import annotations

import random

import msgspec

from models.enums import EmploymentType, JobStatus, Role
from models.errors import NotFound
from models.identity import operations as identity
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.jobs.schemas import JobCreate
from models.jobs.versions import Provenance
from models.pipeline import operations as pipeline
from models.pipeline.schemas import CandidateIn
from models.settings import get_settings
from models.stages import STAGE_VALUES, Stage
from workers.llm import JobDescriptionInput, OfflineGateway

DEMO_ORG = "Acme Talent (demo)"
ADMIN_EMAIL = "admin@acme.example"

DEMO_JOBS = [
    ("Senior Backend Engineer", ["Python", "PostgreSQL", "Docker"], EmploymentType.FULL_TIME, 5, 8),
    ("Product Designer", ["Figma", "User Research"], EmploymentType.CONTRACT, 3, 6),
    ("Data Analyst Intern", ["SQL", "Excel", "Python"], EmploymentType.INTERNSHIP, 0, 1),
]


async def load_demo() -> str:
    """Create the demo data if missing; return what a new user needs to know."""
    admin = await _demo_admin()
    if admin is None:
        admin = await _create_demo()
    # Tokens are stored hashed, so an old one cannot be shown again: replace it.
    token = await identity.issue_token(admin.user_id, "demo", replace=True)
    settings = get_settings()
    base = f"http://{settings.host}:{settings.port}"
    return "\n".join(
        [
            f"Demo data ready: organization {DEMO_ORG!r}, Admin {ADMIN_EMAIL}.",
            f"API docs:    {base}/schema/swagger",
            f"Demo token:  {token.token}",
            f'Try:         curl -H "Authorization: Bearer {token.token}" {base}/api/jobs/list/',
        ]
    )


async def _demo_admin() -> Actor | None:
    try:
        user = await identity.get_user_by_email(ADMIN_EMAIL, DEMO_ORG)
    except NotFound:
        return None
    return identity.actor_of(user)


async def _create_demo() -> Actor:
    org = await identity.create_org(DEMO_ORG)
    admin = identity.actor_of(
        await identity.create_user(org.id, ADMIN_EMAIL, "Ada Admin", Role.ADMIN)
    )
    editor = identity.actor_of(
        await identity.create_user(org.id, "editor@acme.example", "Eddie Editor", Role.EDITOR)
    )
    viewer = await identity.create_user(org.id, "viewer@acme.example", "Vera Viewer", Role.VIEWER)
    writer = OfflineGateway()
    rng = random.Random(7)  # the same demo pipeline every time
    for index, (title, skills, kind, low, high) in enumerate(DEMO_JOBS):
        generated = await writer.generate(
            JobDescriptionInput(
                title=title,
                must_have_skills=skills,
                employment_type=kind.value,
                min_experience=low,
                max_experience=high,
                location="Remote (EU)",
            )
        )
        owner = editor if index == 0 else admin
        job = await jobs.create_job(
            owner,
            msgspec.convert(
                {
                    "title": title,
                    "description": generated.text,
                    "must_have_skills": skills,
                    "employment_type": kind,
                    "min_experience": low,
                    "max_experience": high,
                    "location": "Remote (EU)",
                    "status": JobStatus.OPEN if index < 2 else JobStatus.DRAFT,
                },
                JobCreate,
            ),
            # Written by the offline writer for its owner: the model's, not typed by a person.
            provenance=Provenance.generated(generated.generated_by, None, owner.user_id),
        )
        await jobs.share_job(owner, job.id, [viewer.id])
        for number in range(rng.randint(8, 20)):
            stage = Stage(rng.choice(STAGE_VALUES))
            await pipeline.add_candidate(
                owner,
                job.id,
                CandidateIn(
                    name=f"Candidate {index + 1}-{number + 1}",
                    email=f"candidate{index + 1}.{number + 1}@example.com",
                    stage=stage,
                ),
            )
    return admin
