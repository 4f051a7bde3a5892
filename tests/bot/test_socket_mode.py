"""`hirebot bot --socket`: a missing token is a one-line error; with tokens, the same Bolt
app answers requests arriving over a (fake) Socket Mode WebSocket."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import WSMsgType, web

from bot.socket_mode import run_socket_mode, serve
from models.settings import Settings
from tests.fakes import slack_requests as signed
from tests.fakes.slack_api import FakeSlackAPI


@pytest.mark.parametrize(
    ("settings", "missing"),
    [
        (Settings(slack_bot_token="xoxb-1"), "SLACK_APP_TOKEN"),
        (Settings(slack_app_token="xapp-1"), "SLACK_BOT_TOKEN"),
        (Settings(), "SLACK_APP_TOKEN and SLACK_BOT_TOKEN"),
    ],
)
def test_a_missing_token_is_a_one_line_error(
    settings: Settings, missing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_socket_mode(settings) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"hirebot bot: set {missing} to use Socket Mode")


class FakeSocketMode:
    """Slack's side of a Socket Mode connection: says hello, sends envelopes, records acks."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.connected = asyncio.Event()
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/link", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"ws://127.0.0.1:{port}/link"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        self.connected.set()
        sender = asyncio.create_task(self._send(ws))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.received.append(json.loads(message.data))
        finally:
            sender.cancel()
        return ws

    async def _send(self, ws: web.WebSocketResponse) -> None:
        while True:
            await ws.send_json(await self.outbox.get())

    async def acked(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while True:
                for message in self.received:
                    if message.get("envelope_id") == envelope_id:
                        return message
                await asyncio.sleep(0.01)


@pytest.fixture(name="socket_server")
async def fx_socket_server() -> AsyncIterator[FakeSocketMode]:
    server = FakeSocketMode()
    await server.start()
    yield server
    await server.stop()


def command_envelope(response_url: str, text: str = "help") -> dict[str, Any]:
    payload = {
        "token": "verification-token",
        "team_id": signed.TEAM_ID,
        "team_domain": signed.TEAM_DOMAIN,
        "channel_id": signed.CHANNEL_ID,
        "channel_name": "hiring",
        "user_id": signed.USER_ID,
        "user_name": "u123",
        "command": "/job",
        "text": text,
        "api_app_id": signed.APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": signed.new_trigger_id(),
    }
    return {
        "envelope_id": "env-1",
        "type": "slash_commands",
        "payload": payload,
        "accepts_response_payload": True,
    }


async def test_socket_mode_answers_a_command_over_the_websocket(
    slack_settings: Settings,
    slack_api: FakeSlackAPI,
    socket_server: FakeSocketMode,
    db: None,
) -> None:
    slack_api.set_response("apps.connections.open", {"ok": True, "url": socket_server.url})
    settings = dataclasses.replace(slack_settings, slack_app_token="xapp-test")
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, stop))
    try:
        async with asyncio.timeout(5):
            await socket_server.connected.wait()
        [opened] = slack_api.calls("apps.connections.open")
        assert opened.token == "xapp-test"

        envelope = command_envelope(slack_api.response_url("/commands/socket"))
        await socket_server.outbox.put(envelope)
        ack = await socket_server.acked("env-1")
        assert ack == {"envelope_id": "env-1"}  # acknowledged; the help follows
        [answer] = await slack_api.await_for("response_url")
        assert answer.params["response_type"] == "ephemeral"
        assert "/job new" in json.dumps(answer.params["blocks"])

        await socket_server.outbox.put(envelope)  # the same envelope again: no second answer
        await socket_server.acked("env-1")
        await asyncio.sleep(0.3)
        assert len(slack_api.calls("response_url")) == 1
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)


@pytest.mark.parametrize(
    "payload",
    [
        "not an object",
        ["a", "list"],
        {"command": "/job", "text": "list"},  # no workspace or user
        {"type": "block_actions", "user": 7, "team": {"id": "T1"}, "actions": []},
        {"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": "x"},
    ],
)
async def test_socket_mode_acknowledges_a_malformed_payload_and_does_nothing(
    slack_settings: Settings,
    slack_api: FakeSlackAPI,
    socket_server: FakeSocketMode,
    db: None,
    payload: Any,
) -> None:
    from models.tables import Organization, User

    slack_api.set_response("apps.connections.open", {"ok": True, "url": socket_server.url})
    settings = dataclasses.replace(slack_settings, slack_app_token="xapp-test")
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, stop))
    try:
        async with asyncio.timeout(5):
            await socket_server.connected.wait()
        envelope = {"envelope_id": "env-bad", "type": "slash_commands", "payload": payload}
        await socket_server.outbox.put(envelope)
        assert await socket_server.acked("env-bad") == {"envelope_id": "env-bad"}
        await socket_server.outbox.put(command_envelope(slack_api.response_url("/after")))
        await slack_api.await_for("response_url")  # the connection still serves requests
        await asyncio.sleep(0.2)
        methods = [call.method for call in slack_api.calls()]
        assert methods.count("response_url") == 1
        assert set(methods) <= {"apps.connections.open", "auth.test", "response_url"}
        assert await Organization.count() == 0  # help creates nobody
        assert await User.count() == 0
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)


async def test_socket_mode_opens_the_same_resources_as_the_server(
    slack_settings: Settings, slack_api: FakeSlackAPI, socket_server: FakeSocketMode, db: None
) -> None:
    """Socket Mode runs `open_resources` like `hirebot serve` and the workers: keys past
    their keeping time are purged at start."""
    from datetime import UTC, datetime, timedelta

    from models.tables import TaskRun

    old = datetime.now(UTC) - timedelta(days=30)
    await TaskRun.insert(TaskRun(key="post:ancient:ok", status="done", created_at=old))
    await TaskRun.insert(TaskRun(key="post:recent:ok", status="done"))
    slack_api.set_response("apps.connections.open", {"ok": True, "url": socket_server.url})
    settings = dataclasses.replace(slack_settings, slack_app_token="xapp-test")
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, stop))
    try:
        async with asyncio.timeout(5):
            await socket_server.connected.wait()
        keys = {row["key"] for row in await TaskRun.select(TaskRun.key)}
        assert keys == {"post:recent:ok"}
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)
