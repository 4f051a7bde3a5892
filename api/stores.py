"""The Litestar store behind cached job lists: memory by default, Redis in production."""

from __future__ import annotations

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

from models.settings import Settings


def build_cache_store(settings: Settings) -> Store:
    if settings.cache_url.startswith(("redis://", "rediss://")):
        return RedisStore.with_client(url=settings.cache_url, namespace="hirebot")
    return MemoryStore()
