"""Installing Hirebot into any workspace (OAuth mode), end to end through the real app.

The browser's side is played by an HTTP client keeping cookies: the install page, then
the redirect Slack would send back with a code. The fake Slack Web API answers
`oauth.v2.access` (codes, refresh tokens), `auth.test` per bot token and `users.info`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from cryptography.fernet import Fernet

from api.app import create_app
from bot.acknowledge import drain
from bot.workspace_clients import WorkspaceClients
from models import events, installations
from models.enums import Role, Surface
from models.events import AuditFilters, EventType
from models.identity import operations as identity
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.jobs.schemas import Job
from models.secrets import SecretBox
from models.settings import Settings, get_settings
from models.tables import Job as JobTable
from models.tables import Organization, SlackInstallation, SlackOAuthState, User
from tests import factories
from tests.bot.conftest import PUBLIC_URL, SECRET, SlackUser
from tests.bot.test_flows import text_of
from tests.conftest import running
from tests.fakes import slack_requests as signed
from tests.fakes.slack_api import CLIENT_ID, CLIENT_SECRET, FakeSlackAPI, SlackCall
from workers.broker import active_broker

SECRET_KEY = Fernet.generate_key().decode()
GLOBEX, INITECH = "T0GLOBEX", "T0INITECH"
GLOBEX_ADMIN, INITECH_ADMIN = "UGLOBEX1", "UINITECH1"
STATE_COOKIE = "slack-app-oauth-state"


@pytest.fixture(name="oauth_settings")
def fx_oauth_settings(
    slack_api: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """OAuth mode: a client id and secret, no bot token (read back from the env, as the
    workers read it)."""
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("HIREBOT_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("HIREBOT_SLACK_API_URL", slack_api.base_url)
    monkeypatch.setenv("HIREBOT_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("HIREBOT_SLACK_RESPONSE_URL_HOSTS", "127.0.0.1")
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.slack_oauth
    yield settings
    get_settings.cache_clear()


@pytest.fixture(name="http")
async def fx_http(oauth_settings: Settings, db: None) -> AsyncIterator[httpx.AsyncClient]:
    """The browser and Slack, on the app (lifespan and task queue running)."""
    app = create_app(oauth_settings)
    async with (
        running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as client,
    ):
        yield client
        await drain()
        await active_broker().wait_all()  # type: ignore[attr-defined]


async def start_install(http: httpx.AsyncClient) -> str:
    """Open the install page as a browser; the state of the Add to Slack link."""
    page = await http.get("/slack/install")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Add to Slack" in page.text
    [link] = re.findall(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text)
    query = parse_qs(urlparse(link.replace("&amp;", "&")).query)
    assert query["client_id"] == [CLIENT_ID]
    assert "commands" in query["scope"][0].split(",")
    assert "users:read.email" in query["scope"][0].split(",")
    [state] = query["state"]
    assert http.cookies.get(STATE_COOKIE) == state  # the browser check of the callback
    return state


async def install(
    http: httpx.AsyncClient,
    slack_api: FakeSlackAPI,
    team_id: str,
    team_name: str,
    installer: str,
    *,
    rotating: bool = False,
) -> str:
    """The whole install of one workspace; the bot token Slack issued for it."""
    code = f"code-{team_id}"
    token = slack_api.grant(
        code, team_id=team_id, team_name=team_name, installer=installer, rotating=rotating
    )
    state = await start_install(http)
    done = await http.get("/slack/oauth_redirect", params={"code": code, "state": state})
    assert done.status_code == 200, done.text
    assert "Hirebot is installed" in done.text and team_name in done.text
    assert "/job new" in done.text  # what to do next
    return token


def server_log(caplog: pytest.LogCaptureFixture) -> str:
    """What the app logged (not this test's own HTTP client, which logs its URLs)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name != "httpx")


def use_cookie(http: httpx.AsyncClient, state: str) -> None:
    """The browser holds this state cookie (and no other)."""
    http.cookies.clear()
    http.cookies.set(STATE_COOKIE, state, domain=urlparse(PUBLIC_URL).hostname or "")


def as_user(http: httpx.AsyncClient, slack_api: FakeSlackAPI, user: str, team: str) -> SlackUser:
    return SlackUser(http, slack_api, user, team)


async def stored_token(team_id: str) -> str | None:
    found = await installations.find(SecretBox(SECRET_KEY), None, team_id)
    return None if found is None else found.bot_token


def bearer(call: SlackCall) -> str | None:
    return call.token


# The whole install ------------------------------------------------------------------------


async def test_the_whole_install_then_a_command_answered_with_that_workspaces_token(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    slack_api.set_email(GLOBEX_ADMIN, "dana@globex.example")
    with caplog.at_level(logging.DEBUG):  # even Slack's client's request and answer logs
        token = await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    logged = server_log(caplog)
    assert "oauth.v2.access" in logged  # Slack's client did log the exchange, at DEBUG
    for secret in (token, f"code-{GLOBEX}", CLIENT_SECRET):
        assert secret not in logged

    [exchange] = slack_api.calls("oauth.v2.access")
    assert exchange.params["code"] == f"code-{GLOBEX}"
    assert exchange.params["redirect_uri"] == f"{PUBLIC_URL}/slack/oauth_redirect"
    assert http.cookies.get(STATE_COOKIE) in (None, "")  # cleared: the state is spent

    # Stored, with the token encrypted at rest.
    [row] = await SlackInstallation.select().where(SlackInstallation.team_id == GLOBEX)
    assert row["bot_user_id"] == f"UBOT{GLOBEX}" and row["bot_id"] == f"B{GLOBEX}"
    assert row["user_id"] == GLOBEX_ADMIN
    assert "commands" in row["bot_scopes"].split(",")
    assert token not in str(row)
    assert SecretBox(SECRET_KEY).open(row["bot_token"]) == token

    # The workspace is an organization named after the team; the installer is its Admin.
    [org] = await Organization.select().where(Organization.slack_team_id == GLOBEX)
    assert org["name"] == "Globex" and row["org"] == org["id"]
    [admin] = await User.select().where(User.org == org["id"])
    assert admin["slack_user_id"] == GLOBEX_ADMIN and admin["role"] == Role.ADMIN.value
    assert admin["email"] == "dana@globex.example"

    # A command from that workspace is answered with that workspace's token.
    slack_api.reset()
    response = await as_user(http, slack_api, GLOBEX_ADMIN, GLOBEX).command("new Data Engineer")
    assert response.status_code == 200
    [opened] = await slack_api.await_for("views.open")
    assert bearer(opened) == token
    assert all(bearer(c) == token for c in slack_api.calls() if c.method != "response_url")


async def test_an_install_is_stored_once_and_a_reinstall_keeps_the_organization(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    first = await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    admin = await identity.known_slack_actor(GLOBEX, GLOBEX_ADMIN)
    assert admin is not None
    job = await factories.job(admin, title="Platform Engineer")

    second = await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    assert second != first
    assert await SlackInstallation.count().where(SlackInstallation.team_id == GLOBEX) == 1
    assert await stored_token(GLOBEX) == second
    assert await Organization.count().where(Organization.slack_team_id == GLOBEX) == 1
    assert (await jobs.get_job(admin, job.id)).title == "Platform Engineer"


# Two workspaces ---------------------------------------------------------------------------


async def test_two_workspaces_side_by_side_never_cross(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    globex_token = await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    initech_token = await install(http, slack_api, INITECH, "Initech", INITECH_ADMIN)
    globex = await identity.known_slack_actor(GLOBEX, GLOBEX_ADMIN)
    initech = await identity.known_slack_actor(INITECH, INITECH_ADMIN)
    assert globex is not None and initech is not None
    assert globex.org_id != initech.org_id and initech.role is Role.ADMIN
    await factories.job(globex, title="Globex Welder")
    await factories.job(initech, title="Initech TPS Analyst")

    slack_api.reset()
    await as_user(http, slack_api, INITECH_ADMIN, INITECH).command("list")
    [listed] = await slack_api.await_for("response_url")
    assert "Initech TPS Analyst" in text_of(listed) and "Globex" not in text_of(listed)

    slack_api.reset()
    await as_user(http, slack_api, GLOBEX_ADMIN, GLOBEX).open_home()
    await as_user(http, slack_api, INITECH_ADMIN, INITECH).open_home()
    homes = await slack_api.await_for("views.publish", 2)
    by_token = {bearer(call): text_of(call) for call in homes}
    assert set(by_token) == {globex_token, initech_token}
    assert "Globex Welder" in by_token[globex_token]
    assert "Initech" not in by_token[globex_token]
    assert "Initech TPS Analyst" in by_token[initech_token]
    assert "Globex" not in by_token[initech_token]


async def test_a_same_user_id_in_two_workspaces_is_two_people(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    await install(http, slack_api, INITECH, "Initech", INITECH_ADMIN)
    # A Slack user of Globex (same email as an Initech user) writes in Globex.
    initech_org = (await identity.get_org_by_name("Initech")).id
    await identity.create_user(initech_org, "sam@example.com", "Sam", "Editor")
    slack_api.set_email("USAM", "sam@example.com")
    await as_user(http, slack_api, "USAM", GLOBEX).command("list")
    await slack_api.await_for("response_url")
    rows = await User.select(User.org, User.slack_user_id).where(User.email == "sam@example.com")
    globex_org = (await identity.get_org_by_name("Globex")).id
    assert {(r["org"], r["slack_user_id"]) for r in rows} == {
        (initech_org, None),  # a link never crosses organizations
        (globex_org, "USAM"),
    }


# A workspace that has not installed Hirebot -----------------------------------------------


async def test_a_workspace_without_an_installation_gets_200_and_nothing_done(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    slack_api.reset()
    stranger = as_user(http, slack_api, "USTRANGER", "T0NOTHERE")
    with caplog.at_level(logging.WARNING):
        command = await stranger.command("list")
        home = await stranger.open_home()
        said, _ = await stranger.say("hello <@UBOT>", mention=True)
    for response in (command, home, said):
        assert response.status_code == 200 and response.content == b""
    await drain()
    assert slack_api.calls() == []  # nothing answered, with nobody's token
    assert await Organization.count().where(Organization.slack_team_id == "T0NOTHERE") == 0
    assert await User.count().where(User.slack_user_id == "USTRANGER") == 0
    lines = [r for r in caplog.records if "T0NOTHERE" in r.getMessage()]
    assert len(lines) == 3 and all(r.levelno == logging.WARNING for r in lines)


# Token rotation ---------------------------------------------------------------------------


async def expire_soon(team_id: str) -> None:
    await SlackInstallation.update(
        {SlackInstallation.bot_token_expires_at: datetime.now(UTC) + timedelta(minutes=5)}
    ).where(SlackInstallation.team_id == team_id)


async def test_an_expiring_token_is_refreshed_before_use_and_the_new_one_stored(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI, oauth_settings: Settings
) -> None:
    first = await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN, rotating=True)
    [row] = await SlackInstallation.select().where(SlackInstallation.team_id == GLOBEX)
    assert row["bot_token_expires_at"] is not None  # Slack said it expires (12 hours)

    # A request: Bolt's authorize refreshes it first (at the fake, not slack.com).
    await expire_soon(GLOBEX)
    slack_api.reset()
    await as_user(http, slack_api, GLOBEX_ADMIN, GLOBEX).command("new Data Engineer")
    [opened] = await slack_api.await_for("views.open")
    [refresh] = slack_api.calls("oauth.v2.access")
    assert refresh.params["grant_type"] == "refresh_token"
    second = await stored_token(GLOBEX)
    assert second is not None and second != first and bearer(opened) == second
    found = await installations.find(SecretBox(SECRET_KEY), None, GLOBEX)
    assert found is not None and found.bot_token_expires_at is not None
    assert found.bot_token_expires_at > datetime.now(UTC) + timedelta(hours=11)
    assert found.user_id == GLOBEX_ADMIN  # the same install, with a new token

    # A worker: its client for the workspace is refreshed the same way.
    await expire_soon(GLOBEX)
    slack_api.reset()
    client = await WorkspaceClients(oauth_settings).for_team(GLOBEX)
    assert client is not None
    third = await stored_token(GLOBEX)
    assert third not in (first, second) and client.token == third
    assert [c.params["grant_type"] for c in slack_api.calls("oauth.v2.access")] == ["refresh_token"]

    # A token far from expiry is used as it is.
    slack_api.reset()
    again = await WorkspaceClients(oauth_settings).for_team(GLOBEX)
    assert again is not None and again.token == third
    assert slack_api.calls("oauth.v2.access") == []


async def test_worker_clients_follow_the_thread_workspace(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI, oauth_settings: Settings
) -> None:
    globex = await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    initech = await install(http, slack_api, INITECH, "Initech", INITECH_ADMIN)
    clients = WorkspaceClients(oauth_settings)
    globex_client = await clients.for_team(GLOBEX)
    initech_client = await clients.for_team(INITECH)
    assert globex_client is not None and globex_client.token == globex
    assert initech_client is not None and initech_client.token == initech
    assert await clients.for_team(GLOBEX) is globex_client  # kept, not made per task
    assert await clients.for_team("T0NOTHERE") is None


async def test_a_description_is_posted_with_the_token_of_the_workspace_that_asked(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    initech = await install(http, slack_api, INITECH, "Initech", INITECH_ADMIN)
    slack_api.reset()
    user = as_user(http, slack_api, INITECH_ADMIN, INITECH)
    await user.say("create a job for Backend Engineer", dm=True)
    [card] = await slack_api.await_for(
        "chat.postMessage", predicate=lambda c: "Confirm" in str(c.params.get("blocks"))
    )
    assert bearer(card) == initech
    assert all(bearer(c) == initech for c in slack_api.calls() if c.method != "response_url")


# Uninstall ----------------------------------------------------------------------------------


async def test_uninstall_deletes_the_tokens_and_keeps_the_data(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    await install(http, slack_api, INITECH, "Initech", INITECH_ADMIN)
    globex = await identity.known_slack_actor(GLOBEX, GLOBEX_ADMIN)
    assert globex is not None
    job = await factories.job(globex, title="Globex Welder")

    body, headers = signed.event(SECRET, {"type": "app_uninstalled"}, team_id=GLOBEX)
    assert (await http.post("/slack/events", content=body, headers=headers)).status_code == 200
    await drain()
    assert await SlackInstallation.count().where(SlackInstallation.team_id == GLOBEX) == 0
    assert await installations.is_installed(None, INITECH)  # the other workspace stays
    assert await JobTable.exists().where(JobTable.id == job.id)  # the data stays for its Admin
    assert await Organization.exists().where(Organization.slack_team_id == GLOBEX)

    slack_api.reset()
    response = await as_user(http, slack_api, GLOBEX_ADMIN, GLOBEX).command("list")
    assert response.status_code == 200 and response.content == b""
    await drain()
    assert slack_api.calls() == []


async def test_revoked_bot_tokens_are_deleted(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    token = await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    revoked = {"type": "tokens_revoked", "tokens": {"bot": [f"UBOT{GLOBEX}"]}}
    body, headers = signed.event(SECRET, revoked, team_id=GLOBEX)
    assert (await http.post("/slack/events", content=body, headers=headers)).status_code == 200
    await drain()
    assert await stored_token(GLOBEX) is None
    assert not await installations.is_installed(None, GLOBEX)
    slack_api.revoke(token)
    slack_api.reset()
    response = await as_user(http, slack_api, GLOBEX_ADMIN, GLOBEX).command("list")
    assert response.status_code == 200 and response.content == b""
    assert slack_api.calls() == []


# Bad installs -------------------------------------------------------------------------------


async def failure(response: httpx.Response, why: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "Hirebot was not installed" in response.text and why in response.text
    assert "/slack/install" in response.text  # a way to start again


async def nothing_stored() -> None:
    assert await SlackInstallation.count() == 0
    assert await Organization.count() == 0


async def test_a_forged_missing_or_other_browsers_state_stores_nothing(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    slack_api.grant("good-code", team_id=GLOBEX, team_name="Globex", installer=GLOBEX_ADMIN)
    # No state at all.
    await failure(await http.get("/slack/oauth_redirect", params={"code": "good-code"}), "")
    # A state that was never issued, without the browser's cookie.
    forged = await http.get("/slack/oauth_redirect", params={"code": "good-code", "state": "x"})
    await failure(forged, "another browser")
    # A state that was never issued, with a cookie that matches it (a forged cookie).
    use_cookie(http, "forged-state")
    params = {"code": "good-code", "state": "forged-state"}
    await failure(await http.get("/slack/oauth_redirect", params=params), "expired")
    # A real state, from another browser (this one's cookie is another state).
    real = await start_install(http)
    use_cookie(http, "someone-elses")
    params = {"code": "good-code", "state": real}
    await failure(await http.get("/slack/oauth_redirect", params=params), "another browser")
    assert slack_api.calls("oauth.v2.access") == []  # the code was never exchanged
    await nothing_stored()


async def test_a_replayed_state_is_refused(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    slack_api.grant("code-1", team_id=GLOBEX, team_name="Globex", installer=GLOBEX_ADMIN)
    state = await start_install(http)
    params = {"code": "code-1", "state": state}
    assert (await http.get("/slack/oauth_redirect", params=params)).status_code == 200
    slack_api.grant("code-2", team_id=INITECH, team_name="Initech", installer=INITECH_ADMIN)
    use_cookie(http, state)  # the same link, again, with its cookie
    replayed = await http.get("/slack/oauth_redirect", params={"code": "code-2", "state": state})
    await failure(replayed, "expired or was already used")
    assert not await installations.is_installed(None, INITECH)


async def test_an_expired_state_is_refused(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    slack_api.grant("code-1", team_id=GLOBEX, team_name="Globex", installer=GLOBEX_ADMIN)
    await installations.issue_state("old-state", now=datetime.now(UTC) - timedelta(minutes=11))
    use_cookie(http, "old-state")
    late = await http.get("/slack/oauth_redirect", params={"code": "code-1", "state": "old-state"})
    await failure(late, "expired")
    assert await SlackOAuthState.count() == 0  # spent, even though too late
    await nothing_stored()


async def test_a_code_slack_refuses_is_a_failure_page_and_the_code_is_not_logged(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    state = await start_install(http)
    with caplog.at_level(logging.DEBUG):
        refused = await http.get(
            "/slack/oauth_redirect", params={"code": "secret-code-123", "state": state}
        )
    await failure(refused, "did not accept the authorization code")
    assert [c.response.get("error") for c in slack_api.calls("oauth.v2.access")] == ["invalid_code"]
    assert "secret-code-123" not in server_log(caplog)
    assert CLIENT_SECRET not in server_log(caplog)
    await nothing_stored()


async def test_slack_down_during_the_exchange_is_a_failure_page_not_a_500(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    slack_api.grant("code-1", team_id=GLOBEX, team_name="Globex", installer=GLOBEX_ADMIN)
    slack_api.server_error_next("oauth.v2.access", 503)
    state = await start_install(http)
    failed = await http.get("/slack/oauth_redirect", params={"code": "code-1", "state": state})
    await failure(failed, "did not accept the authorization code")
    await nothing_stored()


async def test_a_cancelled_install_says_so(http: httpx.AsyncClient) -> None:
    state = await start_install(http)
    cancelled = await http.get(
        "/slack/oauth_redirect", params={"error": "access_denied", "state": state}
    )
    await failure(cancelled, "cancelled")
    await nothing_stored()


# One person across Slack and the API --------------------------------------------------------


async def api_actor(user_id: int) -> Actor:
    return await identity.get_actor(user_id, Surface.API)


async def test_a_cli_created_user_arriving_in_slack_keeps_their_jobs(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    org = await identity.get_org_by_name("Globex")
    # What `hirebot user create --org Globex --email pat@globex.example ...` does.
    pat = await identity.create_user(org.id, "pat@globex.example", "Pat", "Editor")
    job = await factories.job(await api_actor(pat.id), title="Pat's Recruiter Role")

    slack_api.set_email("UPAT", "Pat@Globex.example")
    slack_api.reset()
    await as_user(http, slack_api, "UPAT", GLOBEX).command("list")
    [listed] = await slack_api.await_for("response_url")
    assert "Pat's Recruiter Role" in text_of(listed)
    [row] = await User.select().where(User.org == org.id).where(User.email == pat.email)
    assert row["id"] == pat.id and row["slack_user_id"] == "UPAT"
    assert row["role"] == Role.EDITOR.value  # their role, not the default for newcomers
    assert await User.count().where(User.org == org.id) == 2  # the Admin and Pat
    assert (await jobs.get_job(await api_actor(pat.id), job.id)).owner_id == pat.id
    admin = await identity.known_slack_actor(GLOBEX, GLOBEX_ADMIN)
    assert admin is not None
    [linked] = (await events.audit(admin, AuditFilters(type=EventType.USER_UPDATED))).items
    assert (linked.entity_id, linked.surface, linked.actor_id) == (pat.id, "slack", None)
    assert linked.after == {"slack_user_id": "UPAT"}
    made = (await events.audit(admin, AuditFilters(type=EventType.USER_CREATED))).items
    assert {(e.entity_id, e.surface) for e in made} == {(admin.user_id, "slack"), (pat.id, "cli")}

    # Known now: no second users.info.
    slack_api.reset()
    await as_user(http, slack_api, "UPAT", GLOBEX).command("list")
    await slack_api.await_for("response_url")
    assert slack_api.calls("users.info") == []


async def test_without_an_email_a_slack_user_is_created_as_before(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    org = await identity.get_org_by_name("Globex")
    await identity.create_user(org.id, "ushy@example.com", "Not them", "Viewer")
    slack_api.set_email("USHY", None)  # no users:read.email, or no address
    await as_user(http, slack_api, "USHY", GLOBEX).command("list")
    await slack_api.await_for("response_url")
    [created] = await User.select().where(User.slack_user_id == "USHY")
    assert created["email"] == f"ushy@{GLOBEX.lower()}.slack"
    assert created["role"] == Role.EDITOR.value
    assert await User.count().where(User.org == org.id) == 3


async def colleague_and_job(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> tuple[identity.schemas.User, Job]:
    """Globex installed; Sam, made by the API, whose Slack account has the same email; and
    the Admin's job."""
    await install(http, slack_api, GLOBEX, "Globex", GLOBEX_ADMIN)
    org = await identity.get_org_by_name("Globex")
    sam = await identity.create_user(org.id, "sam@globex.example", "Sam", "Viewer")
    admin = await identity.known_slack_actor(GLOBEX, GLOBEX_ADMIN)
    assert admin is not None
    slack_api.set_email("USAM", "sam@globex.example")
    return sam, await factories.job(admin, title="Welder")


async def test_share_links_mentioned_colleagues_by_email(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    sam, job = await colleague_and_job(http, slack_api)

    await as_user(http, slack_api, GLOBEX_ADMIN, GLOBEX).command(f"share {job.id} <@USAM>")
    [shared] = await slack_api.await_for("response_url")
    assert "Shared *Welder*" in text_of(shared)
    [row] = await User.select().where(User.slack_user_id == "USAM")
    assert row["id"] == sam.id  # linked, not a second Sam
    visible = await jobs.get_job(await api_actor(sam.id), job.id)
    assert visible.id == job.id
    looked_up = [call.params["user"] for call in slack_api.calls("users.info")]
    assert looked_up.count("USAM") == 1 and GLOBEX_ADMIN not in looked_up[1:]

    # Sharing another job: Sam is known now, so Slack is not asked who they are.
    admin = await identity.known_slack_actor(GLOBEX, GLOBEX_ADMIN)
    assert admin is not None
    other = await factories.job(admin, title="Fitter")
    slack_api.reset()
    await as_user(http, slack_api, GLOBEX_ADMIN, GLOBEX).command(f"share {other.id} <@USAM>")
    [again] = await slack_api.await_for("response_url")
    assert "Shared *Fitter*" in text_of(again)
    assert slack_api.calls("users.info") == []


async def test_the_conversation_share_links_by_email_too(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    sam, job = await colleague_and_job(http, slack_api)
    user = as_user(http, slack_api, GLOBEX_ADMIN, GLOBEX)

    await user.say(f"share {job.id} with <@USAM>", dm=True)
    [card] = await slack_api.await_for(
        "chat.postMessage", predicate=lambda c: "Confirm" in str(c.params.get("blocks"))
    )
    await confirm(user, card)
    await slack_api.await_for("chat.update", predicate=lambda c: "Confirmed" in text_of(c))
    [row] = await User.select().where(User.slack_user_id == "USAM")
    assert row["id"] == sam.id
    assert (await jobs.get_job(await api_actor(sam.id), job.id)).id == job.id


async def confirm(user: SlackUser, card: SlackCall) -> None:
    from tests.bot.test_flows import buttons

    message: dict[str, Any] = {**card.response["message"], "channel": card.params["channel"]}
    button = buttons(card)["Confirm"]
    response = await user.click(button["action_id"], button["value"], message=message)
    assert response.status_code == 200


def test_redaction_keeps_the_shape_of_uvicorns_access_log() -> None:
    from uvicorn.logging import AccessFormatter

    from bot.slack_client import SecretsRedacted

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/slack/oauth_redirect?code=abc.123&state=s1", "1.1", 400),
        None,
    )
    assert SecretsRedacted().filter(record)
    line = AccessFormatter('%(client_addr)s "%(request_line)s" %(status_code)s').format(record)
    assert "abc.123" not in line
    redacted = "GET /slack/oauth_redirect?code=[redacted]&state=s1 HTTP/1.1"
    assert line == f'127.0.0.1:5000 "{redacted}" 400 Bad Request'
    bolt = logging.LogRecord("x", logging.WARNING, __file__, 1, "with code: %s", ("c-1",), None)
    SecretsRedacted().filter(bolt)
    assert bolt.getMessage() == "with code: [redacted]"
    sdk = logging.LogRecord(
        "x", logging.DEBUG, __file__, 1, "body: %s", ({"access_token": "xoxb-1-2", "n": 1},), None
    )
    SecretsRedacted().filter(sdk)
    assert "xoxb" not in sdk.getMessage() and "'n': 1" in sdk.getMessage()
