"""The async Slack Web API client of the bot and of its tasks in the workers."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack_calls import slack_error_code
from models.settings import Settings
from workers.logs import SecretsRedacted
from workers.metrics import SLACK_API_ERRORS, SLACK_RATE_LIMITED

REDACTED_LOGGERS = (
    "slack_sdk.web.async_base_client",  # each call's parameters and answer, at DEBUG
    "slack_sdk.web.base_client",
    "uvicorn.access",  # the install's redirect URL carries its code
)


for _name in REDACTED_LOGGERS:
    logging.getLogger(_name).addFilter(SecretsRedacted())

RATE_LIMIT_RETRIES = 3
"""Times a call waits out a 429 (honouring Retry-After) before it gives up."""


def build_slack_client(settings: Settings) -> AsyncWebClient | None:
    """A client for HIREBOT_SLACK_API_URL that waits out rate limits, or None without a token."""
    if not settings.slack_bot_token:
        return None
    return slack_web_client(settings, settings.slack_bot_token)


class MeteredWebClient(AsyncWebClient):
    """slack_sdk's client, counting the calls Slack refuses (hirebot_slack_api_errors)."""

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            SLACK_API_ERRORS.labels(method=api_method, error=slack_error_code(error)).inc()
            raise


class CountedRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """Waits out a 429 as slack_sdk does, counting it (hirebot_slack_rate_limited)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        limited = response is not None and response.status_code == 429
        if limited:
            SLACK_RATE_LIMITED.labels(method=urlparse(request.url).path.rsplit("/", 1)[-1]).inc()
        return limited


def slack_web_client(settings: Settings, token: str | None) -> AsyncWebClient:
    """A client for HIREBOT_SLACK_API_URL that waits out rate limits (the token may be set
    per request, as Bolt does after authorizing)."""
    return MeteredWebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            *async_default_handlers(),
            CountedRateLimitHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )
