"""`hirebot demo`'s loader: idempotent data, one live demo token, reused while it is valid,
and jobs made like any other (their descriptions ready, structured by the workers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from taskiq import AsyncBroker

from api.demo import DEMO_JOBS, load_demo
from models.enums import GenerationStatus
from models.errors import Unauthenticated
from models.identity.operations import authenticate
from models.jobs.operations import job_detail
from models.pipeline.operations import fresh_counts, stage_counts
from models.tables import ApiToken, Job, Organization
from workers.llm import OFFLINE


def token_of(summary: str) -> str:
    return next(line.split()[-1] for line in summary.splitlines() if line.startswith("Demo token"))


async def test_demo_loads_once_and_replaces_its_token(broker: AsyncBroker) -> None:
    first = token_of(await load_demo())
    second = token_of(await load_demo())  # no file to keep it in: a new one each time
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


async def test_demo_reuses_the_token_in_its_file(broker: AsyncBroker, tmp_path: Path) -> None:
    kept = tmp_path / "data" / "demo-token"
    first = token_of(await load_demo(kept))
    assert kept.read_text().strip() == first
    assert token_of(await load_demo(kept)) == first
    assert await ApiToken.count() == 1
    kept.write_text("hb_not-a-token-of-this-database\n")
    second = token_of(await load_demo(kept))
    assert second != first
    assert kept.read_text().strip() == second
    third = token_of(await load_demo(kept, new_token=True))
    assert third != second
    assert await ApiToken.count().where(ApiToken.revoked_at.is_null()) == 1
    await authenticate(third)


async def test_demo_jobs_end_ready_like_any_other(broker: AsyncBroker) -> None:
    admin = await authenticate(token_of(await load_demo()))
    await broker.wait_all()  # type: ignore[attr-defined]
    for job in await Job.select(Job.id, Job.owner):
        detail = await job_detail(admin, job["id"])
        provenance = detail.description_provenance
        assert provenance is not None
        assert (provenance.written_by, provenance.model) == ("model", OFFLINE)
        assert provenance.accepted_by_id == job["owner"]
        assert provenance.source == "generated"
        assert detail.description_status == GenerationStatus.READY
        assert detail.description_generated_by == OFFLINE
        assert detail.description_generated_at is not None
        assert detail.jd_json_status == GenerationStatus.READY
        assert detail.jd_json and detail.jd_json_generated_by == OFFLINE
