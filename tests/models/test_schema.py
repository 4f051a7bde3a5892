"""Migrations create every table and the constraints that protect the data, on both engines."""

from __future__ import annotations

import pytest
from piccolo.engine.postgres import PostgresEngine

from models.db import current_engine
from models.tables import ALL_TABLES, Application, Job, JobShare
from tests import factories


async def test_every_table_exists(db: None) -> None:
    for table in ALL_TABLES:
        assert await table.table_exists(), table._meta.tablename


async def test_duplicate_share_is_rejected_by_the_database(db: None) -> None:
    org = await factories.org()
    owner = await factories.user(org)
    other = await factories.user(org)
    job = await factories.job(owner)
    await JobShare.insert(JobShare(job=job.id, user=other.user_id))
    with pytest.raises(Exception, match=r"(?i)unique"):
        await JobShare.insert(JobShare(job=job.id, user=other.user_id))


async def test_deleting_a_job_cascades(db: None) -> None:
    from models.jobs import operations as jobs
    from models.pipeline import operations as pipeline
    from models.pipeline.schemas import CandidateIn
    from models.tables import JobStageCount, ResumeScoreWeights

    org = await factories.org()
    owner = await factories.user(org)
    other = await factories.user(org)
    job = await factories.job(owner)
    await jobs.share_job(owner, job.id, [other.user_id])
    await pipeline.add_candidate(owner, job.id, CandidateIn(name="Ada", email="ada@example.com"))
    await jobs.delete_job(owner, job.id)
    for table in (JobShare, ResumeScoreWeights, JobStageCount, Application):
        assert await table.count().where(table.job == job.id) == 0  # type: ignore[attr-defined]
    assert await Job.count() == 0


async def test_experience_check_constraint_on_postgres(db: None) -> None:
    if not isinstance(current_engine(), PostgresEngine):
        pytest.skip("SQLite cannot add CHECK constraints after creating a table")
    org = await factories.org()
    owner = await factories.user(org)
    job = await factories.job(owner)
    with pytest.raises(Exception, match="job_experience_range"):
        await Job.update({Job.min_experience: 9, Job.max_experience: 1}).where(Job.id == job.id)
