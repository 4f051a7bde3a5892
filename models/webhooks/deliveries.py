"""Deliveries: each event on its way to each endpoint that wants it.

Rows are written with their event (`models/events.record`), so an event is delivered if
and only if its change committed. The delivery worker (`workers/webhooks.py`) leases due
rows (`take_due`), sends them without holding a database connection, and hands the answers
to `settle`, which decides what happens next; that rule lives here:

- 2xx: delivered. 410 Gone: failed, and the endpoint is turned off.
- a timeout, a connection error, 429 or 5xx: tried again after an exponential backoff with
  jitter (the first retry within 10 s), never sooner than the receiver's `Retry-After`,
  until HIREBOT_WEBHOOK_RETRY_HOURS after the event; then failed.
- any other answer (a 3xx, another 4xx): failed; the receiver refused it.

Within one endpoint, deliveries of the same entity go one at a time in event order: a row
is due only when no earlier row with its ordering key is still pending.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from models import cursors
from models.db import atomic, is_postgres
from models.errors import Conflict, Invalid, NotFound
from models.events import event_out
from models.identity.actor import Actor
from models.jobs.access import is_valid_id
from models.tables import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from models.webhooks.endpoints import load_endpoint

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
FIRST_RETRY_SECONDS = 8.0
"""The first retry comes 4-8 s after the first failure (jitter), each later one twice as
late, up to MAX_BACKOFF_SECONDS apart."""
MAX_BACKOFF_SECONDS = 3600.0
MAX_RETRY_AFTER_SECONDS = 6 * 3600.0
KEEP_FINISHED = timedelta(days=30)
MAX_PAGE = 100
CURSOR_KIND = "d"


class Due(msgspec.Struct, frozen=True, kw_only=True):
    """A leased delivery, with what sending it needs."""

    id: int
    endpoint_id: int
    url: str
    sealed_secret: str
    event_id: str
    event_type: str
    body: bytes
    attempts: int
    created_at: datetime


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    """What one attempt got: a status code, or the error that stopped it."""

    delivery_id: int
    endpoint_id: int
    attempts: int
    """Attempts made before this one."""
    created_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None = None
    retry_after: float | None = None
    """The receiver's Retry-After, in seconds."""


class Attempt(msgspec.Struct, frozen=True, kw_only=True):
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None


class Delivery(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    event_id: str
    event_type: str
    state: str
    """pending (on its way, or waiting to be tried again), delivered or failed."""
    attempts: list[Attempt]
    """Oldest first."""
    next_attempt_at: datetime | None
    """When a pending delivery is tried next; null once it is finished."""
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class DeliveryPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Delivery]
    next_cursor: str | None
    """Pass it as `cursor` for the next (older) page; null on the last page."""


def _now() -> datetime:
    return datetime.now(UTC)


# Sending ------------------------------------------------------------------------------------

_TAKE = (
    'UPDATE "webhook_delivery" SET "next_attempt_at" = {} WHERE "id" IN ('
    'SELECT d."id" FROM "webhook_delivery" d '
    'JOIN "webhook_endpoint" w ON w."id" = d."endpoint" AND w."active" '
    """WHERE d."state" = 'pending' AND d."next_attempt_at" <= {} """
    'AND NOT EXISTS (SELECT 1 FROM "webhook_delivery" p WHERE p."endpoint" = d."endpoint" '
    """AND p."ordering_key" = d."ordering_key" AND p."state" = 'pending' AND p."id" < d."id") """
    'ORDER BY d."id" LIMIT {}{}) '
    'RETURNING "id", "endpoint", "event", "attempts", "created_at"'
)


async def take_due(*, limit: int, lease_seconds: float) -> list[Due]:
    """Lease up to `limit` due deliveries for `lease_seconds` (a worker that dies while
    sending leaves them due again then), oldest first."""
    now = _now()
    lock = " FOR UPDATE OF d SKIP LOCKED" if is_postgres() else ""
    async with atomic():
        leased = await WebhookDelivery.raw(
            _TAKE.format("{}", "{}", "{}", lock), now + timedelta(seconds=lease_seconds), now, limit
        )
    if not leased:
        return []
    events = {
        row["id"]: row
        for row in await Event.select()
        .where(Event.id.is_in([row["event"] for row in leased]))
        .output(load_json=True)
    }
    endpoints = {
        row["id"]: row
        for row in await WebhookEndpoint.select(
            WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.secret
        ).where(WebhookEndpoint.id.is_in(list({row["endpoint"] for row in leased})))
    }
    due = []
    for row in sorted(leased, key=lambda r: r["id"]):
        event, endpoint = events.get(row["event"]), endpoints.get(row["endpoint"])
        if event is None or endpoint is None:  # deleted meanwhile (cascades follow)
            continue
        due.append(
            Due(
                id=row["id"],
                endpoint_id=row["endpoint"],
                url=endpoint["url"],
                sealed_secret=endpoint["secret"],
                event_id=str(event["event_id"]),
                event_type=event["type"],
                body=msgspec.json.encode(event_out(event)),
                attempts=row["attempts"],
                created_at=_aware(row["created_at"]),
            )
        )
    return due


def _aware(value: Any) -> datetime:
    """A timestamp from a raw query (SQLite gives text)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def next_state(
    answer: Answer, *, now: datetime, retry_window: timedelta, first_retry: float
) -> tuple[str, datetime | None]:
    """What an answer leads to: (state, when to try again) — the rule of the module doc."""
    code = answer.status_code
    if code is not None and 200 <= code < 300:
        return DELIVERED, None
    if not retryable(code):
        return FAILED, None
    backoff = min(first_retry * 2.0**answer.attempts, MAX_BACKOFF_SECONDS)
    delay = backoff * random.uniform(0.5, 1.0)
    if answer.retry_after is not None:
        delay = max(delay, min(answer.retry_after, MAX_RETRY_AFTER_SECONDS))
    again = now + timedelta(seconds=delay)
    if again > answer.created_at + retry_window:
        return FAILED, None
    return PENDING, again


async def settle(
    answers: list[Answer], *, retry_window: timedelta, first_retry: float = FIRST_RETRY_SECONDS
) -> dict[str, int]:
    """Record the attempts and move each delivery on; counts by outcome (delivered, retry,
    failed, disabled: the endpoint answered 410)."""
    now = _now()
    counts = {"delivered": 0, "retry": 0, "failed": 0, "disabled": 0}
    finished: dict[tuple[str, int | None, str | None], list[int]] = {}
    retries: list[tuple[Answer, datetime]] = []
    gone: set[int] = set()
    for answer in answers:
        state, again = next_state(
            answer, now=now, retry_window=retry_window, first_retry=first_retry
        )
        if again is not None:
            retries.append((answer, again))
            counts["retry"] += 1
            continue
        error = answer.error
        if answer.status_code == 410:
            gone.add(answer.endpoint_id)
            counts["disabled"] += 1
        elif state == FAILED:
            if retryable(answer.status_code):
                error = f"{error or f'answered {answer.status_code}'}; retry window over"
            counts["failed"] += 1
        else:
            counts["delivered"] += 1
        finished.setdefault((state, answer.status_code, error), []).append(answer.delivery_id)
    async with atomic():
        await WebhookAttempt.insert(
            *[
                WebhookAttempt(
                    delivery=answer.delivery_id,
                    attempted_at=now,
                    status_code=answer.status_code,
                    latency_ms=answer.latency_ms,
                    error=answer.error,
                )
                for answer in answers
            ]
        )
        for (state, code, error), ids in finished.items():
            await WebhookDelivery.update(
                {
                    WebhookDelivery.state: state,
                    WebhookDelivery.attempts: WebhookDelivery.attempts + 1,
                    WebhookDelivery.last_status_code: code,
                    WebhookDelivery.last_error: error,
                    WebhookDelivery.finished_at: now,
                }
            ).where(WebhookDelivery.id.is_in(ids))
        for answer, again in retries:
            await WebhookDelivery.update(
                {
                    WebhookDelivery.attempts: WebhookDelivery.attempts + 1,
                    WebhookDelivery.next_attempt_at: again,
                    WebhookDelivery.last_status_code: answer.status_code,
                    WebhookDelivery.last_error: answer.error,
                }
            ).where(WebhookDelivery.id == answer.delivery_id)
        if gone:
            await WebhookEndpoint.update(
                {
                    WebhookEndpoint.active: False,
                    WebhookEndpoint.disabled_reason: "the endpoint answered 410 Gone",
                    WebhookEndpoint.updated_at: now,
                }
            ).where(WebhookEndpoint.id.is_in(list(gone)))
    return counts


def retryable(code: int | None) -> bool:
    """A timeout or connection error (no code), 429 or 5xx: worth trying again."""
    return code is None or code == 429 or code >= 500


async def backlog() -> int:
    """Deliveries not finished yet, for operators."""
    return await WebhookDelivery.count().where(WebhookDelivery.state == PENDING)


async def forget(older_than: timedelta = KEEP_FINISHED) -> int:
    """Drop finished deliveries (and their attempts) older than `older_than`."""
    gone = (
        await WebhookDelivery.delete()
        .where(
            (WebhookDelivery.state != PENDING) & (WebhookDelivery.finished_at < _now() - older_than)
        )
        .returning(WebhookDelivery.id)
    )
    return len(gone)


# Reading, and sending again -----------------------------------------------------------------


async def page(
    actor: Actor,
    endpoint_id: int,
    *,
    limit: int = 50,
    cursor: str | None = None,
    state: str | None = None,
) -> DeliveryPage:
    """An endpoint's deliveries, newest first, with their attempts (Admins)."""
    await load_endpoint(actor, endpoint_id)
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    query = _deliveries().where(WebhookDelivery.endpoint == endpoint_id)
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    if cursor is not None:
        query = query.where(WebhookDelivery.id < cursors.decode(CURSOR_KIND, cursor))
    rows = await query.order_by(WebhookDelivery.id, ascending=False).limit(limit + 1)
    more = len(rows) > limit
    items = await _with_attempts(rows[:limit])
    return DeliveryPage(
        items=items,
        next_cursor=cursors.encode(CURSOR_KIND, items[-1].id) if more else None,
    )


def _deliveries() -> Any:
    return WebhookDelivery.select(
        *WebhookDelivery.all_columns(),
        WebhookDelivery.event.event_id.as_alias("event_uuid"),
        WebhookDelivery.event.type.as_alias("event_type"),
    )


async def _with_attempts(rows: list[dict[str, Any]]) -> list[Delivery]:
    attempts: dict[int, list[Attempt]] = {}
    if rows:
        for row in (
            await WebhookAttempt.select()
            .where(WebhookAttempt.delivery.is_in([row["id"] for row in rows]))
            .order_by(WebhookAttempt.id)
        ):
            attempts.setdefault(row["delivery"], []).append(
                Attempt(
                    attempted_at=row["attempted_at"],
                    status_code=row["status_code"],
                    latency_ms=row["latency_ms"],
                    error=row["error"],
                )
            )
    return [_delivery_out(row, attempts.get(row["id"], [])) for row in rows]


def _delivery_out(row: dict[str, Any], attempts: list[Attempt]) -> Delivery:
    return Delivery(
        id=row["id"],
        event_id=str(row["event_uuid"]),
        event_type=row["event_type"],
        state=row["state"],
        attempts=attempts,
        next_attempt_at=row["next_attempt_at"] if row["state"] == PENDING else None,
        last_status_code=row["last_status_code"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
    )


async def redeliver(actor: Actor, endpoint_id: int, delivery_id: int) -> Delivery:
    """Send a delivery's event once more, as a new delivery (after the entity's others)."""
    endpoint = await load_endpoint(actor, endpoint_id)
    if not endpoint["active"]:
        raise Conflict("the webhook is turned off; set active to true first", field="active")
    original = None
    if is_valid_id(delivery_id):
        original = (
            await WebhookDelivery.select()
            .where((WebhookDelivery.id == delivery_id) & (WebhookDelivery.endpoint == endpoint_id))
            .first()
        )
    if original is None:
        raise NotFound(f"no delivery {delivery_id} of webhook {endpoint_id}")
    async with atomic():
        rows = await WebhookDelivery.insert(
            WebhookDelivery(
                endpoint=endpoint_id,
                event=original["event"],
                ordering_key=original["ordering_key"],
                state=PENDING,
                next_attempt_at=_now(),
            )
        ).returning(WebhookDelivery.id)
    new = await _deliveries().where(WebhookDelivery.id == rows[0]["id"])
    return (await _with_attempts(new))[0]
