"""The answer of a turn in its Slack thread: a sign of progress at once, then the text
streamed as the model writes it, at a steady pace, and the confirmation cards.

Progress is `assistant.threads.setStatus` ("is thinking…"); where Slack refuses it, a short
placeholder message that the answer replaces. The text goes out through slack_sdk's
`chat_stream` (chat.startStream / appendStream / stopStream), appended every `PACE` seconds
rather than per token. Where streaming is refused (a method error, a channel where it is
not allowed) the answer is one ordinary message in the thread (the placeholder, or a new
one) updated as the text grows, every `UPDATE_PACE` seconds, then finished.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_chat_stream import AsyncChatStream
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.conversation import proposal_card, thinking_message
from bot.blocks.layout import Message
from bot.posting import post_or_dm, update_message
from bot.slack_calls import slack_error_code
from models import conversations
from models.conversations import ProposalOut

log = logging.getLogger(__name__)

PACE = 0.6
"""Seconds between appends to a streamed answer."""
UPDATE_PACE = 1.5
"""Seconds between updates of an answer that cannot stream (chat.update is rate-limited)."""
STATUS = "is thinking…"
MAX_TEXT = 11_000
"""Slack takes 12,000 characters of markdown in one message; longer answers are cut."""


def _text_message(text: str) -> Message:
    return text[:MAX_TEXT] or "…", [{"type": "markdown", "text": text[:MAX_TEXT] or "…"}]


class SlackAnswer:
    """Implements the turn's `Presenter` for one Slack thread."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        channel: str,
        thread_ts: str,
        team_id: str,
        user_id: str,
        pace: float = PACE,
        update_pace: float = UPDATE_PACE,
    ) -> None:
        self.client, self.channel, self.thread_ts = client, channel, thread_ts
        self.team_id, self.user_id = team_id, user_id
        self.pace, self.update_pace = pace, update_pace
        self.written = ""
        """Everything written so far (what the turn's answer is stored as)."""
        self._pending = ""
        self._mode: str | None = None  # "stream" or "update", chosen at the first flush
        self._stream: AsyncChatStream | None = None
        self._placeholder_ts: str | None = None
        self._message_ts: str | None = None
        self._status_set = False
        self._last_flush = float("-inf")
        self._lock = asyncio.Lock()
        self._ticker: asyncio.Task[None] | None = None

    # Progress ------------------------------------------------------------------------------

    async def show_progress(self) -> None:
        """A sign of life within a second: the status line, or a placeholder message."""
        try:
            await self.client.assistant_threads_setStatus(
                channel_id=self.channel, thread_ts=self.thread_ts, status=STATUS
            )
            self._status_set = True
            return
        except SlackApiError as error:
            log.info("no status line here (%s): posting a placeholder", slack_error_code(error))
        channel, ts = await post_or_dm(
            self.client, self.channel, self.user_id, thinking_message(), thread_ts=self.thread_ts
        )
        if channel == self.channel:
            self._placeholder_ts = ts

    # The Presenter ---------------------------------------------------------------------------

    async def text(self, piece: str) -> None:
        self.written += piece
        self._pending += piece
        if self._ticker is None:
            self._ticker = asyncio.create_task(self._tick())
        if self._mode is None or time.monotonic() - self._last_flush >= self._interval():
            await self._flush()

    async def card(self, proposal: ProposalOut) -> None:
        """A confirmation card, posted as a normal message in the thread."""
        message = proposal_card(proposal.summary, proposal.key, proposal.slack_user_id)
        channel, ts = await post_or_dm(
            self.client, self.channel, self.user_id, message, thread_ts=self.thread_ts
        )
        await conversations.set_card(proposal.key, channel, ts)

    @property
    def started(self) -> bool:
        """Whether any text reached the thread (a stream or a message)."""
        return self._mode is not None

    async def finish(
        self,
        final: str | None = None,
        *,
        blocks: list[dict[str, Any]] | None = None,
        replacement: Message | None = None,
    ) -> None:
        """Send what is left; `final` replaces what was written (an answer composed at the
        end, such as an error) when nothing was written yet. A stream ends with `blocks`
        under its text; an updated message becomes `replacement` (when given)."""
        if self._ticker is not None:
            self._ticker.cancel()
        if final and not self.written:
            self.written = final
            self._pending = final
        async with self._lock:
            await self._send_pending()
            if self._mode == "stream" and self._stream is not None:
                await self._stream.stop(blocks=blocks)
            elif self._mode == "update" and self._message_ts is not None:
                message = replacement or _text_message(self.written)
                await update_message(self.client, self.channel, self._message_ts, message)
        if self._mode is None and self._status_set:
            await self._clear_status()
        elif self._placeholder_ts and self._mode == "stream":
            await self._delete_placeholder()

    # Sending ---------------------------------------------------------------------------------

    def _interval(self) -> float:
        return self.update_pace if self._mode == "update" else self.pace

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.pace)
            if self._pending and time.monotonic() - self._last_flush >= self._interval():
                await self._flush()

    async def _flush(self) -> None:
        async with self._lock:
            await self._send_pending()

    async def _send_pending(self) -> None:
        if not self._pending:
            return
        if self._mode is None:
            await self._start()
        piece, self._pending = self._pending, ""
        self._last_flush = time.monotonic()
        if self._mode == "stream" and self._stream is not None:
            await self._stream.append(markdown_text=piece)
        elif self._message_ts is not None:
            await update_message(
                self.client, self.channel, self._message_ts, _text_message(self.written)
            )

    async def _start(self) -> None:
        """Open the stream with the first text; fall back to an updated message."""
        stream = await self.client.chat_stream(
            channel=self.channel,
            thread_ts=self.thread_ts,
            recipient_team_id=self.team_id,
            recipient_user_id=self.user_id,
            buffer_size=1,  # every append is sent: the pacing is ours
        )
        try:
            await stream.append(markdown_text=self._pending)
        except SlackApiError as error:
            log.info("streaming refused here (%s): updating a message", slack_error_code(error))
            self._mode = "update"
            await self._start_message()
            return
        self._mode, self._stream = "stream", stream
        self._pending = ""
        self._last_flush = time.monotonic()
        if self._placeholder_ts:
            await self._delete_placeholder()

    async def _start_message(self) -> None:
        message = _text_message(self.written)
        if self._placeholder_ts is not None:
            self._message_ts = self._placeholder_ts
            self._placeholder_ts = None
            await update_message(self.client, self.channel, self._message_ts, message)
        else:
            _, self._message_ts = await post_or_dm(
                self.client, self.channel, self.user_id, message, thread_ts=self.thread_ts
            )
        self._pending = ""
        self._last_flush = time.monotonic()

    async def _delete_placeholder(self) -> None:
        ts, self._placeholder_ts = self._placeholder_ts, None
        if ts is None:
            return
        try:
            await self.client.chat_delete(channel=self.channel, ts=ts)
        except SlackApiError as error:
            log.info("could not delete the placeholder: %s", slack_error_code(error))

    async def _clear_status(self) -> None:
        try:
            await self.client.assistant_threads_setStatus(
                channel_id=self.channel, thread_ts=self.thread_ts, status=""
            )
        except SlackApiError as error:
            log.info("could not clear the status: %s", slack_error_code(error))
