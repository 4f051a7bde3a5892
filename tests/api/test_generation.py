"""POST /api/jobs/generate-job-description/ and /rewrite-job-description/ through the task queue."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar, MediaType, Request, Response
from taskiq import AsyncBroker

from api import app as app_module
from api.auth import ACTOR
from api.controllers.generation import GenerationController
from api.errors import STATUS_BY_ERROR, error_body, exception_handlers
from models.enums import GenerationStatus, Role
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.settings import get_settings
from models.tables import Job
from tests import factories
from tests.fakes.openai_server import FakeOpenAI, server_error, slow
from workers.dispatch import GenerationFailed, GenerationTimeout
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


def _status(code: int) -> Any:
    def handler(_: Request[Any, Any, Any], exc: Any) -> Response[dict[str, object]]:
        return Response(error_body(code, exc.message), status_code=code, media_type=MediaType.JSON)

    return handler


def build_app() -> Litestar:
    """The real app once it routes this controller and maps its errors; until then the same
    pieces (controller, auth, error mapping) with the 502/504 mapping api/errors.py will get."""
    if GenerationController in app_module.ROUTES and GenerationTimeout in STATUS_BY_ERROR:
        return app_module.create_app()
    handlers = {
        **exception_handlers(),
        GenerationTimeout: _status(504),
        GenerationFailed: _status(502),
    }
    return Litestar([GenerationController], dependencies=ACTOR, exception_handlers=handlers)


@pytest.fixture(name="http")
async def fx_http(broker: AsyncBroker) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture(name="short_wait")
def fx_short_wait(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HIREBOT_GENERATION_WAIT", "0.2")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


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


@pytest.mark.usefixtures("short_wait")
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
    assert set(answer) == {"job_description", "suggested_skills"}
    assert "Senior" in answer["job_description"] and "Kubernetes" in answer["job_description"]
    assert isinstance(answer["suggested_skills"], list)
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
