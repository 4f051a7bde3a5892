"""`hirebot bot --socket`: the same Bolt app over Socket Mode, for workspaces that cannot
expose a public URL. Slack then sends requests over a WebSocket the bot opens (with the
app-level token), so there is no request URL and no signature to check.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

import bot.conversation.tasks
import bot.tasks  # noqa: F401
from bot.app import build_bolt_app
from bot.payloads import Malformed, check_shape
from models.settings import Settings
from workers.runtime import serving, settle_heap

log = logging.getLogger(__name__)


class GuardedSocketModeClient(SocketModeClient):
    """slack_sdk's Socket Mode client, refusing envelopes it cannot read: a message that is
    not JSON, or whose payload is not an object, is logged in one line (and acknowledged,
    so Slack does not send it again) instead of raising inside the client."""

    async def process_message(self) -> None:
        try:
            await super().process_message()
        except json.JSONDecodeError:
            log.warning("refused a Socket Mode message that is not JSON")

    async def run_message_listeners(self, message: dict[str, Any], raw_message: str) -> None:
        envelope_id = message.get("envelope_id")
        if isinstance(envelope_id, str) and not isinstance(message.get("payload"), dict):
            await refuse(self, envelope_id, "the payload is not an object")
            return
        await super().run_message_listeners(message, raw_message)


async def refuse(client: SocketModeClient, envelope_id: str, reason: str) -> None:
    """Acknowledge an envelope without handling it (Slack would otherwise send it again)."""
    log.warning("refused a malformed Socket Mode payload: %s", reason)
    await client.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id))


class SocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler on the guarded client; payloads without the fields their
    kind needs are refused the same way (`bot.payloads`)."""

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        # Bolt's __init__ would start a plain client's message processor; build ours instead.
        self.app = app
        self.app_token = app_token
        self.client = GuardedSocketModeClient(
            app_token=app_token, logger=app.logger, web_client=app.client
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        try:
            check_shape(req.payload)
        except Malformed as error:
            await refuse(client, req.envelope_id, error.reason)
            return
        await super().handle(client, req)


def run_socket_mode(settings: Settings) -> int:
    """Serve Slack over Socket Mode until SIGTERM or Ctrl-C; the exit status."""
    missing = [
        name
        for name, value in (
            ("SLACK_APP_TOKEN", settings.slack_app_token),
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
        )
        if not value
    ]
    if missing:
        print(
            f"hirebot bot: set {' and '.join(missing)} to use Socket Mode "
            "(an app-level token xapp-... with connections:write; see README)",
            file=sys.stderr,
        )
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings))
    return 0


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Connect and handle requests until `stop` is set (by default: SIGTERM or SIGINT).

    The process runs what `hirebot serve` runs (`workers.runtime.serving`): the resources
    and the broker (with memory:// the tasks run here, as in the server).
    """
    stop = stop or _stop_on_signals()
    async with serving(settings):
        app = build_bolt_app(settings)
        await app.warm()
        handler = SocketModeHandler(app, settings.slack_app_token)
        await handler.connect_async()
        settle_heap()
        try:
            await stop.wait()
        finally:
            await handler.close_async()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop
