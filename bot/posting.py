"""Posting where the user can read it: the one "post, or DM the user when the channel
refuses" rule, and updating a placeholder message in place.

A channel refuses when the bot is not in it, it is archived or gone, or the workspace
restricts posting there; the message then goes to the user's DM, so it is never lost.
Any other failure (rate limits past the client's retries, Slack down) is raised to the
caller. Every failure is logged with Slack's error code.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.layout import Message
from bot.slack_calls import slack_error_code
from workers.faults import is_transient

log = logging.getLogger(__name__)

CHANNEL_REFUSED = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "restricted_action",
        "is_inactive",
        "thread_not_found",
    }
)
"""chat.postMessage errors that mean "not in this channel": the message goes to a DM."""


async def dm_channel(client: AsyncWebClient, user_id: str) -> str:
    """The bot's direct-message channel with a user (opened if needed; scope im:write)."""
    opened = await client.conversations_open(users=user_id)
    return str(opened["channel"]["id"])


async def post_or_dm(
    client: AsyncWebClient,
    channel: str | None,
    user_id: str,
    message: Message,
    thread_ts: str | None = None,
) -> tuple[str, str]:
    """Post in `channel` (in a thread with `thread_ts`); where the channel refuses, or with
    no channel, post in a DM with the user. `(channel, ts)` of the message."""
    text, blocks = message
    if channel:
        try:
            posted = await client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, thread_ts=thread_ts
            )
            return str(posted["channel"]), str(posted["ts"])
        except SlackApiError as error:
            code = slack_error_code(error)
            if code not in CHANNEL_REFUSED:
                raise
            log.info("channel %s refused the message (%s); sending it by DM", channel, code)
    direct = await dm_channel(client, user_id)
    posted = await client.chat_postMessage(channel=direct, text=text, blocks=blocks)
    return direct, str(posted["ts"])


async def update_message(client: AsyncWebClient, channel: str, ts: str, message: Message) -> bool:
    """Replace a message's content; False (logged) when Slack refuses it for good (the
    message was deleted, or is too old to edit): the caller's next post still tells the
    user. A passing failure (429, 5xx) is raised, for the caller's retry."""
    text, blocks = message
    try:
        await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as error:
        if is_transient(error):
            raise
        log.warning("could not update message %s in %s: %s", ts, channel, slack_error_code(error))
        return False
    return True
