"""Version numbers unique per job; model calls read by organization and month; the
descriptions that exist already become their jobs' version 1."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-02T10:22:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "description version and model call indexes"

_INDEXES = {
    "description_version_job_number_key": (
        'CREATE UNIQUE INDEX IF NOT EXISTS description_version_job_number_key '
        'ON "description_version" (job, number)'
    ),
    "model_call_org_created_idx": (
        'CREATE INDEX IF NOT EXISTS model_call_org_created_idx '
        'ON "model_call" (org, created_at)'
    ),
}

_BACKFILL = """
INSERT INTO description_version
    (job, number, text, author, author_user, surface, source, model_call, model,
     accepted_by, restored_from, created_at)
SELECT id, 1, description,
    CASE WHEN description_generated_by IS NULL THEN 'person' ELSE 'model' END,
    CASE WHEN description_generated_by IS NULL THEN owner ELSE NULL END,
    NULL,
    CASE WHEN description_generated_by IS NULL THEN 'typed' ELSE 'generated' END,
    NULL, description_generated_by, owner, NULL, updated_at
FROM job
WHERE description <> ''
  AND NOT EXISTS (SELECT 1 FROM description_version v WHERE v.job = job.id)
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hirebot", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine configured")
        for statement in _INDEXES.values():
            await engine.run_querystring(QueryString(statement))
        await engine.run_querystring(QueryString(_BACKFILL))

    async def run_backwards() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine configured")
        for name in _INDEXES:
            await engine.run_querystring(QueryString(f"DROP INDEX IF EXISTS {name}"))

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
