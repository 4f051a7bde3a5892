"""FilterGroupViewSet routes: every endpoint; groups are private to their owner."""

from __future__ import annotations

import httpx

from models.enums import Role
from models.jobs import operations as jobs
from models.tables import FilterGroup
from tests import factories


async def test_crud_round_trip(client: httpx.AsyncClient) -> None:
    org = await factories.org()
    me = await factories.user(org, Role.VIEWER)
    owner = await factories.user(org)
    job = await factories.job(owner)
    await jobs.share_job(owner, job.id, [me.user_id])
    headers = await factories.headers(me)
    created = await client.post(
        "/api/filter-groups/",
        json={
            "name": "Seniors",
            "job_id": job.id,
            "filters": {"stage": "Interview"},
            "owner": owner.user_id,  # never trusted: the owner is the caller
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    group = created.json()
    assert (group["owner_id"], group["job_id"], group["filters"]) == (
        me.user_id,
        job.id,
        {"stage": "Interview"},
    )
    path = f"/api/filter-groups/{group['id']}"
    assert (await client.get(path, headers=headers)).json() == group
    assert (await client.get("/api/filter-groups", headers=headers)).json() == [group]
    listed = await client.get(f"/api/filter-groups?job_id={job.id}", headers=headers)
    assert listed.json() == [group]

    patched = await client.patch(path, json={"name": "Leads", "job_id": None}, headers=headers)
    assert patched.status_code == 200
    assert (patched.json()["name"], patched.json()["job_id"]) == ("Leads", None)
    put = await client.put(path + "/", json={"name": "All", "filters": {}}, headers=headers)
    assert put.status_code == 200
    assert (put.json()["name"], put.json()["filters"]) == ("All", {})

    assert (await client.delete(path, headers=headers)).status_code == 204
    assert (await client.get(path, headers=headers)).status_code == 404
    assert await FilterGroup.count() == 0


async def test_others_groups_are_404(client: httpx.AsyncClient) -> None:
    org = await factories.org()
    me = await factories.user(org)
    admin = await factories.user(org, Role.ADMIN)
    stranger = await factories.user(await factories.org(), Role.ADMIN)
    made = await client.post(
        "/api/filter-groups", json={"name": "Mine"}, headers=await factories.headers(me)
    )
    path = f"/api/filter-groups/{made.json()['id']}"
    for other in (admin, stranger):
        headers = await factories.headers(other)
        assert (await client.get(path, headers=headers)).status_code == 404
        assert (await client.patch(path, json={"name": "x"}, headers=headers)).status_code == 404
        assert (await client.put(path, json={"name": "x"}, headers=headers)).status_code == 404
        assert (await client.delete(path, headers=headers)).status_code == 404
        assert (await client.get("/api/filter-groups", headers=headers)).json() == []
    assert (await FilterGroup.select(FilterGroup.name)) == [{"name": "Mine"}]


async def test_validation(client: httpx.AsyncClient) -> None:
    org = await factories.org()
    me = await factories.user(org)
    other_owner = await factories.user(org)
    hidden = await factories.job(other_owner)
    headers = await factories.headers(me)
    for body, status, field in (
        ({"name": ""}, 400, "name"),
        ({"name": "x", "filters": ["not", "an", "object"]}, 400, "filters"),
        ({"name": "x", "filters": {"big": "x" * 17_000}}, 400, "filters"),
        ({"filters": {}}, 400, "name"),
        ({"name": "x", "job_id": hidden.id}, 404, "job"),
    ):
        response = await client.post("/api/filter-groups", json=body, headers=headers)
        assert response.status_code == status, (body, response.text)
        assert field in response.text, (body, response.text)
    assert await FilterGroup.count() == 0
