"""The database engine, chosen from HIREBOT_DATABASE_URL, and write transactions."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.query.methods.select import Select
from piccolo.table import Table

from models.errors import Conflict
from models.settings import Settings

RACES = (asyncpg.IntegrityConstraintViolationError, sqlite3.IntegrityError)
"""A constraint the domain did not check first: two writers raced for the same row."""

CLASHED = "the change clashed with another one made at the same moment; please try again"


def engine_from_settings(settings: Settings) -> Engine[Any]:
    """A Piccolo engine for the configured URL (SQLite file or PostgreSQL through asyncpg)."""
    url = settings.database_url
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # A generous busy timeout: IMMEDIATE write transactions queue instead of failing.
        return SQLiteEngine(path=str(path), timeout=30)
    parsed = urlparse(url)
    config = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": unquote(parsed.username or "postgres"),
        "password": unquote(parsed.password or "") or None,
        "database": parsed.path.lstrip("/") or "postgres",
    }
    return _PostgresEngine(config=config, extensions=(), log_queries=False)


class _PostgresEngine(PostgresEngine):
    """Piccolo's engine, without the server-version check its constructor makes.

    That check opens a connection when the engine is made (at import), and when the server
    is down it prints a coloured warning before the command's own one-line error; the
    first query finds out soon enough (PostgreSQL 10+ is required anyway).
    """

    async def check_version(self) -> None:
        return None


def current_engine() -> Engine[Any]:
    from models.tables import Job

    return Job._meta.db


AfterCommit = Callable[[], Awaitable[None]]
_after_commit: ContextVar[list[AfterCommit] | None] = ContextVar("after_commit", default=None)


@asynccontextmanager
async def atomic() -> AsyncIterator[None]:
    """A write transaction: IMMEDIATE on SQLite so concurrent writers queue, not fail.
    Nested, it joins the outer one.

    A unique or foreign-key violation (a race the domain's own checks could not see) rolls
    the transaction back and becomes `Conflict`, the one place that translates it. What
    `after_commit` registered runs once the outermost transaction has committed.
    """
    engine = current_engine()
    transaction: Any = (
        engine.transaction(transaction_type=TransactionType.immediate)
        if isinstance(engine, SQLiteEngine)
        else engine.transaction()
    )
    outermost = _after_commit.get() is None
    token = _after_commit.set([]) if outermost else None
    try:
        async with transaction:
            yield
    except RACES as error:
        raise Conflict(CLASHED) from error
    finally:
        callbacks = _after_commit.get() or []
        if token is not None:
            _after_commit.reset(token)
    if outermost:
        for callback in callbacks:
            await callback()


async def after_commit(callback: AfterCommit) -> None:
    """Run `callback` when the current transaction commits (at once outside one; never if
    it rolls back). Callbacks must not raise: the change is committed already."""
    pending = _after_commit.get()
    if pending is None:
        await callback()
    else:
        pending.append(callback)


def is_postgres() -> bool:
    return isinstance(current_engine(), PostgresEngine)


async def open_pool(settings: Settings) -> bool:
    """Open the PostgreSQL connection pool on this event loop; False if there was one already.

    It opens no connection yet (min_size 0), so a process starts while PostgreSQL is down
    and its requests find the database as soon as it is back.
    """
    engine = current_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(
            min_size=0, max_size=settings.db_pool_size, reset=_no_session_state
        )
        return True
    return False


FILL_SECONDS = 5.0


async def fill_pool(settings: Settings) -> int:
    """Open the pool's connections now (how many opened), rather than during the first burst
    of requests: each costs a TCP and authentication handshake, and a burst of 50 Slack
    commands right after start-up otherwise pays them all at once, inside its acks.

    Best effort: a database that is down or slow leaves the pool to fill itself later.
    """
    engine = current_engine()
    pool = getattr(engine, "pool", None)
    if not isinstance(engine, PostgresEngine) or pool is None:
        return 0
    held: list[Any] = []

    async def one() -> None:
        held.append(await pool.acquire())

    try:
        async with asyncio.timeout(FILL_SECONDS):
            await asyncio.gather(*(one() for _ in range(settings.db_pool_size)))
    except TimeoutError:
        pass  # slow to answer: the rest open on demand
    finally:
        for connection in held:
            await pool.release(connection)
    return len(held)


async def _no_session_state(connection: object) -> None:
    """Skip asyncpg's default reset on release (four statements, a round trip per query).

    asyncpg still rolls back an open transaction itself; Hirebot sets no session state
    (no SET, LISTEN, advisory locks or prepared names to forget), so nothing else to undo.
    """


async def close_pool() -> None:
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


async def fetch_rows(query: Select) -> Sequence[Mapping[str, Any]]:
    """The rows of a Piccolo select: asyncpg's records as they come on PostgreSQL, Piccolo's
    dicts on SQLite (both read as `row["column"]`).

    Piccolo copies every record into a dict, which is a third of the time of a list of
    thousands of rows; for big reads the records are enough. The statement is the one Piccolo
    built (so the query, and the rule in it, is written once) and asyncpg prepares it once
    per connection.
    """
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        [querystring] = query.querystrings
        sql, args = querystring.compile_string(engine_type="postgres")
        return await _fetch(engine, sql, args)
    return await query  # type: ignore[no-any-return]


class Compiled:
    """A Piccolo select built and compiled once, then run with new values (PostgreSQL).

    Building a select of many columns costs Piccolo about a millisecond, more than running
    it. `build(*values)` must make the same statement whatever the values (no branch on
    them): it is built once with sentinel values, which show where each value goes among
    the statement's arguments. SQLite builds the query every time.
    """

    def __init__(self, build: Callable[..., Select]) -> None:
        self.build = build
        self._sql: str | None = None
        self._slots: list[tuple[bool, Any]] = []  # (is a value, its index or the constant)

    async def rows(self, *values: Any) -> Sequence[Mapping[str, Any]]:
        engine = current_engine()
        if not isinstance(engine, PostgresEngine):
            return await fetch_rows(self.build(*values))
        sql, args = self.statement(*values)
        return await _fetch(engine, sql, args)

    def statement(self, *values: Any) -> tuple[str, list[Any]]:
        """The PostgreSQL statement and its arguments for these values."""
        if self._sql is None:
            sentinels = [-(10**9) - n for n in range(len(values))]
            [querystring] = self.build(*sentinels).querystrings
            sql, args = querystring.compile_string(engine_type="postgres")
            self._slots = [
                (True, sentinels.index(arg)) if arg in sentinels else (False, arg) for arg in args
            ]
            self._sql = sql
        args = [values[ref] if is_value else ref for is_value, ref in self._slots]
        return self._sql, args


async def _fetch(engine: PostgresEngine, sql: str, args: list[Any]) -> Sequence[Mapping[str, Any]]:
    """Run `sql` in the transaction under way, or on a connection of the pool."""
    return await _run(engine, "fetch", sql, args)  # type: ignore[no-any-return]


async def fetch_value(sql: str, args: list[Any]) -> Any:
    """The first column of the first row of a PostgreSQL statement."""
    engine = current_engine()
    assert isinstance(engine, PostgresEngine)
    return await _run(engine, "fetchval", sql, args)


async def _run(engine: PostgresEngine, method: str, sql: str, args: list[Any]) -> Any:
    transaction = engine.current_transaction.get()
    if transaction is not None:
        return await getattr(transaction.connection, method)(sql, *args)
    if engine.pool is not None:
        async with engine.pool.acquire() as connection:
            return await getattr(connection, method)(sql, *args)
    connection = await engine.get_new_connection()
    try:
        return await getattr(connection, method)(sql, *args)
    finally:
        await connection.close()


async def insert_one(row: Table) -> dict[str, Any]:
    """Insert one row and return it as stored (ids, defaults and all)."""
    table = type(row)
    try:
        inserted = await table.insert(row).returning(*table.all_columns())
    except RACES as error:
        raise Conflict(CLASHED) from error
    return dict(inserted[0])


async def ping() -> None:
    """One round trip to the database (readiness); raises when it does not answer."""
    await current_engine().run_ddl("SELECT 1")


async def pending_migrations() -> list[str]:
    """The ids of the migrations this database has not run yet."""
    from piccolo.apps.migrations.commands.check import CheckMigrationManager

    statuses = await CheckMigrationManager("all").get_migration_statuses()
    return [status.migration_id for status in statuses if not status.has_ran]


def describe_database(settings: Settings) -> str:
    """The configured database, for messages: the SQLite file, or PostgreSQL's host and
    database (never the password)."""
    url = settings.database_url
    if url.startswith("sqlite:///"):
        return str(Path(url.removeprefix("sqlite:///")).absolute())
    parsed = urlparse(url)
    return f"{parsed.hostname or '127.0.0.1'}:{parsed.port or 5432}/{parsed.path.lstrip('/')}"


_UNMIGRATED = (asyncpg.UndefinedTableError, asyncpg.UndefinedColumnError)
_UNREACHABLE = (
    OSError,  # refused, unknown host, timeout
    asyncpg.PostgresConnectionError,
    asyncpg.InvalidAuthorizationSpecificationError,  # wrong user or password
    asyncpg.InvalidCatalogNameError,  # no such database
)


def problem(error: BaseException, settings: Settings) -> str | None:
    """One line saying why a command cannot use the database (not migrated, unreachable),
    or None for an error that is not about the database as a whole."""
    if isinstance(error, _UNMIGRATED) or (
        isinstance(error, sqlite3.OperationalError)
        and str(error).startswith(("no such table", "no such column"))
    ):
        return (
            f"the database {describe_database(settings)} is not migrated yet: run `hirebot migrate`"
        )
    if isinstance(error, (*_UNREACHABLE, sqlite3.OperationalError)):
        return f"cannot reach the database {describe_database(settings)}: {error}"
    return None
