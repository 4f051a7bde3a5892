"""One record of every change: the events each change writes in its own transaction,
none after a rollback, the audit log (filters, cursor) and a job's history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models.tables import Event
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


async def audit(client: httpx.AsyncClient, world: World, **params: Any) -> list[dict[str, Any]]:
    """The audit log, without the world's people being added (`user.created`, by the CLI)."""
    response = await client.get("/api/audit", params=params, headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    return [item for item in response.json()["items"] if item["type"] != "user.created"]


def types(items: list[dict[str, Any]]) -> list[str]:
    return [item["type"] for item in reversed(items)]  # oldest first, for reading


async def test_every_change_through_the_api_writes_its_event(
    client: httpx.AsyncClient, world: World
) -> None:
    editor = world.headers("editor")
    created = await client.post("/api/jobs/", json=JOB, headers=editor)
    assert created.status_code == 201, created.text
    job_id = created.json()["id"]
    path = f"/api/jobs/{job_id}"
    assert (
        await client.patch(path, json={"title": "Staff Platform Engineer"}, headers=editor)
    ).status_code == 200
    assert (
        await client.patch(path, json={"description": "We run it all."}, headers=editor)
    ).status_code == 200
    assert (await client.patch(path, json={"status": "open"}, headers=editor)).status_code == 200
    share = {"user_ids": [world.viewer.user_id]}
    assert (await client.post(f"{path}/share", json=share, headers=editor)).status_code == 200
    criterion = await client.post(
        "/api/criteria/",
        json={"job_id": job_id, "question": "Remote?", "kind": "yes_no"},
        headers=editor,
    )
    assert criterion.status_code == 201, criterion.text
    criterion_id = criterion.json()["id"]
    patched = await client.patch(
        f"/api/criteria/{criterion_id}", json={"weight": 4}, headers=editor
    )
    assert patched.status_code == 200
    added = await client.post(
        f"{path}/candidates", json={"name": "Ada", "email": "ada@example.com"}, headers=editor
    )
    assert added.status_code == 201, added.text
    candidate_id = added.json()["candidate_id"]
    moved = await client.patch(
        f"{path}/candidates/{candidate_id}", json={"stage": "Interview"}, headers=editor
    )
    assert moved.status_code == 200, moved.text
    answers = {
        "candidate_id": candidate_id,
        "job_id": job_id,
        "responses": [{"criteria_id": criterion_id, "response": "yes"}],
    }
    written = await client.post(
        "/api/candidate-responses/create-or-update", json=answers, headers=editor
    )
    assert written.status_code in (200, 201), written.text
    assert (await client.patch(path, json={"status": "closed"}, headers=editor)).status_code == 200
    role = {"role": "Viewer"}
    assert (
        await client.patch(
            f"/api/users/{world.other.user_id}", json=role, headers=world.headers("admin")
        )
    ).status_code == 200
    assert (await client.delete(path, headers=editor)).status_code == 204

    items = await audit(client, world)
    assert types(items) == [
        "job.created",
        "description.changed",  # version 1, typed with the job
        "job.updated",  # title
        "description.changed",  # version 2
        "job.updated",
        "job.published",
        "job.shared",
        "criteria.changed",
        "criteria.changed",
        "application.created",
        "application.stage_changed",
        "responses.written",
        "job.updated",
        "job.closed",
        "user.role_changed",
        "job.deleted",
    ]
    by_type = {item["type"]: item for item in reversed(items)}  # the newest of each type
    assert all(len(item["id"]) == 36 for item in items)  # UUIDs
    assert all(item["surface"] == "api" for item in items)
    assert {item["actor_id"] for item in items} == {world.editor.user_id, world.admin.user_id}
    first_update = [i for i in items if i["type"] == "job.updated"][-1]
    assert first_update["before"] == {"title": "Platform Engineer"}
    assert first_update["after"] == {"title": "Staff Platform Engineer"}
    assert by_type["job.published"]["before"] == {"status": "draft"}
    assert by_type["job.published"]["after"] == {"status": "open"}
    assert by_type["job.shared"]["data"] == {"user_ids": [world.viewer.user_id]}
    assert by_type["application.stage_changed"]["before"] == {"stage": "Applied"}
    assert by_type["application.stage_changed"]["after"] == {"stage": "Interview"}
    assert by_type["user.role_changed"]["entity_id"] == world.other.user_id
    assert by_type["user.role_changed"]["after"] == {"role": "Viewer"}
    assert by_type["job.deleted"]["before"]["title"] == "Staff Platform Engineer"
    assert all(item["job_id"] == job_id for item in items if item["entity_type"] != "user")
    description = by_type["description.changed"]
    assert description["data"]["version"] == 2 and description["data"]["source"] == "typed"
    assert "We run it all." not in str(description)  # the text stays in the version


async def test_a_change_that_fails_writes_no_event(client: httpx.AsyncClient, world: World) -> None:
    job = await factories.job(world.editor)
    before = await Event.count()
    editor = world.headers("editor")
    path = f"/api/jobs/{job.id}"
    outsider, backwards = [world.outsider.user_id], {"min_experience": 9, "max_experience": 1}
    refused = [
        await client.post(f"{path}/share", json={"user_ids": outsider}, headers=editor),
        await client.patch(path, json=backwards, headers=editor),
        await client.post(
            "/api/criteria/bulk-create-or-update",
            json={"job_id": job.id, "criteria": [
                {"question": "New?", "kind": "yes_no"},
                {"id": 999999, "question": "Gone?", "kind": "yes_no"},
            ]},
            headers=editor,
        ),
        await client.patch(path, json={"title": "Mine"}, headers=world.headers("viewer")),
    ]  # fmt: skip
    assert [r.status_code for r in refused] == [404, 400, 404, 404]
    assert await Event.count() == before  # the bulk create rolled back with its event


async def test_a_bulk_write_is_one_event_listing_its_rows(
    client: httpx.AsyncClient, world: World
) -> None:
    job = await factories.job(world.editor)
    body = {
        "job_id": job.id,
        "criteria": [
            {"question": "One?", "kind": "yes_no"},
            {"question": "Two?", "kind": "text"},
            {"question": "Three?", "kind": "number"},
        ],
    }
    response = await client.post(
        "/api/criteria/bulk-create-or-update", json=body, headers=world.headers("editor")
    )
    assert response.status_code == 200, response.text
    ids = [c["id"] for c in response.json()["criteria"]]
    [event] = await audit(client, world, type="criteria.changed")
    assert event["entity_id"] is None and event["job_id"] == job.id
    assert event["data"] == {"created": ids, "updated": [], "deleted": []}


async def test_the_audit_log_filters_and_pages_with_a_cursor(
    client: httpx.AsyncClient, world: World
) -> None:
    people = await client.get(
        "/api/audit", params={"type": "user.created"}, headers=world.headers("admin")
    )
    assert {i["entity_id"] for i in people.json()["items"]} == {
        world.admin.user_id, world.editor.user_id, world.viewer.user_id, world.other.user_id
    }  # fmt: skip
    assert {i["surface"] for i in people.json()["items"]} == {"cli"}
    jobs = [await factories.job(world.editor, title=f"Job {n}") for n in range(5)]
    await factories.job(world.outsider, title="Not ours")  # another organization's
    everything = await audit(client, world, limit=200)
    assert len(everything) == 10  # job.created + description.changed for each of ours
    assert "Not ours" not in str(everything)

    admin = world.headers("admin")
    everything = (await client.get("/api/audit", params={"limit": 200}, headers=admin)).json()
    everything = everything["items"]  # the people's user.created too: every event is paged
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = await client.get("/api/audit", params=params, headers=world.headers("admin"))
        assert page.status_code == 200, page.text
        seen += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [item["id"] for item in everything]  # every one once, newest first

    one = await audit(client, world, entity_type="job", entity_id=jobs[2].id)
    assert types(one) == ["job.created"]
    created = await audit(client, world, type="job.created")
    assert [item["entity_id"] for item in created] == [job.id for job in reversed(jobs)]
    assert len(await audit(client, world, actor_id=world.editor.user_id)) == 10
    assert await audit(client, world, actor_id=world.admin.user_id) == []
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    earlier = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert await audit(client, world, after=later) == []
    assert len(await audit(client, world, after=earlier, before=later)) == 10


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"cursor": "garbage!"},
        {"cursor": "ZTE"[:-1] + "x"},
        {"type": "job.exploded"},
        {"entity_type": "planet"},
        {"after": "yesterday"},
        {"entity_id": 0},
    ],
)
async def test_bad_audit_queries_are_400(
    client: httpx.AsyncClient, world: World, params: dict[str, Any]
) -> None:
    response = await client.get("/api/audit", params=params, headers=world.headers("admin"))
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("who", ["editor", "viewer"])
async def test_only_admins_read_the_audit_log(
    client: httpx.AsyncClient, world: World, who: str
) -> None:
    response = await client.get("/api/audit", headers=world.headers(who))
    assert response.status_code == 403


async def test_a_jobs_history_is_for_those_who_see_it(
    client: httpx.AsyncClient, world: World
) -> None:
    job = await factories.job(world.editor, title="Welder")
    other = await factories.job(world.editor, title="Other")
    editor = world.headers("editor")
    await client.patch(f"/api/jobs/{job.id}", json={"status": "open"}, headers=editor)
    await client.post(
        f"/api/jobs/{job.id}/share", json={"user_ids": [world.viewer.user_id]}, headers=editor
    )
    history = await client.get(f"/api/jobs/{job.id}/history", headers=world.headers("viewer"))
    assert history.status_code == 200, history.text
    assert types(history.json()["items"]) == [
        "job.created",
        "description.changed",
        "job.updated",
        "job.published",
        "job.shared",
    ]
    assert (
        await client.get(f"/api/jobs/{other.id}/history", headers=world.headers("viewer"))
    ).status_code == 404
    assert (
        await client.get(f"/api/jobs/{job.id}/history", headers=world.headers("outsider"))
    ).status_code == 404


async def test_bulk_answers_are_one_event_and_a_refused_bulk_none(
    client: httpx.AsyncClient, world: World
) -> None:
    from models.pipeline import operations as pipeline
    from models.pipeline.schemas import CandidateIn

    job = await factories.job(world.editor)
    criteria = await factories.criteria_of_every_kind(world.editor, job.id)
    ada = await pipeline.add_candidate(
        world.editor, job.id, CandidateIn(name="Ada", email="a@x.io")
    )
    who = {"candidate_id": ada.candidate_id, "job_id": job.id}
    items = [
        {**who, "criteria_id": criteria[kind], "response": answer}
        for kind, answer in (("yes_no", "yes"), ("text", "Ten years of Go"))
    ]
    url, editor = "/api/candidate-responses/bulk-create", world.headers("editor")
    created = await client.post(url, json=items, headers=editor)
    assert created.status_code == 201, created.text
    [event] = await audit(client, world, type="responses.written")
    assert sorted(event["data"]["created"]) == sorted(r["id"] for r in created.json())
    assert event["job_id"] == job.id and event["entity_id"] is None
    again = await client.post(url, json=items[:1], headers=editor)  # answered already
    assert again.status_code == 409
    assert len(await audit(client, world, type="responses.written")) == 1


async def test_weights_changes_show_before_and_after(
    client: httpx.AsyncClient, world: World
) -> None:
    job = await factories.job(world.editor)
    new = {"skills": 50, "experience": 20, "education": 10, "criteria": 20}
    path, editor = f"/api/jobs/{job.id}", world.headers("editor")
    assert (await client.put(f"{path}/weights", json=new, headers=editor)).status_code == 200
    assert (await client.put(f"{path}/weights", json=new, headers=editor)).status_code == 200
    same_title = await client.patch(path, json={"title": job.title}, headers=editor)
    assert same_title.status_code == 200
    [event] = await audit(client, world, type="job.updated")  # the repeats changed nothing
    old = {"skills": 40, "experience": 30, "education": 10, "criteria": 20}
    assert event["before"] == {"weights": old} and event["after"] == {"weights": new}
