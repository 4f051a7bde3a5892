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
from typing import Any

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


DRAFTING = "Drafting a job description for "
DESCRIPTION = "Job description for "


def thread_roots(calls: list[Any], titles: set[str]) -> dict[str, str]:
    """The job's title for each thread a "Drafting..." message started, by its ts."""
    roots: dict[str, str] = {}
    for call in calls:
        text = str(call.params.get("text", ""))
        if call.method == "chat.postMessage" and call.ok and text.startswith(DRAFTING):
            title = text.removeprefix(DRAFTING).removesuffix("...")
            if title in titles:
                roots[str(call.response.get("ts"))] = title
    return roots


def descriptions_by_title(calls: list[Any], titles: set[str]) -> dict[str, int]:
    """How many times each job's description reached its thread (recorded fake Slack
    calls): posted whole, or streamed and ended with its buttons."""
    roots = thread_roots(calls, titles)
    streams: dict[str, str] = {}
    live: dict[str, str] = {}  # messages in a thread updated with the text so far
    counts: dict[str, int] = {}
    for call in calls:
        if not call.ok:
            continue
        text = str(call.params.get("text", ""))
        if call.method == "chat.postMessage" and "thread_ts" in call.params:
            title = text.removeprefix(DESCRIPTION)
            if text.startswith(DESCRIPTION) and title in titles:
                counts[title] = counts.get(title, 0) + 1
            elif str(call.params["thread_ts"]) in roots:
                live[str(call.response.get("ts"))] = roots[str(call.params["thread_ts"])]
        elif call.method == "chat.update" and str(call.params.get("ts")) in live:
            if text.startswith(DESCRIPTION):
                title = live.pop(str(call.params.get("ts")))
                counts[title] = counts.get(title, 0) + 1
        elif call.method == "chat.startStream":
            root = roots.get(str(call.params.get("thread_ts")))
            if root is not None:
                streams[str(call.response.get("ts"))] = root
        elif call.method == "chat.stopStream" and call.params.get("blocks"):
            title = streams.get(str(call.params.get("ts")))
            if title is not None:
                counts[title] = counts.get(title, 0) + 1
    return counts
