"""Each job stores its JSON as the lists show it (PostgreSQL): `names_json` for
`job-names-list/`, `list_json` for `list/`, written by a trigger whenever the job is.

A list then reads one stored text per job and joins them (`models.json_lists`), instead of
building a record and a struct per row in Python. The expressions are what
`models.json_lists.row_json` writes for `JobName` and `Job` (with `JOB_IN_LISTS`); a test
checks the trigger against it, so a change to either struct needs a migration like this
one. The organization's job index carries `names_json` too, so an Admin's names stay an
index-only scan. SQLite builds its lists in Python and has none of this.
"""

from collections.abc import Awaitable, Callable

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-03T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "each job stores its JSON for the lists"

NAMES_JSON = (
    "'{\"id\":' || coalesce(NEW.\"id\"::text, 'null') || ',\"title\":'"
    " || coalesce(to_json(NEW.\"title\")::text, 'null') || ',\"status\":'"
    " || coalesce(to_json(NEW.\"status\")::text, 'null') || '}'"
)
LIST_JSON = (
    "'{\"id\":' || coalesce(NEW.\"id\"::text, 'null') || ',\"org_id\":'"
    " || coalesce(NEW.\"org\"::text, 'null') || ',\"owner_id\":'"
    " || coalesce(NEW.\"owner\"::text, 'null') || ',\"title\":'"
    " || coalesce(to_json(NEW.\"title\")::text, 'null') || ',\"description\":'"
    " || coalesce(to_json(NEW.\"description\")::text, 'null')"
    " || ',\"must_have_skills\":'"
    " || coalesce(coalesce(array_to_json(NEW.\"must_have_skills\")::text, '[]'), 'null')"
    " || ',\"employment_type\":'"
    " || coalesce(to_json(NEW.\"employment_type\")::text, 'null')"
    " || ',\"min_experience\":' || coalesce(NEW.\"min_experience\"::text, 'null')"
    " || ',\"max_experience\":' || coalesce(NEW.\"max_experience\"::text, 'null')"
    " || ',\"location\":' || coalesce(to_json(NEW.\"location\")::text, 'null')"
    " || ',\"status\":' || coalesce(to_json(NEW.\"status\")::text, 'null')"
    " || ',\"description_status\":'"
    " || coalesce(to_json(NEW.\"description_status\")::text, 'null')"
    " || ',\"description_generated_by\":'"
    " || coalesce(to_json(NEW.\"description_generated_by\")::text, 'null')"
    " || ',\"description_generated_at\":' || coalesce('\"'"
    " || to_char((NEW.\"description_generated_at\" AT TIME ZONE 'UTC'), 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    " || CASE WHEN date_trunc('second', NEW.\"description_generated_at\") = NEW.\"description_generated_at\" THEN '' ELSE to_char((NEW.\"description_generated_at\" AT TIME ZONE 'UTC'), '.US') END"
    " || 'Z\"', 'null') || ',\"description_error\":'"
    " || coalesce(to_json(NEW.\"description_error\")::text, 'null') || ',\"jd_json\":'"
    " || coalesce(CASE WHEN json_typeof(NEW.\"jd_json\") = 'object' THEN NEW.\"jd_json\"::text END, 'null')"
    " || ',\"jd_json_status\":'"
    " || coalesce(to_json(NEW.\"jd_json_status\")::text, 'null')"
    " || ',\"jd_json_generated_by\":'"
    " || coalesce(to_json(NEW.\"jd_json_generated_by\")::text, 'null')"
    " || ',\"jd_json_generated_at\":' || coalesce('\"'"
    " || to_char((NEW.\"jd_json_generated_at\" AT TIME ZONE 'UTC'), 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    " || CASE WHEN date_trunc('second', NEW.\"jd_json_generated_at\") = NEW.\"jd_json_generated_at\" THEN '' ELSE to_char((NEW.\"jd_json_generated_at\" AT TIME ZONE 'UTC'), '.US') END"
    " || 'Z\"', 'null') || ',\"jd_json_error\":'"
    " || coalesce(to_json(NEW.\"jd_json_error\")::text, 'null') || ',\"public_key\":'"
    " || coalesce(to_json(NEW.\"public_key\")::text, 'null') || ',\"created_at\":'"
    " || coalesce('\"'"
    " || to_char((NEW.\"created_at\" AT TIME ZONE 'UTC'), 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    " || CASE WHEN date_trunc('second', NEW.\"created_at\") = NEW.\"created_at\" THEN '' ELSE to_char((NEW.\"created_at\" AT TIME ZONE 'UTC'), '.US') END"
    " || 'Z\"', 'null') || ',\"updated_at\":' || coalesce('\"'"
    " || to_char((NEW.\"updated_at\" AT TIME ZONE 'UTC'), 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    " || CASE WHEN date_trunc('second', NEW.\"updated_at\") = NEW.\"updated_at\" THEN '' ELSE to_char((NEW.\"updated_at\" AT TIME ZONE 'UTC'), '.US') END"
    " || 'Z\"', 'null') || ',\"weights\":' || 'null' || ',\"description_provenance\":'"
    " || 'null' || ',\"language_check\":' || 'null' || '}'"
)
WRITTEN_COLUMNS = "id, org, owner, title, description, must_have_skills, employment_type, min_experience, max_experience, location, status, description_status, description_generated_by, description_generated_at, description_error, jd_json, jd_json_status, jd_json_generated_by, jd_json_generated_at, jd_json_error, public_key, created_at, updated_at"
"""The columns the JSON shows: an update of any of them writes it again."""

FORWARDS = [
    'ALTER TABLE "job" ADD COLUMN IF NOT EXISTS names_json text, '
    "ADD COLUMN IF NOT EXISTS list_json text",
    "CREATE OR REPLACE FUNCTION job_write_json() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN NEW.names_json := {NAMES_JSON}; NEW.list_json := {LIST_JSON}; RETURN NEW; END $$",
    'DROP TRIGGER IF EXISTS job_json ON "job"',
    f'CREATE TRIGGER job_json BEFORE INSERT OR UPDATE OF {WRITTEN_COLUMNS} ON "job" '
    "FOR EACH ROW EXECUTE FUNCTION job_write_json()",
    # Write the stored JSON of the jobs already there (the trigger does it on this update).
    'UPDATE "job" SET title = title',
    'ALTER TABLE "job" ALTER COLUMN names_json SET NOT NULL, '
    "ALTER COLUMN list_json SET NOT NULL",
    "CREATE INDEX IF NOT EXISTS job_org_names_idx "
    'ON "job" (org, id) INCLUDE (title, status, names_json)',
    "DROP INDEX IF EXISTS job_org_listing_idx",
]
BACKWARDS = [
    'CREATE INDEX IF NOT EXISTS job_org_listing_idx ON "job" (org, id) INCLUDE (title, status)',
    "DROP INDEX IF EXISTS job_org_names_idx",
    'DROP TRIGGER IF EXISTS job_json ON "job"',
    "DROP FUNCTION IF EXISTS job_write_json()",
    'ALTER TABLE "job" DROP COLUMN IF EXISTS names_json, DROP COLUMN IF EXISTS list_json',
]


def _steps(statements: list[str]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine configured")
        if isinstance(engine, PostgresEngine):
            for statement in statements:
                await engine.run_ddl(statement)

    return run


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hirebot", description=DESCRIPTION)
    manager.add_raw(_steps(FORWARDS))
    manager.add_raw_backwards(_steps(BACKWARDS))
    return manager
