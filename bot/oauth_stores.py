"""slack_sdk's installation and OAuth state stores, kept in Hirebot's own database
(`models/installations.py`, PostgreSQL or SQLite), with the tokens encrypted at rest.

Bolt uses the installation store to authorize each request (and to save rotated tokens),
the OAuth flow to store an install, and its token revocation listeners to delete tokens;
the workers use it to find a workspace's bot token.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from logging import Logger

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.slack_calls import SLACK_FAILURES, slack_error_code
from bot.slack_client import slack_web_client
from models import installations
from models.installations import Installed
from models.secrets import SecretBox
from models.settings import Settings

log = logging.getLogger(__name__)


def _moment(epoch: int | float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, tz=UTC)


def _epoch(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def to_installed(installation: Installation) -> Installed:
    return Installed(
        app_id=installation.app_id,
        enterprise_id=installation.enterprise_id,
        enterprise_name=installation.enterprise_name,
        enterprise_url=installation.enterprise_url,
        team_id=installation.team_id,
        team_name=installation.team_name,
        is_enterprise_install=bool(installation.is_enterprise_install),
        token_type=installation.token_type,
        bot_id=installation.bot_id,
        bot_user_id=installation.bot_user_id,
        bot_scopes=list(installation.bot_scopes or []),
        bot_token=installation.bot_token,
        bot_refresh_token=installation.bot_refresh_token,
        bot_token_expires_at=_moment(installation.bot_token_expires_at),
        user_id=installation.user_id,
        user_scopes=list(installation.user_scopes or []),
        user_token=installation.user_token,
        user_refresh_token=installation.user_refresh_token,
        user_token_expires_at=_moment(installation.user_token_expires_at),
        installed_at=_moment(installation.installed_at) or datetime.now(UTC),
    )


def to_installation(installed: Installed) -> Installation:
    return Installation(
        app_id=installed.app_id,
        enterprise_id=installed.enterprise_id,
        enterprise_name=installed.enterprise_name,
        enterprise_url=installed.enterprise_url,
        team_id=installed.team_id,
        team_name=installed.team_name,
        is_enterprise_install=installed.is_enterprise_install,
        token_type=installed.token_type,
        bot_id=installed.bot_id,
        bot_user_id=installed.bot_user_id,
        bot_scopes=installed.bot_scopes,
        bot_token=installed.bot_token,
        bot_refresh_token=installed.bot_refresh_token,
        bot_token_expires_at=_epoch(installed.bot_token_expires_at),
        user_id=installed.user_id,
        user_scopes=installed.user_scopes,
        user_token=installed.user_token,
        user_refresh_token=installed.user_refresh_token,
        user_token_expires_at=_epoch(installed.user_token_expires_at),
        installed_at=installed.installed_at.timestamp(),
    )


class DatabaseInstallationStore(AsyncInstallationStore):
    """One installation per workspace (the latest install), in the `slack_installation`
    table. Saving an install also maps the workspace to its organization and makes the
    installer its Admin, linked by their Slack email to a Hirebot user when one exists."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.box = SecretBox(settings.secret_key)
        self._logger = log

    @property
    def logger(self) -> Logger:
        return self._logger

    async def async_save(self, installation: Installation) -> None:
        installed = to_installed(installation)
        stored = await self._find(
            installed.enterprise_id, installed.team_id, installed.is_enterprise_install
        )
        rotated = stored is not None and installations.same_install(stored, installed)
        # A rotation saves the same install with new tokens: its installer is known already.
        email = None if rotated else await self._installer_email(installed)
        await installations.save(self.box, installed, installer_email=email)

    async def async_save_bot(self, bot: Bot) -> None:
        stored = await self._find(bot.enterprise_id, bot.team_id, bool(bot.is_enterprise_install))
        if stored is None:
            return
        stored.bot_token, stored.bot_refresh_token = bot.bot_token, bot.bot_refresh_token
        stored.bot_token_expires_at = _moment(bot.bot_token_expires_at)
        await installations.save(self.box, stored)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        stored = await self._find(enterprise_id, team_id, bool(is_enterprise_install))
        if stored is None or stored.bot_token is None:
            return None
        return to_installation(stored).to_bot()

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        stored = await self._find(enterprise_id, team_id, bool(is_enterprise_install))
        if stored is None or (user_id is not None and stored.user_id != user_id):
            return None  # one installation per workspace: only its installer has one
        return to_installation(stored)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await installations.delete(enterprise_id, team_id, bot_only=True)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            await installations.delete(enterprise_id, team_id)
        else:
            await installations.delete_user_tokens(enterprise_id, team_id, user_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await installations.delete(enterprise_id, team_id)

    async def _find(
        self, enterprise_id: str | None, team_id: str | None, org_wide: bool
    ) -> Installed | None:
        return await installations.find(self.box, enterprise_id, team_id, org_wide=org_wide)

    async def _installer_email(self, installed: Installed) -> str | None:
        """The installer's email (`users.info`, scope users:read.email), or None."""
        if not installed.bot_token or not installed.user_id:
            return None
        client = slack_web_client(self.settings, installed.bot_token)
        try:
            answer = await client.users_info(user=installed.user_id)
        except SLACK_FAILURES as error:
            log.info(
                "no email for the installer (%s): not linked by email", slack_error_code(error)
            )
            return None
        profile = (answer.get("user") or {}).get("profile") or {}
        email = profile.get("email")
        return email if isinstance(email, str) and email else None


class DatabaseOAuthStateStore(AsyncOAuthStateStore):
    """OAuth states in the `slack_oauth_state` table: single use, valid 10 minutes, shared
    by every process (the install may start on one server and end on another)."""

    def __init__(self) -> None:
        self._logger = log

    @property
    def logger(self) -> Logger:
        return self._logger

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        state = secrets.token_urlsafe(32)
        await installations.issue_state(state)
        return state

    async def async_consume(self, state: str) -> bool:
        return await installations.consume_state(state)
