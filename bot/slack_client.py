"""The async Slack Web API client of the bot and of its tasks in the workers."""

from __future__ import annotations

from typing import Annotated

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.web.async_client import AsyncWebClient
from taskiq import TaskiqDepends, TaskiqState

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


def slack_of(state: Annotated[TaskiqState, TaskiqDepends()]) -> AsyncWebClient | None:
    """A task's Slack client: the worker's, made on first use and kept in its state; None
    without SLACK_BOT_TOKEN."""
    if "slack" not in state:
        state.slack = build_slack_client(state.settings)
    return state.slack  # type: ignore[no-any-return]
