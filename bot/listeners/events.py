"""Events: the App Home tab, drawn each time the user opens it; the Messages tab (the DM)
offers a few prompts."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import settings_of
from bot.flows.pipelines import home
from bot.identity import actor_from
from bot.listeners.messages import suggest_prompts

log = logging.getLogger(__name__)


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
    actor = await actor_from(body, settings, client)
    view = await home(actor, settings.public_url)
    await client.views_publish(user_id=str(event["user"]), view=view)


async def uninstalled_single_workspace(body: dict[str, Any], event: dict[str, Any]) -> None:
    """Single-workspace mode: the token is a setting, so there is nothing to delete; say
    what happened (Slack answers every call with invalid_auth from now on)."""
    log.warning(
        "Slack says %s for workspace %s: SLACK_BOT_TOKEN no longer works; reinstall the "
        "app and set the new token",
        event.get("type"),
        body.get("team_id"),
    )
