"""Builds the Bolt app: its Web API client, signature checks and every listener."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from models.settings import Settings
from workers.slack_client import build_slack_client


def build_bolt_app(settings: Settings) -> AsyncApp:
    """The Slack app. Bolt verifies every request's signature and timestamp before listeners run."""
    from bot.listeners import register

    app = AsyncApp(
        token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret,
        client=build_slack_client(settings),
        # Listeners only acknowledge (a modal after checking it) and start their work in the
        # background (bot/listeners/after_ack.py), so the response leaves when they return: no
        # 10 ms polling for the ack (what process_before_response=False does).
        process_before_response=True,
    )
    register(app, settings)
    return app
