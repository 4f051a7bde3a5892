"""Webhook deliveries and the incremental sync: the indexes they read by, and the criteria's
new `updated_at` taken from their creation."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-03T06:38:07:000000"
VERSION = "1.38.0"
DESCRIPTION = "webhook and sync indexes"

_INDEXES = {
    # The delivery worker's two questions: what is due, and is an earlier delivery of the
    # same entity to the same endpoint still on its way (partial: only pending rows).
    "webhook_delivery_due": (
        'CREATE INDEX IF NOT EXISTS webhook_delivery_due ON "webhook_delivery" '
        "(next_attempt_at) WHERE state = 'pending'"
    ),
    "webhook_delivery_in_order": (
        'CREATE INDEX IF NOT EXISTS webhook_delivery_in_order ON "webhook_delivery" '
        "(endpoint, ordering_key, id) WHERE state = 'pending'"
    ),
    "webhook_delivery_endpoint": (
        'CREATE INDEX IF NOT EXISTS webhook_delivery_endpoint ON "webhook_delivery" (endpoint, id)'
    ),
    # Incremental sync reads in (updated_at, id) order within an organization or a job.
    "job_org_updated": 'CREATE INDEX IF NOT EXISTS job_org_updated ON "job" (org, updated_at, id)',
    "application_job_updated": (
        'CREATE INDEX IF NOT EXISTS application_job_updated ON "application" '
        "(job, updated_at, id)"
    ),
    "candidate_response_job_updated": (
        'CREATE INDEX IF NOT EXISTS candidate_response_job_updated ON "candidate_response" '
        "(job, updated_at, id)"
    ),
    "criteria_job_updated": (
        'CREATE INDEX IF NOT EXISTS criteria_job_updated ON "criteria" (job, updated_at, id)'
    ),
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hirebot", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine configured")
        await engine.run_querystring(QueryString('UPDATE "criteria" SET updated_at = created_at'))
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
