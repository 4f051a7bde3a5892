"""Text written into a Slack thread as the model writes it, where Slack failing never
fails the writing: past a failed append the rest is not sent, and the finished message is
posted whole instead."""

from __future__ import annotations

import contextlib
import logging

from bot.blocks.layout import Block, Message
from bot.conversation.answer import SlackAnswer

log = logging.getLogger(__name__)


class LiveText:
    def __init__(self, answer: SlackAnswer) -> None:
        self.answer = answer
        self.broken = False

    async def text(self, piece: str) -> None:
        if self.broken:
            return
        try:
            await self.answer.text(piece)
        except Exception:
            log.warning("could not stream into the thread; the result is posted whole instead")
            self.broken = True

    @property
    def shown(self) -> bool:
        """Whether the thread shows the text as written (so far without a fault)."""
        return self.answer.started and not self.broken

    async def finish(self, footer: list[Block], whole: Message) -> None:
        """End with `footer` under the streamed text; a message updated in place (where
        streams are refused) becomes `whole`."""
        await self.answer.finish(blocks=footer, replacement=whole)

    async def close(self) -> None:
        """Best effort: end what was started (the writing failed or stopped)."""
        if self.answer.started and not self.broken:
            with contextlib.suppress(Exception):
                await self.answer.finish()
