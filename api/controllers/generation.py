"""The spec's model-backed endpoints: generate and rewrite a job description.

The work runs in the task queue (the workers); these handlers queue it and wait up to
HIREBOT_GENERATION_WAIT seconds. Past that: 504 and the job stays, its description
pending. A model failure: 502 with the reason.
"""

from __future__ import annotations

import msgspec
from litestar import Controller, post
from litestar.params import JSONBody

from api.params import AppSettings, CurrentActor
from models.jobs.changes import Change
from models.jobs.schemas import GenerateRequest, Job, RewriteRequest
from workers.operations import descriptions


class GeneratedJob(msgspec.Struct, frozen=True, kw_only=True):
    job_description: str
    job: Job


class RewriteSuggestion(msgspec.Struct, frozen=True, kw_only=True):
    job_description: str
    suggested_skills: list[str]
    changes: list[Change]
    """What the rewrite changes in the description sent, paragraph by paragraph."""


class GenerationController(Controller):
    path = "/api/jobs"
    tags = ["jobs (original module)"]

    @post(
        "/generate-job-description",
        operation_id="generateJobDescription",
        response_description="The description written and the draft job that holds it.",
        summary="Create a draft job whose description the language model writes",
        description="Waits up to HIREBOT_GENERATION_WAIT seconds: 504 past it (the job stays, "
        "its description pending), 502 when the model fails.",
        status_code=200,
    )
    async def generate(
        self, actor: CurrentActor, settings: AppSettings, data: JSONBody[GenerateRequest]
    ) -> GeneratedJob:
        text, job = await descriptions.draft_and_wait(
            actor, data.draft(), settings.generation_wait_seconds
        )
        return GeneratedJob(job_description=text, job=job)

    @post(
        "/rewrite-job-description",
        operation_id="rewriteJobDescription",
        response_description="The rewritten description, suggested skills and what changed.",
        summary="A rewrite of a description following your instruction, with suggested skills",
        description="Nothing is stored: accepting the rewrite is a separate update of the job.",
    )
    async def rewrite(
        self, actor: CurrentActor, settings: AppSettings, data: JSONBody[RewriteRequest]
    ) -> RewriteSuggestion:
        outcome, changes = await descriptions.rewrite_text_and_wait(
            actor,
            data.job_title,
            data.job_description,
            data.user_prompt,
            settings.generation_wait_seconds,
        )
        return RewriteSuggestion(
            job_description=outcome["job_description"] or "",
            suggested_skills=outcome["suggested_skills"],
            changes=changes,
        )
