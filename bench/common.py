"""What the benchmarks share: the repository on the import path, a database to run against
(created, migrated and dropped), and clean-up of a benchmark's Redis stream.

Hirebot's modules read their settings when first imported, so the scripts import them only
once the environment names the benchmark's database; nothing here imports them at the top.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # Hirebot's packages and the tests' fakes

from tests.environment import admin_execute, reachable  # noqa: E402

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def database_url(admin_url: str, name: str) -> str:
    """The URL of database `name` on the server `admin_url` points at."""
    return f"{admin_url.rsplit('/', 1)[0]}/{name}"


@contextmanager
def throwaway_database(admin_url: str, name: str, *, keep: bool = False) -> Iterator[str]:
    """A new PostgreSQL database (its URL), dropped on the way out unless `keep`."""
    admin_execute(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield database_url(admin_url, name)
    finally:
        if not keep:
            admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def bench_database(url: str | None) -> Iterator[str]:
    """`url` when given; else a throw-away PostgreSQL database when one answers on
    127.0.0.1:5432; else a temporary SQLite file."""
    if url is None and reachable(POSTGRES_ADMIN):
        with throwaway_database(POSTGRES_ADMIN, f"hirebot_bench_{os.getpid()}") as created:
            yield created
    else:
        yield url or f"sqlite:///{tempfile.mkdtemp(prefix='hirebot-bench-')}/bench.db"


def migrate(url: str, *, quiet: bool = False) -> None:
    """`hirebot migrate` against `url` (`quiet`: without its summary line)."""
    hirebot = Path(sys.executable).with_name("hirebot")
    command = [str(hirebot) if hirebot.exists() else "hirebot", "migrate"]
    env = {**os.environ, "HIREBOT_DATABASE_URL": url, "HIREBOT_LOG_LEVEL": "WARNING"}
    stdout = subprocess.DEVNULL if quiet else None
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=stdout)


async def migrate_here() -> None:
    """Migrate the database the environment names, from this process, and open the pool."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from models.db import open_pool
    from models.settings import get_settings

    result = await run_forwards(app_name="all")
    assert result.success, result.message
    await open_pool(get_settings())


async def delete_queue(redis_url: str, queue: str) -> None:
    """Remove the stream of a benchmark's queue (and its other keys) from Redis."""
    from redis.asyncio import Redis

    async with Redis.from_url(redis_url) as redis:
        keys = [key async for key in redis.scan_iter(f"{queue}*")]
        if keys:
            await redis.delete(*keys)
