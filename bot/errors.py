"""Errors a user can cause, told to that user once, privately, in a line.

`report` is the one mapping from exceptions to what the user reads: Bolt's global
`app.error` hook calls it for acknowledgement functions, and `bot.acknowledge` for the
work done after the acknowledgement. Domain errors carry a message that is safe to show;
anything else is a bug: it is logged with its traceback and the user gets a generic line.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.errors import error_message
from bot.blocks.layout import Block
from bot.blocks.values import decode_origin
from bot.posting import dm_channel
from bot.slack_calls import SLACK_FAILURES, slack_error_code
from bot.verification import is_verified
from models.errors import DomainError, Forbidden

Respond = Callable[..., Awaitable[Any]]

UNEXPECTED = "Something went wrong on our side; it has been logged. Please try again."

log = logging.getLogger(__name__)


def explain(error: BaseException) -> str:
    """The line a user reads about `error`."""
    if not isinstance(error, DomainError):
        return UNEXPECTED
    message = error.message.strip().rstrip(".")
    sentence = message[:1].upper() + message[1:] + "."
    if isinstance(error, Forbidden):
        return f"No permission: {sentence}"
    return sentence


async def report(
    error: BaseException,
    body: Mapping[str, Any],
    client: AsyncWebClient,
    logger: logging.Logger,
    respond: Respond | None = None,
) -> None:
    """Tell the user who caused `error` what happened (ephemeral, or a DM)."""
    if isinstance(error, DomainError):
        logger.info("told the user: %s", error.message)
    else:
        logger.error("Slack listener failed", exc_info=error)
    text, blocks = error_message(explain(error))
    try:
        await tell_user(body, client, text, blocks, respond)
    except SLACK_FAILURES as failure:
        logger.warning("could not tell the user about an error: %s", slack_error_code(failure))


async def on_error(
    error: Exception,
    body: dict[str, Any],
    client: AsyncWebClient,
    logger: logging.Logger,
    request: AsyncBoltRequest | None = None,
    respond: Respond | None = None,
) -> None:
    """Bolt's global error handler (`app.error`). It answers only verified requests: the
    body of any other request names a user and a channel nobody vouched for."""
    if not is_verified(request):
        logger.warning("error on an unverified Slack request (%s)", type(error).__name__)
        return
    await report(error, body, client, logger, respond)


async def tell_user(
    body: Mapping[str, Any],
    client: AsyncWebClient,
    text: str,
    blocks: list[Block],
    respond: Respond | None = None,
) -> None:
    """Say something only the acting user sees: through the response URL when the request
    has one, else as an ephemeral message in the channel it came from, else in a DM."""
    if isinstance(respond, AsyncRespond) and respond.response_url:
        await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        return
    user_id = _user_id(body)
    channel = _channel(body)
    if channel:
        try:
            await client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
            return
        except SlackApiError as error:  # not in that channel: fall back to the DM
            log.info("ephemeral refused (%s); telling the user by DM", slack_error_code(error))
    await client.chat_postMessage(
        channel=await dm_channel(client, user_id), text=text, blocks=blocks
    )


def _user_id(body: Mapping[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, Mapping):
        return str(user.get("id"))
    event = body.get("event")
    if isinstance(event, Mapping):
        return str(event.get("user"))
    return str(body.get("user_id"))


def _channel(body: Mapping[str, Any]) -> str | None:
    """The channel a request came from: a command's, a message button's, a modal's origin."""
    if isinstance(body.get("channel_id"), str):
        return str(body["channel_id"])
    channel = body.get("channel")
    if isinstance(channel, Mapping) and isinstance(channel.get("id"), str):
        return str(channel["id"])
    view = body.get("view")
    if isinstance(view, Mapping) and view.get("type") == "modal":
        return decode_origin(view.get("private_metadata")).channel
    return None
