"""A Slack user is linked to at most one user per organization."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-02T18:55:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "one Hirebot user per Slack user and organization"

_INDEXES = {
    "app_user_org_slack_user_key": (
        "CREATE UNIQUE INDEX IF NOT EXISTS app_user_org_slack_user_key "
        'ON "app_user" (org, slack_user_id)'
    ),
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hirebot", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine configured")
        for statement in _INDEXES.values():
            await engine.run_querystring(QueryString(statement))

    async def run_backwards() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine configured")
        for name in _INDEXES:
            await engine.run_querystring(QueryString(f"DROP INDEX IF EXISTS {name}"))

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
