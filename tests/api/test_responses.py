"""CandidateResponseViewSet routes and create-or-update: access, validation, atomicity, 413."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from models.tables import Application, Candidate, CandidateResponse
from tests import factories
from tests.api.conftest import ACCESS, Headers, People, matches


@dataclass
class World(People):
    candidate_id: int
    foreign_candidate_id: int  # a candidate of the other organization
    criteria: dict[str, int]  # kind -> id


@pytest.fixture(name="world")
async def fx_world(people: People) -> World:
    return World(
        **vars(people),
        candidate_id=await factories.applicant(people.owner_actor, people.job_id),
        foreign_candidate_id=await factories.candidate(people.other_org_id, "bob@example.com"),
        criteria=await factories.criteria_of_every_kind(people.owner_actor, people.job_id),
    )


def one(world: World, kind: str = "yes_no", response: Any = "yes") -> dict[str, Any]:
    return {
        "candidate_id": world.candidate_id,
        "job_id": world.job_id,
        "criteria_id": world.criteria[kind],
        "response": response,
    }


async def stored() -> list[dict[str, Any]]:
    return await CandidateResponse.select().order_by(CandidateResponse.id)


async def test_crud_round_trip(client: httpx.AsyncClient, world: World) -> None:
    created = await client.post("/api/candidate-responses/", json=one(world), headers=world.owner)
    assert created.status_code == 201, created.text
    item = created.json()
    assert (item["response"], item["criteria_id"]) == ("yes", world.criteria["yes_no"])
    path = f"/api/candidate-responses/{item['id']}"
    assert (await client.get(path, headers=world.owner)).json() == item
    duplicate = await client.post("/api/candidate-responses", json=one(world), headers=world.owner)
    assert duplicate.status_code == 409

    put = await client.put(path + "/", json={"response": False}, headers=world.owner)
    assert (put.status_code, put.json()["response"]) == (200, "no")
    fixed = await client.patch(
        path, json={"response": "YES", "criteria_id": 1, "job_id": 999}, headers=world.owner
    )
    assert fixed.status_code == 400  # candidate, job and criteria never change: not fields
    assert {item["key"] for item in fixed.json()["extra"]} == {"criteria_id", "job_id"}
    patched = await client.patch(path, json={"response": "YES"}, headers=world.owner)
    assert patched.status_code == 200
    assert (patched.json()["response"], patched.json()["job_id"]) == ("yes", world.job_id)
    bad = await client.patch(path, json={"response": "maybe"}, headers=world.owner)
    assert bad.status_code == 400
    assert bad.json()["extra"][0]["key"] == "response"

    for query in (
        "",
        f"?candidate_id={world.candidate_id}",
        f"?job_id={world.job_id}",
        f"?candidate_id={world.candidate_id}&job_id={world.job_id}",
    ):
        listed = await client.get(f"/api/candidate-responses{query}", headers=world.owner)
        assert [r["id"] for r in listed.json()] == [item["id"]], query
    none = await client.get("/api/candidate-responses?candidate_id=424242", headers=world.owner)
    assert none.json() == []

    assert (await client.delete(path, headers=world.owner)).status_code == 204
    assert (await client.get(path, headers=world.owner)).status_code == 404
    assert await stored() == []


async def test_access_matrix(client: httpx.AsyncClient, world: World) -> None:
    made = await client.post("/api/candidate-responses", json=one(world), headers=world.owner)
    path = f"/api/candidate-responses/{made.json()['id']}"
    reads = [path, f"/api/candidate-responses?job_id={world.job_id}"]
    writes = [
        ("PUT", path, {"response": "no"}),
        ("PATCH", path, {"response": "yes"}),
        ("POST", "/api/candidate-responses", one(world, "number", 3)),
        ("POST", "/api/candidate-responses/bulk-create", [one(world, "text", "hi")]),
        (
            "POST",
            "/api/candidate-responses/create-or-update",
            {
                "candidate_id": world.candidate_id,
                "job_id": world.job_id,
                "responses": [{"criteria_id": world.criteria["choice"], "response": "Remote"}],
            },
        ),
    ]
    for who, (read_status, write_status) in ACCESS.items():
        caller: Headers = getattr(world, who)
        for url in reads:
            response = await client.get(url, headers=caller)
            assert response.status_code == read_status, (who, url, response.text)
        before = await stored()
        for method, url, payload in writes:
            response = await client.request(method, url, json=payload, headers=caller)
            assert matches(response.status_code, write_status), (who, url, response.text)
        if write_status == 2:
            # Undo the creations so the next caller's creations succeed too.
            await CandidateResponse.delete().where(CandidateResponse.id != before[0]["id"])
        else:
            assert await stored() == before, who
        if write_status != 2:
            assert (await client.delete(path, headers=caller)).status_code == write_status
            assert len(await stored()) == 1
    listed = await client.get("/api/candidate-responses", headers=world.editor_unshared)
    assert listed.json() == []
    listed = await client.get("/api/candidate-responses", headers=world.other_org)
    assert listed.json() == []
    assert (await client.delete(path, headers=world.editor_shared)).status_code == 204


async def test_validation_errors_name_the_field(client: httpx.AsyncClient, world: World) -> None:
    cases = [
        (one(world, "yes_no", "perhaps"), "response"),
        (one(world, "number", "a few"), "response"),
        (one(world, "choice", "Mars"), "response"),
        ({**one(world), "criteria_id": "x"}, "criteria_id"),
        ({"job_id": world.job_id, "criteria_id": world.criteria["text"]}, "candidate_id"),
        ({**one(world), "response": ["a list"]}, "response"),
    ]
    for payload, field in cases:
        response = await client.post("/api/candidate-responses", json=payload, headers=world.owner)
        assert response.status_code == 400, (payload, response.text)
        assert field in response.text, (payload, response.text)
    for changes, status, named in (
        ({"candidate_id": world.foreign_candidate_id}, 404, "candidate"),
        ({"criteria_id": 999_999}, 404, "criteria 999999"),
        ({"job_id": 999_999}, 404, "job 999999"),
    ):
        response = await client.post(
            "/api/candidate-responses", json={**one(world), **changes}, headers=world.owner
        )
        assert response.status_code == status, response.text
        assert named in response.json()["detail"]
    assert await stored() == []


async def test_bulk_create(client: httpx.AsyncClient, world: World) -> None:
    items = [one(world, kind, value) for kind, value in (("yes_no", "no"), ("number", 3))]
    response = await client.post(
        "/api/candidate-responses/bulk-create/", json=items, headers=world.owner
    )
    assert response.status_code == 201, response.text
    assert [r["response"] for r in response.json()] == ["no", "3"]
    assert len(await stored()) == 2


async def test_bulk_create_is_all_or_nothing(client: httpx.AsyncClient, world: World) -> None:
    good = [one(world, kind, value) for kind, value in (("yes_no", "no"), ("number", 3))]
    url = "/api/candidate-responses/bulk-create"
    for bad, status in (
        ([*good, one(world, "choice", "Mars")], 400),
        ([*good, {**one(world, "text", "x"), "candidate_id": world.foreign_candidate_id}], 404),
        ([*good, {**one(world, "text", "x"), "criteria_id": 999_999}], 404),
        ([*good, good[0]], 409),
    ):
        response = await client.post(url, json=bad, headers=world.owner)
        assert response.status_code == status, response.text
    assert await stored() == []
    await client.post(url, json=good[:1], headers=world.owner)
    assert (await client.post(url, json=good, headers=world.owner)).status_code == 409
    assert len(await stored()) == 1


async def test_bulk_create_over_a_thousand_is_413(client: httpx.AsyncClient, world: World) -> None:
    rows = await Candidate.insert(
        *[Candidate(org=world.org_id, name="C", email=f"c{i}@x.test") for i in range(1_001)]
    ).returning(Candidate.id)
    await Application.insert(*[Application(job=world.job_id, candidate=row["id"]) for row in rows])
    items = [
        {**one(world, "text", "ok"), "candidate_id": row["id"], "job_id": world.job_id}
        for row in rows
    ]
    url = "/api/candidate-responses/bulk-create"
    response = await client.post(url, json=items, headers=world.owner)
    assert response.status_code == 413, response.text
    assert await stored() == []
    response = await client.post(url, json=items[:1_000], headers=world.owner)
    assert response.status_code == 201
    assert await CandidateResponse.count() == 1_000


async def test_create_or_update(client: httpx.AsyncClient, world: World) -> None:
    url = "/api/candidate-responses/create-or-update/"

    def payload(*answers: tuple[str, Any]) -> dict[str, Any]:
        return {
            "candidate_id": world.candidate_id,
            "job_id": world.job_id,
            "responses": [{"criteria_id": world.criteria[k], "response": v} for k, v in answers],
        }

    first = await client.post(url, json=payload(("yes_no", "yes")), headers=world.owner)
    assert first.status_code == 200, first.text
    assert first.json() == {"status": "success", "created": 1, "updated": 0}
    second = await client.post(
        url, json=payload(("yes_no", "no"), ("number", 5), ("text", "hi")), headers=world.owner
    )
    assert second.json() == {"status": "success", "created": 2, "updated": 1}
    rows = await stored()
    assert sorted(r["response"] for r in rows) == ["5", "hi", "no"]

    for body, status, named in (
        ({**payload(("text", "x")), "candidate_id": 424_242}, 404, "candidate 424242"),
        ({**payload(("text", "x")), "job_id": 434_343}, 404, "job 434343"),
        (
            {**payload(("text", "x")), "responses": [{"criteria_id": 999_999, "response": "x"}]},
            404,
            "criteria 999999",
        ),
        (payload(("text", "changed"), ("number", "lots")), 400, "number"),
        (
            {**payload(("text", "x")), "candidate_id": world.foreign_candidate_id},
            404,
            "candidate",
        ),
    ):
        response = await client.post(url, json=body, headers=world.owner)
        assert response.status_code == status, response.text
        assert named in response.json()["detail"], response.text
    response = await client.post(
        url,
        json={**payload(), "responses": [{"criteria_id": 1, "response": "x"}] * 1_001},
        headers=world.owner,
    )
    assert response.status_code == 413
    assert await stored() == rows
