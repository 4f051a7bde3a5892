"""The shape of a verified Slack request, checked before Bolt reads it.

Bolt parses bodies and extracts ids with code that assumes Slack's shapes (`"id" in user`
on whatever `user` is), so a signed but malformed body (bad JSON in `payload=`, a field of
the wrong type, no user) would raise inside Bolt and answer 500. Here it is refused with a
reason instead: `parse_body` for HTTP bodies, `check_shape` for every body (Socket Mode
payloads arrive parsed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from slack_bolt.request.internals import parse_body as bolt_parse_body

INTERACTIVE_TYPES = frozenset(
    {
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "interactive_message",
        "dialog_submission",
    }
)


class Malformed(Exception):
    """A verified request Hirebot cannot read; `reason` is safe to log and to answer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_body(text: str, content_type: str | None) -> dict[str, Any]:
    """The body as Bolt reads it (form fields, or the JSON of `payload=` or of the body)."""
    try:
        body = bolt_parse_body(text, content_type)
    except json.JSONDecodeError as error:
        raise Malformed(f"the JSON is malformed at character {error.pos}") from None
    except ValueError:
        raise Malformed("the body is not a form or JSON") from None
    if not isinstance(body, dict):
        raise Malformed("the body is not a JSON object")
    check_shape(body)
    return body


def check_shape(body: Any) -> None:
    """Raise `Malformed` unless `body` has the fields its kind of request must have."""
    if not isinstance(body, Mapping):
        raise Malformed("the payload is not an object")
    if "ssl_check" in body:
        return
    if "command" in body:
        _strings(body, "command", "team_id", "user_id")
        _optional_strings(body, "text", "channel_id", "trigger_id", "response_url")
        return
    kind = body.get("type")
    if not isinstance(kind, str):
        raise Malformed("the payload has no type")
    if kind == "url_verification":
        _strings(body, "challenge")
    elif kind == "event_callback":
        _strings(body, "event_id")
        _team(body)
        event = _object(body, "event")
        _strings(event, "type")
        _optional_strings(event, "ts", "thread_ts", "text", "subtype", "bot_id")
        for name in ("user", "channel"):  # an id, or an object in some event types
            if event.get(name) is not None and not isinstance(event[name], str | Mapping):
                raise Malformed(f"event.{name} must be a string or an object")
    elif kind in INTERACTIVE_TYPES:
        _interactive(body, kind)
    # Other types (app_rate_limited and the like) carry nothing Hirebot reads.


def _interactive(body: Mapping[str, Any], kind: str) -> None:
    user = _object(body, "user")
    _strings(user, "id")
    _optional_strings(body, "trigger_id", "response_url")
    if not isinstance(body.get("team"), Mapping) and not isinstance(user.get("team_id"), str):
        raise Malformed("the payload names no workspace")
    if isinstance(body.get("team"), Mapping):
        _strings(body["team"], "id")
    for name in ("channel", "container", "message", "enterprise"):
        if body.get(name) is not None and not isinstance(body[name], Mapping):
            raise Malformed(f"{name} must be an object")
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            raise Malformed("actions must be a non-empty list")
        for action in actions:
            if not isinstance(action, Mapping):
                raise Malformed("each action must be an object")
            _strings(action, "action_id")
    if kind in ("view_submission", "view_closed"):
        view = _object(body, "view")
        _strings(view, "id", "callback_id")
        _optional_strings(view, "private_metadata")
        state = view.get("state", {})
        if not isinstance(state, Mapping) or not isinstance(state.get("values", {}), Mapping):
            raise Malformed("view.state.values must be an object")


def _team(body: Mapping[str, Any]) -> None:
    if isinstance(body.get("team_id"), str):
        return
    authorizations = body.get("authorizations")
    if (
        isinstance(authorizations, list)
        and authorizations
        and all(isinstance(a, Mapping) for a in authorizations)
    ):
        return
    raise Malformed("the event names no workspace")


def _object(body: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = body.get(name)
    if not isinstance(value, Mapping):
        raise Malformed(f"{name} must be an object")
    return value


def _strings(body: Mapping[str, Any], *names: str) -> None:
    for name in names:
        value = body.get(name)
        if not isinstance(value, str) or not value:
            raise Malformed(f"{name} is missing")


def _optional_strings(body: Mapping[str, Any], *names: str) -> None:
    for name in names:
        if body.get(name) is not None and not isinstance(body[name], str):
            raise Malformed(f"{name} must be a string")
