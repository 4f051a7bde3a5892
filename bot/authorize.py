"""Authorizing requests for the one workspace whose bot token is in the settings.

Bolt's default single-workspace authorization calls `auth.test` on the first request and
answers 500 when Slack cannot be reached, which fails the acknowledgement. Here the bot's
identity is asked for at start-up (`warm`) and kept; while Slack is unreachable requests
are still authorized with the configured token (the identity is asked again at most every
`RETRY_SECONDS`), so a command is acknowledged and its failure is logged later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_calls import SLACK_FAILURES, slack_error_code

log = logging.getLogger(__name__)

AUTH_TEST_TIMEOUT = 2.0
RETRY_SECONDS = 30.0


class SingleWorkspaceAuthorize:
    """Authorizes with the configured bot token, and the bot's ids once Slack told them."""

    def __init__(self, client: AsyncWebClient, token: str) -> None:
        self.client, self.token = client, token
        self.identity: dict[str, Any] | None = None
        self._tried_at = float("-inf")
        self._lock = asyncio.Lock()

    async def warm(self) -> None:
        """Ask Slack who the bot is (once; again after `RETRY_SECONDS` if Slack failed)."""
        if self.identity is not None or time.monotonic() - self._tried_at < RETRY_SECONDS:
            return
        async with self._lock:
            if self.identity is not None:
                return
            self._tried_at = time.monotonic()
            try:
                answer = await asyncio.wait_for(
                    self.client.auth_test(token=self.token), AUTH_TEST_TIMEOUT
                )
            except SLACK_FAILURES as error:
                log.warning("auth.test failed (%s); retrying later", slack_error_code(error))
                return
            self.identity = dict(answer.data) if isinstance(answer.data, dict) else {}

    def bolt_function(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        """The function Bolt calls (Bolt passes arguments by the names of a plain function's
        parameters, so it cannot be a bound method)."""

        async def authorize(
            enterprise_id: str | None, team_id: str | None, user_id: str | None
        ) -> AuthorizeResult:
            return await self.result(enterprise_id, team_id, user_id)

        return authorize

    async def result(
        self, enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        await self.warm()
        identity = self.identity or {}
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            bot_token=self.token,
            bot_id=identity.get("bot_id"),
            bot_user_id=identity.get("user_id"),
        )
