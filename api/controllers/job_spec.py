"""The original job module's endpoints (paths kept for existing integrations).

Identity always comes from the token: a `user`/`user_id` in a body or query is ignored.
"""

from __future__ import annotations

from litestar import Controller, MediaType, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery

from api.params import CurrentActor, JobLists
from models.jobs import operations as jobs
from models.jobs.schemas import CandidateJob, Job, JobName
from models.pipeline import operations as pipeline
from models.pipeline.schemas import StageCount

_JSON = MediaType.JSON


class JobSpecController(Controller):
    path = "/api/jobs"
    tags = ["jobs (original module)"]

    @get(
        "/list",
        operation_id="listOwnedAndSharedJobs",
        summary="Jobs you own or that are shared with you",
        description=jobs.LIST_SHAPE,
        responses={
            200: ResponseSpec(
                description="The jobs, oldest first (by id).",
                data_container=list[Job],
            )
        },
    )
    async def owned_and_shared(self, actor: CurrentActor, job_lists: JobLists) -> Response[bytes]:
        return Response(await job_lists.owned_and_shared(actor), media_type=_JSON)

    @get(
        "/job-names-list",
        operation_id="listJobNames",
        summary="Ids, titles and statuses of the jobs you can see",
        responses={
            200: ResponseSpec(
                description="Id, title and status of each job, oldest first (by id).",
                data_container=list[JobName],
            )
        },
    )
    async def job_names(
        self, actor: CurrentActor, job_lists: JobLists, title: FromQuery[str | None] = None
    ) -> Response[bytes]:
        return Response(await job_lists.job_names(actor, title), media_type=_JSON)

    @get(
        "/job-detail/{job_id:int}",
        operation_id="getJobDetail",
        summary="Read one job with its weights, provenance and language check",
        response_description="The job, under `job`.",
    )
    async def job_detail(self, actor: CurrentActor, job_id: FromPath[int]) -> dict[str, Job]:
        return {"job": await jobs.job_detail(actor, job_id)}

    @get(
        "/candidate-view/{public_key:str}",
        operation_id="getCandidateView",
        response_description="What a candidate sees of the job, under `job`.",
        summary="The public posting behind a candidate link (no authentication)",
        security=[],
    )
    async def candidate_view(self, public_key: FromPath[str]) -> dict[str, CandidateJob]:
        return {"job": await jobs.candidate_view(public_key)}

    @post(
        "/{job_id:int}/rotate-public-key",
        operation_id="rotatePublicKey",
        summary="Replace the job's candidate link (the old one stops working)",
        response_description="The job with its new `public_key`, under `job`.",
        status_code=200,
    )
    async def rotate_public_key(self, actor: CurrentActor, job_id: FromPath[int]) -> dict[str, Job]:
        return {"job": await jobs.rotate_public_key(actor, job_id)}

    @get(
        "/{job_id:int}/stage-filters",
        operation_id="getStageFilters",
        summary="Count the job's candidates at each stage",
        response_description="One entry per stage, in pipeline order.",
    )
    async def stage_filters(self, actor: CurrentActor, job_id: FromPath[int]) -> list[StageCount]:
        return await pipeline.stage_counts(actor, job_id)
