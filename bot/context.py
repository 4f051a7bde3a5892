"""What `bot.listeners.register` puts into every request's Bolt context."""

from __future__ import annotations

from slack_bolt.context.async_context import AsyncBoltContext

from models.settings import Settings

SETTINGS = "settings"


def settings_of(context: AsyncBoltContext) -> Settings:
    """The settings the Bolt app was built with."""
    settings = context.get(SETTINGS)
    if not isinstance(settings, Settings):
        raise RuntimeError("the Bolt app was built without its settings middleware")
    return settings
