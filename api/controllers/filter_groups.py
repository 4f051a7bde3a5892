"""FilterGroupViewSet: the caller's own saved filters (others' answer 404)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from api.params import CurrentActor, Offset, QueryId
from models.filter_groups import operations as filter_groups
from models.filter_groups.schemas import FilterGroup, FilterGroupCreate, FilterGroupUpdate


class FilterGroupController(Controller):
    path = "/api/filter-groups"
    tags = ["filter groups"]

    @get(
        "/",
        operation_id="listFilterGroups",
        response_description="Your filter groups.",
        summary="Your filter groups",
    )
    async def list_filter_groups(
        self,
        actor: CurrentActor,
        job_id: QueryId = None,
        limit: Annotated[int, QueryParameter(ge=1, le=filter_groups.MAX_PAGE)] = 50,
        offset: Offset = 0,
    ) -> list[FilterGroup]:
        return await filter_groups.list_filter_groups(actor, job_id, limit, offset)

    @post(
        "/",
        operation_id="createFilterGroup",
        summary="Save a filter group",
        response_description="The filter group created.",
    )
    async def create_filter_group(
        self, actor: CurrentActor, data: JSONBody[FilterGroupCreate]
    ) -> FilterGroup:
        return await filter_groups.create_filter_group(actor, data)

    @get(
        "/{group_id:int}",
        operation_id="getFilterGroup",
        summary="Read one of your filter groups",
        response_description="The filter group.",
    )
    async def get_filter_group(self, actor: CurrentActor, group_id: FromPath[int]) -> FilterGroup:
        return await filter_groups.get_filter_group(actor, group_id)

    @put(
        "/{group_id:int}",
        operation_id="replaceFilterGroup",
        summary="Replace every writable field of a filter group",
        response_description="The filter group as stored.",
    )
    async def replace_filter_group(
        self, actor: CurrentActor, group_id: FromPath[int], data: JSONBody[FilterGroupCreate]
    ) -> FilterGroup:
        return await filter_groups.update_filter_group(actor, group_id, data)

    @patch(
        "/{group_id:int}",
        operation_id="updateFilterGroup",
        summary="Change the fields of a filter group that the body names",
        response_description="The filter group as stored.",
    )
    async def update_filter_group(
        self, actor: CurrentActor, group_id: FromPath[int], data: JSONBody[FilterGroupUpdate]
    ) -> FilterGroup:
        return await filter_groups.update_filter_group(actor, group_id, data)

    @delete(
        "/{group_id:int}",
        operation_id="deleteFilterGroup",
        summary="Delete one of your filter groups",
        response_description="Deleted.",
    )
    async def delete_filter_group(self, actor: CurrentActor, group_id: FromPath[int]) -> None:
        await filter_groups.delete_filter_group(actor, group_id)
