"""Requests built and signed exactly as Slack sends them, for the bot's scenario tests.

Every builder returns `(body, headers)`: post `body` as-is (the signature covers the exact
bytes) with `headers`. `bad_signature=True` signs with the wrong secret; `stale=True` dates
the request 10 minutes back, past the 5 minutes Slack's verifier accepts.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0001"
TEAM_DOMAIN = "acme"
APP_ID = "A0001"
BOT_USER_ID = "UBOT"
USER_ID = "U123"
CHANNEL_ID = "C123"
STALE_SECONDS = 600
FORM = "application/x-www-form-urlencoded"

_ids = itertools.count(1)


def _next_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):08d}"


def new_trigger_id() -> str:
    """A fresh, plausible trigger id."""
    return f"{int(time.time())}.{next(_ids)}.0123456789abcdef0123456789abcdef"


def sign(
    secret: str,
    body: str,
    timestamp: int | None = None,
    *,
    bad_signature: bool = False,
    stale: bool = False,
) -> dict[str, str]:
    """The `x-slack-request-timestamp` and `x-slack-signature` headers for `body`."""
    if timestamp is None:
        timestamp = int(time.time()) - (STALE_SECONDS if stale else 0)
    key = secret + "-wrong" if bad_signature else secret
    signature = SignatureVerifier(key).generate_signature(timestamp=str(timestamp), body=body)
    assert signature is not None
    return {"x-slack-request-timestamp": str(timestamp), "x-slack-signature": signature}


def slash_command(
    secret: str,
    command: str = "/job",
    text: str = "new Backend Engineer",
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    channel_id: str = CHANNEL_ID,
    trigger_id: str | None = None,
    response_url: str = "https://hooks.slack.com/commands/T0001/1/abc",
    timestamp: int | None = None,
    *,
    user_name: str | None = None,
    channel_name: str = "hiring",
    bad_signature: bool = False,
    stale: bool = False,
) -> tuple[str, dict[str, str]]:
    """A form-encoded slash command, fields in the order Slack sends them."""
    fields = {
        "token": "verification-token",
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    body = urlencode(fields)
    return body, _headers(secret, body, FORM, timestamp, bad_signature, stale)


def interactivity(
    secret: str,
    payload: dict[str, Any],
    timestamp: int | None = None,
    *,
    bad_signature: bool = False,
    stale: bool = False,
) -> tuple[str, dict[str, str]]:
    """An interactivity request: `payload=<json>`, form-encoded."""
    body = urlencode({"payload": json.dumps(payload)})
    return body, _headers(secret, body, FORM, timestamp, bad_signature, stale)


def event(
    secret: str,
    event: dict[str, Any],
    team_id: str = TEAM_ID,
    event_id: str | None = None,
    timestamp: int | None = None,
    retry_num: int | None = None,
    *,
    retry_reason: str = "http_timeout",
    bad_signature: bool = False,
    stale: bool = False,
) -> tuple[str, dict[str, str]]:
    """An Events API `event_callback`; a retry carries the same `event_id` and retry headers."""
    now = int(time.time())
    envelope = {
        "token": "verification-token",
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or _next_id("Ev"),
        "event_time": now,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    body = json.dumps(envelope)
    headers = _headers(secret, body, "application/json", timestamp, bad_signature, stale)
    if retry_num is not None:
        headers["x-slack-retry-num"] = str(retry_num)
        headers["x-slack-retry-reason"] = retry_reason
    return body, headers


_message_ts = itertools.count(1)


def new_message_ts() -> str:
    """A fresh message timestamp, as Slack writes them."""
    return f"{int(time.time())}.{next(_message_ts):06d}"


def message_event(
    text: str,
    user_id: str = USER_ID,
    channel: str = CHANNEL_ID,
    *,
    channel_type: str = "channel",
    ts: str | None = None,
    thread_ts: str | None = None,
    mention: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """The inner event of a message (`message`), or of a mention (`app_mention`)."""
    ts = ts or new_message_ts()
    inner: dict[str, Any] = {
        "type": "app_mention" if mention else "message",
        "user": user_id,
        "text": f"<@{BOT_USER_ID}> {text}" if mention else text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM_ID,
    }
    if not mention:
        inner["channel_type"] = channel_type
    if thread_ts is not None:
        inner["thread_ts"] = thread_ts
    return {**inner, **extra}


def app_home_opened(user_id: str = USER_ID, tab: str = "home") -> dict[str, Any]:
    """The inner `event` of an `app_home_opened` delivery."""
    return {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D00000001",
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def block_actions_payload(
    action_id: str,
    value: str,
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    channel_id: str = CHANNEL_ID,
    message_ts: str = "1700000000.000100",
    trigger_id: str | None = None,
    response_url: str = "https://hooks.slack.com/actions/T0001/1/abc",
    *,
    block_id: str = "actions",
    action_type: str = "button",
    view_id: str | None = None,
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A `block_actions` payload: a click on a message button, or in a view when `view_id`.

    For `action_type="static_select"` the value arrives as `selected_option`.
    """
    action: dict[str, Any] = {
        "type": action_type,
        "action_id": action_id,
        "block_id": block_id,
        "action_ts": f"{time.time():.6f}",
    }
    if action_type == "static_select":
        action["selected_option"] = {"text": {"type": "plain_text", "text": value}, "value": value}
    else:
        action["value"] = value
        action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": "verification-token",
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    if view_id is not None:
        payload["container"] = {"type": "view", "view_id": view_id}
        payload["view"] = {"id": view_id, "team_id": team_id, "type": "home", "blocks": []}
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": "hiring"}
        payload["message"] = message or {"type": "message", "ts": message_ts, "text": ""}
        payload["response_url"] = response_url
    return payload


def view_submission_payload(
    callback_id: str,
    state_values: dict[str, Any],
    private_metadata: str = "",
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    view_id: str = "V00000001",
    *,
    blocks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A `view_submission` payload for a modal whose inputs hold `state_values`."""
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": "verification-token",
        "trigger_id": new_trigger_id(),
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": state_values},
            "hash": "1700000000.abcdef",
            "title": {"type": "plain_text", "text": "Hirebot"},
            "clear_on_close": False,
            "notify_on_close": False,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": "B0001",
        },
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }


def text_state(value: str | None) -> dict[str, Any]:
    """The state of a `plain_text_input` (None: left empty)."""
    return {"type": "plain_text_input", "value": value}


def number_state(value: int | str | None) -> dict[str, Any]:
    """The state of a `number_input` (Slack sends the number as a string)."""
    return {"type": "number_input", "value": None if value is None else str(value)}


def select_state(value: str | None, text: str | None = None) -> dict[str, Any]:
    """The state of a `static_select` (None: nothing selected)."""
    option = None
    if value is not None:
        option = {"text": {"type": "plain_text", "text": text or value}, "value": value}
    return {"type": "static_select", "selected_option": option}


def _headers(
    secret: str,
    body: str,
    content_type: str,
    timestamp: int | None,
    bad_signature: bool,
    stale: bool,
) -> dict[str, str]:
    headers = {"content-type": content_type}
    headers.update(sign(secret, body, timestamp, bad_signature=bad_signature, stale=stale))
    return headers
