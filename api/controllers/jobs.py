"""JobViewSet: paginated list, create, retrieve, update, delete, weights and sharing."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.params import CurrentActor, Offset, UpdatedAfter
from models.enums import JobStatus
from models.jobs import operations as jobs
from models.jobs.schemas import (
    Job,
    JobCreate,
    JobFilters,
    JobPage,
    JobUpdate,
    SharedWith,
    ShareRequest,
    Weights,
)
from workers.operations import descriptions
from workers.operations import jobs as use_cases


class JobController(Controller):
    path = "/api/jobs"
    tags = ["jobs"]

    @get(
        "/",
        operation_id="listJobs",
        response_description="A page of jobs, newest first; `next_cursor` fetches the next.",
        summary="A page of the jobs you can see",
        description=jobs.LIST_SHAPE,
    )
    async def list_jobs(
        self,
        actor: CurrentActor,
        limit: Annotated[int, QueryParameter(ge=1, le=jobs.MAX_PAGE)] = 50,
        cursor: FromQuery[str | None] = None,
        offset: Offset | None = None,
        status: FromQuery[JobStatus | None] = None,
        title: FromQuery[str | None] = None,
        updated_after: UpdatedAfter = None,
    ) -> JobPage:
        filters = JobFilters(status=status, title=title)
        return await jobs.list_jobs(
            actor, filters, limit=limit, cursor=cursor, offset=offset, updated_after=updated_after
        )

    @post(
        "/",
        operation_id="createJob",
        response_description="The job created.",
        summary="Create a job you own",
    )
    async def create_job(self, actor: CurrentActor, data: JSONBody[JobCreate]) -> Job:
        return await use_cases.create_job(actor, data)

    @get(
        "/{job_id:int}",
        operation_id="getJob",
        summary="Read one job with its weights, provenance and language check",
        response_description="The job.",
    )
    async def get_job(self, actor: CurrentActor, job_id: FromPath[int]) -> Job:
        return await jobs.job_detail(actor, job_id)

    @put(
        "/{job_id:int}",
        operation_id="replaceJob",
        summary="Replace every writable field of a job",
        response_description="The job as stored.",
    )
    async def replace_job(
        self, actor: CurrentActor, job_id: FromPath[int], data: JSONBody[JobCreate]
    ) -> Job:
        return await use_cases.update_job(actor, job_id, data)

    @patch(
        "/{job_id:int}",
        operation_id="updateJob",
        summary="Change the fields of a job that the body names",
        response_description="The job as stored.",
    )
    async def update_job(
        self, actor: CurrentActor, job_id: FromPath[int], data: JSONBody[JobUpdate]
    ) -> Job:
        return await use_cases.update_job(actor, job_id, data)

    @post(
        "/{job_id:int}/generate",
        operation_id="generateJobDescriptionAgain",
        response_description="The job, its `description_status` pending.",
        summary="Write the description of an existing job again",
        description="Queued: the job answers at once with `description_status` pending; it "
        "becomes ready (or failed, with `description_error`) when the model is done.",
        status_code=202,
    )
    async def generate_again(
        self,
        actor: CurrentActor,
        job_id: FromPath[int],
        writer: Annotated[
            Literal["model", "offline"],
            QueryParameter(description="`offline`: the built-in writer, whatever the budget."),
        ] = "model",
    ) -> Job:
        job, _ = await descriptions.describe_again(actor, job_id, offline=writer == "offline")
        return job

    @post(
        "/{job_id:int}/convert",
        operation_id="convertJobDescriptionAgain",
        response_description="The job, its `jd_json_status` pending.",
        summary="Structure the job's description as JSON again",
        description="Queued: `jd_json_status` is pending until the conversion is done.",
        status_code=202,
    )
    async def convert_again(self, actor: CurrentActor, job_id: FromPath[int]) -> Job:
        job, _ = await descriptions.convert_again(actor, job_id)
        return job

    @delete(
        "/{job_id:int}",
        operation_id="deleteJob",
        summary="Delete a job with its pipeline, criteria and answers",
        response_description="Deleted.",
    )
    async def delete_job(self, actor: CurrentActor, job_id: FromPath[int]) -> None:
        await jobs.delete_job(actor, job_id)

    @get(
        "/{job_id:int}/weights",
        operation_id="getJobWeights",
        summary="Read the job's resume-score weights",
        response_description="The weights.",
    )
    async def get_weights(self, actor: CurrentActor, job_id: FromPath[int]) -> Weights:
        return await jobs.get_weights(actor, job_id)

    @put(
        "/{job_id:int}/weights",
        operation_id="setJobWeights",
        summary="Set the job's resume-score weights (they sum to 100)",
        response_description="The weights as stored.",
    )
    async def set_weights(
        self, actor: CurrentActor, job_id: FromPath[int], data: JSONBody[Weights]
    ) -> Weights:
        return await jobs.set_weights(actor, job_id, data)

    @post(
        "/{job_id:int}/share",
        operation_id="shareJob",
        summary="Share a job with users of your organization",
        response_description="Everyone the job is shared with now.",
        status_code=200,
    )
    async def share(
        self, actor: CurrentActor, job_id: FromPath[int], data: JSONBody[ShareRequest]
    ) -> SharedWith:
        return SharedWith(
            job_id=job_id, user_ids=await jobs.share_job(actor, job_id, data.user_ids)
        )

    @delete(
        "/{job_id:int}/share/{user_id:int}",
        operation_id="unshareJob",
        summary="Stop sharing a job with a user",
        response_description="No longer shared.",
    )
    async def unshare(
        self, actor: CurrentActor, job_id: FromPath[int], user_id: FromPath[int]
    ) -> None:
        await jobs.unshare_job(actor, job_id, user_id)
