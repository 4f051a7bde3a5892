"""Which `response_url`s Hirebot will POST to: Slack's own, and hosts the operator adds.

A `response_url` arrives inside the request body, so a URL anywhere else would let a
request make Hirebot send HTTP requests to any address it can reach. Only
`https://hooks.slack.com/...` is trusted; `HIREBOT_SLACK_RESPONSE_URL_HOSTS` adds hosts
(over http or https), for tests and proxies. A refused URL is dropped from the request's
context with a warning, so `respond` never reaches it.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from models.settings import Settings

log = logging.getLogger(__name__)

SLACK_HOSTS = frozenset({"hooks.slack.com"})


class ResponseUrlPolicy:
    def __init__(self, extra_hosts: frozenset[str] = frozenset()) -> None:
        self.extra_hosts = extra_hosts

    @classmethod
    def from_settings(cls, settings: Settings) -> ResponseUrlPolicy:
        hosts = {h.strip().lower() for h in settings.slack_response_url_hosts.split(",")}
        return cls(frozenset(h for h in hosts if h))

    def allows(self, url: Any) -> bool:
        if not isinstance(url, str):
            return False
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            parts.port  # noqa: B018 (raises on a malformed port)
        except ValueError:
            return False
        if parts.scheme == "https" and host in SLACK_HOSTS:
            return True
        return parts.scheme in ("http", "https") and host in self.extra_hosts


class RefusedRespond:
    """Stands in for Bolt's `respond` when the request's `response_url` was refused."""

    response_url = None

    async def __call__(self, *_args: Any, **_kwargs: Any) -> None:
        log.warning("not answering through a refused response_url")
