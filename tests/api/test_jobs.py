"""JobViewSet routes: `/api/jobs/` (paginated list, create) and `/api/jobs/{id}/` with its
weights and shares. Bad client input answers 400/404/413, never 500."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import httpx
import pytest

from api.app import create_app
from models.jobs import operations as jobs
from models.settings import get_settings
from models.tables import Job, JobShare, JobStageCount, ResumeScoreWeights, TaskRun
from tests import factories
from tests.conftest import running
from tests.factories import World
from workers.broker import active_broker

LEGACY = {
    "owner": 999_998,
    "org": 999_997,
    "user": {"id": 999_998, "role": {"name": "Admin"}},
    "user_id": 999_998,
}
"""The original module's identity fields: ignored."""
READ_ONLY = {
    "id": 999_999,
    "owner_id": 999_998,
    "org_id": 999_997,
    "public_key": "A" * 43,
    "created_at": "2001-01-01T00:00:00Z",
    "updated_at": "2001-01-01T00:00:00Z",
}
"""Fields of a job that no request writes: unknown fields, rejected."""
DEFAULT_WEIGHTS = {"skills": 40, "experience": 30, "education": 10, "criteria": 20}


def fields_of(body: dict[str, Any]) -> set[str]:
    """Field names an error body blames: its `extra` keys (a list item `user_ids[0]` blames
    `user_ids` too)."""
    named: set[str] = set()
    for item in body.get("extra") or []:
        key = item.get("key", "")
        named |= {key, key.split("[")[0]}
        named |= set(re.findall(r"missing required field `(\w+)`", item.get("message", "")))
    return named


async def job_row(job_id: int) -> dict[str, Any] | None:
    return await Job.select().where(Job.id == job_id).first()


# Pagination and filters ----------------------------------------------------------------------


async def test_list_pages_with_cursor_newest_first(client: httpx.AsyncClient, world: World) -> None:
    ids = [(await factories.job(world.editor, f"Job {n}")).id for n in range(7)]
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/jobs/", params=params, headers=world.headers("editor"))
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["limit"] == 3
        assert len(page["items"]) <= 3
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)
    assert pages == 3


async def test_list_pages_with_offset(client: httpx.AsyncClient, world: World) -> None:
    ids = sorted([(await factories.job(world.editor, f"Job {n}")).id for n in range(5)])[::-1]
    page = (
        await client.get(
            "/api/jobs", params={"limit": 2, "offset": 2}, headers=world.headers("editor")
        )
    ).json()
    assert [item["id"] for item in page["items"]] == ids[2:4]
    assert page["offset"] == 2
    assert page["next_cursor"] is not None
    last = (await client.get("/api/jobs/?offset=4&limit=2", headers=world.headers("editor"))).json()
    assert [item["id"] for item in last["items"]] == ids[4:]
    assert last["next_cursor"] is None
    beyond = (await client.get("/api/jobs/?offset=50", headers=world.headers("editor"))).json()
    assert beyond["items"] == []


async def test_list_default_limit_is_50(client: httpx.AsyncClient, world: World) -> None:
    await factories.job(world.editor)
    page = (await client.get("/api/jobs/", headers=world.headers("editor"))).json()
    assert page["limit"] == 50
    assert len(page["items"]) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-5", "limit"),
        ("limit=abc", "limit"),
        ("limit=99999999999999999999999", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("offset=99999999999999999999999", "offset"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=%00", "cursor"),
        # Well-formed base64 of "j" followed by a number too large for any id.
        (f"cursor={jobs.encode_cursor(10**25)}", "cursor"),
        (f"cursor={jobs.encode_cursor(1)}&offset=1", "cursor"),
        ("status=bogus", "status"),
    ],
)
async def test_bad_pagination_is_400_naming_the_field(
    client: httpx.AsyncClient, world: World, query: str, field: str
) -> None:
    await factories.job(world.editor)
    response = await client.get(f"/api/jobs/?{query}", headers=world.headers("editor"))
    assert response.status_code == 400, response.text
    assert field in fields_of(response.json())


async def test_list_filters_by_status_and_title(client: httpx.AsyncClient, world: World) -> None:
    backend = await factories.job(world.editor, "Backend Engineer", status="open")
    await factories.job(world.editor, "Frontend Engineer", status="draft")
    percent = await factories.job(world.editor, "100% Remote Engineer", status="open")
    under = await factories.job(world.editor, "QA_Lead", status="closed")

    async def ids(**params: str) -> list[int]:
        response = await client.get("/api/jobs/", params=params, headers=world.headers("editor"))
        assert response.status_code == 200, response.text
        return sorted(item["id"] for item in response.json()["items"])

    assert await ids(status="open") == sorted([backend.id, percent.id])
    assert await ids(title="BACKEND") == [backend.id]
    assert await ids(title="engineer", status="open") == sorted([backend.id, percent.id])
    assert await ids(title="%") == [percent.id]  # literal, not a wildcard
    assert await ids(title="_") == [under.id]
    assert await ids(status="closed", title="engineer") == []


async def test_list_shows_only_visible_jobs(client: httpx.AsyncClient, world: World) -> None:
    own = await factories.job(world.editor, "Own")
    shared = await factories.job(world.other, "Shared")
    await jobs.share_job(world.other, shared.id, [world.editor.user_id])
    foreign = await factories.job(world.other, "Foreign")
    outside = await factories.job(world.outsider, "Outside")

    async def ids(headers: dict[str, str]) -> set[int]:
        return {
            item["id"] for item in (await client.get("/api/jobs/", headers=headers)).json()["items"]
        }

    assert await ids(world.headers("editor")) == {own.id, shared.id}
    admin_headers = world.headers("admin")
    assert await ids(admin_headers) == {own.id, shared.id, foreign.id}
    assert outside.id not in await ids(admin_headers)


# Create ---------------------------------------------------------------------------------------


async def test_create_with_default_weights(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/api/jobs/",
        json={"title": "  Data Engineer ", "must_have_skills": ["SQL", " sql ", "dbt"]},
        headers=world.headers("editor"),
    )
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["title"] == "Data Engineer"
    assert job["must_have_skills"] == ["SQL", "dbt"]
    assert job["owner_id"] == world.editor.user_id
    assert job["org_id"] == world.editor.org_id
    assert job["status"] == "draft"
    assert job["weights"] == DEFAULT_WEIGHTS
    weights = await ResumeScoreWeights.select().where(ResumeScoreWeights.job == job["id"]).first()
    assert weights is not None
    assert {k: weights[k] for k in DEFAULT_WEIGHTS} == DEFAULT_WEIGHTS
    counts = await JobStageCount.count().where(JobStageCount.job == job["id"])
    assert counts == 7


async def test_create_with_weights(client: httpx.AsyncClient, world: World) -> None:
    weights = {"skills": 25, "experience": 25, "education": 25, "criteria": 25}
    response = await client.post(
        "/api/jobs", json={"title": "Designer", "weights": weights}, headers=world.headers("editor")
    )
    assert response.status_code == 201, response.text
    assert response.json()["weights"] == weights
    stored = await client.get(
        f"/api/jobs/{response.json()['id']}/weights", headers=world.headers("editor")
    )
    assert stored.json() == weights


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "X", "weights": {"skills": 50}}, "weights"),
        ({"title": "X", "weights": dict.fromkeys(DEFAULT_WEIGHTS, 0)}, "weights"),
        ({"title": "X", "weights": {**DEFAULT_WEIGHTS, "skills": 101}}, "weights.skills"),
        ({"title": "X", "weights": {**DEFAULT_WEIGHTS, "skills": -1}}, "weights.skills"),
        ({"title": "X", "min_experience": 5, "max_experience": 2}, "min_experience"),
        ({"title": "X", "min_experience": 51, "max_experience": 60}, "min_experience"),
        ({"title": "   "}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({}, "title"),
        ({"title": "X", "employment_type": "Forever"}, "employment_type"),
        ({"title": "X", "status": "archived"}, "status"),
        ({"title": "X", "must_have_skills": "Python"}, "must_have_skills"),
        ({"title": "X", "must_have_skills": ["x"] * 51}, "must_have_skills"),
    ],
)
async def test_create_rejects_bad_input_with_field(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/jobs/", json=body, headers=world.headers("editor"))
    assert response.status_code == 400, response.text
    assert field in fields_of(response.json()), response.text
    assert await Job.count() == 0


async def test_create_never_applies_read_only_fields(
    client: httpx.AsyncClient, world: World
) -> None:
    rejected = await client.post(
        "/api/jobs/", json={"title": "Analyst", **READ_ONLY}, headers=world.headers("editor")
    )
    assert rejected.status_code == 400
    assert {item["key"] for item in rejected.json()["extra"]} == set(READ_ONLY)
    assert await Job.count() == 0
    response = await client.post(
        "/api/jobs/", json={"title": "Analyst", **LEGACY}, headers=world.headers("editor")
    )
    assert response.status_code == 201, response.text
    job = response.json()
    row = await job_row(job["id"])
    assert row is not None
    assert row["owner"] == job["owner_id"] == world.editor.user_id
    assert row["org"] == job["org_id"] == world.editor.org_id


async def test_viewer_cannot_create(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post("/api/jobs/", json={"title": "X"}, headers=world.headers("viewer"))
    assert response.status_code == 403
    assert await Job.count() == 0


async def test_create_and_update_queue_the_conversion(
    client: httpx.AsyncClient, world: World
) -> None:
    """A description (new, or changed to other text) is structured by a conversion run;
    a blank one, a title change or the same text queue none."""

    async def conversions() -> list[str]:
        await active_broker().wait_all()  # type: ignore[attr-defined]
        rows = await TaskRun.select(TaskRun.key).where(TaskRun.key.like("convert:%"))
        return [row["key"] for row in rows]

    headers = world.headers("editor")
    blank = (await client.post("/api/jobs/", json={"title": "A"}, headers=headers)).json()
    assert await conversions() == []
    assert blank["jd_json_status"] == "none"
    body = {"title": "B", "description": "Write code."}
    job = (await client.post("/api/jobs/", json=body, headers=headers)).json()
    assert job["jd_json_status"] == "pending"
    assert len(await conversions()) == 1
    converted = await jobs.get_job(world.editor, job["id"])
    assert converted.jd_json_status == "ready" and converted.jd_json is not None
    await client.patch(f"/api/jobs/{job['id']}", json={"title": "B2"}, headers=headers)
    await client.patch(
        f"/api/jobs/{job['id']}", json={"description": "Write code."}, headers=headers
    )
    assert len(await conversions()) == 1  # neither a title change nor the same text re-queues
    await client.patch(
        f"/api/jobs/{job['id']}", json={"description": "Write tests."}, headers=headers
    )
    assert len(await conversions()) == 2


# Retrieve, update, delete -----------------------------------------------------------------------


async def test_get_job_includes_weights(client: httpx.AsyncClient, world: World) -> None:
    job = await factories.job(world.editor)
    response = await client.get(f"/api/jobs/{job.id}/", headers=world.headers("editor"))
    assert response.status_code == 200
    assert response.json()["id"] == job.id
    assert response.json()["weights"] == DEFAULT_WEIGHTS


async def test_put_replaces_the_job_and_its_weights(
    client: httpx.AsyncClient, world: World
) -> None:
    job = await factories.job(world.editor, location="Berlin")
    weights = {"skills": 70, "experience": 10, "education": 10, "criteria": 10}
    response = await client.put(
        f"/api/jobs/{job.id}",
        json={"title": "Platform Engineer", "status": "open", "weights": weights},
        headers=world.headers("editor"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "Platform Engineer"
    assert body["status"] == "open"
    assert body["description"] == ""  # PUT replaces: omitted fields take their defaults
    assert body["location"] is None
    assert body["weights"] == weights
    row = await job_row(job.id)
    assert row is not None
    assert (row["title"], row["status"], row["location"]) == ("Platform Engineer", "open", None)


async def test_patch_changes_only_what_is_sent(client: httpx.AsyncClient, world: World) -> None:
    job = await factories.job(world.editor, location="Berlin")
    response = await client.patch(
        f"/api/jobs/{job.id}/",
        json={
            "max_experience": 9,
            "weights": {"skills": 100, "experience": 0, "education": 0, "criteria": 0},
        },
        headers=world.headers("editor"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["max_experience"] == 9
    assert (body["title"], body["location"], body["description"]) == (
        job.title,
        "Berlin",
        job.description,
    )
    assert body["weights"]["skills"] == 100
    assert body["updated_at"] >= body["created_at"]


@pytest.mark.parametrize(
    ("method", "body", "field"),
    [
        ("patch", {"min_experience": 9}, "min_experience"),  # above the stored max (5)
        ("patch", {"max_experience": 1}, "min_experience"),  # below the stored min (2)
        ("patch", {"title": "  "}, "title"),
        ("patch", {"title": None}, "title"),
        ("patch", {"weights": {"skills": 1}}, "weights"),
        ("put", {"title": "X", "min_experience": 3, "max_experience": 1}, "min_experience"),
        ("put", {"title": "X", "weights": {"criteria": 90}}, "weights"),
        ("put", {"description": "no title"}, "title"),
    ],
)
async def test_bad_updates_are_400_and_change_nothing(
    client: httpx.AsyncClient, world: World, method: str, body: dict[str, Any], field: str
) -> None:
    job = await factories.job(world.editor)
    before = await job_row(job.id)
    response = await client.request(
        method.upper(), f"/api/jobs/{job.id}", json=body, headers=world.headers("editor")
    )
    assert response.status_code == 400, response.text
    assert field in fields_of(response.json()), response.text
    assert await job_row(job.id) == before
    assert (
        await client.get(f"/api/jobs/{job.id}/weights", headers=world.headers("editor"))
    ).json() == (DEFAULT_WEIGHTS)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_updates_never_apply_read_only_fields(
    client: httpx.AsyncClient, world: World, method: str
) -> None:
    job = await factories.job(world.editor)
    before = await job_row(job.id)
    assert before is not None
    response = await client.request(
        method,
        f"/api/jobs/{job.id}",
        json={"title": "Renamed", **READ_ONLY},
        headers=world.headers("editor"),
    )
    assert response.status_code == 400
    assert await job_row(job.id) == before
    response = await client.request(
        method,
        f"/api/jobs/{job.id}",
        json={"title": "Renamed", **LEGACY},
        headers=world.headers("editor"),
    )
    assert response.status_code == 200, response.text
    after = await job_row(job.id)
    assert after is not None
    assert after["title"] == "Renamed"
    for column in ("id", "owner", "org", "public_key", "created_at"):
        assert after[column] == before[column], column
    assert await Job.count() == 1


async def test_delete_removes_the_job_and_what_describes_it(
    client: httpx.AsyncClient, world: World
) -> None:
    job = await factories.job(world.editor)
    await jobs.share_job(world.editor, job.id, [world.other.user_id])
    response = await client.delete(f"/api/jobs/{job.id}/", headers=world.headers("editor"))
    assert response.status_code == 204
    assert await job_row(job.id) is None
    assert await ResumeScoreWeights.count().where(ResumeScoreWeights.job == job.id) == 0
    assert await JobStageCount.count().where(JobStageCount.job == job.id) == 0
    assert await JobShare.count().where(JobShare.job == job.id) == 0
    assert (
        await client.get(f"/api/jobs/{job.id}", headers=world.headers("editor"))
    ).status_code == 404
    assert (
        await client.delete(f"/api/jobs/{job.id}", headers=world.headers("editor"))
    ).status_code == 404


# Weights and shares ----------------------------------------------------------------------------


async def test_weights_get_and_put(client: httpx.AsyncClient, world: World) -> None:
    job = await factories.job(world.editor)
    assert (
        await client.get(f"/api/jobs/{job.id}/weights/", headers=world.headers("editor"))
    ).json() == (DEFAULT_WEIGHTS)
    new = {"skills": 10, "experience": 20, "education": 30, "criteria": 40}
    response = await client.put(
        f"/api/jobs/{job.id}/weights", json=new, headers=world.headers("editor")
    )
    assert response.status_code == 200
    assert response.json() == new
    bad = await client.put(
        f"/api/jobs/{job.id}/weights", json={**new, "criteria": 41}, headers=world.headers("editor")
    )
    assert bad.status_code == 400
    assert fields_of(bad.json()) == {"weights"}
    assert (
        await client.get(f"/api/jobs/{job.id}/weights", headers=world.headers("editor"))
    ).json() == new


async def test_share_and_unshare(client: httpx.AsyncClient, world: World) -> None:
    job = await factories.job(world.editor)
    other_headers = world.headers("other")
    assert (await client.get(f"/api/jobs/{job.id}", headers=other_headers)).status_code == 404

    response = await client.post(
        f"/api/jobs/{job.id}/share/",
        json={"user_ids": [world.other.user_id, world.other.user_id, world.editor.user_id]},
        headers=world.headers("editor"),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"job_id": job.id, "user_ids": [world.other.user_id]}
    assert (await client.get(f"/api/jobs/{job.id}", headers=other_headers)).status_code == 200

    again = await client.post(
        f"/api/jobs/{job.id}/share",
        json={"user_ids": [world.other.user_id]},
        headers=world.headers("editor"),
    )
    assert again.json()["user_ids"] == [world.other.user_id]  # idempotent

    response = await client.delete(
        f"/api/jobs/{job.id}/share/{world.other.user_id}/", headers=world.headers("editor")
    )
    assert response.status_code == 204
    assert (await client.get(f"/api/jobs/{job.id}", headers=other_headers)).status_code == 404
    gone = await client.delete(
        f"/api/jobs/{job.id}/share/{world.other.user_id}", headers=world.headers("editor")
    )
    assert gone.status_code == 404


@pytest.mark.parametrize(
    "user_ids", [["outsider"], [0], [-1], [2**31], [10**20], [], "1", [1.5], None]
)
async def test_share_rejects_unknown_or_foreign_users(
    client: httpx.AsyncClient, world: World, user_ids: Any
) -> None:
    job = await factories.job(world.editor)
    # Another organization's user is one you cannot see (404, as unsharing them answers);
    # the others are not ids at all (400).
    expected = 404 if user_ids == ["outsider"] else 400
    if user_ids == ["outsider"]:
        user_ids = [world.outsider.user_id]
    response = await client.post(
        f"/api/jobs/{job.id}/share", json={"user_ids": user_ids}, headers=world.headers("editor")
    )
    assert response.status_code == expected, response.text
    assert "user_ids" in fields_of(response.json())
    assert await JobShare.count() == 0


# Paths, ids, bodies -------------------------------------------------------------------------


def job_paths(job_id: int | str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("GET", f"/api/jobs/{job_id}", None),
        ("PUT", f"/api/jobs/{job_id}", {"title": "X"}),
        ("PATCH", f"/api/jobs/{job_id}", {"title": "X"}),
        ("GET", f"/api/jobs/{job_id}/weights", None),
        ("PUT", f"/api/jobs/{job_id}/weights", DEFAULT_WEIGHTS),
        ("POST", f"/api/jobs/{job_id}/share", {"user_ids": [1]}),
        ("DELETE", f"/api/jobs/{job_id}/share/1", None),
        ("DELETE", f"/api/jobs/{job_id}", None),
    ]


async def test_every_path_answers_with_and_without_trailing_slash(
    client: httpx.AsyncClient, world: World
) -> None:
    for slash in ("", "/"):
        job = await factories.job(world.editor)
        await jobs.share_job(world.editor, job.id, [world.other.user_id])
        for method, path, body in [
            ("GET", "/api/jobs", None),
            ("POST", "/api/jobs", {"title": "Y"}),
            *job_paths(job.id),
        ]:
            if path.endswith("/share/1"):
                path = path.replace("/share/1", f"/share/{world.other.user_id}")
            if body == {"user_ids": [1]}:
                body = {"user_ids": [world.other.user_id]}
            response = await client.request(
                method, path + slash, json=body, headers=world.headers("editor")
            )
            assert response.status_code < 300, (method, path + slash, response.text)


@pytest.mark.parametrize(
    "job_id", ["999999", "2147483647", "2147483648", "99999999999999999999", "-1", "0"]
)
async def test_unknown_job_ids_are_404(
    client: httpx.AsyncClient, world: World, job_id: str
) -> None:
    await factories.job(world.editor)
    for method, path, body in job_paths(job_id):
        response = await client.request(method, path, json=body, headers=world.headers("editor"))
        assert response.status_code == 404, (method, path, response.text)


async def test_unknown_share_user_is_404(client: httpx.AsyncClient, world: World) -> None:
    job = await factories.job(world.editor)
    for user_id in ("999999", "2147483648", "99999999999999999999", "-3"):
        response = await client.delete(
            f"/api/jobs/{job.id}/share/{user_id}", headers=world.headers("editor")
        )
        assert response.status_code == 404, (user_id, response.text)


async def test_non_integer_ids_do_not_match_a_route(
    client: httpx.AsyncClient, world: World
) -> None:
    for path in ("/api/jobs/abc", "/api/jobs/1.5/weights", "/api/jobs/%00"):
        response = await client.get(path, headers=world.headers("editor"))
        assert response.status_code in (404, 405), (path, response.status_code)


JUNK_BODIES: list[bytes] = [
    b"",
    b"null",
    b"{junk",
    b"[]",
    b'"text"',
    b"1e999",
    b"\xff\xfe\x00",
    b'{"title": ["a"]}',
    b'{"title": "\\u0000"}',
    b'{"title": "a\\u0000b", "description": "\\u0000"}',
    b'{"title": "ok", "must_have_skills": ["\\u0000"]}',
    b'{"title": "ok", "location": "a\\u0000"}',
    b'{"title": "ok", "min_experience": 99999999999999999999999}',
    b'{"title": "ok", "min_experience": -99999999999999999999999}',
    b'{"title": "ok", "min_experience": 1.5}',
    b'{"title": "ok", "weights": "heavy"}',
    b'{"title": "ok", "weights": {"skills": 1e300}}',
    b'{"title": "\\ud800"}',
    b'{"user_ids": [99999999999999999999999]}',
    b'{"user_ids": ["1"]}',
    b'{"skills": null}',
]


async def test_junk_bodies_never_cause_a_500(client: httpx.AsyncClient, world: World) -> None:
    job = await factories.job(world.editor)
    targets = [
        ("POST", "/api/jobs/"),
        ("PUT", f"/api/jobs/{job.id}"),
        ("PATCH", f"/api/jobs/{job.id}"),
        ("PUT", f"/api/jobs/{job.id}/weights"),
        ("POST", f"/api/jobs/{job.id}/share"),
    ]
    for method, path in targets:
        for body in JUNK_BODIES:
            response = await client.request(
                method,
                path,
                content=body,
                headers={**world.headers("editor"), "Content-Type": "application/json"},
            )
            assert response.status_code < 500, (method, path, body[:60], response.text)


async def test_deeply_nested_json_is_400(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/api/jobs/",
        content=b"[" * 5_000 + b"]" * 5_000,
        headers={**world.headers("editor"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text


async def test_nul_characters_are_400_with_field(client: httpx.AsyncClient, world: World) -> None:
    """PostgreSQL cannot store NUL in text: it is bad input (400), not a server error."""
    job = await factories.job(world.editor)
    for body, field in [
        ({"title": "a\x00b"}, "title"),
        ({"title": "ok", "description": "x\x00"}, "description"),
        ({"title": "ok", "must_have_skills": ["Py\x00"]}, "must_have_skills"),
        ({"title": "ok", "location": "\x00"}, "location"),
    ]:
        for method, path in (("POST", "/api/jobs/"), ("PATCH", f"/api/jobs/{job.id}")):
            response = await client.request(
                method, path, json=body, headers=world.headers("editor")
            )
            assert response.status_code == 400, (method, body, response.text)
            assert field in fields_of(response.json())
    for query in ("title=%00", "title=a%00b"):
        response = await client.get(f"/api/jobs/?{query}", headers=world.headers("editor"))
        assert response.status_code == 400, response.text
        assert "title" in fields_of(response.json())


async def test_oversize_bodies_are_413(client: httpx.AsyncClient, world: World) -> None:
    limit = get_settings().max_body_bytes
    job = await factories.job(world.editor)
    huge = b'{"title": "' + b"x" * limit + b'"}'
    for method, path in (("POST", "/api/jobs/"), ("PUT", f"/api/jobs/{job.id}")):
        response = await client.request(
            method,
            path,
            content=huge,
            headers={**world.headers("editor"), "Content-Type": "application/json"},
        )
        assert response.status_code == 413, (method, path, response.status_code)
    assert await Job.count() == 1


async def test_the_body_limit_comes_from_the_setting(world: World) -> None:
    settings = dataclasses.replace(get_settings(), max_body_bytes=2_000)
    app = create_app(settings)
    async with (
        running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        small = await client.post(
            "/api/jobs/",
            json={"title": "x", "description": "d" * 1_500},
            headers=world.headers("editor"),
        )
        assert small.status_code == 201, small.text
        large = await client.post(
            "/api/jobs/",
            json={"title": "x", "description": "d" * 2_500},
            headers=world.headers("editor"),
        )
        assert large.status_code == 413


async def test_out_of_range_ids_on_other_viewsets_are_not_500(
    client: httpx.AsyncClient, world: World
) -> None:
    huge = 99_999_999_999
    for method, path in [
        ("GET", f"/api/criteria/{huge}/"),
        ("PATCH", f"/api/criteria/{huge}/"),
        ("DELETE", f"/api/filter-groups/{huge}/"),
        ("GET", f"/api/candidate-responses/{huge}/"),
    ]:
        response = await client.request(method, path, json={}, headers=world.headers("editor"))
        assert 400 <= response.status_code < 500, (method, path, response.text)
    response = await client.post(
        "/api/filter-groups/",
        json={"name": "a\x00b", "filters": {}},
        headers=world.headers("editor"),
    )
    assert response.status_code == 400, response.text
