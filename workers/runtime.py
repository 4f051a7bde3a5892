"""A serving process's runtime: its resources and the broker it sends work through.

`hirebot serve` (the API's lifespan) and `hirebot bot --socket` run inside `serving(settings)`:
the resources open (`workers.resources`), then the broker of those settings starts and
becomes the process's own. With memory:// the tasks run in this process, and on the way
out those still running get the shutdown grace period to finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from taskiq import AsyncBroker, InMemoryBroker

from models.settings import Settings
from workers.broker import activate, build_broker
from workers.relay import start_relay, stop_relay
from workers.resources import close_resources, open_resources


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[AsyncBroker]:
    await open_resources(settings)
    try:
        broker = activate(build_broker(settings))
        await broker.startup()
        await start_relay(broker, settings)  # (with memory:// the worker side started it)
        try:
            yield broker
        finally:
            await stop_relay()
            if isinstance(broker, InMemoryBroker):
                with suppress(TimeoutError):
                    await asyncio.wait_for(
                        broker.wait_all(), timeout=settings.worker_shutdown_grace_seconds
                    )
            await broker.shutdown()
    finally:
        await close_resources()
