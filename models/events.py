"""One record of every change: an event row written in the transaction of the change.

Every operation that changes a job, a share, a description, a criterion, a candidate's
answers, an application's stage or a user writes its event here, inside its own
transaction, so a rolled-back change leaves none and a committed one always has one. The
audit log (`GET /api/audit`) and a job's history read these rows, the incremental sync's
tombstones too, and each event is written with its deliveries to the organization's
webhooks (`models/webhooks/`). A bulk write is one event listing its rows.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import msgspec
from piccolo.engine.postgres import PostgresEngine

from models import cursors
from models.db import current_engine
from models.errors import Forbidden, Invalid
from models.identity.actor import Actor
from models.jobs.access import load_job
from models.tables import Event


class EventType(StrEnum):
    JOB_CREATED = "job.created"
    JOB_UPDATED = "job.updated"
    JOB_PUBLISHED = "job.published"
    JOB_CLOSED = "job.closed"
    JOB_DELETED = "job.deleted"
    JOB_SHARED = "job.shared"
    JOB_UNSHARED = "job.unshared"
    DESCRIPTION_GENERATED = "description.generated"
    DESCRIPTION_CHANGED = "description.changed"
    APPLICATION_CREATED = "application.created"
    APPLICATION_STAGE_CHANGED = "application.stage_changed"
    CRITERIA_CHANGED = "criteria.changed"
    RESPONSES_WRITTEN = "responses.written"
    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_ROLE_CHANGED = "user.role_changed"


class EntityType(StrEnum):
    JOB = "job"
    DESCRIPTION = "description"
    APPLICATION = "application"
    CRITERIA = "criteria"
    RESPONSES = "responses"
    USER = "user"


class EventSurface(StrEnum):
    """Where the change came from: a person through the API, Slack or the CLI, or a
    worker acting for the system."""

    API = "api"
    SLACK = "slack"
    WORKER = "worker"
    CLI = "cli"


class AuditEvent(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    """The event's UUID: receivers of a webhook drop a duplicate delivery by it."""
    type: EventType
    entity_type: EntityType
    entity_id: int | None
    """None for a bulk write (its rows are listed in `data`)."""
    job_id: int | None
    actor_id: int | None
    """The user who made the change; None for the system (a worker)."""
    surface: EventSurface
    before: dict[str, Any] | None
    """The changed fields as they were (updates only)."""
    after: dict[str, Any] | None
    """The changed fields as they are now (updates) or the new entity (creations)."""
    data: dict[str, Any]
    created_at: datetime


class AuditPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[AuditEvent]
    next_cursor: str | None
    """Pass it as `cursor` for the next (older) page; null on the last page."""


def surface_of(actor: Actor | None) -> EventSurface:
    return EventSurface.WORKER if actor is None else EventSurface(actor.surface.value)


async def record(
    type: EventType,
    org_id: int,
    entity_type: EntityType,
    entity_id: int | None,
    *,
    actor: Actor | None = None,
    actor_id: int | None = None,
    surface: EventSurface | None = None,
    job_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Write one event; call it inside the transaction of the change it records.

    The event and its webhook deliveries are one statement, on PostgreSQL sent straight on
    the transaction's connection: it runs in every change's transaction, and Piccolo's row
    objects and query building cost more than the statement itself (bench/events_cost.py)."""
    values = (
        str(uuid.uuid4()),
        org_id,
        type.value,
        entity_type.value,
        entity_id,
        job_id,
        actor.user_id if actor is not None else actor_id,
        (surface or surface_of(actor)).value,  # no actor: the system
        _json(before),
        _json(after),
        _json(data or {}),
        datetime.now(UTC),
    )
    # Deliveries to the organization's webhooks keep the order of their entity: a job's
    # events (its applications' and criteria's too) are one line, other entities their own.
    ordering_key = f"job:{job_id}" if job_id is not None else f"{entity_type.value}:{entity_id}"
    engine = current_engine()
    if not isinstance(engine, PostgresEngine):
        await Event.raw(_INSERT, *values)
        await Event.raw(_FAN_OUT_SQLITE, ordering_key, values[0])
        return
    transaction = engine.current_transaction.get()
    connection = getattr(transaction, "connection", None) if transaction is not None else None
    if connection is not None:  # in the change's transaction: straight to asyncpg
        await connection.execute(_INSERT_POSTGRES, *values, ordering_key)
    else:
        await Event.raw(_WITH_DELIVERIES_POSTGRES, *values, ordering_key)


_INSERT = (
    'INSERT INTO "event" ("event_id", "org", "type", "entity_type", "entity_id", "job_id", '
    '"actor", "surface", "before", "after", "data", "created_at") '
    "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)
# The webhook outbox: one delivery per active endpoint of the organization that wants the
# event's type, written with the event (one statement on PostgreSQL), sent by
# workers/webhooks.py. An organization without webhooks pays one index lookup.
_DELIVERY_COLUMNS = (
    '"webhook_delivery" ("endpoint", "event", "ordering_key", "state", "attempts", '
    '"next_attempt_at", "created_at")'
)
_WITH_DELIVERIES_POSTGRES = (
    "WITH e AS (" + _INSERT + ' RETURNING "id", "org", "type", "created_at") '
    f"INSERT INTO {_DELIVERY_COLUMNS} "
    """SELECT w."id", e."id", {}, 'pending', 0, e."created_at", e."created_at" FROM e """
    'JOIN "webhook_endpoint" w ON w."org" = e."org" AND w."active" '
    """WHERE w."event_types"::jsonb ? e."type" OR w."event_types"::jsonb ? '*'"""
)
_INSERT_POSTGRES = _WITH_DELIVERIES_POSTGRES.format(*(f"${n}" for n in range(1, 14)))
_FAN_OUT_SQLITE = (
    f"INSERT INTO {_DELIVERY_COLUMNS} "
    """SELECT w."id", e."id", {}, 'pending', 0, e."created_at", e."created_at" """
    'FROM "event" e JOIN "webhook_endpoint" w ON w."org" = e."org" AND w."active" '
    """WHERE e."event_id" = {} AND EXISTS (SELECT 1 FROM json_each(w."event_types") j """
    """WHERE j.value IN (e."type", '*'))"""
)


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that differ, as they were and as they are."""
    names = [name for name in after if before.get(name) != after[name]]
    return {n: before.get(n) for n in names}, {n: after[n] for n in names}


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else msgspec.json.encode(value).decode()


# Reading ------------------------------------------------------------------------------------

MAX_PAGE = 200
CURSOR_KIND = "e"


class AuditFilters(msgspec.Struct, frozen=True, kw_only=True):
    entity_type: EntityType | None = None
    entity_id: int | None = None
    type: EventType | None = None
    actor_id: int | None = None
    after: datetime | None = None
    before: datetime | None = None


async def audit(
    actor: Actor, filters: AuditFilters, *, limit: int = 50, cursor: str | None = None
) -> AuditPage:
    """The organization's events, newest first (Admins)."""
    if not actor.is_admin:
        raise Forbidden("only Admins read the organization's audit log")
    return await _page(actor.org_id, filters, None, limit, cursor)


async def job_history(
    actor: Actor, job_id: int, *, limit: int = 50, cursor: str | None = None
) -> AuditPage:
    """What happened to a job, newest first (anyone who can see it)."""
    await load_job(actor, job_id)
    return await _page(actor.org_id, AuditFilters(), job_id, limit, cursor)


async def _page(
    org_id: int, filters: AuditFilters, job_id: int | None, limit: int, cursor: str | None
) -> AuditPage:
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    query = Event.select().where(Event.org == org_id).output(load_json=True)
    if job_id is not None:
        query = query.where(Event.job_id == job_id)
    if filters.entity_type is not None:
        query = query.where(Event.entity_type == filters.entity_type.value)
    if filters.entity_id is not None:
        query = query.where(Event.entity_id == filters.entity_id)
    if filters.type is not None:
        query = query.where(Event.type == filters.type.value)
    if filters.actor_id is not None:
        query = query.where(Event.actor == filters.actor_id)
    if filters.after is not None:
        query = query.where(Event.created_at > filters.after)
    if filters.before is not None:
        query = query.where(Event.created_at < filters.before)
    if cursor is not None:
        query = query.where(Event.id < cursors.decode(CURSOR_KIND, cursor))
    rows = await query.order_by(Event.id, ascending=False).limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(
        items=[event_out(row) for row in rows],
        next_cursor=cursors.encode(CURSOR_KIND, rows[-1]["id"]) if more else None,
    )


def event_out(row: dict[str, Any]) -> AuditEvent:
    return AuditEvent(
        id=str(row["event_id"]),
        type=EventType(row["type"]),
        entity_type=EntityType(row["entity_type"]),
        entity_id=row["entity_id"],
        job_id=row["job_id"],
        actor_id=row["actor"],
        surface=EventSurface(row["surface"]),
        before=row["before"],
        after=row["after"],
        data=row["data"] or {},
        created_at=row["created_at"],
    )
