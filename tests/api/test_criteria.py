"""CriteriaViewSet routes: every endpoint, the access matrix, validation, bulk atomicity."""

from __future__ import annotations

from typing import Any

import httpx

from models.tables import Criteria
from tests import factories
from tests.api.conftest import ACCESS, Headers, People, matches


def body(job_id: int, **fields: Any) -> dict[str, Any]:
    return {"job_id": job_id, "question": "Willing to relocate?", "kind": "yes_no", **fields}


async def stored() -> list[dict[str, Any]]:
    return await Criteria.select().order_by(Criteria.id)


async def test_crud_round_trip(client: httpx.AsyncClient, people: People) -> None:
    created = await client.post(
        "/api/criteria/", json=body(people.job_id, expected_answer="Yes"), headers=people.owner
    )
    assert created.status_code == 201, created.text
    item = created.json()
    assert (item["kind"], item["expected_answer"], item["job_id"]) == (
        "yes_no",
        "yes",
        people.job_id,
    )
    path = f"/api/criteria/{item['id']}"
    assert (await client.get(path, headers=people.owner)).json() == item
    assert (await client.get(path + "/", headers=people.owner)).status_code == 200

    patched = await client.patch(path, json={"weight": 7}, headers=people.owner)
    assert patched.status_code == 200
    assert (patched.json()["weight"], patched.json()["question"]) == (7, "Willing to relocate?")
    put = await client.put(
        path,
        json={"question": "Level?", "kind": "choice", "options": ["Junior", "Senior"]},
        headers=people.owner,
    )
    assert put.status_code == 200
    assert (put.json()["kind"], put.json()["weight"], put.json()["options"]) == (
        "choice",
        1,
        ["Junior", "Senior"],
    )

    for url in (
        f"/api/criteria?job_id={people.job_id}",
        f"/api/criteria/list-by-job/{people.job_id}/",
        "/api/criteria",
    ):
        listed = await client.get(url, headers=people.owner)
        assert listed.status_code == 200, url
        assert [c["id"] for c in listed.json()] == [item["id"]], url

    deleted = await client.delete(path, headers=people.owner)
    assert deleted.status_code == 204
    assert (await client.get(path, headers=people.owner)).status_code == 404
    assert (await client.patch(path, json={"weight": 2}, headers=people.owner)).status_code == 404
    assert (await client.delete(path, headers=people.owner)).status_code == 404
    assert (await client.get("/api/criteria", headers=people.owner)).json() == []
    rows = await stored()
    assert [(r["id"], r["is_deleted"]) for r in rows] == [(item["id"], True)]


async def test_access_matrix(client: httpx.AsyncClient, people: People) -> None:
    made = await client.post("/api/criteria", json=body(people.job_id), headers=people.owner)
    criteria_id = made.json()["id"]
    path = f"/api/criteria/{criteria_id}"
    read_routes = [
        ("GET", path),
        ("GET", f"/api/criteria/list-by-job/{people.job_id}"),
        ("GET", f"/api/criteria?job_id={people.job_id}"),
    ]
    write_routes = [
        ("POST", "/api/criteria", body(people.job_id, question="New")),
        ("PATCH", path, {"weight": 9}),
        ("PUT", path, {"question": "Replaced"}),
        (
            "POST",
            "/api/criteria/bulk-create-or-update",
            {"job_id": people.job_id, "criteria": [{"question": "Bulk"}]},
        ),
    ]
    for who, (read_status, write_status) in ACCESS.items():
        caller: Headers = getattr(people, who)
        for method, url in read_routes:
            response = await client.request(method, url, headers=caller)
            assert response.status_code == read_status, (who, method, url, response.text)
        before = await stored()
        for method, url, payload in write_routes:
            response = await client.request(method, url, json=payload, headers=caller)
            assert matches(response.status_code, write_status), (who, method, url, response.text)
        if write_status != 2:
            assert await stored() == before, who
        delete = await client.delete(path, headers=caller)
        if write_status == 2:
            assert delete.status_code == 204, who
            await Criteria.update({Criteria.is_deleted: False}).where(Criteria.id == criteria_id)
        else:
            assert delete.status_code == write_status, who
            row = await Criteria.select(Criteria.is_deleted).where(Criteria.id == criteria_id)
            assert row == [{"is_deleted": False}], who
    seen_by_other = await client.get("/api/criteria", headers=people.other_org)
    assert seen_by_other.json() == []
    unshared = await client.get("/api/criteria", headers=people.editor_unshared)
    assert unshared.json() == []


async def test_validation_errors_name_the_field(client: httpx.AsyncClient, people: People) -> None:
    cases = [
        (body(people.job_id, kind="choice"), "options"),
        (body(people.job_id, expected_answer="maybe"), "expected_answer"),
        (body(people.job_id, kind="number", expected_answer="ten"), "expected_answer"),
        (body(people.job_id, kind="choice", options=["a"], expected_answer="b"), "expected_answer"),
        (body(people.job_id, kind="sometimes"), "kind"),
        (body(people.job_id, question=""), "question"),
        (body(people.job_id, weight=-1), "weight"),
        ({"question": "No job"}, "job_id"),
    ]
    for payload, field in cases:
        response = await client.post("/api/criteria", json=payload, headers=people.owner)
        assert response.status_code == 400, (payload, response.text)
        assert field in response.text, (payload, response.text)
    for query in ("limit=0", "limit=101", "offset=-1", "job_id=abc"):
        response = await client.get(f"/api/criteria?{query}", headers=people.owner)
        assert response.status_code == 400, query
    assert await stored() == []


async def test_bulk_create_or_update(client: httpx.AsyncClient, people: People) -> None:
    first = (
        await client.post("/api/criteria", json=body(people.job_id), headers=people.owner)
    ).json()
    response = await client.post(
        "/api/criteria/bulk-create-or-update/",
        json={
            "job_id": people.job_id,
            "criteria": [
                {"id": first["id"], "question": "Relocate?", "kind": "yes_no", "position": 2},
                {"question": "Years of Python?", "kind": "number", "expected_answer": "3"},
            ],
        },
        headers=people.editor_shared,
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["status"], result["created"], result["updated"]) == ("success", 1, 1)
    assert [c["question"] for c in result["criteria"]] == ["Relocate?", "Years of Python?"]
    listed = await client.get(f"/api/criteria/list-by-job/{people.job_id}", headers=people.owner)
    assert [c["question"] for c in listed.json()] == ["Years of Python?", "Relocate?"]


async def test_bulk_with_a_bad_item_writes_nothing(
    client: httpx.AsyncClient, people: People
) -> None:
    owner = await factories.user(await factories.org())  # a job of another organization
    foreign_job = await factories.job(owner, "Foreign")
    foreign = await client.post(
        "/api/criteria",
        json=body(foreign_job.id),
        headers=await factories.headers(owner),
    )
    foreign_id = foreign.json()["id"]
    mine = (
        await client.post("/api/criteria", json=body(people.job_id), headers=people.owner)
    ).json()
    deleted = (
        await client.post("/api/criteria", json=body(people.job_id), headers=people.owner)
    ).json()
    await client.delete(f"/api/criteria/{deleted['id']}", headers=people.owner)
    before = await stored()
    for bad_id in (foreign_id, deleted["id"], 987_654):
        response = await client.post(
            "/api/criteria/bulk-create-or-update",
            json={
                "job_id": people.job_id,
                "criteria": [
                    {"question": "Would be created"},
                    {"id": mine["id"], "question": "Would be renamed"},
                    {"id": bad_id, "question": "Bad"},
                ],
            },
            headers=people.owner,
        )
        assert response.status_code == 404, response.text
        assert str(bad_id) in response.json()["detail"]
        assert response.json()["extra"][0]["key"] == "criteria"
    response = await client.post(
        "/api/criteria/bulk-create-or-update",
        json={
            "job_id": people.job_id,
            "criteria": [{"question": "ok"}, {"question": "bad", "kind": "choice"}],
        },
        headers=people.owner,
    )
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "criteria[1].options"
    response = await client.post(
        "/api/criteria/bulk-create-or-update",
        json={"job_id": people.job_id, "criteria": [{"question": "q"}] * 501},
        headers=people.owner,
    )
    assert response.status_code == 413
    assert await stored() == before
