"""Who is acting: the Hirebot user behind a Slack request, created on first use.

Every listener resolves the actor from the payload and passes it to the domain
operations, so a Slack user has exactly the permissions the API would give them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.enums import Role
from models.errors import Invalid
from models.identity.actor import Actor
from models.identity.operations import resolve_slack_actor
from models.settings import Settings


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


async def actor_from(body: Mapping[str, Any], settings: Settings) -> Actor:
    """The acting Hirebot user (organization and user are created on first use)."""
    who = slack_user(body)
    return await resolve_slack_actor(
        who.team_id,
        who.user_id,
        default_role=Role(settings.default_slack_role),
        user_name=who.name,
    )
