"""The spec's model-backed endpoints: generate and rewrite a job description.

The work runs in the task queue (the workers); these handlers queue it and wait up to
HIREBOT_GENERATION_WAIT seconds. Past that: 504 and the job stays, its description
pending. A model failure: 502 with the reason.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, post
from litestar.params import JSONBody

from api.params import CurrentActor
from models.enums import EmploymentType
from models.jobs import operations as jobs
from models.jobs.schemas import Description, DraftRequest, Job, Location, Title, Years
from models.settings import get_settings
from workers import dispatch

MAX_SKILLS = 50
MAX_SKILL_LENGTH = 100

Notes = Annotated[str, msgspec.Meta(max_length=2_000)]
Prompt = Annotated[str, msgspec.Meta(min_length=1, max_length=2_000)]


class GenerateRequest(msgspec.Struct, frozen=True, kw_only=True):
    """The spec's payload; unknown fields (`user_id`...) are ignored, never trusted."""

    job_title: Title
    must_have_skills: str | list[str]
    """Comma-separated ("Python, SQL") as in the spec, or a list."""
    employment_type: EmploymentType
    min_experience: Years
    max_experience: Years
    location: Location | None = None
    notes: Notes | None = None

    def __post_init__(self) -> None:
        if not self.job_title.strip():
            raise ValueError("job_title must not be blank")
        skills = jobs.parse_skills(self.must_have_skills)
        if not skills:
            raise ValueError("must_have_skills must name at least one skill")
        if len(skills) > MAX_SKILLS:
            raise ValueError(f"must_have_skills may name at most {MAX_SKILLS} skills")
        if any(len(skill) > MAX_SKILL_LENGTH for skill in skills):
            raise ValueError(f"a skill may have at most {MAX_SKILL_LENGTH} characters")

    def draft(self) -> DraftRequest:
        return DraftRequest(
            job_title=self.job_title,
            must_have_skills=jobs.parse_skills(self.must_have_skills),
            employment_type=self.employment_type,
            min_experience=self.min_experience,
            max_experience=self.max_experience,
            location=self.location,
            notes=self.notes,
        )


class GeneratedJob(msgspec.Struct, frozen=True, kw_only=True):
    job_description: str
    job: Job


class RewriteRequest(msgspec.Struct, frozen=True, kw_only=True):
    job_title: Title
    job_description: Annotated[Description, msgspec.Meta(min_length=1)]
    user_prompt: Prompt

    def __post_init__(self) -> None:
        for name in ("job_title", "job_description", "user_prompt"):
            if not getattr(self, name).strip():
                raise ValueError(f"{name} must not be blank")


class RewriteSuggestion(msgspec.Struct, frozen=True, kw_only=True):
    job_description: str
    suggested_skills: list[str]


class GenerationController(Controller):
    path = "/api/jobs"
    tags = ["jobs (original module)"]

    @post(
        "/generate-job-description",
        operation_id="generateJobDescription",
        summary="Create a draft job whose description the language model writes",
        description="Waits up to HIREBOT_GENERATION_WAIT seconds: 504 past it (the job stays, "
        "its description pending), 502 when the model fails.",
        status_code=200,
    )
    async def generate(self, actor: CurrentActor, data: JSONBody[GenerateRequest]) -> GeneratedJob:
        job = await jobs.draft_for_generation(actor, data.draft())
        wait = get_settings().generation_wait_seconds
        outcome = await dispatch.generate_and_wait(job.id, wait, notes=data.notes)
        return GeneratedJob(
            job_description=outcome["text"] or "", job=await jobs.get_job(actor, job.id)
        )

    @post(
        "/rewrite-job-description",
        operation_id="rewriteJobDescription",
        summary="A rewrite of a description following your instruction, with suggested skills",
        description="Nothing is stored: accepting the rewrite is a separate update of the job.",
    )
    async def rewrite(
        self, actor: CurrentActor, data: JSONBody[RewriteRequest]
    ) -> RewriteSuggestion:
        outcome = await dispatch.rewrite_and_wait(
            data.job_title,
            data.job_description,
            data.user_prompt,
            get_settings().generation_wait_seconds,
        )
        return RewriteSuggestion(
            job_description=outcome["job_description"] or "",
            suggested_skills=outcome["suggested_skills"],
        )
