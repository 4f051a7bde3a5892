"""Webhooks (Admins): the endpoints events are sent to, and what was delivered to them."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from api.params import AppSettings, CurrentActor, PageCursor
from models.webhooks import deliveries, endpoints
from models.webhooks.deliveries import Delivery, DeliveryPage
from models.webhooks.endpoints import Webhook, WebhookCreate, WebhookUpdate, WebhookWithSecret


class WebhookController(Controller):
    path = "/api/webhooks"
    tags = ["webhooks"]

    @get(
        "/",
        operation_id="listWebhooks",
        response_description="The endpoints, oldest first, without their secrets.",
        summary="The organization's webhook endpoints",
    )
    async def list_webhooks(self, actor: CurrentActor) -> list[Webhook]:
        return await endpoints.list_endpoints(actor)

    @post(
        "/",
        operation_id="createWebhook",
        response_description="The endpoint, with its signing secret (shown only now).",
        summary="Register an endpoint for the organization's events",
        description="The answer carries the signing secret; it is never shown again.",
    )
    async def create_webhook(
        self, actor: CurrentActor, settings: AppSettings, data: JSONBody[WebhookCreate]
    ) -> WebhookWithSecret:
        box = endpoints.secret_box(settings.secret_key)
        allow_private = settings.webhook_allow_private
        return await endpoints.register(actor, data, box=box, allow_private=allow_private)

    @get(
        "/{webhook_id:int}",
        operation_id="getWebhook",
        response_description="The endpoint, without its secret.",
        summary="One webhook endpoint",
    )
    async def get_webhook(self, actor: CurrentActor, webhook_id: FromPath[int]) -> Webhook:
        return await endpoints.get_endpoint(actor, webhook_id)

    @patch(
        "/{webhook_id:int}",
        operation_id="updateWebhook",
        response_description="The endpoint as changed.",
        summary="Change an endpoint",
    )
    async def update_webhook(
        self,
        actor: CurrentActor,
        settings: AppSettings,
        webhook_id: FromPath[int],
        data: JSONBody[WebhookUpdate],
    ) -> Webhook:
        allow_private = settings.webhook_allow_private
        return await endpoints.update(actor, webhook_id, data, allow_private=allow_private)

    @delete(
        "/{webhook_id:int}",
        operation_id="deleteWebhook",
        response_description="Removed, with its deliveries.",
        summary="Remove an endpoint",
    )
    async def delete_webhook(self, actor: CurrentActor, webhook_id: FromPath[int]) -> None:
        await endpoints.remove(actor, webhook_id)

    @post(
        "/{webhook_id:int}/rotate-secret",
        operation_id="rotateWebhookSecret",
        response_description="The endpoint, with its new secret (shown only now).",
        summary="Give an endpoint a new signing secret (shown once)",
        status_code=200,
    )
    async def rotate_secret(
        self, actor: CurrentActor, settings: AppSettings, webhook_id: FromPath[int]
    ) -> WebhookWithSecret:
        box = endpoints.secret_box(settings.secret_key)
        return await endpoints.rotate_secret(actor, webhook_id, box=box)

    @get(
        "/{webhook_id:int}/deliveries",
        operation_id="listWebhookDeliveries",
        response_description="A page of deliveries; `next_cursor` fetches the next.",
        summary="An endpoint's deliveries, newest first, with their attempts",
    )
    async def list_deliveries(
        self,
        actor: CurrentActor,
        webhook_id: FromPath[int],
        delivery_state: Annotated[
            Literal["pending", "delivered", "failed"] | None, QueryParameter(name="state")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=deliveries.MAX_PAGE)] = 50,
        cursor: PageCursor = None,
    ) -> DeliveryPage:
        return await deliveries.page(
            actor, webhook_id, limit=limit, cursor=cursor, state=delivery_state
        )

    @post(
        "/{webhook_id:int}/deliveries/{delivery_id:int}/redeliver",
        operation_id="redeliverWebhook",
        response_description="The new delivery of the same event, pending.",
        summary="Send a delivery's event to the endpoint once more",
        status_code=202,
    )
    async def redeliver(
        self, actor: CurrentActor, webhook_id: FromPath[int], delivery_id: FromPath[int]
    ) -> Delivery:
        return await deliveries.redeliver(actor, webhook_id, delivery_id)
