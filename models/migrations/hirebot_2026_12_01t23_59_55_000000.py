"""The index the relay and the sweeper read: unsent and undone messages by due time."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-01T23:59:55:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox index"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hirebot", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine configured")
        await engine.run_querystring(
            QueryString(
                "CREATE INDEX IF NOT EXISTS outbox_message_open_idx "
                'ON "outbox_message" (done_at, available_at)'
            )
        )

    async def run_backwards() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine configured")
        await engine.run_querystring(QueryString("DROP INDEX IF EXISTS outbox_message_open_idx"))

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
