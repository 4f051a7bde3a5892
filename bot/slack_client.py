"""The async Slack Web API client of the bot and of its tasks in the workers."""

from __future__ import annotations

import logging
import re

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.web.async_client import AsyncWebClient

from models.settings import Settings

REDACTED_LOGGERS = (
    "slack_sdk.web.async_base_client",  # each call's parameters and answer, at DEBUG
    "slack_sdk.web.base_client",
    "uvicorn.access",  # the install's redirect URL carries its code
)


class SecretsRedacted(logging.Filter):
    """Tokens, refresh tokens, OAuth codes and client secrets out of a log line."""

    tokens = re.compile(r"xox[a-z]?[.-][A-Za-z0-9.-]+")
    fields = re.compile(
        r"(['\"]?(?:code|client_secret|refresh_token|access_token|token)['\"]?\s*[:=]\s*)"
        r"(['\"]?)[^'\",}\s&]+"
    )
    code = re.compile(r"(with code: )\S+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned == message:
            return True
        # Clean the arguments first, keeping their shape: formatters such as uvicorn's
        # access log unpack them themselves.
        if isinstance(record.args, tuple):
            record.args = tuple(self.clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: self.clean(arg) for key, arg in record.args.items()}
        if record.args and self.clean(record.getMessage()) == record.getMessage():
            return True
        record.msg, record.args = cleaned, ()  # a secret in the message itself
        return True

    def clean(self, value: object) -> object:
        if isinstance(value, (int, float)) or value is None:
            return value
        text = value if isinstance(value, str) else str(value)
        cleaned = self.tokens.sub("[redacted]", text)
        cleaned = self.fields.sub(r"\1\2[redacted]", cleaned)
        cleaned = self.code.sub(r"\1[redacted]", cleaned)
        return value if cleaned == text else cleaned


for _name in REDACTED_LOGGERS:
    logging.getLogger(_name).addFilter(SecretsRedacted())

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
