"""Builds the Bolt app: its Web API client, signature checks and every listener."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from models.settings import Settings


def build_web_client(settings: Settings) -> AsyncWebClient:
    """The async Slack client, pointed at HIREBOT_SLACK_API_URL, retrying after 429s."""
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def build_bolt_app(settings: Settings) -> AsyncApp:
    """The Slack app. Bolt verifies every request's signature and timestamp before listeners run."""
    from bot.listeners import register

    app = AsyncApp(
        token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret,
        client=build_web_client(settings),
        # Acknowledge first; listeners keep running after the HTTP response (Slack's 3 s limit).
        process_before_response=False,
    )
    register(app, settings)
    return app
