"""Choose the services the test run talks to, before any Hirebot module is imported.

PostgreSQL and Redis are used when reachable; otherwise the run falls back to SQLite and
the in-memory broker with a one-line notice. `HIREBOT_TEST_REQUIRE_SERVICES=1` (set by
.ci/run) forbids the fallback; `HIREBOT_TEST_ENGINE=sqlite` asks for SQLite explicitly.
Each run gets its own PostgreSQL database, dropped at the end, so runs never collide.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import tempfile
import uuid
from dataclasses import dataclass
from urllib.parse import urlparse

POSTGRES_ADMIN_URL = os.environ.get(
    "HIREBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("HIREBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("HIREBOT_TEST_REQUIRE_SERVICES", "") == "1"
WANTED_ENGINE = os.environ.get("HIREBOT_TEST_ENGINE", "")


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), 1):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class TestServices:
    engine: str  # "postgres" or "sqlite"
    database_url: str
    database_name: str | None
    redis_url: str | None


def admin_execute(admin_url: str, *statements: str) -> None:
    """Run `statements` on one connection to the PostgreSQL server of `admin_url`."""
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(admin_url)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def _create_database() -> tuple[str, str]:
    name = f"hirebot_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin_execute(POSTGRES_ADMIN_URL, f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def drop_database(name: str) -> None:
    admin_execute(POSTGRES_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def choose() -> TestServices:
    postgres_up = reachable(POSTGRES_ADMIN_URL)
    redis_up = reachable(REDIS_URL)
    if REQUIRE_SERVICES and not redis_up:
        raise SystemExit(f"Redis is required but not reachable at {REDIS_URL}")
    if WANTED_ENGINE != "sqlite" and REQUIRE_SERVICES and not postgres_up:
        raise SystemExit(f"PostgreSQL is required but not reachable at {POSTGRES_ADMIN_URL}")
    use_postgres = postgres_up and WANTED_ENGINE != "sqlite"
    if not (use_postgres or WANTED_ENGINE == "sqlite") or not redis_up:
        missing = [n for n, up in (("PostgreSQL", postgres_up), ("Redis", redis_up)) if not up]
        print(
            f"notice: {' and '.join(missing)} not reachable; testing on SQLite and the "
            "in-memory broker (tests that need them are skipped)",
            file=sys.stderr,
        )
    if use_postgres:
        name, url = _create_database()
        return TestServices("postgres", url, name, REDIS_URL if redis_up else None)
    path = os.path.join(tempfile.mkdtemp(prefix="hirebot-test-"), "test.db")
    return TestServices("sqlite", f"sqlite:///{path}", None, REDIS_URL if redis_up else None)
