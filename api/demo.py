"""Demo data for a first look: one organization, three users, jobs with pipelines.

Idempotent: the organization and its jobs are created once. The demo token is kept in a
file (`token_file`) and shown again on the next run while it is still valid; a new one
(revoking the old) only when the file is missing or its token revoked, or when asked.
The jobs are made like any other: their descriptions, written by the offline writer, are
structured as JSON by the workers (run this inside `serving`).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

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
from workers.operations import jobs as use_cases

DEMO_ORG = "Acme Talent (demo)"
ADMIN_EMAIL = "admin@acme.example"
TOKEN_NAME = "demo"

DEMO_JOBS = [
    ("Senior Backend Engineer", ["Python", "PostgreSQL", "Docker"], EmploymentType.FULL_TIME, 5, 8),
    ("Product Designer", ["Figma", "User Research"], EmploymentType.CONTRACT, 3, 6),
    ("Data Analyst Intern", ["SQL", "Excel", "Python"], EmploymentType.INTERNSHIP, 0, 1),
]


async def load_demo(token_file: Path | None = None, *, new_token: bool = False) -> str:
    """Create the demo data if missing; return what a new user needs to know."""
    admin = await _demo_admin()
    if admin is None:
        admin = await _create_demo()
    token = None if new_token else await _kept_token(token_file, admin)
    if token is None:
        # Tokens are stored hashed, so a lost one cannot be shown again: replace it.
        token = (await identity.issue_token(admin.user_id, TOKEN_NAME, replace=True)).token
        if token_file is not None:
            _keep(token_file, token)
    settings = get_settings()
    base = f"http://{settings.host}:{settings.port}"
    lines = [
        f"Demo data ready: organization {DEMO_ORG!r}, Admin {ADMIN_EMAIL}.",
        f"API docs:    {base}/schema/swagger",
        f"Demo token:  {token}",
        f'Try:         curl -H "Authorization: Bearer {token}" {base}/api/jobs/list/',
    ]
    if token_file is not None:
        lines.append(f"The token is kept in {token_file} and reused until it is revoked.")
    return "\n".join(lines)


async def _kept_token(token_file: Path | None, admin: Actor) -> str | None:
    """The token of the last run, if it is still an active demo token of this database."""
    token = _read_kept(token_file) if token_file is not None else ""
    if token and await identity.token_is_active(token, admin.user_id, TOKEN_NAME):
        return token
    return None


def _read_kept(token_file: Path) -> str:
    return token_file.read_text().strip() if token_file.is_file() else ""


def _keep(token_file: Path, token: str) -> None:
    """Write the token for the next run: readable by this user only, replaced atomically."""
    token_file.parent.mkdir(parents=True, exist_ok=True)
    partial = token_file.with_name(token_file.name + ".new")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(token + "\n")
    os.replace(partial, token_file)


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
        job = await use_cases.create_job(
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
            # Written by the offline writer for its owner: the model's, not typed by a person
            # (ready, like a generated description; its conversion is queued).
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
