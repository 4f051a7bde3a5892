"""Who is acting: the Hirebot user behind a Slack request, linked or created on first use.

Every listener resolves the actor from the payload and passes it to the domain
operations, so a Slack user has exactly the permissions the API would give them. A Slack
user new to Hirebot is linked by their email (`users.info`, scope users:read.email) to the
organization's user with that address, so a person made by the CLI or the API keeps their
jobs, shares and role; without a match (or without the scope) they are created.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_calls import SLACK_FAILURES, slack_error_code
from models.enums import Role
from models.errors import Invalid
from models.identity.actor import Actor
from models.identity.operations import known_slack_actor, resolve_slack_actor
from models.settings import Settings
from workers.logs import act_for

log = logging.getLogger(__name__)

MOST_LOOKED_UP = 20
"""Mentions whose emails one request looks up (a share names a few colleagues)."""


@dataclass(frozen=True, slots=True)
class SlackUser:
    team_id: str
    user_id: str
    name: str | None = None


def slack_user(body: Mapping[str, Any]) -> SlackUser:
    """The workspace and user of a slash command, interactivity payload or event."""
    user = body.get("user")
    if isinstance(user, Mapping):  # block_actions, view_submission, shortcuts
        team = body.get("team")
        team_id = team.get("id") if isinstance(team, Mapping) else None
        name = user.get("username") or user.get("name")
        return _checked(team_id or user.get("team_id"), user.get("id"), name)
    event = body.get("event")
    if isinstance(event, Mapping):  # Events API
        return _checked(body.get("team_id"), event.get("user"), None)
    return _checked(body.get("team_id"), body.get("user_id"), body.get("user_name"))


def _checked(team_id: Any, user_id: Any, name: Any) -> SlackUser:
    if not isinstance(team_id, str) or not isinstance(user_id, str) or not team_id or not user_id:
        raise Invalid("this Slack request names no workspace or user")
    return SlackUser(team_id=team_id, user_id=user_id, name=name if isinstance(name, str) else None)


async def actor_from(
    body: Mapping[str, Any], settings: Settings, client: AsyncWebClient | None
) -> Actor:
    """The acting Hirebot user; the first request of a Slack user looks up their email
    (with `client`, the request's) to link them to the user with that address."""
    who = slack_user(body)
    actor = await known_slack_actor(who.team_id, who.user_id) or await _linked_or_new(
        who, settings, client
    )
    act_for(actor.org_id, actor.user_id)  # on the request's log lines
    return actor


async def _linked_or_new(
    who: SlackUser, settings: Settings, client: AsyncWebClient | None
) -> Actor:
    return await resolve_slack_actor(
        who.team_id,
        who.user_id,
        default_role=Role(settings.default_slack_role),
        user_name=who.name,
        email=await slack_email(client, who.user_id),
    )


async def slack_email(client: AsyncWebClient | None, slack_user_id: str) -> str | None:
    """A Slack user's email, or None (no client, no users:read.email scope, a bot, or
    Slack not answering: they are then not linked by email, never refused)."""
    if client is None:
        return None
    try:
        answer = await client.users_info(user=slack_user_id)
    except SLACK_FAILURES as error:
        log.info("no email for Slack user %s: %s", slack_user_id, slack_error_code(error))
        return None
    user = answer.get("user") or {}
    if user.get("is_bot") or user.get("deleted"):
        return None
    email = (user.get("profile") or {}).get("email")
    return email if isinstance(email, str) and "@" in email else None


async def slack_emails(client: AsyncWebClient | None, slack_ids: list[str]) -> dict[str, str]:
    """The emails of these Slack users that Slack gives (looked up together)."""
    wanted = list(dict.fromkeys(slack_ids))[:MOST_LOOKED_UP]
    found = await asyncio.gather(*(slack_email(client, slack_id) for slack_id in wanted))
    return {slack_id: email for slack_id, email in zip(wanted, found, strict=True) if email}
