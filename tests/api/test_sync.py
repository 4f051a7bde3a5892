"""Incremental sync: `updated_after` and a cursor on the job list, a job's candidates,
candidate responses and criteria; (updated_at, id) order, tombstones, and nothing missed or
twice while rows are written concurrently (a transaction that commits late included)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models import sync
from models.db import atomic, is_postgres
from models.tables import Job
from tests import factories
from tests.factories import World

JOB = {
    "title": "Platform Engineer",
    "description": "We run the platform.",
    "must_have_skills": ["Go"],
    "employment_type": "Full-time",
    "min_experience": 3,
    "max_experience": 6,
}


@pytest.fixture(name="world")
async def fx_world(db: None) -> World:
    return await factories.world()


@pytest.fixture(name="quick_settle")
def fx_quick_settle() -> Iterator[None]:
    """Rows show after 0.2 s instead of 2 s (the tests below that commit late keep 2 s)."""
    before, sync.SETTLE_SECONDS = sync.SETTLE_SECONDS, 0.2
    yield
    sync.SETTLE_SECONDS = before


def moment() -> str:
    return datetime.now(UTC).isoformat()


async def settle() -> None:
    await asyncio.sleep(sync.SETTLE_SECONDS + 0.1)


async def new_job(client: httpx.AsyncClient, world: World, title: str) -> int:
    created = await client.post(
        "/api/jobs/", json={**JOB, "title": title}, headers=world.headers("editor")
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def changes(
    client: httpx.AsyncClient, path: str, world: World, who: str = "editor", **params: Any
) -> dict[str, Any]:
    answer = await client.get(path, params=params, headers=world.headers(who))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert isinstance(body, dict) and body["next_cursor"], body
    return dict(body)


async def test_jobs_changed_after_a_moment_come_oldest_change_first(
    client: httpx.AsyncClient, world: World, quick_settle: None
) -> None:
    first = await new_job(client, world, "First")
    second = await new_job(client, world, "Second")
    await settle()
    since = moment()
    editor = world.headers("editor")
    assert (
        await client.patch(f"/api/jobs/{first}", json={"title": "First v2"}, headers=editor)
    ).status_code == 200
    third = await new_job(client, world, "Third")
    await settle()
    page = await changes(client, "/api/jobs/", world, updated_after=since)
    assert [job["id"] for job in page["items"]] == [first, third]
    assert page["items"][0]["title"] == "First v2"
    caught_up = await changes(client, "/api/jobs/", world, cursor=page["next_cursor"])
    assert caught_up["items"] == [] and caught_up["next_cursor"] == page["next_cursor"]
    assert (
        await client.patch(f"/api/jobs/{second}", json={"title": "Second v2"}, headers=editor)
    ).status_code == 200
    await settle()
    later = await changes(client, "/api/jobs/", world, cursor=page["next_cursor"])
    assert [job["id"] for job in later["items"]] == [second]
    plain = await client.get("/api/jobs/", headers=editor)  # the original shape, newest first
    assert [job["id"] for job in plain.json()["items"]] == [third, second, first]


async def test_sync_pages_walk_every_change_once(
    client: httpx.AsyncClient, world: World, quick_settle: None
) -> None:
    since = moment()
    made = [await new_job(client, world, f"Job {n}") for n in range(7)]
    await settle()
    seen: list[int] = []
    page = await changes(client, "/api/jobs/", world, updated_after=since, limit=3)
    while page["items"]:
        seen += [job["id"] for job in page["items"]]
        page = await changes(client, "/api/jobs/", world, cursor=page["next_cursor"], limit=3)
    assert seen == made


async def test_sync_shows_only_what_the_caller_can_see_and_deletions_are_in_the_audit_log(
    client: httpx.AsyncClient, world: World, quick_settle: None
) -> None:
    since = moment()
    kept = await new_job(client, world, "Kept")
    gone = await new_job(client, world, "Gone")
    foreign = await client.post("/api/jobs/", json=JOB, headers=world.headers("outsider"))
    assert foreign.status_code == 201
    assert (
        await client.delete(f"/api/jobs/{gone}", headers=world.headers("editor"))
    ).status_code == 204
    await settle()
    page = await changes(client, "/api/jobs/", world, updated_after=since)
    assert [job["id"] for job in page["items"]] == [kept]
    viewer = await changes(client, "/api/jobs/", world, "viewer", updated_after=since)
    assert viewer["items"] == []  # nothing shared with the Viewer
    tombstones = await client.get(
        "/api/audit",
        params={"type": "job.deleted", "after": since},
        headers=world.headers("admin"),
    )
    assert [event["entity_id"] for event in tombstones.json()["items"]] == [gone]


async def test_candidates_responses_and_criteria_sync_with_deletions(
    client: httpx.AsyncClient, world: World, quick_settle: None
) -> None:
    editor = world.headers("editor")
    job_id = await new_job(client, world, "Data Engineer")
    added = await client.post(
        f"/api/jobs/{job_id}/candidates",
        json={"name": "Ada", "email": "ada@example.com"},
        headers=editor,
    )
    other = await client.post(
        f"/api/jobs/{job_id}/candidates",
        json={"name": "Grace", "email": "grace@example.com"},
        headers=editor,
    )
    ada, grace = added.json()["candidate_id"], other.json()["candidate_id"]
    made = [
        await client.post(
            "/api/criteria/", json={"job_id": job_id, "question": q, "kind": "text"}, headers=editor
        )
        for q in ("Notice period?", "Remote?")
    ]
    notice, remote = (answer.json()["id"] for answer in made)
    await settle()
    since = moment()
    moved = await client.patch(
        f"/api/jobs/{job_id}/candidates/{grace}", json={"stage": "Interview"}, headers=editor
    )
    assert moved.status_code == 200, moved.text
    written = await client.post(
        "/api/candidate-responses/",
        json={"candidate_id": ada, "job_id": job_id, "criteria_id": notice, "response": "1 month"},
        headers=editor,
    )
    assert written.status_code == 201, written.text
    assert (
        await client.patch(f"/api/criteria/{notice}", json={"weight": 3}, headers=editor)
    ).status_code == 200
    assert (await client.delete(f"/api/criteria/{remote}", headers=editor)).status_code == 204
    await settle()
    candidates = await changes(client, f"/api/jobs/{job_id}/candidates", world, updated_after=since)
    assert [(a["candidate_id"], a["stage"]) for a in candidates["items"]] == [(grace, "Interview")]
    answers = await changes(
        client, "/api/candidate-responses/", world, updated_after=since, job_id=job_id
    )
    assert [r["response"] for r in answers["items"]] == ["1 month"]
    criteria = await changes(client, "/api/criteria/", world, updated_after=since, job_id=job_id)
    assert [(c["id"], c["weight"]) for c in criteria["items"]] == [(notice, 3)]
    assert criteria["deleted"] == [remote]
    plain = await client.get("/api/criteria/", params={"job_id": job_id}, headers=editor)
    assert [c["id"] for c in plain.json()] == [notice]  # the original shape: a list


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/jobs/", {"cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
        ("/api/criteria/", {"cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
        ("/api/jobs/", {"updated_after": "2026-12-01T10:00:00Z", "offset": "5"}, "offset"),
        ("/api/jobs/", {"updated_after": "2026-12-01T10:00:00Z", "cursor": "x"}, "cursor"),
    ],
)
async def test_bad_sync_parameters_are_named(
    client: httpx.AsyncClient, world: World, path: str, params: dict[str, str], field: str
) -> None:
    answer = await client.get(path, params=params, headers=world.headers("editor"))
    assert answer.status_code == 400, answer.text
    assert field in answer.text


@pytest.mark.parametrize("settle_seconds", [2.0, 0.2])
async def test_concurrent_writes_are_synced_once_each_even_a_late_commit(
    client: httpx.AsyncClient, world: World, settle_seconds: float
) -> None:
    """Writers create jobs while a reader syncs in pages of 4; one writer holds its
    transaction open for a second after stamping its row. The reader ends with every job
    exactly once. With a settle time shorter than that second, only PostgreSQL's check of
    the oldest transaction still writing keeps the late row from being skipped."""
    if settle_seconds < 1 and not is_postgres():
        pytest.skip("SQLite relies on the settle time alone (its writers are serialized)")
    before, sync.SETTLE_SECONDS = sync.SETTLE_SECONDS, settle_seconds
    owner = world.editor
    since = moment()
    created: list[int] = []
    done = asyncio.Event()

    async def writer(count: int) -> None:
        for n in range(count):
            job = await factories.job(owner, f"Concurrent {n}")
            created.append(job.id)
            await asyncio.sleep(0.02)

    async def late_writer() -> None:
        await asyncio.sleep(0.3)
        async with atomic():  # a plain insert: nothing it locks holds the other writers up
            row = Job(org=owner.org_id, owner=owner.user_id, title="Late commit")
            inserted = await Job.insert(row).returning(Job.id)
            await asyncio.sleep(1.0)  # stamped now, visible only a second later
        created.append(inserted[0]["id"])

    seen: list[int] = []

    async def reader() -> None:
        page = await changes(client, "/api/jobs/", world, updated_after=since, limit=4)
        while True:
            seen.extend(job["id"] for job in page["items"])

            if done.is_set() and not page["items"]:
                return
            await asyncio.sleep(0.05)
            page = await changes(client, "/api/jobs/", world, cursor=page["next_cursor"], limit=4)

    async def writers() -> None:
        await asyncio.gather(writer(15), writer(15), late_writer())
        await asyncio.sleep(sync.SETTLE_SECONDS + 0.2)
        done.set()

    try:
        await asyncio.wait_for(asyncio.gather(writers(), reader()), timeout=60)
    finally:
        sync.SETTLE_SECONDS = before
    assert len(seen) == len(set(seen)), "a job came twice"
    assert sorted(seen) == sorted(created), "a job was missed"
    assert len(created) == 31


def test_a_cursor_survives_a_round_trip() -> None:
    position = sync.Position(datetime(2026, 12, 3, 8, 0, 0, 123456, tzinfo=UTC), 42)
    assert sync.decode(sync.encode(position)) == position
    assert sync.start(None, sync.encode(position)) == position
    assert sync.start(None, None) is None
    later = datetime(2026, 12, 3, tzinfo=UTC) + timedelta(hours=1)
    assert sync.start(later, None) == sync.Position(later, 2**31 - 1)
