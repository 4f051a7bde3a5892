"""Candidates in a job's pipeline: add, list, move; stage counts never drift from a fresh count."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from models.identity.actor import Actor
from models.pipeline import operations as pipeline
from models.stages import PIPELINE, STAGE_VALUES, Stage
from models.tables import Application, Candidate, JobStageCount
from tests import factories


@pytest.fixture(name="headers")
async def fx_headers(editor: Actor) -> dict[str, str]:
    return await factories.headers(editor)


async def stage_filters(client: httpx.AsyncClient, job_id: int, headers: dict[str, str]) -> dict:
    response = await client.get(f"/api/jobs/{job_id}/stage-filters/", headers=headers)
    assert response.status_code == 200, response.text
    return {entry["label"]: entry["count"] for entry in response.json()}


def by_stage(counts: dict[str, int]) -> dict[str, int]:
    """Fresh counts (keyed by stage value) keyed by label, like the stage filters."""
    return {style.label: counts[style.stage.value] for style in PIPELINE}


async def add(
    client: httpx.AsyncClient, job_id: int, headers: dict[str, str], **body: Any
) -> httpx.Response:
    return await client.post(f"/api/jobs/{job_id}/candidates/", json=body, headers=headers)


async def test_add_defaults_to_applied(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str]
) -> None:
    job = await factories.job(editor)
    response = await add(client, job.id, headers, name=" Ada ", email="Ada@Example.com")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["stage"] == "Applied"
    assert (body["job_id"], body["name"], body["email"]) == (job.id, "Ada", "ada@example.com")
    assert (await stage_filters(client, job.id, headers))["Applied"] == 1


async def test_add_at_a_stage(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str]
) -> None:
    job = await factories.job(editor)
    response = await add(client, job.id, headers, name="Bo", email="bo@x.io", stage="Interview")
    assert response.status_code == 201, response.text
    assert response.json()["stage"] == "Interview"
    counts = await stage_filters(client, job.id, headers)
    assert counts["Interview"] == 1
    assert sum(counts.values()) == 1


async def test_duplicate_candidate_is_409_and_counts_once(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str]
) -> None:
    job = await factories.job(editor)
    assert (await add(client, job.id, headers, name="A", email="a@x.io")).status_code == 201
    again = await add(client, job.id, headers, name="A again", email="A@X.IO", stage="Offer")
    assert again.status_code == 409, again.text
    assert again.json()["extra"][0]["key"] == "email"
    assert await Application.count() == 1
    assert await stage_filters(client, job.id, headers) == by_stage(
        await pipeline.fresh_counts(job.id)
    )
    # The same person may apply to another job: the candidate row is reused.
    other = await factories.job(editor)
    assert (await add(client, other.id, headers, name="A", email="a@x.io")).status_code == 201
    assert await Candidate.count() == 1


async def test_list_and_filter_by_stage(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str]
) -> None:
    job = await factories.job(editor)
    stages = ["Applied", "Offer", "Applied", "Hired"]
    for n, stage in enumerate(stages):
        await add(client, job.id, headers, name=f"C{n}", email=f"c{n}@x.io", stage=stage)
    everyone = await client.get(f"/api/jobs/{job.id}/candidates", headers=headers)
    assert [c["stage"] for c in everyone.json()] == stages
    applied = await client.get(f"/api/jobs/{job.id}/candidates/?stage=Applied", headers=headers)
    assert [c["email"] for c in applied.json()] == ["c0@x.io", "c2@x.io"]
    page = await client.get(f"/api/jobs/{job.id}/candidates?limit=2&offset=1", headers=headers)
    assert [c["email"] for c in page.json()] == ["c1@x.io", "c2@x.io"]
    spaced = await client.get(
        f"/api/jobs/{job.id}/candidates", params={"stage": "Resume Screening"}, headers=headers
    )
    assert spaced.json() == []


@pytest.mark.parametrize(
    "query", ["stage=Nope", "stage=applied", "limit=0", "limit=101", "offset=-1", "offset=1e99"]
)
async def test_bad_list_queries_are_400(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str], query: str
) -> None:
    job = await factories.job(editor)
    response = await client.get(f"/api/jobs/{job.id}/candidates?{query}", headers=headers)
    assert response.status_code == 400, response.text


async def test_huge_offset_is_400_not_500(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str]
) -> None:
    job = await factories.job(editor)
    response = await client.get(
        f"/api/jobs/{job.id}/candidates?offset=99999999999999999999999", headers=headers
    )
    assert response.status_code == 400, response.text


async def test_move_changes_stage_and_counts(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str]
) -> None:
    job = await factories.job(editor)
    added = (await add(client, job.id, headers, name="M", email="m@x.io")).json()
    path = f"/api/jobs/{job.id}/candidates/{added['candidate_id']}/"
    response = await client.patch(path, json={"stage": "Assessments"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["stage"] == "Assessments"
    assert response.json()["updated_at"] >= added["updated_at"]
    same = await client.patch(path, json={"stage": "Assessments"}, headers=headers)
    assert same.status_code == 200
    counts = await stage_filters(client, job.id, headers)
    assert counts["Applied"] == 0
    assert counts["Assessments"] == 1
    assert counts == by_stage(await pipeline.fresh_counts(job.id))


@pytest.mark.parametrize(
    "body",
    [
        {"stage": "Nope"},
        {"stage": None},
        {},
        {"stage": 3},
        [],
        "Offer",
    ],
)
async def test_bad_moves_are_400_and_change_nothing(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str], body: Any
) -> None:
    job = await factories.job(editor)
    added = (await add(client, job.id, headers, name="M", email="m@x.io")).json()
    response = await client.patch(
        f"/api/jobs/{job.id}/candidates/{added['candidate_id']}", json=body, headers=headers
    )
    assert response.status_code == 400, response.text
    assert (await stage_filters(client, job.id, headers))["Applied"] == 1


async def test_moving_an_unknown_candidate_is_404(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str]
) -> None:
    job = await factories.job(editor)
    other_job = await factories.job(editor)
    elsewhere = (await add(client, other_job.id, headers, name="E", email="e@x.io")).json()
    for candidate_id in (elsewhere["candidate_id"], 999_999, 2**31, 10**20, -1, 0):
        response = await client.patch(
            f"/api/jobs/{job.id}/candidates/{candidate_id}",
            json={"stage": "Offer"},
            headers=headers,
        )
        assert response.status_code == 404, (candidate_id, response.text)
    assert (await stage_filters(client, other_job.id, headers))["Applied"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"name": "No email"},
        {"email": "x@y.io"},
        {"name": "", "email": "x@y.io"},
        {"name": "Bad", "email": "not-an-email"},
        {"name": "Bad", "email": "a b@c.d"},
        {"name": "Bad", "email": "x@y.io", "stage": "Limbo"},
        {"name": "N\x00ul", "email": "x@y.io"},
        {"name": "Nul", "email": "x\x00@y.io"},
        {"name": "x" * 201, "email": "x@y.io"},
        {"name": ["list"], "email": "x@y.io"},
    ],
)
async def test_bad_candidates_are_400_and_add_nothing(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str], body: dict[str, Any]
) -> None:
    job = await factories.job(editor)
    response = await add(client, job.id, headers, **body)
    assert response.status_code == 400, response.text
    assert await Application.count() == 0
    assert await Candidate.count() == 0


async def test_unknown_job_is_404(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str]
) -> None:
    for job_id in ("4242", "2147483648", "99999999999999999999", "-2"):
        listing = await client.get(f"/api/jobs/{job_id}/candidates", headers=headers)
        assert listing.status_code == 404, (job_id, listing.text)
        adding = await add(client, int(job_id), headers, name="A", email="a@x.io")
        assert adding.status_code == 404, (job_id, adding.text)
        moving = await client.patch(
            f"/api/jobs/{job_id}/candidates/1", json={"stage": "Offer"}, headers=headers
        )
        assert moving.status_code == 404, (job_id, moving.text)


async def test_every_path_answers_with_and_without_trailing_slash(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str]
) -> None:
    job = await factories.job(editor)
    for n, slash in enumerate(("", "/")):
        base = f"/api/jobs/{job.id}/candidates"
        created = await client.post(
            base + slash, json={"name": "S", "email": f"s{n}@x.io"}, headers=headers
        )
        assert created.status_code == 201, (slash, created.text)
        assert (await client.get(base + slash, headers=headers)).status_code == 200
        moved = await client.patch(
            f"{base}/{created.json()['candidate_id']}{slash}",
            json={"stage": "Hired"},
            headers=headers,
        )
        assert moved.status_code == 200, (slash, moved.text)


async def test_stage_counts_equal_a_fresh_count_after_random_changes(
    client: httpx.AsyncClient, editor: Actor, headers: dict[str, str]
) -> None:
    """A seeded random walk of adds, moves, duplicates and bad moves over two jobs; after
    every step the stored counts of both jobs equal a count of the applications."""
    rng = random.Random(20261129)
    jobs = [(await factories.job(editor, f"Job {n}")).id for n in range(2)]
    members: dict[int, dict[int, str]] = {job_id: {} for job_id in jobs}
    applied: dict[int, set[str]] = {job_id: set() for job_id in jobs}
    emails = [f"p{n}@x.io" for n in range(12)]
    for step in range(80):
        job_id = rng.choice(jobs)
        roll = rng.random()
        if roll < 0.4 or not members[job_id]:
            email = rng.choice(emails)
            stage = rng.choice(STAGE_VALUES)
            response = await add(client, job_id, headers, name=email, email=email, stage=stage)
            if email in applied[job_id]:
                assert response.status_code == 409, response.text
            else:
                assert response.status_code == 201, response.text
                applied[job_id].add(email)
                members[job_id][response.json()["candidate_id"]] = stage
        elif roll < 0.9:
            candidate_id = rng.choice(list(members[job_id]))
            stage = rng.choice(STAGE_VALUES)
            response = await client.patch(
                f"/api/jobs/{job_id}/candidates/{candidate_id}",
                json={"stage": stage},
                headers=headers,
            )
            assert response.status_code == 200, response.text
            members[job_id][candidate_id] = stage
        else:
            response = await client.patch(
                f"/api/jobs/{job_id}/candidates/{rng.randint(10_000, 20_000)}",
                json={"stage": rng.choice(STAGE_VALUES)},
                headers=headers,
            )
            assert response.status_code == 404
        for checked in jobs:
            fresh = await pipeline.fresh_counts(checked)
            expected = dict.fromkeys(STAGE_VALUES, 0)
            for stage in members[checked].values():
                expected[stage] += 1
            assert fresh == expected, step
            assert await stage_filters(client, checked, headers) == by_stage(fresh), step
    stored = await JobStageCount.select().where(JobStageCount.job.is_in(jobs))
    assert len(stored) == 2 * len(Stage)
    assert all(row["total"] >= 0 for row in stored)
