"""Real outages of private services: a Redis of the test's own stopped and started again
under a running app, and `hirebot serve` started while its PostgreSQL does not exist yet.

Findings of the issue "no work lost": a Redis outage broke reads and orphaned drafts (4),
dead Redis connections were kept after a restart (5), `/health` answered 500 instead of
503 while PostgreSQL was down and `serve` could not start without it (8).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from api.app import create_app
from models.enums import Role
from models.settings import get_settings
from models.tables import OutboxMessage
from tests import factories
from tests.conftest import running
from tests.fakes.services import PrivatePostgres, PrivateRedis, free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(name="private_redis")
def fx_private_redis() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


async def until(condition: Callable[[], Any], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


@pytest.fixture(name="redis_app_client")
async def fx_redis_app_client(
    private_redis: PrivateRedis, db: None
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its broker and its list cache on the private Redis (no worker runs:
    what is queued stays in the stream)."""
    settings = dataclasses.replace(
        get_settings(),
        broker_url=f"{private_redis.url}/0?queue=outage",
        cache_url=f"{private_redis.url}/1",
    )
    app = create_app(settings)
    async with (
        running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        yield client


async def test_a_redis_outage_breaks_no_read_and_loses_no_work(
    redis_app_client: httpx.AsyncClient, private_redis: PrivateRedis
) -> None:
    client = redis_app_client
    editor = await factories.user(await factories.org(), Role.EDITOR)
    headers = await factories.headers(editor)
    await factories.job(editor, title="Platform Engineer")
    assert (await client.get("/api/jobs/list/", headers=headers)).status_code == 200

    private_redis.stop()
    started = time.monotonic()
    listed = await client.get("/api/jobs/list/", headers=headers)
    assert listed.status_code == 200 and listed.json()[0]["title"] == "Platform Engineer"
    assert time.monotonic() - started < 5
    created = await client.post(
        "/api/jobs/", json={"title": "Data Engineer", "description": "Move data."}, headers=headers
    )
    assert created.status_code == 201  # committed, and its conversion waits in the outbox
    health = await client.get("/health")
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "database": "ok", "broker": "down"}
    [waiting] = await OutboxMessage.select().where(OutboxMessage.sent_at.is_null())
    assert waiting["kwargs"] and waiting["last_error"]

    private_redis.start()  # the same port, no data: a restarted Redis

    async def sent() -> bool:
        return await OutboxMessage.count().where(OutboxMessage.sent_at.is_null()) == 0

    await until(sent)
    async with Redis.from_url(f"{private_redis.url}/0") as redis:
        entries = await redis.xrange("outage")
    assert any(b"convert_jd_to_json" in fields[b"data"] for _, fields in entries)
    assert (await client.get("/health")).status_code == 200
    again = await client.get("/api/jobs/list/", headers=headers)
    assert again.status_code == 200 and len(again.json()) == 2  # the cache works again


# PostgreSQL: serve starts without it, and recovers when it is back ----------------------


@pytest.fixture(name="private_postgres")
def fx_private_postgres() -> Iterator[PrivatePostgres]:
    if os.geteuid() != 0 or not Path("/usr/lib/postgresql").exists():
        pytest.skip("needs root and PostgreSQL's server binaries to start a private cluster")
    server = PrivatePostgres()
    yield server
    server.stop()


def test_serve_starts_without_its_database_and_recovers_when_it_is_back(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "HIREBOT_DATABASE_URL": private_postgres.url,
        "HIREBOT_BROKER_URL": "memory://",
        "HIREBOT_CACHE_URL": "memory://",
        "HIREBOT_LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        health = _get_when_up(port, "/health")
        assert health.status_code == 503, health.text
        assert health.json()["database"] == "down"
        token = {"Authorization": "Bearer hb_nothing"}
        assert (
            httpx.get(f"http://127.0.0.1:{port}/api/jobs/list/", headers=token).status_code == 503
        )

        private_postgres.start()
        subprocess.run([sys.executable, "-m", "api.cli", "migrate"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 20
        while httpx.get(f"http://127.0.0.1:{port}/health").status_code != 200:
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(0.3)
        assert (
            httpx.get(f"http://127.0.0.1:{port}/api/jobs/list/", headers=token).status_code == 401
        )
    finally:
        server.terminate()
        server.wait(20)


def _get_when_up(port: int, path: str) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5)
        except httpx.TransportError:
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
