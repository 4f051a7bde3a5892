"""POST /api/jobs/generate-job-description/ and /rewrite-job-description/ through the task queue."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from taskiq import AsyncBroker

from api.app import create_app
from models.enums import GenerationStatus, Role
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.settings import Settings, get_settings
from models.tables import Job
from tests import factories
from tests.fakes.openai_server import FakeOpenAI, server_error, slow
from workers.llm import LLMGateway

GENERATE = "/api/jobs/generate-job-description/"
REWRITE = "/api/jobs/rewrite-job-description/"
SPEC_BODY = {
    "job_title": "Backend Engineer",
    "must_have_skills": "Python, PostgreSQL, python",
    "employment_type": "Full-time",
    "min_experience": 2,
    "max_experience": 5,
}


@pytest.fixture(name="wait_seconds")
def fx_wait_seconds() -> float:
    return get_settings().generation_wait_seconds


@pytest.fixture(name="http")
async def fx_http(broker: AsyncBroker, wait_seconds: float) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its settings (HIREBOT_GENERATION_WAIT from `wait_seconds`), on the
    test's broker (no lifespan: the `broker` fixture runs the queue)."""
    settings: Settings = dataclasses.replace(get_settings(), generation_wait_seconds=wait_seconds)
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def caller(role: Role = Role.EDITOR) -> tuple[Actor, dict[str, str]]:
    actor = await factories.user(await factories.org(), role)
    return actor, await factories.headers(actor)


async def test_generate_creates_a_draft_with_the_written_description(
    http: httpx.AsyncClient,
) -> None:
    actor, auth = await caller()
    other, _ = await caller()

    response = await http.post(
        GENERATE, json={**SPEC_BODY, "user_id": other.user_id, "owner": other.user_id}, headers=auth
    )

    assert response.status_code == 200, response.text
    body = response.json()
    job = body["job"]
    assert body["job_description"] == job["description"]
    assert "Backend Engineer" in body["job_description"]
    assert job["owner_id"] == actor.user_id and job["org_id"] == actor.org_id
    assert job["status"] == "draft"
    assert job["must_have_skills"] == ["Python", "PostgreSQL"]
    assert job["description_status"] == "ready"
    assert job["description_generated_by"] == "offline"


async def test_generate_accepts_a_list_and_no_trailing_slash(http: httpx.AsyncClient) -> None:
    _, auth = await caller()

    response = await http.post(
        GENERATE.rstrip("/"),
        json={**SPEC_BODY, "must_have_skills": ["Go", "Kafka"], "location": "Berlin"},
        headers=auth,
    )

    assert response.status_code == 200, response.text
    assert response.json()["job"]["must_have_skills"] == ["Go", "Kafka"]
    assert response.json()["job"]["location"] == "Berlin"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"job_title": " "}, "job_title"),
        ({"must_have_skills": " , "}, "must_have_skills"),
        ({"employment_type": "Forever"}, "employment_type"),
        ({"min_experience": 6}, "min_experience"),
        ({"max_experience": -1}, "max_experience"),
        ({"job_title": None}, "job_title"),
    ],
)
async def test_generate_rejects_bad_input_and_creates_nothing(
    http: httpx.AsyncClient, change: dict[str, Any], field: str
) -> None:
    _, auth = await caller()

    response = await http.post(GENERATE, json={**SPEC_BODY, **change}, headers=auth)

    assert response.status_code == 400, response.text
    assert field in response.text
    assert await Job.count() == 0


async def test_generate_needs_a_token_and_a_writing_role(http: httpx.AsyncClient) -> None:
    _, viewer = await caller(Role.VIEWER)

    assert (await http.post(GENERATE, json=SPEC_BODY)).status_code == 401
    assert (await http.post(GENERATE, json=SPEC_BODY, headers=viewer)).status_code == 403
    assert await Job.count() == 0


async def test_a_model_failure_answers_502_with_the_reason(
    http: httpx.AsyncClient, online: LLMGateway, fake_openai: FakeOpenAI
) -> None:
    actor, auth = await caller()
    fake_openai.script(server_error(500))

    response = await http.post(GENERATE, json=SPEC_BODY, headers=auth)

    assert response.status_code == 502, response.text
    assert "HTTP 500" in response.json()["detail"]
    [job] = await jobs.list_owned_and_shared(actor)
    assert job.description_status is GenerationStatus.FAILED


@pytest.mark.parametrize("wait_seconds", [0.2])
async def test_past_the_wait_504_and_the_job_stays_pending(
    http: httpx.AsyncClient, broker: AsyncBroker, online: LLMGateway, fake_openai: FakeOpenAI
) -> None:
    actor, auth = await caller()
    fake_openai.script(slow(1.0))

    response = await http.post(GENERATE, json=SPEC_BODY, headers=auth)

    assert response.status_code == 504, response.text
    [job] = await jobs.list_owned_and_shared(actor)
    assert f"job {job.id}" in response.json()["detail"]
    assert job.description_status is GenerationStatus.PENDING
    await broker.wait_all()  # type: ignore[attr-defined]
    assert (await jobs.get_job(actor, job.id)).description_status is GenerationStatus.READY


async def test_rewrite_answers_201_with_a_suggestion_and_stores_nothing(
    http: httpx.AsyncClient,
) -> None:
    _, auth = await caller()
    body = {
        "job_title": "Backend Engineer",
        "job_description": "## About the role\n\nWe build APIs in Python.",
        "user_prompt": "Make it senior and remote; add Kubernetes.",
        "user_id": 12345,
    }

    response = await http.post(REWRITE, json=body, headers=auth)

    assert response.status_code == 201, response.text
    answer = response.json()
    assert set(answer) == {"job_description", "suggested_skills", "changes"}
    assert "Senior" in answer["job_description"] and "Kubernetes" in answer["job_description"]
    assert isinstance(answer["suggested_skills"], list)
    assert answer["changes"], "the rewrite is shown as changes too"
    for change in answer["changes"]:
        assert set(change) == {"index", "kind", "before", "after", "paragraph"}
    assert any("Kubernetes" in change["after"] for change in answer["changes"])
    assert await Job.count() == 0


@pytest.mark.parametrize("field", ["job_title", "job_description", "user_prompt"])
async def test_rewrite_rejects_a_missing_or_blank_field(
    http: httpx.AsyncClient, field: str
) -> None:
    _, auth = await caller()
    body = {"job_title": "T", "job_description": "D", "user_prompt": "P", field: "  "}

    response = await http.post(REWRITE, json=body, headers=auth)

    assert response.status_code == 400, response.text
    assert field in response.text


async def test_a_failed_rewrite_answers_502(
    http: httpx.AsyncClient, online: LLMGateway, fake_openai: FakeOpenAI
) -> None:
    _, auth = await caller()
    fake_openai.script(server_error(503))
    body = {"job_title": "T", "job_description": "D", "user_prompt": "Shorter."}

    response = await http.post(REWRITE, json=body, headers=auth)

    assert response.status_code == 502, response.text
    assert "HTTP 503" in response.json()["detail"]


async def test_the_written_description_is_an_event_of_the_worker_for_the_requester(
    http: httpx.AsyncClient,
) -> None:
    from models import events
    from models.events import AuditFilters

    actor, auth = await caller(Role.ADMIN)
    response = await http.post(GENERATE, json=SPEC_BODY, headers=auth)
    assert response.status_code == 200, response.text
    job_id = response.json()["job"]["id"]
    page = await events.job_history(actor, job_id)
    [written] = [e for e in page.items if e.type == "description.generated"]
    assert (written.surface, written.actor_id) == ("worker", actor.user_id)
    assert written.data["source"] == "generated" and written.data["model"] == "offline"
    [created] = (await events.audit(actor, AuditFilters(type=events.EventType.JOB_CREATED))).items
    assert (created.entity_id, created.surface) == (job_id, "api")


async def test_a_request_id_follows_the_request_into_its_task(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    actor, auth = await caller()
    with caplog.at_level(logging.INFO):
        response = await http.post(
            GENERATE, json=SPEC_BODY, headers={**auth, "X-Request-Id": "req-42.a"}
        )
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == "req-42.a"
    [line] = [r for r in caplog.records if r.getMessage().startswith("writing the description")]
    assert line.request_id == "req-42.a"  # type: ignore[attr-defined]
    assert (line.org_id, line.user_id) == (actor.org_id, actor.user_id)  # type: ignore[attr-defined]
    assert line.name == "workers.tasks.descriptions"
    # A request without one (or with one that is not sane) gets a new id.
    for headers in (auth, {**auth, "X-Request-Id": "bad id\\n"}):
        answer = await http.get("/api/me", headers=headers)
        assert len(answer.headers["x-request-id"]) == 32
