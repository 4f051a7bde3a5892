"""Each workspace's Slack client, for the workers.

In single-workspace mode every task uses the one client of SLACK_BOT_TOKEN. In OAuth mode
a task's thread names its workspace, and the client carries that workspace's bot token from
its stored installation, refreshed first when it is about to expire (and the new token
stored), as Bolt's authorize does for requests. A workspace without an installation gets
no client: nothing is posted there.
"""

from __future__ import annotations

import logging
from typing import Annotated

from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from taskiq import TaskiqDepends, TaskiqState

from bot.oauth import ROTATE_MINUTES_BEFORE_EXPIRY
from bot.oauth_stores import DatabaseInstallationStore
from bot.slack_calls import slack_error_code
from bot.slack_client import build_slack_client, slack_web_client
from models.settings import Settings

log = logging.getLogger(__name__)

KEPT_CLIENTS = 256
"""Clients kept for reuse (one per bot token); beyond it they are made again."""


class WorkspaceClients:
    def __init__(self, settings: Settings, single: AsyncWebClient | None = None) -> None:
        self._settings = settings
        self._single = single
        self._store: DatabaseInstallationStore | None = None
        self._rotator: AsyncTokenRotator | None = None
        self._by_token: dict[str, AsyncWebClient] = {}
        if settings.slack_oauth:
            self._store = DatabaseInstallationStore(settings)
            self._rotator = AsyncTokenRotator(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                # Not slack.com: the refresh goes where every other call goes.
                client=slack_web_client(settings, None),
            )
        elif single is None:
            self._single = build_slack_client(settings)

    @classmethod
    def single(cls, client: AsyncWebClient | None) -> WorkspaceClients:
        """Every workspace gets `client` (single-workspace mode; None: no Slack)."""
        return cls(Settings(), client)

    async def for_team(self, team_id: str | None) -> AsyncWebClient | None:
        if self._store is None or self._rotator is None:
            return self._single
        bot = await self._store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            log.warning("Slack workspace %s has no installation: nothing is posted", team_id)
            return None
        try:
            refreshed = await self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE_EXPIRY
            )
        except SlackTokenRotationError as error:  # the token may still work until it expires
            log.error(
                "could not refresh the bot token of %s: %s",
                team_id,
                slack_error_code(error.api_error),
            )
            refreshed = None
        if refreshed is not None:
            await self._store.async_save_bot(refreshed)
            bot = refreshed
        return self._client(bot.bot_token)

    def _client(self, token: str) -> AsyncWebClient:
        client = self._by_token.get(token)
        if client is None:
            if len(self._by_token) >= KEPT_CLIENTS:
                self._by_token.clear()
            client = self._by_token[token] = slack_web_client(self._settings, token)
        return client


def clients_of(state: Annotated[TaskiqState, TaskiqDepends()]) -> WorkspaceClients:
    """A task's Slack clients: the worker's, made on first use and kept in its state."""
    if "slack_clients" not in state:
        state.slack_clients = WorkspaceClients(state.settings)
    return state.slack_clients  # type: ignore[no-any-return]
