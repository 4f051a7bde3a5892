"""`hirebot bot --socket`: the same Bolt app over Socket Mode, for workspaces that cannot
expose a public URL. Slack then sends requests over a WebSocket the bot opens (with the
app-level token), so there is no request URL and no signature to check.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.app import build_bolt_app
from models.cache import job_lists
from models.db import close_pool, open_pool
from models.settings import Settings
from workers.broker import broker_lifespan


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

    The process needs what `hirebot serve` opens: the database pool, the job-list cache
    and the broker (with memory:// the tasks run here, as in the server).
    """
    stop = stop or _stop_on_signals()
    opened = await open_pool(settings)
    job_lists.configure(settings)
    try:
        async with broker_lifespan():
            handler = AsyncSocketModeHandler(build_bolt_app(settings), settings.slack_app_token)
            await handler.connect_async()
            try:
                await stop.wait()
            finally:
                await handler.close_async()
    finally:
        if opened:
            await close_pool()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop
