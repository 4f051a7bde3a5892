"""The HTTP cache of the spec's encoded job lists (`list/`, `job-names-list/`).

Each list is cached per user under the version counter it was built from
(`models.list_versions`), read at the start of the request: a change committed before the
request started has moved the counter, so a stale list is never served, in any process.
The store is memory (one process) or Redis (`HIREBOT_CACHE_URL`); with `HIREBOT_CACHE_TTL=off`
there is none, and every request builds its list (no counter read either). It is not on the read
path's critical line: when the store fails, the list is built from the database (with a
warning), and the store is left alone for `PAUSE_SECONDS` so every request does not wait
for a dead Redis.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.list_versions import lists_version
from models.settings import Settings

log = logging.getLogger(__name__)

PAUSE_SECONDS = 5.0
STORE_FAILURES = (RedisError, OSError, TimeoutError)


class JobListCache:
    def __init__(self, store: Store | None = None, ttl_seconds: int | None = 300) -> None:
        """`ttl_seconds` None turns the cache off (a positive number of seconds otherwise:
        the memory store keeps a 0 for ever and Redis refuses it, so the settings never
        pass one)."""
        if ttl_seconds is not None and ttl_seconds < 1:
            raise ValueError(f"a cache TTL is at least 1 second, not {ttl_seconds}")
        self.store: Store = store or MemoryStore()
        self.ttl_seconds = ttl_seconds
        self._paused_until = 0.0

    async def owned_and_shared(self, actor: Actor) -> bytes:
        """`list/` as JSON."""

        async def build() -> bytes:
            return await jobs.list_owned_and_shared_json(actor)

        return await self._get_or_build(actor, "list", "", build)

    async def job_names(self, actor: Actor, title: str | None) -> bytes:
        """`job-names-list/` as JSON."""

        async def build() -> bytes:
            return await jobs.job_names_json(actor, title)

        return await self._get_or_build(actor, "names", (title or "").strip().lower(), build)

    async def _get_or_build(
        self, actor: Actor, kind: str, params: str, build: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        if self.ttl_seconds is None:
            return await build()
        version = await lists_version(actor)
        digest = hashlib.sha256(params.encode()).hexdigest()[:16]
        scope = "org" if actor.is_admin else "user"
        key = (
            f"joblists:{actor.org_id}:{actor.user_id}:{actor.role}:{scope}{version}:{kind}:{digest}"
        )
        cached = await self._get(key)
        if cached is not None:
            return cached
        body = await build()
        await self._set(key, body)
        return body

    async def _get(self, key: str) -> bytes | None:
        if time.monotonic() < self._paused_until:
            return None
        try:
            return await self.store.get(key)
        except STORE_FAILURES as error:
            self._pause(error)
            return None

    async def _set(self, key: str, body: bytes) -> None:
        if time.monotonic() < self._paused_until:
            return
        try:
            await self.store.set(key, body, expires_in=self.ttl_seconds)
        except STORE_FAILURES as error:
            self._pause(error)

    def _pause(self, error: BaseException) -> None:
        log.warning(
            "job-list cache store failed (%s); reading from the database for %.0f s",
            type(error).__name__,
            PAUSE_SECONDS,
        )
        self._paused_until = time.monotonic() + PAUSE_SECONDS


def build_store(settings: Settings) -> Store:
    """Memory for one process (the embedded default); Redis so every process shares it,
    with short timeouts (a dead Redis costs a request half a second, then none for a
    while) and connections checked after a restart."""
    if settings.cache_url.startswith(("redis://", "rediss://")):
        client = Redis.from_url(
            settings.cache_url,
            socket_connect_timeout=0.5,
            socket_timeout=0.5,
            health_check_interval=10,
            retry=Retry(NoBackoff(), 1),
            retry_on_error=[RedisConnectionError],
        )
        return RedisStore(client, namespace="hirebot")
    return MemoryStore()


def build_cache(settings: Settings) -> JobListCache:
    return JobListCache(build_store(settings), settings.cache_ttl_seconds)
