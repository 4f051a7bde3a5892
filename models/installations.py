"""Slack installations: which workspaces installed Hirebot, their organization and their
tokens (encrypted at rest), and the single-use OAuth states of installs in progress.

An install maps the workspace to its own organization (created on the first install, named
after the team as Slack reports it) and makes the installing user its Admin. Saving the
same installation again, as a token rotation does, only stores the new tokens. This module
knows no Slack library: `bot/oauth_stores.py` adapts it to slack_sdk's store interfaces.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from models.db import atomic, insert_one
from models.enums import Role
from models.identity.operations import link_or_create_slack_user
from models.secrets import SecretBox
from models.tables import Organization, SlackInstallation, SlackOAuthState

log = logging.getLogger(__name__)

STATE_TTL = timedelta(minutes=10)
SECRET_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


class Installed(msgspec.Struct, kw_only=True):
    """One workspace's installation, its tokens in the clear (in memory only: never log
    it, never return it from the API)."""

    app_id: str | None = None
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    enterprise_url: str | None = None
    team_id: str | None = None
    team_name: str | None = None
    is_enterprise_install: bool = False
    token_type: str | None = None
    bot_id: str | None = None
    bot_user_id: str | None = None
    bot_scopes: list[str] = msgspec.field(default_factory=list)
    bot_token: str | None = None
    bot_refresh_token: str | None = None
    bot_token_expires_at: datetime | None = None
    user_id: str = ""
    user_scopes: list[str] = msgspec.field(default_factory=list)
    user_token: str | None = None
    user_refresh_token: str | None = None
    user_token_expires_at: datetime | None = None
    installed_at: datetime = msgspec.field(default_factory=lambda: datetime.now(UTC))
    org_id: int | None = None
    """The organization it maps to (set when stored)."""

    def __repr__(self) -> str:  # tokens never reach a log line through repr()
        return f"Installed(enterprise_id={self.enterprise_id!r}, team_id={self.team_id!r})"

    __str__ = __repr__


def workspace_key(enterprise_id: str | None, team_id: str | None, *, org_wide: bool) -> str:
    """The one key of a workspace's installation: its team id (unique across Slack), or
    for an org-wide (Enterprise Grid) install, which serves every team of its enterprise,
    the enterprise's id."""
    if org_wide or not team_id:
        return f"enterprise:{enterprise_id or '-'}"
    return team_id


def _org_team_key(installed: Installed) -> str:
    """What the organization's `slack_team_id` holds for this installation."""
    if installed.is_enterprise_install and installed.enterprise_id:
        return installed.enterprise_id
    return installed.team_id or installed.enterprise_id or ""


async def save(box: SecretBox, installed: Installed, *, installer_email: str | None = None) -> int:
    """Store an installation (a new install, a re-install or rotated tokens) in one
    transaction; the id of its organization.

    A new install (none stored, or one installed at another moment) also maps the
    workspace to its organization and makes the installer its Admin, linked by
    `installer_email` to a Hirebot user of that organization with that address."""
    key = workspace_key(
        installed.enterprise_id, installed.team_id, org_wide=installed.is_enterprise_install
    )
    async with atomic():
        stored = await SlackInstallation.select().where(SlackInstallation.workspace == key).first()
        rotated = stored is not None and _same_moment(
            stored["installed_at"], installed.installed_at
        )
        if stored is not None and rotated:
            org_id = int(stored["org"])
        else:
            org_id = await _organization_for(installed)
            await link_or_create_slack_user(
                org_id, installed.user_id, role=Role.ADMIN, email=installer_email, promote=True
            )
        values = _row_values(box, installed)
        values[SlackInstallation.org] = org_id
        if rotated and installed.user_token is None:
            # Bolt drops the installer's user token from what it rotates for another user.
            for column in (
                SlackInstallation.user_token,
                SlackInstallation.user_refresh_token,
                SlackInstallation.user_token_expires_at,
            ):
                values.pop(column)
        if stored is None:
            values[SlackInstallation.workspace] = key
            await insert_one(SlackInstallation(_data=values))
        else:
            values[SlackInstallation.updated_at] = datetime.now(UTC)
            await SlackInstallation.update(values).where(SlackInstallation.id == stored["id"])
    log.info(
        "stored the Slack installation of %s (%s)", key, "rotated tokens" if rotated else "install"
    )
    return org_id


def same_install(stored: Installed, given: Installed) -> bool:
    """Whether `given` is `stored` again (with rotated tokens), not a new install."""
    return _same_moment(stored.installed_at, given.installed_at)


def _same_moment(stored: datetime, given: datetime) -> bool:
    return abs((_aware(stored) - _aware(given)).total_seconds()) < 0.001  # as stored: µs


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _organization_for(installed: Installed) -> int:
    """The organization of the workspace, created (named after the team) on first install."""
    team_key = _org_team_key(installed)
    row = (
        await Organization.select(Organization.id)
        .where(Organization.slack_team_id == team_key)
        .first()
    )
    if row is not None:
        return int(row["id"])
    base = (installed.team_name or installed.enterprise_name or f"Slack {team_key}").strip()
    name = base[:200]
    if await Organization.exists().where(Organization.name == name):
        name = f"{base[:180]} ({team_key})"
    created = await insert_one(Organization(name=name, slack_team_id=team_key))
    log.info("created organization %s for Slack workspace %s", created["id"], team_key)
    return int(created["id"])


def _row_values(box: SecretBox, installed: Installed) -> dict[Any, Any]:
    return {
        SlackInstallation.app_id: installed.app_id,
        SlackInstallation.enterprise_id: installed.enterprise_id,
        SlackInstallation.enterprise_name: installed.enterprise_name,
        SlackInstallation.enterprise_url: installed.enterprise_url,
        SlackInstallation.team_id: installed.team_id,
        SlackInstallation.team_name: installed.team_name,
        SlackInstallation.is_enterprise_install: installed.is_enterprise_install,
        SlackInstallation.token_type: installed.token_type,
        SlackInstallation.bot_id: installed.bot_id,
        SlackInstallation.bot_user_id: installed.bot_user_id,
        SlackInstallation.bot_scopes: ",".join(installed.bot_scopes),
        SlackInstallation.bot_token: box.seal(installed.bot_token),
        SlackInstallation.bot_refresh_token: box.seal(installed.bot_refresh_token),
        SlackInstallation.bot_token_expires_at: installed.bot_token_expires_at,
        SlackInstallation.user_id: installed.user_id,
        SlackInstallation.user_scopes: ",".join(installed.user_scopes),
        SlackInstallation.user_token: box.seal(installed.user_token),
        SlackInstallation.user_refresh_token: box.seal(installed.user_refresh_token),
        SlackInstallation.user_token_expires_at: installed.user_token_expires_at,
        SlackInstallation.installed_at: installed.installed_at,
    }


async def find(
    box: SecretBox, enterprise_id: str | None, team_id: str | None, *, org_wide: bool = False
) -> Installed | None:
    """The installation serving this workspace: its own, else its enterprise's org-wide one
    (a worker, which knows only the team, passes no `enterprise_id`)."""
    keys = [workspace_key(enterprise_id, team_id, org_wide=org_wide)]
    if enterprise_id and not org_wide:
        keys.append(workspace_key(enterprise_id, None, org_wide=True))
    for key in keys:
        row = await SlackInstallation.select().where(SlackInstallation.workspace == key).first()
        if row is not None:
            return _installed(box, row)
    return None


def _installed(box: SecretBox, row: dict[str, Any]) -> Installed:
    return Installed(
        app_id=row["app_id"],
        enterprise_id=row["enterprise_id"],
        enterprise_name=row["enterprise_name"],
        enterprise_url=row["enterprise_url"],
        team_id=row["team_id"],
        team_name=row["team_name"],
        is_enterprise_install=bool(row["is_enterprise_install"]),
        token_type=row["token_type"],
        bot_id=row["bot_id"],
        bot_user_id=row["bot_user_id"],
        bot_scopes=[s for s in str(row["bot_scopes"] or "").split(",") if s],
        bot_token=box.open(row["bot_token"]),
        bot_refresh_token=box.open(row["bot_refresh_token"]),
        bot_token_expires_at=row["bot_token_expires_at"],
        user_id=row["user_id"],
        user_scopes=[s for s in str(row["user_scopes"] or "").split(",") if s],
        user_token=box.open(row["user_token"]),
        user_refresh_token=box.open(row["user_refresh_token"]),
        user_token_expires_at=row["user_token_expires_at"],
        installed_at=_aware(row["installed_at"]),
        org_id=int(row["org"]),
    )


async def is_installed(enterprise_id: str | None, team_id: str | None) -> bool:
    """Whether a workspace (or its enterprise, org-wide) has Hirebot installed with a bot."""
    keys = [workspace_key(enterprise_id, team_id, org_wide=False)]
    if enterprise_id:
        keys.append(workspace_key(enterprise_id, None, org_wide=True))
    return await SlackInstallation.exists().where(
        SlackInstallation.workspace.is_in(keys) & SlackInstallation.bot_token.is_not_null()
    )


async def delete(enterprise_id: str | None, team_id: str | None, *, bot_only: bool = False) -> None:
    """Forget a workspace's tokens (app_uninstalled; tokens_revoked with `bot_only` for the
    bot's). Its organization and data stay until an Admin deletes the organization."""
    key = workspace_key(enterprise_id, team_id, org_wide=team_id is None)
    if bot_only:
        await SlackInstallation.update(
            {
                SlackInstallation.bot_token: None,
                SlackInstallation.bot_refresh_token: None,
                SlackInstallation.bot_token_expires_at: None,
                SlackInstallation.updated_at: datetime.now(UTC),
            }
        ).where(SlackInstallation.workspace == key)
    else:
        await SlackInstallation.delete().where(SlackInstallation.workspace == key)
    log.info("deleted the Slack %s of %s", "bot token" if bot_only else "installation", key)


async def delete_user_tokens(enterprise_id: str | None, team_id: str | None, user_id: str) -> None:
    """tokens_revoked for users: the installer's user token, when it is one of them."""
    key = workspace_key(enterprise_id, team_id, org_wide=team_id is None)
    await SlackInstallation.update(
        {
            SlackInstallation.user_token: None,
            SlackInstallation.user_refresh_token: None,
            SlackInstallation.user_token_expires_at: None,
        }
    ).where((SlackInstallation.workspace == key) & (SlackInstallation.user_id == user_id))


# OAuth states ------------------------------------------------------------------------------


async def issue_state(state: str, now: datetime | None = None) -> None:
    moment = now or datetime.now(UTC)
    await SlackOAuthState.delete().where(SlackOAuthState.expires_at < moment)  # the stale ones
    await SlackOAuthState.insert(SlackOAuthState(state=state, expires_at=moment + STATE_TTL))


async def consume_state(state: str, now: datetime | None = None) -> bool:
    """Whether `state` was issued and has not expired; it can be used once."""
    if not state or len(state) > 100:
        return False
    moment = now or datetime.now(UTC)
    deleted = (
        await SlackOAuthState.delete()
        .where(SlackOAuthState.state == state)
        .returning(SlackOAuthState.expires_at)
    )
    return bool(deleted) and _aware(deleted[0]["expires_at"]) > moment
