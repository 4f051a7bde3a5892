"""Operations on filter groups. Each user sees and changes only their own (others': NotFound),
whatever their role; a group's job must be one the user can see."""

from __future__ import annotations

from typing import Any

import msgspec

from models.db import atomic, insert_one
from models.errors import Invalid, NotFound
from models.filter_groups import schemas
from models.identity.actor import Actor
from models.jobs.access import load_job
from models.tables import FilterGroup
from models.text import check_text, is_blank

MAX_PAGE = 100
MAX_FILTERS_BYTES = 16_384


def filter_group_out(row: dict[str, Any]) -> schemas.FilterGroup:
    filters = row["filters"]
    if isinstance(filters, str | bytes):
        filters = msgspec.json.decode(filters)
    return schemas.FilterGroup(
        id=row["id"],
        owner_id=row["owner"],
        name=row["name"],
        job_id=row["job"],
        filters=filters if isinstance(filters, dict) else {},
        created_at=row["created_at"],
    )


def _filters_json(filters: dict[str, Any]) -> str:
    encoded = msgspec.json.encode(filters)
    if len(encoded) > MAX_FILTERS_BYTES:
        raise Invalid(
            f"filters take {len(encoded)} bytes as JSON; at most {MAX_FILTERS_BYTES}",
            field="filters",
        )
    return encoded.decode()


def _name(value: str) -> str:
    check_text({"name": value})
    name = value.strip()
    if is_blank(name):
        raise Invalid("name must not be blank", field="name")
    return name


async def _load_own(actor: Actor, group_id: int) -> dict[str, Any]:
    row = (
        await FilterGroup.select()
        .where((FilterGroup.id == group_id) & (FilterGroup.owner == actor.user_id))
        .first()
    )
    if row is None:
        raise NotFound(f"filter group {group_id} not found")
    return dict(row)


async def list_filter_groups(
    actor: Actor, job_id: int | None = None, limit: int = 50, offset: int = 0
) -> list[schemas.FilterGroup]:
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if offset < 0:
        raise Invalid("offset must not be negative", field="offset")
    query = FilterGroup.select().where(FilterGroup.owner == actor.user_id)
    if job_id is not None:
        query = query.where(FilterGroup.job == job_id)
    rows = await query.order_by(FilterGroup.id).limit(limit).offset(offset)
    return [filter_group_out(row) for row in rows]


async def get_filter_group(actor: Actor, group_id: int) -> schemas.FilterGroup:
    return filter_group_out(await _load_own(actor, group_id))


async def create_filter_group(actor: Actor, data: schemas.FilterGroupCreate) -> schemas.FilterGroup:
    name, filters = _name(data.name), _filters_json(data.filters)
    if data.job_id is not None:
        await load_job(actor, data.job_id)
    row = await insert_one(
        FilterGroup(owner=actor.user_id, name=name, job=data.job_id, filters=filters)
    )
    return filter_group_out(row)


async def update_filter_group(
    actor: Actor, group_id: int, data: schemas.FilterGroupCreate | schemas.FilterGroupUpdate
) -> schemas.FilterGroup:
    """A full (PUT: FilterGroupCreate) or partial (PATCH) update of one of the caller's groups."""
    changes: dict[str, Any] = {}
    if isinstance(data.name, str):
        changes["name"] = _name(data.name)
    if isinstance(data.filters, dict):
        changes["filters"] = _filters_json(data.filters)
    if not isinstance(data.job_id, msgspec.UnsetType):
        changes["job"] = data.job_id
    async with atomic():
        current = await _load_own(actor, group_id)
        if changes.get("job") is not None and changes["job"] != current["job"]:
            await load_job(actor, changes["job"])
        if changes:
            await FilterGroup.update(
                {FilterGroup._meta.get_column_by_name(k): v for k, v in changes.items()}
            ).where(FilterGroup.id == group_id)
    return filter_group_out({**current, **changes})


async def delete_filter_group(actor: Actor, group_id: int) -> None:
    async with atomic():
        await _load_own(actor, group_id)
        await FilterGroup.delete().where(FilterGroup.id == group_id)
