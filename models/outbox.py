"""The task outbox: work that a change implies, recorded in the change's own transaction.

A message is a task to send (its name, arguments, labels and task id). It is written with
the change, so the work is queued with the change or not at all; the relay hands it to the
broker once committed, and again while it is not done: after a failed send (the broker is
down), and when a sent task has not finished within its worst case (its worker died, or
the broker lost it). Tasks are idempotent per run, so sending twice is safe; a message
is done when its task succeeded or failed for good.

Sending takes a lease (`available_at` moved forward), so two relays never send the same
message at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from models.db import atomic, is_postgres
from models.tables import OutboxMessage


class Outgoing(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    task_name: str
    task_id: str
    kwargs: dict[str, Any]
    labels: dict[str, Any]
    sends: int


def _now() -> datetime:
    return datetime.now(UTC)


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else (value or {})


def _out(row: dict[str, Any]) -> Outgoing:
    return Outgoing(
        id=row["id"],
        task_name=row["task_name"],
        task_id=row["task_id"],
        kwargs=_json(row["kwargs"]),
        labels=_json(row["labels"]),
        sends=row["sends"],
    )


async def put(
    task_name: str,
    task_id: str,
    kwargs: dict[str, Any],
    labels: dict[str, Any] | None = None,
    *,
    delay: float = 0.0,
) -> None:
    """Record a task to send (in the caller's transaction, when there is one)."""
    await OutboxMessage.insert(
        OutboxMessage(
            task_name=task_name,
            task_id=task_id,
            kwargs=msgspec.json.encode(kwargs).decode(),
            labels=msgspec.json.encode(labels or {}).decode(),
            available_at=_now() + timedelta(seconds=delay),
        )
    ).on_conflict(target=OutboxMessage.task_id, action="DO NOTHING")


async def retry_later(
    task_name: str,
    task_id: str,
    kwargs: dict[str, Any],
    labels: dict[str, Any],
    *,
    delay: float,
) -> None:
    """Send the task again (same task id) in `delay` seconds."""
    values: dict[Any, Any] = {
        OutboxMessage.sent_at: None,
        OutboxMessage.done_at: None,
        OutboxMessage.labels: msgspec.json.encode(labels).decode(),
        OutboxMessage.available_at: _now() + timedelta(seconds=delay),
    }
    async with atomic():
        updated = (
            await OutboxMessage.update(values)
            .where(OutboxMessage.task_id == task_id)
            .returning(OutboxMessage.id)
        )
        if not updated:
            await put(task_name, task_id, kwargs, labels, delay=delay)


async def take(
    *,
    lease_seconds: float,
    limit: int = 100,
    task_id: str | None = None,
    resend_after: float | None = None,
) -> list[Outgoing]:
    """Lease messages to send now: unsent and due (or the one `task_id`), and with
    `resend_after` also those sent that long ago and still not done."""
    now = _now()
    due = OutboxMessage.done_at.is_null() & (OutboxMessage.available_at <= now)
    unsent: Any = OutboxMessage.sent_at.is_null()
    if resend_after is not None:
        unsent = unsent | (OutboxMessage.sent_at < now - timedelta(seconds=resend_after))
    condition = due & unsent
    if task_id is not None:
        condition = condition & (OutboxMessage.task_id == task_id)
    async with atomic():
        query = OutboxMessage.select(OutboxMessage.id).where(condition).order_by(OutboxMessage.id)
        query = query.limit(limit)
        if is_postgres():
            query = query.lock_rows(skip_locked=True)
        ids = [row["id"] for row in await query]
        if not ids:
            return []
        rows = (
            await OutboxMessage.update(
                {OutboxMessage.available_at: now + timedelta(seconds=lease_seconds)}
            )
            .where(OutboxMessage.id.is_in(ids))
            .returning(*OutboxMessage.all_columns())
        )
    return [_out(row) for row in sorted(rows, key=lambda r: r["id"])]


async def sent(message_id: int) -> None:
    await OutboxMessage.update(
        {OutboxMessage.sent_at: _now(), OutboxMessage.sends: OutboxMessage.sends + 1}
    ).where(OutboxMessage.id == message_id)


async def unsendable(message_id: int, error: str, retry_in: float) -> None:
    """The broker did not take it: try again in `retry_in` seconds."""
    await OutboxMessage.update(
        {
            OutboxMessage.available_at: _now() + timedelta(seconds=retry_in),
            OutboxMessage.last_error: error[:500],
        }
    ).where(OutboxMessage.id == message_id)


async def done(task_id: str) -> None:
    """The task finished (successfully, or failed for good): nothing more to send."""
    await OutboxMessage.update({OutboxMessage.done_at: _now()}).where(
        (OutboxMessage.task_id == task_id) & OutboxMessage.done_at.is_null()
    )


async def given_up(task_id: str, error: str) -> None:
    await OutboxMessage.update(
        {
            OutboxMessage.done_at: _now(),
            OutboxMessage.failed_at: _now(),
            OutboxMessage.last_error: error[:500],
        }
    ).where(OutboxMessage.task_id == task_id)


async def backlog() -> int:
    """Messages not done yet (sent or not): the outbox's size, for operators."""
    return await OutboxMessage.count().where(OutboxMessage.done_at.is_null())


async def open_task_kwargs(task_names: list[str]) -> list[dict[str, Any]]:
    """The arguments of the messages of these tasks that are not done (the sweeper uses
    them to see which jobs have their work queued already)."""
    rows = await OutboxMessage.select(OutboxMessage.kwargs).where(
        OutboxMessage.task_name.is_in(task_names) & OutboxMessage.done_at.is_null()
    )
    return [_json(row["kwargs"]) for row in rows]


async def forget(older_than: timedelta) -> int:
    """Drop done messages older than `older_than`."""
    gone = (
        await OutboxMessage.delete()
        .where(OutboxMessage.done_at.is_not_null() & (OutboxMessage.done_at < _now() - older_than))
        .returning(OutboxMessage.id)
    )
    return len(gone)
