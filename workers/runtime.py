"""A serving process's runtime: its resources and the broker it sends work through.

`hirebot serve` (the API's lifespan) and `hirebot bot --socket` run inside `serving(settings)`:
the resources open (`workers.resources`), then the broker of those settings starts and
becomes the process's own. With memory:// the tasks run in this process, and on the way
out those still running get the shutdown grace period to finish.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from taskiq import AsyncBroker, InMemoryBroker

from models.settings import Settings
from workers.broker import activate, build_broker
from workers.relay import start_relay, stop_relay
from workers.resources import close_resources, open_resources

# Collections of the youngest generation: one per this many new container objects. A big
# list (2,000 rows) allocates a few thousand records; at Python's default of 700 each list
# paid several collections, each walking every record still held by concurrent requests.
YOUNG_COLLECTION_THRESHOLD = 10_000
_settled = False


def settle_heap() -> None:
    """Once start-up is done, keep what it made (modules, routes, pools, the Slack app) out of
    the cyclic collector's way: frozen objects are never scanned again, so a collection walks
    only what requests made. Measured on `job-names-list/` (2,000 rows, cache off, 32
    connections): 302 to 539 requests a second (bench/README.md). Once per process."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, older, oldest)


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
