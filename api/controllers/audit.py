"""The record of every change: the organization's audit log (Admins) and a job's history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, FromQuery, QueryParameter

from api.params import CurrentActor, PageCursor
from models import events
from models.events import AuditFilters, AuditPage, EntityType, EventType

Limit = Annotated[int, QueryParameter(ge=1, le=events.MAX_PAGE)]


class AuditController(Controller):
    path = "/api"
    tags = ["audit"]

    @get(
        "/audit",
        operation_id="listAuditEvents",
        response_description="A page of events; `next_cursor` fetches the next.",
        summary="The organization's events, newest first (Admins)",
    )
    async def audit(
        self,
        actor: CurrentActor,
        entity_type: FromQuery[EntityType | None] = None,
        entity_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        type: FromQuery[EventType | None] = None,
        actor_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        after: FromQuery[datetime | None] = None,
        before: FromQuery[datetime | None] = None,
        limit: Limit = 50,
        cursor: PageCursor = None,
    ) -> AuditPage:
        filters = AuditFilters(
            entity_type=entity_type,
            entity_id=entity_id,
            type=type,
            actor_id=actor_id,
            after=after,
            before=before,
        )
        return await events.audit(actor, filters, limit=limit, cursor=cursor)

    @get(
        "/jobs/{job_id:int}/history",
        operation_id="getJobHistory",
        response_description="A page of the job's events; `next_cursor` fetches the next.",
        summary="What happened to a job, newest first",
    )
    async def job_history(
        self,
        actor: CurrentActor,
        job_id: FromPath[int],
        limit: Limit = 50,
        cursor: PageCursor = None,
    ) -> AuditPage:
        return await events.job_history(actor, job_id, limit=limit, cursor=cursor)
