"""Slack installations at rest: encrypted tokens, one per workspace, rotation saves,
single-use OAuth states, and the settings of OAuth mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from models import installations
from models.enums import Role
from models.identity import operations as identity
from models.installations import Installed
from models.secrets import SecretBox, SecretKeyError, UnreadableSecret
from models.settings import Settings, SettingsError
from models.tables import Organization, SlackInstallation, SlackOAuthState, User
from tests import factories

KEY = Fernet.generate_key().decode()
BOX = SecretBox(KEY)


def globex(**fields: object) -> Installed:
    values: dict[str, object] = {
        "team_id": "T0GLOBEX",
        "team_name": "Globex",
        "user_id": "UDANA",
        "bot_user_id": "UBOT",
        "bot_token": "xoxb-globex-1",
        "bot_scopes": ["commands", "chat:write"],
    }
    return Installed(**(values | fields))  # type: ignore[arg-type]


# Secrets --------------------------------------------------------------------------------------


def test_a_sealed_secret_opens_only_with_its_key_and_rotates() -> None:
    sealed = BOX.seal("xoxb-secret")
    assert sealed is not None and "xoxb" not in sealed
    assert BOX.open(sealed) == "xoxb-secret"
    assert BOX.seal(None) is None and BOX.open(None) is None
    other = Fernet.generate_key().decode()
    with pytest.raises(UnreadableSecret, match="HIREBOT_SECRET_KEY"):
        SecretBox(other).open(sealed)
    rotated = SecretBox(f"{other},{KEY}")  # the new key first, the old one still listed
    assert rotated.open(sealed) == "xoxb-secret"
    resealed = rotated.seal("xoxb-secret")
    assert SecretBox(other).open(resealed) == "xoxb-secret"


@pytest.mark.parametrize("keys", ["", " , ", "not-a-key", f"{KEY},short"])
def test_bad_keys_are_refused_with_how_to_make_one(keys: str) -> None:
    with pytest.raises(SecretKeyError, match=r"Fernet\.generate_key"):
        SecretBox(keys)


def test_an_installation_never_shows_its_tokens() -> None:
    shown = f"{globex()!r} {globex()!s}"
    assert "xoxb" not in shown and "T0GLOBEX" in shown


# Settings -------------------------------------------------------------------------------------

OAUTH = {
    "SLACK_CLIENT_ID": "1.2",
    "SLACK_CLIENT_SECRET": "s",
    "SLACK_SIGNING_SECRET": "x",
}


def test_oauth_mode_is_on_with_a_client_and_no_bot_token() -> None:
    settings = Settings.from_env({**OAUTH, "HIREBOT_SECRET_KEY": KEY}, env_file="/nonexistent")
    assert settings.slack_oauth and settings.slack_configured
    assert "users:read.email" in settings.slack_scope_list
    single = Settings.from_env({**OAUTH, "SLACK_BOT_TOKEN": "xoxb-1"}, env_file="/nonexistent")
    assert not single.slack_oauth and single.slack_configured  # the bot token wins


def test_oauth_mode_refuses_to_start_without_a_good_secret_key() -> None:
    with pytest.raises(SettingsError, match="HIREBOT_SECRET_KEY is required in OAuth mode"):
        Settings.from_env(OAUTH, env_file="/nonexistent")
    with pytest.raises(SettingsError, match="Fernet keys"):
        Settings.from_env({**OAUTH, "HIREBOT_SECRET_KEY": "hunter2"}, env_file="/nonexistent")
    with pytest.raises(SettingsError, match="SLACK_SCOPES"):
        Settings.from_env(
            {**OAUTH, "HIREBOT_SECRET_KEY": KEY, "SLACK_SCOPES": " , "}, env_file="/nonexistent"
        )


# Installations ----------------------------------------------------------------------------------


async def test_an_install_stores_encrypted_tokens_an_organization_and_its_admin(db: None) -> None:
    org_id = await installations.save(BOX, globex(), installer_email="Dana@Globex.example")
    [row] = await SlackInstallation.select()
    assert row["workspace"] == "T0GLOBEX" and row["org"] == org_id
    assert "xoxb-globex-1" not in str(row)
    [org] = await Organization.select().where(Organization.id == org_id)
    assert (org["name"], org["slack_team_id"]) == ("Globex", "T0GLOBEX")
    [admin] = await User.select().where(User.org == org_id)
    assert (admin["slack_user_id"], admin["role"]) == ("UDANA", Role.ADMIN.value)
    assert admin["email"] == "dana@globex.example"
    found = await installations.find(BOX, None, "T0GLOBEX")
    assert found is not None and found.bot_token == "xoxb-globex-1"
    assert found.bot_scopes == ["commands", "chat:write"] and found.org_id == org_id
    assert await installations.is_installed(None, "T0GLOBEX")
    assert not await installations.is_installed(None, "T0OTHER")


async def test_a_rotation_save_changes_only_the_tokens(db: None) -> None:
    first = globex(user_token="xoxp-dana", bot_refresh_token="xoxe-1-a")
    org_id = await installations.save(BOX, first)
    await User.update({User.role: Role.EDITOR}).where(User.slack_user_id == "UDANA")
    expires = datetime.now(UTC) + timedelta(hours=12)
    rotated = globex(
        installed_at=first.installed_at,
        bot_token="xoxe.xoxb-2",
        bot_refresh_token="xoxe-1-b",
        bot_token_expires_at=expires,
        user_token=None,  # Bolt leaves the installer's token out of what it rotates
    )
    assert await installations.save(BOX, rotated) == org_id
    found = await installations.find(BOX, None, "T0GLOBEX")
    assert found is not None
    assert (found.bot_token, found.bot_refresh_token) == ("xoxe.xoxb-2", "xoxe-1-b")
    assert found.user_token == "xoxp-dana"  # kept
    assert found.bot_token_expires_at is not None
    assert abs((found.bot_token_expires_at - expires).total_seconds()) < 1
    [dana] = await User.select().where(User.slack_user_id == "UDANA")
    assert dana["role"] == Role.EDITOR.value  # a rotation is not a new install


async def test_a_reinstall_by_someone_else_keeps_the_organization_and_adds_an_admin(
    db: None,
) -> None:
    org_id = await installations.save(BOX, globex())
    existing = await identity.create_user(org_id, "lee@globex.example", "Lee", "Viewer")
    again = globex(user_id="ULEE", bot_token="xoxb-globex-2")
    assert await installations.save(BOX, again, installer_email="lee@globex.example") == org_id
    assert await SlackInstallation.count() == 1
    [lee] = await User.select().where(User.slack_user_id == "ULEE")
    assert lee["id"] == existing.id and lee["role"] == Role.ADMIN.value  # linked, promoted


async def test_a_team_name_taken_by_another_organization_gets_the_team_id(db: None) -> None:
    await factories.org("Globex")
    org_id = await installations.save(BOX, globex())
    [org] = await Organization.select().where(Organization.id == org_id)
    assert org["name"] != "Globex" and "T0GLOBEX" in org["name"]


async def test_uninstall_and_revocation_delete_tokens_not_data(db: None) -> None:
    org_id = await installations.save(BOX, globex(user_token="xoxp-dana"))
    await installations.delete_user_tokens(None, "T0GLOBEX", "UOTHER")  # not the installer's
    found = await installations.find(BOX, None, "T0GLOBEX")
    assert found is not None and found.user_token == "xoxp-dana"
    await installations.delete_user_tokens(None, "T0GLOBEX", "UDANA")
    found = await installations.find(BOX, None, "T0GLOBEX")
    assert found is not None and found.user_token is None and found.bot_token
    await installations.delete(None, "T0GLOBEX", bot_only=True)
    assert not await installations.is_installed(None, "T0GLOBEX")
    await installations.delete(None, "T0GLOBEX")
    assert await SlackInstallation.count() == 0
    assert await Organization.exists().where(Organization.id == org_id)


# OAuth states -------------------------------------------------------------------------------


async def test_a_state_is_single_use_and_expires_in_ten_minutes(db: None) -> None:
    await installations.issue_state("fresh")
    assert await installations.consume_state("fresh")
    assert not await installations.consume_state("fresh")  # replayed
    assert not await installations.consume_state("never-issued")
    assert not await installations.consume_state("")
    assert not await installations.consume_state("x" * 5000)
    past = datetime.now(UTC) - timedelta(minutes=11)
    await installations.issue_state("stale", now=past)
    assert not await installations.consume_state("stale")
    await installations.issue_state("old", now=past)
    await installations.issue_state("new")  # issuing sweeps out the expired ones
    assert {r["state"] for r in await SlackOAuthState.select(SlackOAuthState.state)} == {"new"}
