"""Shared fixtures. The environment is fixed here, before any Hirebot module is imported."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from litestar import Litestar
from taskiq import AsyncBroker

from tests.environment import choose, drop_database

SERVICES = choose()
os.environ["HIREBOT_DATABASE_URL"] = SERVICES.database_url
os.environ["HIREBOT_DATA_DIR"] = tempfile.mkdtemp(prefix="hirebot-data-")  # never the user's
os.environ["HIREBOT_BROKER_URL"] = "memory://"
os.environ["HIREBOT_CACHE_URL"] = "memory://"
os.environ["OPENAI_API_KEY"] = ""
os.environ["SLACK_BOT_TOKEN"] = ""
os.environ["SLACK_SIGNING_SECRET"] = ""
os.environ["SLACK_APP_TOKEN"] = ""
os.environ["HIREBOT_GENERATION_WAIT"] = "10"
os.environ["HIREBOT_OFFLINE_STREAM_PACE"] = "0"

from api.app import create_app  # noqa: E402
from models.db import close_pool, current_engine, open_pool  # noqa: E402
from models.enums import Role  # noqa: E402
from models.identity.actor import Actor  # noqa: E402
from models.settings import Settings, get_settings  # noqa: E402
from models.tables import ALL_TABLES  # noqa: E402
from tests import factories  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402
from workers.broker import gateway_of  # noqa: E402
from workers.llm import LLMGateway, OpenAIGateway  # noqa: E402
from workers.runtime import serving  # noqa: E402


def pytest_report_header() -> str:
    return f"hirebot: database={SERVICES.engine} redis={SERVICES.redis_url or 'none'}"


def pytest_sessionfinish(session: pytest.Session) -> None:
    if SERVICES.database_name:
        drop_database(SERVICES.database_name)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "postgres_only" in item.keywords and SERVICES.engine != "postgres":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL"))
        if "redis" in item.keywords and SERVICES.redis_url is None:
            item.add_marker(pytest.mark.skip(reason="needs Redis"))


@pytest.fixture(scope="session")
async def migrated() -> AsyncIterator[None]:
    """The test database with every migration applied (once per run)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards(app_name="all")
    assert result.success, result.message
    await open_pool(get_settings())
    yield
    await close_pool_of_the_run()


async def close_pool_of_the_run() -> None:
    """Close the pool, and terminate it when a connection is still checked out after 30 s:
    a test task cancelled between a connection's acquire and release (pytest-asyncio
    cancels what a test leaves running) would otherwise keep the run from ever ending.
    The database is dropped right after."""
    try:
        await asyncio.wait_for(asyncio.shield(close_pool()), 30)
    except TimeoutError:
        pool = getattr(current_engine(), "pool", None)
        if pool is not None:
            pool.terminate()


@pytest.fixture(name="db")
async def fx_db(migrated: None) -> AsyncIterator[None]:
    """An empty database for one test."""
    yield
    engine = current_engine()
    names = [table._meta.tablename for table in ALL_TABLES]
    if SERVICES.engine == "postgres":
        quoted = ", ".join(f'"{name}"' for name in names)
        await engine.run_ddl(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    else:
        for name in reversed(names):
            await engine.run_ddl(f'DELETE FROM "{name}"')


@pytest.fixture(name="app", scope="session")
def fx_app(migrated: None) -> Litestar:
    """The app, built once; each `client` runs its lifespan afresh."""
    return create_app()


@pytest.fixture(name="client")
async def fx_client(app: Litestar, db: None) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the app, on the test's event loop, with the lifespan running."""
    async with (
        running(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield client


@pytest.fixture(name="editor")
async def fx_editor(db: None) -> Actor:
    """An Editor of a new organization."""
    return await factories.user(await factories.org(), Role.EDITOR)


@pytest.fixture(name="broker")
async def fx_broker(db: None) -> AsyncIterator[AsyncBroker]:
    """taskiq's in-memory broker, started (resources open) and active, for one test."""
    async with serving(get_settings()) as broker:
        yield broker
        await broker.wait_all()  # type: ignore[attr-defined]


@pytest.fixture(name="fake_openai")
def fx_fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(name="online")
async def fx_online(broker: AsyncBroker, fake_openai: FakeOpenAI) -> AsyncIterator[LLMGateway]:
    """The real OpenAI gateway, pointed at the fake server, injected into the tasks."""
    gateway = OpenAIGateway(
        Settings(
            openai_api_key="test",
            openai_base_url=fake_openai.base_url,
            llm_model="fake-model",
            llm_max_attempts=1,
            llm_timeout_seconds=10,
        )
    )
    broker.dependency_overrides[gateway_of] = lambda: gateway
    yield gateway
    await gateway.aclose()


@asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """Run the app's lifespan in a task of its own: anyio needs one task to enter and exit it,
    and pytest-asyncio sets fixtures up and tears them down in different tasks."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # startup failed: raise its error here
    try:
        yield
    finally:
        stop.set()
        await task
