"""The original job module's endpoints: list/, job-names-list/, job-detail/, candidate-view/,
rotate-public-key/ and stage-filters/ (paths as the spec names them)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.enums import JobStatus
from models.jobs import operations as jobs
from models.pipeline import operations as pipeline
from models.pipeline.schemas import CandidateIn
from models.stages import PIPELINE, Stage
from models.tables import Job
from tests import factories
from tests.factories import World

CANDIDATE_FIELDS = {
    "title",
    "description",
    "must_have_skills",
    "employment_type",
    "min_experience",
    "max_experience",
    "location",
}


async def ids_of(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


# list/ ---------------------------------------------------------------------------------------


async def test_list_has_owned_and_shared_jobs_only(client: httpx.AsyncClient, world: World) -> None:
    own = await factories.job(world.editor, "Own")
    shared = await factories.job(world.other, "Shared")
    await jobs.share_job(world.other, shared.id, [world.editor.user_id, world.viewer.user_id])
    await factories.job(world.other, "Not shared")
    await factories.job(world.admin, "The Admin's")
    await factories.job(world.outsider, "Elsewhere")

    response = await client.get("/api/jobs/list/", headers=world.headers("editor"))
    assert await ids_of(response) == [own.id, shared.id]
    item = response.json()[0]
    assert item["title"] == "Own"
    assert {"id", "org_id", "owner_id", "title", "status", "public_key", "created_at"} <= set(item)
    assert await ids_of(await client.get("/api/jobs/list", headers=world.headers("viewer"))) == [
        shared.id
    ]
    # list/ is "owned and shared" for every role, Admins included.
    admin_list = await ids_of(await client.get("/api/jobs/list", headers=world.headers("admin")))
    assert len(admin_list) == 1


async def test_list_ignores_a_user_in_the_query(client: httpx.AsyncClient, world: World) -> None:
    await factories.job(world.other, "Someone else's")
    response = await client.get(
        f"/api/jobs/list/?user_id={world.other.user_id}&user={world.other.user_id}",
        headers=world.headers("editor"),
    )
    assert await ids_of(response) == []


# job-names-list/ -----------------------------------------------------------------------------


async def test_job_names_for_editor_and_admin(client: httpx.AsyncClient, world: World) -> None:
    own = await factories.job(world.editor, "Own")
    shared = await factories.job(world.other, "Shared", status="open")
    await jobs.share_job(world.other, shared.id, [world.editor.user_id])
    foreign = await factories.job(world.other, "Foreign")
    await factories.job(world.outsider, "Elsewhere")

    response = await client.get("/api/jobs/job-names-list/", headers=world.headers("editor"))
    assert response.json() == [
        {"id": own.id, "title": "Own", "status": "draft"},
        {"id": shared.id, "title": "Shared", "status": "open"},
    ]
    admin = await client.get("/api/jobs/job-names-list", headers=world.headers("admin"))
    assert await ids_of(admin) == [own.id, shared.id, foreign.id]
    viewer = await client.get("/api/jobs/job-names-list", headers=world.headers("viewer"))
    assert await ids_of(viewer) == []


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "engineer",
            [
                "Backend Engineer",
                "ENGINEER in test",
                "100% engineer",
                "data_engineer",
                "dataXengineer",
            ],
        ),
        ("ENGINEER IN", ["ENGINEER in test"]),
        ("  backend  ", ["Backend Engineer"]),
        ("%", ["100% engineer"]),
        ("_", ["data_engineer"]),
        ("a_e", ["data_engineer"]),
        ("d%r", []),
        ("\\", ["back\\slash"]),
        ("", None),
        ("   ", None),
        ("nothing like it", []),
    ],
)
async def test_job_names_title_filter(
    client: httpx.AsyncClient, world: World, title: str, expected: list[str] | None
) -> None:
    titles = [
        "Backend Engineer",
        "ENGINEER in test",
        "100% engineer",
        "data_engineer",
        "dataXengineer",
        "back\\slash",
    ]
    for name in titles:
        await factories.job(world.editor, name)
    response = await client.get(
        "/api/jobs/job-names-list/", params={"title": title}, headers=world.headers("editor")
    )
    assert response.status_code == 200, response.text
    assert [item["title"] for item in response.json()] == (titles if expected is None else expected)


async def test_job_names_rejects_nul_in_title(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get(
        "/api/jobs/job-names-list/?title=a%00", headers=world.headers("editor")
    )
    assert response.status_code == 400, response.text


# job-detail/ ---------------------------------------------------------------------------------


async def test_job_detail(client: httpx.AsyncClient, world: World) -> None:
    job = await factories.job(world.editor, "Detail")
    response = await client.get(f"/api/jobs/job-detail/{job.id}/", headers=world.headers("editor"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"job"}
    assert body["job"]["id"] == job.id
    assert body["job"]["title"] == "Detail"
    assert body["job"]["weights"]["skills"] == 40
    admin = await client.get(f"/api/jobs/job-detail/{job.id}", headers=world.headers("admin"))
    assert admin.status_code == 200


@pytest.mark.parametrize("who", ["other", "viewer", "outsider"])
async def test_job_detail_of_an_invisible_job_is_404(
    client: httpx.AsyncClient, world: World, who: str
) -> None:
    job = await factories.job(world.editor)
    response = await client.get(f"/api/jobs/job-detail/{job.id}", headers=world.headers(who))
    assert response.status_code == 404


@pytest.mark.parametrize("job_id", ["424242", "-4", "0", "2147483648", "123456789012345678901234"])
async def test_job_detail_of_an_unknown_id_is_404(
    client: httpx.AsyncClient, world: World, job_id: str
) -> None:
    response = await client.get(f"/api/jobs/job-detail/{job_id}", headers=world.headers("admin"))
    assert response.status_code == 404, response.text


# candidate-view/ and rotate-public-key/ -------------------------------------------------------


async def test_candidate_view_shows_open_jobs_without_auth(
    client: httpx.AsyncClient, world: World
) -> None:
    job = await factories.job(world.editor, "Open role", status="open", location="Lisbon")
    response = await client.get(f"/api/jobs/candidate-view/{job.public_key}/")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"job"}
    assert set(body["job"]) == CANDIDATE_FIELDS
    assert body["job"]["title"] == "Open role"
    assert body["job"]["location"] == "Lisbon"
    assert body["job"]["must_have_skills"] == ["Python", "PostgreSQL"]
    # A bad token does not matter either: the link is public.
    again = await client.get(
        f"/api/jobs/candidate-view/{job.public_key}", headers=factories.bearer("hb_garbage")
    )
    assert again.status_code == 200


@pytest.mark.parametrize("status", [JobStatus.DRAFT, JobStatus.CLOSED])
async def test_candidate_view_hides_draft_and_closed_jobs(
    client: httpx.AsyncClient, world: World, status: JobStatus
) -> None:
    job = await factories.job(world.editor, status="open")
    assert (await client.get(f"/api/jobs/candidate-view/{job.public_key}")).status_code == 200
    await jobs.set_status(world.editor, job.id, status)
    assert (await client.get(f"/api/jobs/candidate-view/{job.public_key}")).status_code == 404


@pytest.mark.parametrize(
    "key",
    [
        "short",
        "A" * 43,  # well-formed, unknown
        "A" * 44,
        "%00" * 3,
        "x" * 5_000,
        "..%2F..%2Fetc",
        "a b",
        "'; DROP TABLE job; --",
        "%F0%9F%92%A9" * 11,
    ],
)
async def test_candidate_view_of_a_bad_key_is_404(
    client: httpx.AsyncClient, world: World, key: str
) -> None:
    await factories.job(world.editor, status="open")
    response = await client.get(f"/api/jobs/candidate-view/{key}")
    assert response.status_code == 404, response.text
    assert await Job.count() == 1


async def test_rotating_the_key_kills_the_old_link(client: httpx.AsyncClient, world: World) -> None:
    job = await factories.job(world.editor, status="open")
    response = await client.post(
        f"/api/jobs/{job.id}/rotate-public-key/", headers=world.headers("editor")
    )
    assert response.status_code == 200, response.text
    new_key = response.json()["job"]["public_key"]
    assert new_key != job.public_key
    assert len(new_key) == 43
    assert (await client.get(f"/api/jobs/candidate-view/{job.public_key}")).status_code == 404
    assert (await client.get(f"/api/jobs/candidate-view/{new_key}")).status_code == 200
    row = await Job.select(Job.public_key).where(Job.id == job.id).first()
    assert row == {"public_key": new_key}


@pytest.mark.parametrize(
    ("who", "shared", "status"),
    [
        ("editor", False, 200),  # the owner
        ("admin", False, 200),
        ("other", True, 403),  # an Editor it is shared with can change it, not manage it
        ("viewer", True, 403),
        ("other", False, 404),
        ("viewer", False, 404),
        ("outsider", False, 404),
    ],
)
async def test_rotate_public_key_is_for_the_owner_or_an_admin(
    client: httpx.AsyncClient, world: World, who: str, shared: bool, status: int
) -> None:
    job = await factories.job(world.editor, status="open")
    if shared:
        await jobs.share_job(world.editor, job.id, [getattr(world, who).user_id])
    response = await client.post(
        f"/api/jobs/{job.id}/rotate-public-key", headers=world.headers(who)
    )
    assert response.status_code == status, response.text
    row = await Job.select(Job.public_key).where(Job.id == job.id).first()
    assert row is not None
    assert (row["public_key"] != job.public_key) == (status == 200)


async def test_rotate_public_key_of_an_unknown_job_is_404(
    client: httpx.AsyncClient, world: World
) -> None:
    for job_id in ("999", "2147483648", "99999999999999999999", "-1"):
        response = await client.post(
            f"/api/jobs/{job_id}/rotate-public-key", headers=world.headers("admin")
        )
        assert response.status_code == 404, (job_id, response.text)


# stage-filters/ ------------------------------------------------------------------------------


async def test_stage_filters_of_a_new_job_are_every_stage_at_zero(
    client: httpx.AsyncClient, world: World
) -> None:
    job = await factories.job(world.editor)
    response = await client.get(
        f"/api/jobs/{job.id}/stage-filters/", headers=world.headers("editor")
    )
    assert response.status_code == 200
    body = response.json()
    assert [entry["label"] for entry in body] == [style.label for style in PIPELINE]
    assert [entry["count"] for entry in body] == [0] * len(PIPELINE)
    for entry, style in zip(body, PIPELINE, strict=True):
        assert list(entry) == ["label", "count", "backgroundColor", "color"]
        assert entry["backgroundColor"] == style.background_color
        assert entry["color"] == style.color


async def test_stage_filters_count_candidates(client: httpx.AsyncClient, world: World) -> None:
    job = await factories.job(world.editor)
    other_job = await factories.job(world.editor)
    placements = [Stage.APPLIED, Stage.APPLIED, Stage.INTERVIEW, Stage.HIRED, Stage.REJECTED]
    for n, stage in enumerate(placements):
        data = CandidateIn(name=f"C{n}", email=f"c{n}@example.com", stage=stage)
        await pipeline.add_candidate(world.editor, job.id, data)
    await pipeline.add_candidate(
        world.editor, other_job.id, CandidateIn(name="X", email="x@example.com")
    )
    body = (
        await client.get(f"/api/jobs/{job.id}/stage-filters", headers=world.headers("editor"))
    ).json()
    counts = {entry["label"]: entry["count"] for entry in body}
    assert counts == {
        "Applied": 2,
        "Resume Screening": 0,
        "Assessments": 0,
        "Interview": 1,
        "Offer": 0,
        "Hired": 1,
        "Rejected": 1,
    }
    fresh = await pipeline.fresh_counts(job.id)
    assert [entry["count"] for entry in body] == [fresh[style.stage.value] for style in PIPELINE]


@pytest.mark.parametrize(("who", "status"), [("other", 404), ("outsider", 404), ("admin", 200)])
async def test_stage_filters_follow_visibility(
    client: httpx.AsyncClient, world: World, who: str, status: int
) -> None:
    job = await factories.job(world.editor)
    response = await client.get(f"/api/jobs/{job.id}/stage-filters", headers=world.headers(who))
    assert response.status_code == status


async def test_stage_filters_of_an_unknown_job_is_404(
    client: httpx.AsyncClient, world: World
) -> None:
    for job_id in ("999", "2147483648", "99999999999999999999", "-1"):
        response = await client.get(
            f"/api/jobs/{job_id}/stage-filters", headers=world.headers("admin")
        )
        assert response.status_code == 404, (job_id, response.text)


# Every path ----------------------------------------------------------------------------------


async def test_every_path_answers_with_and_without_trailing_slash(
    client: httpx.AsyncClient, world: World
) -> None:
    job = await factories.job(world.editor, status="open")
    headers = world.headers("editor")
    for slash in ("", "/"):
        key = (await client.get(f"/api/jobs/{job.id}", headers=headers)).json()["public_key"]
        requests: list[tuple[str, str, dict[str, Any]]] = [
            ("GET", "/api/jobs/list", headers),
            ("GET", "/api/jobs/job-names-list", headers),
            ("GET", f"/api/jobs/job-detail/{job.id}", headers),
            ("GET", f"/api/jobs/candidate-view/{key}", {}),
            ("GET", f"/api/jobs/{job.id}/stage-filters", headers),
            ("POST", f"/api/jobs/{job.id}/rotate-public-key", headers),
        ]
        for method, path, request_headers in requests:
            response = await client.request(method, path + slash, headers=request_headers)
            assert response.status_code == 200, (method, path + slash, response.text)


async def test_spec_endpoints_need_a_token(client: httpx.AsyncClient, world: World) -> None:
    job = await factories.job(world.editor)
    for method, path in [
        ("GET", "/api/jobs/list/"),
        ("GET", "/api/jobs/job-names-list/"),
        ("GET", f"/api/jobs/job-detail/{job.id}/"),
        ("GET", f"/api/jobs/{job.id}/stage-filters/"),
        ("POST", f"/api/jobs/{job.id}/rotate-public-key/"),
    ]:
        for headers in ({}, factories.bearer("hb_unknown"), {"Authorization": "Basic abc"}):
            response = await client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers)
