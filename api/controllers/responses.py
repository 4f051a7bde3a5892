"""CandidateResponseViewSet and the spec's `create_or_update_candidate_responses` utility.

POST / and `bulk-create` only create: 201. `create-or-update` answers 200 with
`{"status": "success", "created": n, "updated": m}`. DELETE answers 204.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from api.params import CurrentActor, Offset, QueryId, SyncCursor, UpdatedAfter
from models.screening import responses
from models.screening.schemas import (
    CandidateResponse,
    CandidateResponseChange,
    CandidateResponseCreate,
    CandidateResponseUpdate,
    ResponseChanges,
    ResponsesUpsert,
    UpsertResult,
)


class CandidateResponseController(Controller):
    path = "/api/candidate-responses"
    tags = ["candidate responses"]

    @get(
        "/",
        operation_id="listCandidateResponses",
        summary="List candidates' answers, by candidate or job",
        response_description=(
            "Answers, oldest first"
            "; with updated_after or a sync cursor, the changes since (oldest first) "
            "and next_cursor."
        ),
    )
    async def list_responses(
        self,
        actor: CurrentActor,
        candidate_id: QueryId = None,
        job_id: QueryId = None,
        limit: Annotated[int, QueryParameter(ge=1, le=responses.MAX_PAGE)] = 50,
        offset: Offset = 0,
        updated_after: UpdatedAfter = None,
        cursor: SyncCursor = None,
    ) -> list[CandidateResponse] | ResponseChanges:
        return await responses.list_responses(
            actor, candidate_id, job_id, limit, offset, updated_after, cursor
        )

    @post(
        "/",
        operation_id="createCandidateResponse",
        summary="Record a candidate's answer to a criterion",
        response_description="The answer created.",
    )
    async def create_response(
        self, actor: CurrentActor, data: JSONBody[CandidateResponseCreate]
    ) -> CandidateResponse:
        return await responses.create_response(actor, data)

    @post(
        "/bulk-create",
        operation_id="bulkCreateCandidateResponses",
        response_description="The answers created, in the order sent.",
        summary=f"Create up to {responses.MAX_BULK} responses in one statement (more: 413)",
    )
    async def bulk_create(
        self, actor: CurrentActor, data: JSONBody[list[CandidateResponseCreate]]
    ) -> list[CandidateResponse]:
        return await responses.bulk_create(actor, data)

    @post(
        "/create-or-update",
        operation_id="createOrUpdateCandidateResponses",
        response_description="How many answers were created and updated.",
        status_code=200,
        summary="Set a candidate's answers to a job's criteria",
    )
    async def create_or_update(
        self, actor: CurrentActor, data: JSONBody[ResponsesUpsert]
    ) -> UpsertResult:
        return await responses.create_or_update_candidate_responses(
            actor, data.candidate_id, data.job_id, data.responses
        )

    @get(
        "/{response_id:int}",
        operation_id="getCandidateResponse",
        summary="Read one answer",
        response_description="The answer.",
    )
    async def get_response(
        self, actor: CurrentActor, response_id: FromPath[int]
    ) -> CandidateResponse:
        return await responses.get_response(actor, response_id)

    @put(
        "/{response_id:int}",
        operation_id="replaceCandidateResponse",
        summary="Replace an answer",
        response_description="The answer as stored.",
    )
    async def replace_response(
        self,
        actor: CurrentActor,
        response_id: FromPath[int],
        data: JSONBody[CandidateResponseChange],
    ) -> CandidateResponse:
        return await responses.update_response(actor, response_id, data)

    @patch(
        "/{response_id:int}",
        operation_id="updateCandidateResponse",
        summary="Change an answer",
        response_description="The answer as stored.",
    )
    async def update_response(
        self,
        actor: CurrentActor,
        response_id: FromPath[int],
        data: JSONBody[CandidateResponseUpdate],
    ) -> CandidateResponse:
        return await responses.update_response(actor, response_id, data)

    @delete(
        "/{response_id:int}",
        operation_id="deleteCandidateResponse",
        summary="Delete an answer",
        response_description="Deleted.",
    )
    async def delete_response(self, actor: CurrentActor, response_id: FromPath[int]) -> None:
        await responses.delete_response(actor, response_id)
