"""Which failures are worth trying again: the network, the database or the broker being
briefly away, a server answering 429 or 5xx. A model answer that never fits, a job that is
gone or a channel that is closed are permanent, and retrying would only repeat them.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping

import aiohttp
import asyncpg
import redis.exceptions

TRANSIENT_TYPES: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,  # e.g. the pool's connection was closed under it
    asyncpg.exceptions.InternalClientError,  # a connection left mid-operation by a restart
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
    aiohttp.ClientConnectionError,
    aiohttp.ServerTimeoutError,
    asyncio.TimeoutError,
    ConnectionError,
    OSError,
)


class Transient(Exception):
    """Raised by code that knows a failure is temporary; `retry_after` in seconds."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def http_status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    for name in ("status_code", "status"):
        status = getattr(response, name, None)
        if isinstance(status, int):
            return status
    return None


def is_transient(error: BaseException) -> bool:
    if isinstance(error, (Transient, *TRANSIENT_TYPES)):
        return True
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(error, asyncpg.PostgresError) and isinstance(sqlstate, str):
        # Class 08: connection exception; 57: operator intervention (shutdown, restart).
        return sqlstate.startswith(("08", "57"))
    if isinstance(error, sqlite3.OperationalError):
        return "locked" in str(error) or "busy" in str(error)
    status = http_status(error)  # SlackApiError and the like carry their HTTP answer
    return status is not None and (status == 429 or status >= 500)


def retry_after(error: BaseException) -> float | None:
    """The server's Retry-After, in seconds, when the failure carries one."""
    if isinstance(error, Transient):
        return error.retry_after
    headers = getattr(getattr(error, "response", None), "headers", None)
    if isinstance(headers, Mapping):
        for name, value in headers.items():
            if str(name).lower() == "retry-after":
                try:
                    return max(0.0, float(value[0] if isinstance(value, list) else value))
                except (TypeError, ValueError):
                    return None
    return None
