"""Slack scenario fixtures: the real app behind /slack/events, a fake Slack Web API, and
requests signed as Slack signs them.

The settings come from the environment (set here with monkeypatch), because the worker
resources read `get_settings()`: the Slack client the posting tasks use must point at the
same fake Slack API as the Bolt app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from api.app import create_app
from bot.acknowledge import drain
from models.enums import Role
from models.identity.actor import Actor
from models.identity.operations import resolve_slack_actor
from models.settings import Settings, get_settings
from tests.conftest import running
from tests.fakes import slack_requests as signed
from tests.fakes.slack_api import FakeSlackAPI
from workers.broker import active_broker

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
PUBLIC_URL = "https://hirebot.example.com"
TEAM = signed.TEAM_ID
OTHER_TEAM = "T0002"
ADMIN = signed.USER_ID  # the first user of the workspace becomes its Admin
CHANNEL = signed.CHANNEL_ID
DM = "D0000001"


@pytest.fixture(name="slack_api")
def fx_slack_api() -> Iterator[FakeSlackAPI]:
    """A fake Slack Web API on a loopback port, recording every call."""
    with FakeSlackAPI() as fake:
        yield fake


@pytest.fixture(name="slack_settings")
def fx_slack_settings(
    slack_api: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings with Slack configured and pointed at the fake (read back from the env)."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("HIREBOT_SLACK_API_URL", slack_api.base_url)
    monkeypatch.setenv("HIREBOT_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("HIREBOT_SLACK_RESPONSE_URL_HOSTS", "127.0.0.1")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()  # monkeypatch restores the environment right after


@pytest.fixture(name="slack_app")
def fx_slack_app(slack_settings: Settings, migrated: None) -> Litestar:
    return create_app(slack_settings)


@pytest.fixture(name="http")
async def fx_http(slack_app: Litestar, db: None) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the app with its lifespan and the task queue running."""
    async with (
        running(slack_app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=slack_app), base_url="http://testserver"
        ) as client,
    ):
        yield client
        await drain()  # the work the listeners started after their acks
        await active_broker().wait_all()  # type: ignore[attr-defined]


class SlackUser:
    """Sends what Slack would send when this user types a command or clicks."""

    def __init__(
        self, http: httpx.AsyncClient, slack_api: FakeSlackAPI, user_id: str, team_id: str
    ) -> None:
        self.http, self.slack_api = http, slack_api
        self.user_id, self.team_id = user_id, team_id

    async def send(self, body: str, headers: dict[str, str]) -> httpx.Response:
        return await self.http.post("/slack/events", content=body.encode(), headers=headers)

    async def command(
        self, text: str, command: str = "/job", *, channel: str = CHANNEL, **extra: Any
    ) -> httpx.Response:
        body, headers = signed.slash_command(
            SECRET,
            command=command,
            text=text,
            user_id=self.user_id,
            team_id=self.team_id,
            channel_id=channel,
            response_url=self.slack_api.response_url(f"/commands/{self.user_id}"),
            **extra,
        )
        return await self.send(body, headers)

    async def click(
        self, action_id: str, value: str, *, message: dict[str, Any] | None = None, **extra: Any
    ) -> httpx.Response:
        """A click on a message button (`message`: the message as posted), or in the App
        Home with `view_id=...`."""
        fields: dict[str, Any] = {}
        if message is not None:
            fields = {
                "message_ts": message["ts"],
                "channel_id": message.get("channel", CHANNEL),
                "message": message,
            }
        payload = signed.block_actions_payload(
            action_id,
            value,
            user_id=self.user_id,
            team_id=self.team_id,
            response_url=self.slack_api.response_url(f"/actions/{self.user_id}"),
            **{**fields, **extra},
        )
        return await self.send(*signed.interactivity(SECRET, payload))

    async def submit(
        self,
        view: dict[str, Any],
        state_values: dict[str, Any],
        *,
        payload: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Submit a modal as opened (`view`: the view of the views.open answer)."""
        payload = payload or self.submission(view, state_values)
        return await self.send(*signed.interactivity(SECRET, payload))

    def submission(self, view: dict[str, Any], state_values: dict[str, Any]) -> dict[str, Any]:
        return signed.view_submission_payload(
            view["callback_id"],
            state_values,
            private_metadata=view.get("private_metadata", ""),
            user_id=self.user_id,
            team_id=self.team_id,
            view_id=view["id"],
            blocks=view.get("blocks"),
        )

    async def say(
        self,
        text: str,
        *,
        channel: str = CHANNEL,
        thread_ts: str | None = None,
        mention: bool = False,
        dm: bool = False,
        ts: str | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        **extra: Any,
    ) -> tuple[httpx.Response, dict[str, Any]]:
        """A message (in a channel, a thread, or the DM with `dm=True`), or a mention of
        Hirebot; the response and the event sent."""
        inner = signed.message_event(
            text,
            self.user_id,
            DM if dm and channel == CHANNEL else channel,
            channel_type="im" if dm else "channel",
            ts=ts,
            thread_ts=thread_ts,
            mention=mention,
            **extra,
        )
        body, headers = signed.event(
            SECRET, inner, team_id=self.team_id, event_id=event_id, retry_num=retry_num
        )
        return await self.send(body, headers), inner

    async def open_home(self) -> httpx.Response:
        body, headers = signed.event(
            SECRET, signed.app_home_opened(self.user_id), team_id=self.team_id
        )
        return await self.send(body, headers)

    async def actor(self, role: Role = Role.EDITOR) -> Actor:
        """This user in Hirebot (created with `role`, unless first in the workspace)."""
        return await resolve_slack_actor(self.team_id, self.user_id, default_role=role)


@pytest.fixture(name="admin")
async def fx_admin(http: httpx.AsyncClient, slack_api: FakeSlackAPI) -> SlackUser:
    """The workspace's first Slack user (an Admin of the new organization)."""
    user = SlackUser(http, slack_api, ADMIN, TEAM)
    await user.actor()
    return user


@pytest.fixture(name="make_user")
def fx_make_user(http: httpx.AsyncClient, slack_api: FakeSlackAPI) -> Any:
    async def make(user_id: str, role: Role = Role.EDITOR, team_id: str = TEAM) -> SlackUser:
        user = SlackUser(http, slack_api, user_id, team_id)
        await user.actor(role)
        return user

    return make
