"""Events: the App Home tab, drawn each time the user opens it; the Messages tab (the DM)
offers a few prompts."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import settings_of
from bot.flows.pipelines import home
from bot.identity import actor_from
from bot.listeners.messages import suggest_prompts


async def publish_home(
    body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """`app_home_opened`: the Home tab shows the user's jobs, their pipelines and buttons;
    the Messages tab (Hirebot's DM) gets suggested prompts."""
    if event.get("tab") == "messages":
        await suggest_prompts(event, client)
        return
    if event.get("tab", "home") != "home":
        return
    settings = settings_of(context)
    actor = await actor_from(body, settings)
    view = await home(actor, settings.public_url)
    await client.views_publish(user_id=str(event["user"]), view=view)
