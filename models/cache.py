"""Per-user cache of the spec's job lists (`list/`, `job-names-list/`), kept in a Litestar store.

Every cached list of an organization hangs off one version token stored beside them; any
change that could alter a list in that organization replaces the token, so every process
sharing the store (Redis in production) stops serving the old lists at once. Old entries
simply expire.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

from models.identity.actor import Actor
from models.settings import Settings


class JobListCache:
    def __init__(self, store: Store | None = None, ttl_seconds: int = 300) -> None:
        self.store: Store = store or MemoryStore()
        self.ttl_seconds = ttl_seconds

    def configure(self, settings: Settings) -> None:
        """Use the store HIREBOT_CACHE_URL names (each process calls this once at startup)."""
        self.use(build_store(settings), settings.cache_ttl_seconds)

    def use(self, store: Store, ttl_seconds: int) -> None:
        """Point the cache at the process's configured store (called once at startup)."""
        self.store, self.ttl_seconds = store, ttl_seconds

    async def get_or_build(
        self, actor: Actor, kind: str, params: str, build: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        version = await self.store.get(_version_key(actor.org_id)) or b"0"
        digest = hashlib.sha256(params.encode()).hexdigest()[:16]
        owner = f"{actor.user_id}:{actor.role}"
        key = f"joblists:{actor.org_id}:{version.decode()}:{owner}:{kind}:{digest}"
        cached = await self.store.get(key)
        if cached is not None:
            return cached
        body = await build()
        await self.store.set(key, body, expires_in=self.ttl_seconds)
        return body

    async def invalidate(self, org_id: int) -> None:
        """Forget every cached list of the organization (call after the change committed)."""
        await self.store.set(_version_key(org_id), uuid.uuid4().hex.encode(), expires_in=86_400)


def build_store(settings: Settings) -> Store:
    """Memory for one process (the embedded default); Redis so every process shares it."""
    if settings.cache_url.startswith(("redis://", "rediss://")):
        return RedisStore.with_client(url=settings.cache_url, namespace="hirebot")
    return MemoryStore()


def _version_key(org_id: int) -> str:
    return f"joblists:{org_id}:version"


job_lists = JobListCache()
