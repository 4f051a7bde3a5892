"""Two organizations of demo-like data for the contract run, and a fingerprint of each
organization's rows (to show a run against one never changed the other)."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from models.enums import EmploymentType, JobStatus, Role
from models.identity import operations as identity
from models.jobs import operations as jobs
from models.jobs.schemas import JobCreate
from models.pipeline import operations as pipeline
from models.pipeline.schemas import CandidateIn
from models.screening import criteria, responses
from models.screening.schemas import CriteriaCreate, ResponseItem
from models.stages import STAGE_VALUES, Stage
from models.tables import (
    ApiToken,
    Application,
    Candidate,
    CandidateResponse,
    Criteria,
    DescriptionVersion,
    Event,
    FilterGroup,
    Job,
    JobShare,
    JobStageCount,
    ModelCall,
    Organization,
    ResumeScoreWeights,
    User,
)

JOBS = [
    ("Senior Backend Engineer", ["Python", "PostgreSQL", "Docker"], EmploymentType.FULL_TIME),
    ("Product Designer", ["Figma", "User Research"], EmploymentType.CONTRACT),
    ("Data Analyst Intern", ["SQL", "Excel"], EmploymentType.INTERNSHIP),
]


async def organization(name: str, domain: str) -> dict[str, Any]:
    """An organization with an Admin, an Editor and a Viewer, three jobs with candidates,
    criteria and answers; the tokens of its Admin and its Viewer."""
    org = await identity.create_org(name)
    people = {
        role: identity.actor_of(
            await identity.create_user(org.id, f"{role.value.lower()}@{domain}", role.value, role)
        )
        for role in (Role.ADMIN, Role.EDITOR, Role.VIEWER)
    }
    admin, editor, viewer = people[Role.ADMIN], people[Role.EDITOR], people[Role.VIEWER]
    for index, (title, skills, kind) in enumerate(JOBS):
        owner = editor if index == 0 else admin
        job = await jobs.create_job(
            owner,
            msgspec.convert(
                {
                    "title": title,
                    "description": f"We are hiring a {title} to join our team.",
                    "must_have_skills": skills,
                    "employment_type": kind,
                    "min_experience": index,
                    "max_experience": index + 3,
                    "location": "Remote (EU)",
                    "status": JobStatus.OPEN,
                },
                JobCreate,
            ),
        )
        await jobs.share_job(owner, job.id, [viewer.user_id])
        question = await criteria.create_criteria(
            owner, CriteriaCreate(job_id=job.id, question="Years of Python?", weight=5)
        )
        for number in range(4):
            application = await pipeline.add_candidate(
                owner,
                job.id,
                CandidateIn(
                    name=f"Candidate {index}-{number}",
                    email=f"candidate{index}.{number}@{domain}",
                    stage=Stage(STAGE_VALUES[number % len(STAGE_VALUES)]),
                ),
            )
            await responses.create_or_update_candidate_responses(
                owner,
                application.candidate_id,
                job.id,
                [ResponseItem(criteria_id=question.id, response=str(number + 2))],
            )
    return {
        "org_id": org.id,
        "admin": (await identity.issue_token(admin.user_id, "contract")).token,
        "viewer": (await identity.issue_token(viewer.user_id, "contract")).token,
    }


async def fingerprint(org_id: int) -> dict[str, str]:
    """A hash of every row of the organization, table by table."""
    users = User.select(User.id).where(User.org == org_id)
    org_jobs = Job.select(Job.id).where(Job.org == org_id)
    queries: dict[str, Any] = {
        "organization": Organization.select().where(Organization.id == org_id),
        "user": User.select().where(User.org == org_id),
        "token": ApiToken.select(ApiToken.id, ApiToken.revoked_at).where(
            ApiToken.user.is_in(users)
        ),
        "job": Job.select().where(Job.org == org_id),
        "candidate": Candidate.select().where(Candidate.org == org_id),
        "filter_group": FilterGroup.select().where(FilterGroup.owner.is_in(users)),
        "event": Event.select().where(Event.org == org_id),
        "model_call": ModelCall.select().where(ModelCall.org == org_id),
    }
    for table in (
        JobShare,
        ResumeScoreWeights,
        JobStageCount,
        Application,
        Criteria,
        CandidateResponse,
        DescriptionVersion,
    ):
        queries[table._meta.tablename] = table.select().where(table.job.is_in(org_jobs))
    prints = {}
    for name, query in queries.items():
        rows = await query.order_by(query.table._meta.primary_key)
        prints[name] = hashlib.sha256(repr(rows).encode()).hexdigest()[:16] + f" ({len(rows)})"
    return prints
