"""`hirebot demo`'s loader: idempotent data, one live demo token at a time."""

from __future__ import annotations

import pytest

from api.demo import DEMO_JOBS, load_demo
from models.errors import Unauthenticated
from models.identity.operations import authenticate
from models.pipeline.operations import fresh_counts, stage_counts
from models.tables import ApiToken, Job, Organization


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
