"""The async Slack Web API client shared by the bot and the workers' Slack tasks."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.web.async_client import AsyncWebClient

from models.settings import Settings

RATE_LIMIT_RETRIES = 3
"""Times a call waits out a 429 (honouring Retry-After) before it gives up."""


def build_slack_client(settings: Settings) -> AsyncWebClient | None:
    """A client for HIREBOT_SLACK_API_URL that waits out rate limits, or None without a token."""
    if not settings.slack_bot_token:
        return None
    return slack_web_client(settings, settings.slack_bot_token)


def slack_web_client(settings: Settings, token: str | None) -> AsyncWebClient:
    """A client for HIREBOT_SLACK_API_URL that waits out rate limits (the token may be set
    per request, as Bolt does after authorizing)."""
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            *async_default_handlers(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )
