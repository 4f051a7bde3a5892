"""Where in Slack a piece of work answers: the thread, and who asked."""

from __future__ import annotations

from typing import Any

import msgspec


class ThreadRef(msgspec.Struct, frozen=True, kw_only=True):
    """A Slack thread to post a result into, and the placeholder message to update.

    Without a `channel` the answer goes to the user's DM; without a `thread_ts` the first
    message posted starts the thread (and becomes the placeholder).
    """

    team_id: str
    user_id: str
    """The Slack user who asked (for mentions, DMs and ephemeral messages)."""
    channel: str | None = None
    thread_ts: str | None = None
    placeholder_ts: str | None = None
    """The "working on it..." message that `chat.update` replaces with the result."""

    def payload(self) -> dict[str, Any]:
        """The JSON-safe form that travels in task arguments."""
        return msgspec.to_builtins(self)  # type: ignore[no-any-return]

    @classmethod
    def from_payload(cls, data: ThreadRef | dict[str, Any]) -> ThreadRef:
        return data if isinstance(data, ThreadRef) else msgspec.convert(data, cls)
