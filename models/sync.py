"""Incremental sync: the rows changed after a point, in (updated_at, id) order.

A list that takes `updated_after` (RFC 3339) or a sync cursor answers a page of the rows
changed since, oldest change first, and a `next_cursor` that is always set: the position
of its last row (or the one given, when nothing changed). A page shorter than `limit`
means the caller is caught up; it keeps the cursor and asks again later.

A row's `updated_at` is taken inside its transaction, which may commit a moment later; a
reader that went past it meanwhile would never see it. So a page stops short of the
*horizon*: SETTLE_SECONDS ago, and on PostgreSQL also before the start of the oldest
transaction still writing (`pg_stat_activity.backend_xid`). Rows at or past the horizon
come in a later page, so nothing is missed and nothing comes twice.

Deletions: a deleted job is the audit log's `job.deleted` event
(`/api/audit?type=job.deleted&after=...`), a deleted answer a `responses.written` event
listing it under `deleted`; a deleted criterion comes through the sync itself, in the
page's `deleted` ids (criteria are kept, marked deleted).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.table import Table

from models.db import is_postgres
from models.errors import Invalid
from models.jobs.access import MAX_ID, is_valid_id

SETTLE_SECONDS = 2.0
_KIND = "u"
_OLDEST_WRITER = (
    "SELECT min(xact_start) AS oldest FROM pg_stat_activity "
    "WHERE datname = current_database() AND backend_xid IS NOT NULL "
    "AND pid <> pg_backend_pid()"
)


@dataclass(frozen=True, slots=True)
class Position:
    updated_at: datetime
    id: int


def encode(position: Position) -> str:
    raw = f"{_KIND}{position.updated_at.isoformat()}|{position.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith(_KIND):
            raise ValueError(raw)
        moment, _, row_id = raw[len(_KIND) :].partition("|")
        position = Position(datetime.fromisoformat(moment), int(row_id))
        if position.updated_at.tzinfo is None or not is_valid_id(position.id):
            raise ValueError(raw)
        return position
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors too
        raise Invalid(
            "cursor is not valid; use next_cursor from a previous page", field="cursor"
        ) from None


def start(updated_after: datetime | None, cursor: str | None) -> Position | None:
    """Where a sync starts; None when the caller asked for the plain list."""
    if updated_after is None:
        if not cursor:
            return None
        try:
            return decode(cursor)
        except Invalid:  # not a sync cursor: the plain list's own (it checks it)
            return None
    if cursor:
        raise Invalid("give updated_after or cursor, not both", field="cursor")
    if updated_after.tzinfo is None:
        raise Invalid("updated_after needs a time zone (RFC 3339)", field="updated_after")
    return Position(updated_after.astimezone(UTC), MAX_ID)  # strictly after that moment


async def horizon() -> datetime:
    """Rows changed before this moment are all committed (see the module's doc)."""
    settled = datetime.now(UTC) - timedelta(seconds=SETTLE_SECONDS)
    if not is_postgres():
        return settled
    from models.tables import Job

    rows = await Job.raw(_OLDEST_WRITER)
    oldest = rows[0]["oldest"] if rows else None
    if oldest is not None:
        settled = min(settled, oldest - timedelta(seconds=1))
    return settled


async def page(
    query: Any, table: type[Table], position: Position, limit: int
) -> tuple[list[dict[str, Any]], str]:
    """The rows of `query` (a select of `table`, filtered) changed after `position`, up to
    the horizon, oldest first; and the cursor to continue from."""
    updated_at, row_id = table._meta.get_column_by_name("updated_at"), table._meta.primary_key
    after = (updated_at > position.updated_at) | (
        (updated_at == position.updated_at) & (row_id > position.id)
    )
    rows = await (
        query.where(after & (updated_at < await horizon()))
        .order_by(updated_at, row_id)
        .limit(limit)
    )
    if not rows:
        return [], encode(position)
    last = rows[-1]
    moment = last["updated_at"]
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return list(rows), encode(Position(moment, last["id"]))
