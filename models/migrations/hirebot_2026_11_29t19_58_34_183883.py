"""Composite unique indexes, the (job, stage) index and check constraints.

Piccolo's auto migrations add constraints with ALTER TABLE, which SQLite lacks; unique
indexes do the same job on both engines. Check constraints are PostgreSQL-only here (SQLite
cannot add them to an existing table); the domain operations validate the same rules first.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

ID = "2026-11-29T19:58:34:183883"
VERSION = "1.38.0"
DESCRIPTION = "composite unique indexes and checks"

UNIQUE_INDEXES = {
    "app_user_org_email_uniq": ("app_user", "org, email"),
    "app_user_org_slack_user_uniq": ("app_user", "org, slack_user_id"),
    "job_share_job_user_uniq": ("job_share", '"job", "user"'),
    "job_stage_count_job_stage_uniq": ("job_stage_count", "job, stage"),
    "candidate_org_email_uniq": ("candidate", "org, email"),
    "application_job_candidate_uniq": ("application", "job, candidate"),
    "candidate_response_uniq": ("candidate_response", "candidate, job, criteria"),
}

INDEXES = {
    "application_job_stage_idx": ("application", "job, stage, id"),
    "job_org_idx": ("job", "org, id"),
    "job_owner_idx": ("job", "owner, id"),
}

CHECKS = {
    "job_experience_range": (
        "job",
        "min_experience >= 0 AND max_experience <= 50 AND min_experience <= max_experience",
    ),
    "resume_score_weights_range": (
        "resume_score_weights",
        "skills BETWEEN 0 AND 100 AND experience BETWEEN 0 AND 100"
        " AND education BETWEEN 0 AND 100 AND criteria BETWEEN 0 AND 100"
        " AND skills + experience + education + criteria = 100",
    ),
    "job_stage_count_not_negative": ("job_stage_count", "total >= 0"),
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hirebot", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for name, (table, columns) in UNIQUE_INDEXES.items():
            await engine.run_querystring(
                QueryString(f'CREATE UNIQUE INDEX IF NOT EXISTS {name} ON "{table}" ({columns})')
            )
        for name, (table, columns) in INDEXES.items():
            await engine.run_querystring(
                QueryString(f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" ({columns})')
            )
        if isinstance(engine, PostgresEngine):
            for name, (table, condition) in CHECKS.items():
                await engine.run_querystring(
                    QueryString(f'ALTER TABLE "{table}" ADD CONSTRAINT {name} CHECK ({condition})')
                )

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        for name in [*UNIQUE_INDEXES, *INDEXES]:
            await engine.run_querystring(QueryString(f"DROP INDEX IF EXISTS {name}"))
        if isinstance(engine, PostgresEngine):
            for name, (table, _) in CHECKS.items():
                await engine.run_querystring(
                    QueryString(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS {name}')
                )

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
