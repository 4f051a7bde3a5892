"""Events: the App Home tab, drawn each time the user opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import settings_of
from bot.flows.pipelines import home
from bot.identity import actor_from


async def publish_home(
    body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """`app_home_opened` (Home tab): the user's jobs, their pipelines and buttons."""
    if event.get("tab", "home") != "home":
        return
    settings = settings_of(context)
    actor = await actor_from(body, settings)
    view = await home(actor, settings.public_url)
    await client.views_publish(user_id=str(event["user"]), view=view)
