"""A Slack message to Hirebot becomes a turn of the thread's conversation, queued for a worker.

Hirebot listens where it is talked to: a mention in a channel (the answer goes into that
message's thread), its DM (each top-level message starts a thread of its own), and any
later reply in a thread it already talks in or that it started for a job. Messages from
bots (itself included), edits, deletions and other subtypes are ignored, and one Slack
message makes at most one turn (a retried event, or a mention that also arrives as a
channel message, finds its turn taken). Too long a message, or too many in a minute, get
a short reply instead of a turn.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.conversation import reply_message
from bot.conversation.tasks import converse_task
from bot.identity import actor_from, slack_user
from bot.posting import post_or_dm
from models import conversations
from models.settings import Settings
from workers import queue

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4_000
TOO_LONG = (
    "That message is longer than I can take in at once ({length:,} characters; at most "
    f"{MAX_MESSAGE_CHARS:,}). Could you say it in fewer words, or split it up?"
)
TOO_MANY = (
    "You have sent me {limit} messages in the last minute; please wait a moment before the "
    "next one."
)


@dataclass(frozen=True, slots=True)
class Said:
    """A message addressed to Hirebot: where, by whom, and what."""

    channel: str
    thread_ts: str
    message_ts: str
    text: str


def addressed(event: Mapping[str, Any], *, mention: bool, bot_user_id: str | None) -> Said | None:
    """The message if Hirebot should answer it (thread still to be checked for channel
    replies), else None."""
    if event.get("subtype") or event.get("bot_id") or event.get("hidden"):
        return None
    user, text, channel, ts = (event.get(k) for k in ("user", "text", "channel", "ts"))
    if not all(isinstance(v, str) and v for v in (user, channel, ts)) or not isinstance(text, str):
        return None
    if bot_user_id and user == bot_user_id:
        return None
    thread_ts = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else None
    in_dm = event.get("channel_type") == "im"
    if not mention and not in_dm:
        if thread_ts is None:
            return None  # a channel message not in a thread: not for Hirebot
        if bot_user_id and f"<@{bot_user_id}" in text:
            return None  # the app_mention event carries it
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", "", text)
    return Said(
        channel=str(channel), thread_ts=thread_ts or str(ts), message_ts=str(ts), text=text.strip()
    )


async def receive(
    body: Mapping[str, Any],
    event: Mapping[str, Any],
    client: AsyncWebClient,
    settings: Settings,
    *,
    mention: bool,
    bot_user_id: str | None,
) -> int | None:
    """Record the message as a turn and queue it; the turn's id, or None if it made none."""
    said = addressed(event, mention=mention, bot_user_id=bot_user_id)
    if said is None:
        return None
    who = slack_user(body)
    thread = await conversations.find_thread(who.team_id, said.channel, said.thread_ts)
    is_channel_reply = not mention and event.get("channel_type") != "im"
    if is_channel_reply and thread is None:
        job_id = await conversations.job_of_team_thread(who.team_id, said.channel, said.thread_ts)
        if job_id is None:
            return None  # a thread Hirebot is not part of
    if not said.text:
        return None
    actor = await actor_from(body, settings, client)
    if len(said.text) > MAX_MESSAGE_CHARS:
        await _reply(client, said, who.user_id, TOO_LONG.format(length=len(said.text)))
        return None
    limit = settings.conversation_turns_per_minute
    if await conversations.turns_since(actor.user_id, 60) >= limit:
        await _reply(client, said, who.user_id, TOO_MANY.format(limit=limit))
        return None
    if thread is None:
        thread = await conversations.open_thread(actor, who.team_id, said.channel, said.thread_ts)
    turn = await conversations.start_turn(thread, actor, who.user_id, said.message_ts, said.text)
    if turn is None:
        log.info("message %s has its turn already", said.message_ts)
        return None
    await queue.send(converse_task, turn_id=turn.id)
    return turn.id


async def _reply(client: AsyncWebClient, said: Said, user_id: str, text: str) -> None:
    await post_or_dm(client, said.channel, user_id, reply_message(text), thread_ts=said.thread_ts)
