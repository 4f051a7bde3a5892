"""Idempotency keys: work that must happen once even when it is delivered twice.

taskiq delivers a task at least once, and Slack retries events, so a task run or a Slack
post can start again after it already happened (or while it is still happening). Each such
unit of work has a key (`generate:<run_id>`, `post:<run_id>`...) with one `TaskRun` row:

- `record(key, result)` stores a finished result in the caller's transaction, so the work's
  own writes and its key commit together (the tasks' way).
- `claim(key)` / `complete(key, result)` / `release(key)` bracket work that cannot share a
  transaction with its key, such as a Slack post: a claim is a lease, so a worker that died
  holding one does not block the work forever. `once(key, action)` wraps all three.

Inserts use `ON CONFLICT DO NOTHING`, so a race between two deliveries never raises and
never aborts the caller's PostgreSQL transaction; the loser simply sees the key taken.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from models.db import atomic
from models.tables import TaskRun

log = logging.getLogger(__name__)

CLAIMED = "claimed"
DONE = "done"

DEFAULT_LEASE_SECONDS = 60.0
"""How long a claim protects unfinished work before another delivery may take it over."""


class Outcome(msgspec.Struct, frozen=True):
    """What `once` did: `ran` is True for the one delivery that did the work."""

    ran: bool
    result: dict[str, Any] | None


def _now() -> datetime:
    return datetime.now(UTC)


def _encode(result: dict[str, Any] | None) -> str | None:
    return None if result is None else msgspec.json.encode(result).decode()


def _decode(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    value = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else raw
    return value if isinstance(value, dict) else None


async def _insert(key: str, status: str, result: dict[str, Any] | None) -> bool:
    """Insert the key's row; False (and nothing written) if the key exists already."""
    now = _now()
    inserted = (
        await TaskRun.insert(
            TaskRun(
                key=key,
                status=status,
                result=_encode(result),
                created_at=now,
                finished_at=now if status == DONE else None,
            )
        )
        .on_conflict(target=TaskRun.key, action="DO NOTHING")
        .returning(TaskRun.id)
    )
    return bool(inserted)


async def record(key: str, result: dict[str, Any]) -> bool:
    """Store `key` as done with `result`; False if the key was recorded (or claimed) before.

    Call it inside the transaction that makes the work's own changes: when it returns False,
    roll that transaction back and use `stored(key)` instead.
    """
    return await _insert(key, DONE, result)


async def claim(key: str, *, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> bool:
    """Take the key for this delivery. False if the work is done, or claimed by another
    delivery less than `lease_seconds` ago (an older claim is taken over: its worker died)."""
    async with atomic():
        if await _insert(key, CLAIMED, None):
            return True
        # Compare-and-set on the claim time: of two deliveries taking over the same stale
        # claim, only the first UPDATE matches (PostgreSQL re-checks the WHERE after the
        # row lock; SQLite runs one IMMEDIATE writer at a time).
        now = _now()
        taken = (
            await TaskRun.update({TaskRun.created_at: now})
            .where(
                (TaskRun.key == key)
                & (TaskRun.status == CLAIMED)
                & (TaskRun.created_at < now - timedelta(seconds=lease_seconds))
            )
            .returning(TaskRun.id)
        )
    if taken:
        log.warning("took over the stale claim on %s", key)
    return bool(taken)


async def complete(key: str, result: dict[str, Any] | None = None) -> None:
    """Mark the key done (claimed or not) and keep `result` for later deliveries."""
    async with atomic():
        updated = (
            await TaskRun.update(
                {TaskRun.status: DONE, TaskRun.result: _encode(result), TaskRun.finished_at: _now()}
            )
            .where(TaskRun.key == key)
            .returning(TaskRun.id)
        )
        if not updated:
            await _insert(key, DONE, result)


async def release(key: str) -> None:
    """Give up an unfinished claim so the next delivery can try at once."""
    await TaskRun.delete().where((TaskRun.key == key) & (TaskRun.status == CLAIMED))


async def stored(key: str) -> dict[str, Any] | None:
    """The result of finished work under `key` (`{}` if it kept none), else None."""
    row = (
        await TaskRun.select(TaskRun.result)
        .where((TaskRun.key == key) & (TaskRun.status == DONE))
        .first()
    )
    if row is None:
        return None
    return _decode(row["result"]) or {}


async def is_done(key: str) -> bool:
    return await TaskRun.exists().where((TaskRun.key == key) & (TaskRun.status == DONE))


async def once(
    key: str,
    action: Callable[[], Awaitable[dict[str, Any] | None]],
    *,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> Outcome:
    """Run `action` once per key: claim, run, complete; a failed action releases the claim.

    A later delivery gets `Outcome(ran=False, result=<stored result>)`; one that arrives
    while another still holds a fresh claim gets `Outcome(ran=False, result=None)`.
    """
    if not await claim(key, lease_seconds=lease_seconds):
        return Outcome(ran=False, result=await stored(key))
    try:
        result = await action()
    except BaseException:
        await release(key)
        raise
    await complete(key, result)
    return Outcome(ran=True, result=result)


KEEP_DAYS = 14
"""How long a key is kept: far longer than any redelivery or Slack retry can arrive."""


async def purge(older_than: timedelta = timedelta(days=KEEP_DAYS)) -> int:
    """Forget keys older than `older_than` (called at startup); returns how many went."""
    deleted = (
        await TaskRun.delete().where(TaskRun.created_at < _now() - older_than).returning(TaskRun.id)
    )
    return len(deleted)
