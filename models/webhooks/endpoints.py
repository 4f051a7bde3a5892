"""The endpoints an organization's Admins register for its events.

The signing secret is made here, shown once (in the answer to the registration or to a
rotation) and stored sealed with HIREBOT_SECRET_KEY; the delivery worker opens it to sign.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec

from models.db import atomic, insert_one
from models.errors import Conflict, Forbidden, Invalid, NotFound
from models.events import EventType
from models.identity.actor import Actor
from models.jobs.access import is_valid_id
from models.secrets import SecretBox
from models.tables import WebhookEndpoint
from models.webhooks.addresses import MAX_URL, check_destination

ALL_EVENTS = "*"
MAX_ENDPOINTS = 20
"""Per organization: each one multiplies the deliveries of every event."""

Url = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_URL,
        description="Where events are POSTed: https:// and a public host.",
        examples=["https://ats.example.com/hooks/hirebot"],
    ),
]
EventTypes = Annotated[
    list[str],
    msgspec.Meta(
        min_length=1,
        max_length=len(EventType) + 1,
        description='The event types to send (see the audit log), or ["*"] for all of them.',
        examples=[["job.created", "job.updated", "application.stage_changed"]],
    ),
]
Description = Annotated[str, msgspec.Meta(max_length=200, examples=["Sync to our ATS"])]


class WebhookCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    url: Url
    event_types: EventTypes
    description: Description = ""
    active: bool = True


class WebhookUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    url: Url | msgspec.UnsetType = msgspec.UNSET
    event_types: EventTypes | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    """Setting it true again turns on an endpoint Hirebot disabled (after a 410)."""


class Webhook(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    url: str
    event_types: list[str]
    description: str
    active: bool
    disabled_reason: str | None
    """Why Hirebot turned the endpoint off (it answered 410 Gone); null otherwise."""
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(Webhook, frozen=True, kw_only=True):
    secret: str
    """The signing secret: shown only now; keep it to verify `Hirebot-Signature`."""


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only Admins manage the organization's webhooks")


def _event_types(values: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(values))
    if ALL_EVENTS in wanted:
        if len(wanted) > 1:
            raise Invalid('event_types: "*" already means every type', field="event_types")
        return wanted
    known = {t.value for t in EventType}
    unknown = [value for value in wanted if value not in known]
    if unknown:
        raise Invalid(
            f"event_types: unknown {', '.join(unknown)}; use {', '.join(sorted(known))} or *",
            field="event_types",
        )
    return wanted


def _out(row: dict[str, Any]) -> Webhook:
    return Webhook(
        id=row["id"],
        url=row["url"],
        event_types=_decode_list(row["event_types"]),
        description=row["description"],
        active=bool(row["active"]),
        disabled_reason=row["disabled_reason"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _decode_list(value: Any) -> list[str]:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else list(value or [])


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


async def load_endpoint(actor: Actor, endpoint_id: int) -> dict[str, Any]:
    """The endpoint row (Admins of its organization; NotFound for anyone else)."""
    _require_admin(actor)
    row = None
    if is_valid_id(endpoint_id):
        row = (
            await WebhookEndpoint.select()
            .where((WebhookEndpoint.id == endpoint_id) & (WebhookEndpoint.org == actor.org_id))
            .first()
        )
    if row is None:
        raise NotFound(f"no webhook {endpoint_id}")
    return row


async def register(
    actor: Actor, data: WebhookCreate, *, box: SecretBox, allow_private: bool
) -> WebhookWithSecret:
    _require_admin(actor)
    event_types = _event_types(data.event_types)
    url = await check_destination(data.url, allow_private=allow_private)
    secret = new_secret()
    async with atomic():
        count = await WebhookEndpoint.count().where(WebhookEndpoint.org == actor.org_id)
        if count >= MAX_ENDPOINTS:
            raise Invalid(f"an organization has at most {MAX_ENDPOINTS} webhooks", field="url")
        row = await insert_one(
            WebhookEndpoint(
                org=actor.org_id,
                url=url,
                event_types=msgspec.json.encode(event_types).decode(),
                description=data.description,
                secret=box.seal(secret),
                active=data.active,
                created_by=actor.user_id,
            )
        )
    return WebhookWithSecret(**msgspec.structs.asdict(_out(row)), secret=secret)


async def list_endpoints(actor: Actor) -> list[Webhook]:
    _require_admin(actor)
    rows = (
        await WebhookEndpoint.select()
        .where(WebhookEndpoint.org == actor.org_id)
        .order_by(WebhookEndpoint.id)
    )
    return [_out(row) for row in rows]


async def get_endpoint(actor: Actor, endpoint_id: int) -> Webhook:
    return _out(await load_endpoint(actor, endpoint_id))


async def update(
    actor: Actor, endpoint_id: int, data: WebhookUpdate, *, allow_private: bool
) -> Webhook:
    await load_endpoint(actor, endpoint_id)
    values: dict[Any, Any] = {WebhookEndpoint.updated_at: datetime.now(UTC)}
    if not isinstance(data.url, msgspec.UnsetType):
        values[WebhookEndpoint.url] = await check_destination(data.url, allow_private=allow_private)
    if not isinstance(data.event_types, msgspec.UnsetType):
        values[WebhookEndpoint.event_types] = msgspec.json.encode(
            _event_types(data.event_types)
        ).decode()
    if not isinstance(data.description, msgspec.UnsetType):
        values[WebhookEndpoint.description] = data.description
    if not isinstance(data.active, msgspec.UnsetType):
        values[WebhookEndpoint.active] = data.active
        if data.active:
            values[WebhookEndpoint.disabled_reason] = None
    async with atomic():
        rows = (
            await WebhookEndpoint.update(values)
            .where((WebhookEndpoint.id == endpoint_id) & (WebhookEndpoint.org == actor.org_id))
            .returning(*WebhookEndpoint.all_columns())
        )
    if not rows:
        raise NotFound(f"no webhook {endpoint_id}")
    return _out(rows[0])


async def rotate_secret(actor: Actor, endpoint_id: int, *, box: SecretBox) -> WebhookWithSecret:
    """A new signing secret, from the next delivery on; the old one stops working."""
    await load_endpoint(actor, endpoint_id)
    secret = new_secret()
    async with atomic():
        rows = (
            await WebhookEndpoint.update(
                {
                    WebhookEndpoint.secret: box.seal(secret),
                    WebhookEndpoint.updated_at: datetime.now(UTC),
                }
            )
            .where((WebhookEndpoint.id == endpoint_id) & (WebhookEndpoint.org == actor.org_id))
            .returning(*WebhookEndpoint.all_columns())
        )
    if not rows:
        raise NotFound(f"no webhook {endpoint_id}")
    return WebhookWithSecret(**msgspec.structs.asdict(_out(rows[0])), secret=secret)


async def remove(actor: Actor, endpoint_id: int) -> None:
    """Delete the endpoint with its deliveries (those on their way are not sent)."""
    await load_endpoint(actor, endpoint_id)
    async with atomic():
        await WebhookEndpoint.delete().where(
            (WebhookEndpoint.id == endpoint_id) & (WebhookEndpoint.org == actor.org_id)
        )


def secret_box(secret_key: str) -> SecretBox:
    """The box that seals webhook secrets; webhooks need HIREBOT_SECRET_KEY."""
    if not secret_key:
        raise Conflict(
            "webhooks need HIREBOT_SECRET_KEY on the server (it encrypts their signing "
            "secrets); see the README"
        )
    return SecretBox(secret_key)
