"""`hirebot demo`'s loader: idempotent data, one live demo token at a time."""

from __future__ import annotations

import pytest

from api.demo import DEMO_JOBS, load_demo
from models.errors import Unauthenticated
from models.identity.operations import authenticate
from models.jobs.operations import job_detail
from models.pipeline.operations import fresh_counts, stage_counts
from models.tables import ApiToken, Job, Organization
from workers.llm import OFFLINE


def token_of(summary: str) -> str:
    return next(line.split()[-1] for line in summary.splitlines() if line.startswith("Demo token"))


async def test_demo_loads_once_and_replaces_its_token(db: None) -> None:
    first = token_of(await load_demo())
    second = token_of(await load_demo())
    assert await Organization.count() == 1
    assert await Job.count() == len(DEMO_JOBS)
    assert await ApiToken.count().where(ApiToken.revoked_at.is_null()) == 1
    with pytest.raises(Unauthenticated):
        await authenticate(first)
    admin = await authenticate(second)
    for job in await Job.select(Job.id):
        counts = {c.label: c.count for c in await stage_counts(admin, job["id"])}
        assert counts == await fresh_counts(job["id"])
        assert sum(counts.values()) >= 8


async def test_demo_descriptions_are_recorded_as_written_by_the_offline_writer(db: None) -> None:
    admin = await authenticate(token_of(await load_demo()))
    for job in await Job.select(Job.id, Job.owner):
        detail = await job_detail(admin, job["id"])
        provenance = detail.description_provenance
        assert provenance is not None
        assert (provenance.written_by, provenance.model) == ("model", OFFLINE)
        assert provenance.accepted_by_id == job["owner"]
        assert provenance.source == "generated"
