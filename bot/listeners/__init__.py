"""Registers every Slack listener on the Bolt app (the one wiring place of the bot)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from models.settings import Settings


def register(app: AsyncApp, settings: Settings) -> None:
    """Attach commands, actions, views and events to `app`."""
