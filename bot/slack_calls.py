"""What can go wrong when Hirebot calls Slack, read without trusting the answer's shape.

`SlackApiError.response` is not always a JSON mapping: a 500 with an HTML or empty body
has none, so `error.response.get("error")` would itself raise. `slack_error_code` reads
the Slack error code when there is one, else the HTTP status, else the exception's kind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

SLACK_FAILURES: tuple[type[BaseException], ...] = (
    SlackClientError,  # SlackApiError and the client's own errors
    aiohttp.ClientError,
    asyncio.TimeoutError,
    OSError,
)
"""Every way a Slack call fails without it being a bug of ours."""


def slack_error_code(error: BaseException) -> str:
    """`channel_not_found`, `http_500`, `ClientConnectorError`...: a short name to log or test."""
    if isinstance(error, SlackApiError):
        response = error.response
        data = getattr(response, "data", None)
        if isinstance(data, Mapping) and isinstance(data.get("error"), str):
            return str(data["error"])
        status = getattr(response, "status_code", None)
        if isinstance(status, int):
            return f"http_{status}"
    return type(error).__name__


def http_status(error: BaseException) -> int | None:
    """The HTTP status of a Slack API answer, when the error carries one."""
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", None)
        return status if isinstance(status, int) else None
    return None
