"""CriteriaViewSet: a job's screening criteria. Access follows the job's.

POST / creates one criterion (201). `bulk-create-or-update` answers 200: it may create,
update or do both. DELETE is a soft delete (204); the criterion never appears again.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from api.params import CurrentActor, Offset, QueryId, SyncCursor, UpdatedAfter
from models.screening import criteria
from models.screening.schemas import (
    Criteria,
    CriteriaBulk,
    CriteriaBulkResult,
    CriteriaChanges,
    CriteriaCreate,
    CriteriaFields,
    CriteriaUpdate,
)


class CriteriaController(Controller):
    path = "/api/criteria"
    tags = ["criteria"]

    @get(
        "/",
        operation_id="listCriteria",
        response_description=(
            "Criteria in position order"
            "; with updated_after or a sync cursor, the changes since (oldest first) "
            "and next_cursor."
        ),
        summary="Criteria of a job, or of every job you see",
    )
    async def list_criteria(
        self,
        actor: CurrentActor,
        job_id: QueryId = None,
        limit: Annotated[int, QueryParameter(ge=1, le=criteria.MAX_PAGE)] = 50,
        offset: Offset = 0,
        updated_after: UpdatedAfter = None,
        cursor: SyncCursor = None,
    ) -> list[Criteria] | CriteriaChanges:
        return await criteria.list_criteria(actor, job_id, limit, offset, updated_after, cursor)

    @post(
        "/",
        operation_id="createCriteria",
        summary="Add a screening criterion to a job",
        response_description="The criterion created.",
    )
    async def create_criteria(
        self, actor: CurrentActor, data: JSONBody[CriteriaCreate]
    ) -> Criteria:
        return await criteria.create_criteria(actor, data)

    @get(
        "/list-by-job/{job_id:int}",
        operation_id="listCriteriaByJob",
        summary="List every criterion of a job, in position order",
        response_description="The job's criteria.",
    )
    async def list_by_job(self, actor: CurrentActor, job_id: FromPath[int]) -> list[Criteria]:
        return await criteria.list_by_job(actor, job_id)

    @post(
        "/bulk-create-or-update",
        operation_id="bulkCreateOrUpdateCriteria",
        response_description="How many were created and updated, and each criterion as stored.",
        status_code=200,
        summary="Create (no id) or update (id) many criteria of a job at once",
    )
    async def bulk_create_or_update(
        self, actor: CurrentActor, data: JSONBody[CriteriaBulk]
    ) -> CriteriaBulkResult:
        return await criteria.bulk_create_or_update(actor, data)

    @get(
        "/{criteria_id:int}",
        operation_id="getCriteria",
        summary="Read one criterion",
        response_description="The criterion.",
    )
    async def get_criteria(self, actor: CurrentActor, criteria_id: FromPath[int]) -> Criteria:
        return await criteria.get_criteria(actor, criteria_id)

    @put(
        "/{criteria_id:int}",
        operation_id="replaceCriteria",
        summary="Replace every writable field of a criterion",
        response_description="The criterion as stored.",
    )
    async def replace_criteria(
        self, actor: CurrentActor, criteria_id: FromPath[int], data: JSONBody[CriteriaFields]
    ) -> Criteria:
        return await criteria.update_criteria(actor, criteria_id, data)

    @patch(
        "/{criteria_id:int}",
        operation_id="updateCriteria",
        summary="Change the fields of a criterion that the body names",
        response_description="The criterion as stored.",
    )
    async def update_criteria(
        self, actor: CurrentActor, criteria_id: FromPath[int], data: JSONBody[CriteriaUpdate]
    ) -> Criteria:
        return await criteria.update_criteria(actor, criteria_id, data)

    @delete(
        "/{criteria_id:int}",
        operation_id="deleteCriteria",
        summary="Delete a criterion (it never appears again)",
        response_description="Deleted.",
    )
    async def delete_criteria(self, actor: CurrentActor, criteria_id: FromPath[int]) -> None:
        await criteria.delete_criteria(actor, criteria_id)
