"""What every Hirebot process opens before it serves anything, and closes last.

`hirebot serve` (the API's lifespan), `hirebot bot --socket` and each worker process call
`open_resources(settings)` with the settings they were started with: the database pool on
this event loop (its connections opened at once, so the first burst of requests does not pay
for them), and the purge of idempotency keys too old to matter. Calls nest (an
in-memory broker opens the worker side inside the server's lifespan): only the outermost
close releases anything.
"""

from __future__ import annotations

import logging

from models import idempotency
from models.db import close_pool, fill_pool, open_pool
from models.settings import Settings

log = logging.getLogger(__name__)

_depth = 0
_owns_pool = False


async def open_resources(settings: Settings) -> None:
    global _depth, _owns_pool
    _depth += 1
    if _depth > 1:
        return
    _owns_pool = await open_pool(settings)
    try:
        if _owns_pool:
            await fill_pool(settings)
        purged = await idempotency.purge()
    except Exception as error:  # the database is down: start anyway, /health says so
        log.warning("database unavailable at start-up (%r); going on without it", error)
        return
    if purged:
        log.info("forgot %d idempotency keys older than %d days", purged, idempotency.KEEP_DAYS)


async def close_resources() -> None:
    global _depth, _owns_pool
    if _depth == 0:
        return
    _depth -= 1
    if _depth == 0 and _owns_pool:
        _owns_pool = False
        await close_pool()
