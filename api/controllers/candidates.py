"""Candidates in a job's pipeline, so that stage counts mean something."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.params import CurrentActor, Offset, SyncCursor, UpdatedAfter
from models.pipeline import operations as pipeline
from models.pipeline.schemas import Application, ApplicationChanges, CandidateIn, StageChange
from models.stages import Stage


class CandidateController(Controller):
    path = "/api/jobs/{job_id:int}/candidates"
    tags = ["pipeline"]

    @get(
        "/",
        operation_id="listCandidates",
        summary="List the job's candidates, optionally at one stage",
        response_description=(
            "Candidates, in the order they applied"
            "; with updated_after or a sync cursor, the changes since (oldest first) "
            "and next_cursor."
        ),
    )
    async def list_candidates(
        self,
        actor: CurrentActor,
        job_id: FromPath[int],
        stage: FromQuery[Stage | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=pipeline.MAX_PAGE)] = 50,
        offset: Offset = 0,
        updated_after: UpdatedAfter = None,
        cursor: SyncCursor = None,
    ) -> list[Application] | ApplicationChanges:
        return await pipeline.candidates_page(
            actor, job_id, stage, limit, offset, updated_after, cursor
        )

    @post(
        "/",
        operation_id="addCandidate",
        summary="Add a candidate to the job's pipeline",
        response_description="The candidate's application.",
    )
    async def add_candidate(
        self, actor: CurrentActor, job_id: FromPath[int], data: JSONBody[CandidateIn]
    ) -> Application:
        return await pipeline.add_candidate(actor, job_id, data)

    @patch(
        "/{candidate_id:int}",
        operation_id="moveCandidate",
        summary="Move a candidate to another stage",
        response_description="The application at its new stage.",
    )
    async def move_candidate(
        self,
        actor: CurrentActor,
        job_id: FromPath[int],
        candidate_id: FromPath[int],
        data: JSONBody[StageChange],
    ) -> Application:
        return await pipeline.move_candidate(actor, job_id, candidate_id, data.stage)
