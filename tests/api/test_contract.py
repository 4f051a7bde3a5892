"""The HTTP contract: the OpenAPI document says what the server does, bodies are strict,
every invalid field is named at once, unknown fields are errors (the original module's
identity fields excepted), and shapes are what the documentation says."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin

from models.ids import MAX_ID
from models.tables import Criteria, Job
from tests import factories
from tests.factories import World

Document = dict[str, Any]
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(name="document")
def fx_document(app: Litestar) -> Document:
    return app.plugins.get(OpenAPIPlugin).provide_openapi_schema()


def operations(document: Document) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, item[method])
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    ]


def keys(response: httpx.Response) -> set[str]:
    return {item["key"] for item in response.json().get("extra", [])}


# The OpenAPI document --------------------------------------------------------------------


def test_every_status_an_operation_can_answer_is_documented(document: Document) -> None:
    for path, method, operation in operations(document):
        statuses = set(operation["responses"])
        public = operation.get("security") == []
        expected = {"503"}
        if not public:
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"400", "413"}
        assert expected <= statuses, (method, path, expected - statuses)
        for status, response in operation["responses"].items():
            if status[0] in "45" and path != "/health":
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    generate = document["paths"]["/api/jobs/generate-job-description"]["post"]["responses"]
    assert {"200", "429", "502", "504"} <= set(generate)
    rewrite = document["paths"]["/api/jobs/rewrite-job-description"]["post"]["responses"]
    assert {"201", "429", "502", "504"} <= set(rewrite)


def test_public_routes_are_marked_public(document: Document) -> None:
    public = {
        path for path, _, operation in operations(document) if operation.get("security") == []
    }
    assert public == {
        "/health",
        "/slack/events",
        "/slack/install",
        "/slack/oauth_redirect",
        "/api/jobs/candidate-view/{public_key}",
    }
    assert "security" not in document["paths"]["/api/jobs"]["get"]  # the global bearer token


def test_update_schemas_keep_their_constraints(document: Document) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["CriteriaUpdate"]["properties"]["weight"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 100,
    }
    job_update = schemas["JobUpdate"]["properties"]
    assert job_update["min_experience"]["minimum"] == 0
    assert job_update["title"]["minLength"] == 1
    assert "pattern" in job_update["title"]
    assert schemas["ShareRequest"]["properties"]["user_ids"]["maxItems"] == 100
    assert schemas["ShareRequest"]["properties"]["user_ids"]["items"]["maximum"] == MAX_ID
    assert schemas["BudgetChange"]["properties"]["monthly_tokens"]["minimum"] == 0
    limits = {
        parameter["name"]: parameter["schema"]
        for parameter in document["paths"]["/api/criteria"]["get"]["parameters"]
    }
    assert limits["limit"]["maximum"] == 100


def test_request_bodies_are_closed_except_for_the_legacy_identity_fields(
    document: Document,
) -> None:
    schemas = document["components"]["schemas"]
    for name in ("JobCreate", "JobUpdate", "CriteriaItem", "CriteriaBulk", "UserCreate"):
        assert schemas[name]["additionalProperties"] is False, name
    assert schemas["JobUpdate"]["properties"]["user_id"]["deprecated"] is True
    assert "owner" not in schemas["CriteriaItem"]["properties"]  # only at the top of a body


def test_operations_have_sentences_and_real_descriptions(document: Document) -> None:
    generic = {"OK", "Created", "Additional response", "Request fulfilled, document follows"}
    for path, method, operation in operations(document):
        summary = operation.get("summary", "")
        assert " " in summary and summary[0].isupper(), (method, path, summary)
        for status, response in operation["responses"].items():
            assert response["description"] not in generic, (method, path, status)


def test_examples_are_realistic(document: Document) -> None:
    job = document["components"]["schemas"]["JobCreate"]["properties"]
    assert job["title"]["examples"] == ["Senior Backend Engineer"]
    assert job["must_have_skills"]["examples"] == [["Python", "PostgreSQL", "Docker"]]
    assert job["description"]["examples"][0].startswith("We are looking for")


async def test_options_lists_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    for path, wanted in (("/api/jobs", {"GET", "POST"}), ("/api/jobs/1", {"GET", "PUT"})):
        response = await client.options(path)
        assert response.status_code == 204
        allowed = {method.strip() for method in response.headers["allow"].split(",")}
        assert wanted <= allowed, (path, allowed)


# Strict types and text hygiene ------------------------------------------------------------


async def test_strings_are_not_numbers_or_booleans(client: httpx.AsyncClient, world: World) -> None:
    headers = factories.bearer(world.tokens["editor"])
    job = await factories.job(world.editor)
    answer = await client.post(
        "/api/criteria/",
        json={"job_id": job.id, "question": "Remote?", "required": "true", "weight": "5"},
        headers=headers,
    )
    assert answer.status_code == 400
    assert keys(answer) == {"required", "weight"}
    assert await Criteria.count().where(Criteria.job == job.id) == 0
    zero = await client.post(
        "/api/criteria/", json={"job_id": job.id, "question": "Q", "required": 0}, headers=headers
    )
    assert zero.status_code == 400
    assert keys(zero) == {"required"}


@pytest.mark.parametrize("title", ["\u200b\u200b", "\u200d \ufeff", "\u202e"])
async def test_a_title_of_invisible_characters_is_blank(
    client: httpx.AsyncClient, world: World, title: str
) -> None:
    answer = await client.post(
        "/api/jobs/", json={"title": title}, headers=factories.bearer(world.tokens["editor"])
    )
    assert answer.status_code == 400
    assert keys(answer) == {"title"}
    assert "blank" in answer.json()["extra"][0]["message"]


async def test_names_and_emails_reject_direction_controls(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = factories.bearer(world.tokens["admin"])
    email = await client.post(
        "/api/users", json={"email": "ada\u202e@example.com", "name": "Ada"}, headers=headers
    )
    assert email.status_code == 400
    assert keys(email) == {"email"}
    name = await client.post(
        "/api/users", json={"email": "ada@example.com", "name": "Ada\u202eevil"}, headers=headers
    )
    assert name.status_code == 400
    assert keys(name) == {"name"}
    job = await factories.job(world.admin)
    candidate = await client.post(
        f"/api/jobs/{job.id}/candidates",
        json={"name": "\u2066Bob\u2069", "email": "bob\u200f@example.com"},
        headers=headers,
    )
    assert candidate.status_code == 400
    assert keys(candidate) == {"name", "email"}


async def test_the_operations_treat_invisible_text_as_blank_on_every_surface(
    world: World,
) -> None:
    """Slack's modals reach the operations without the API's schemas: the same rule holds."""
    from models.errors import Invalid
    from models.jobs import operations as jobs
    from models.jobs.schemas import JobCreate

    with pytest.raises(Invalid, match="title"):
        await jobs.create_job(world.editor, JobCreate(title="\u200b\u2060"))


# Errors -----------------------------------------------------------------------------------


async def test_every_invalid_field_is_named_at_once(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = factories.bearer(world.tokens["editor"])
    both = await client.post(
        "/api/jobs/", json={"title": 123, "min_experience": "five"}, headers=headers
    )
    assert both.status_code == 400
    extra = {item["key"]: item["message"] for item in both.json()["extra"]}
    assert extra == {
        "title": "must be a string, not an integer",
        "min_experience": "must be an integer, not a string",
    }
    missing = await client.post("/api/jobs/", json={}, headers=headers)
    assert missing.json()["extra"] == [{"key": "title", "message": "is required"}]


async def test_blank_prompt_and_empty_skills_name_their_field(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = factories.bearer(world.tokens["editor"])
    rewrite = await client.post(
        "/api/jobs/rewrite-job-description/",
        json={"job_title": "Engineer", "job_description": "We hire.", "user_prompt": "  "},
        headers=headers,
    )
    assert rewrite.status_code == 400
    assert keys(rewrite) == {"user_prompt"}
    generate = await client.post(
        "/api/jobs/generate-job-description/",
        json={
            "job_title": "Engineer",
            "must_have_skills": [],
            "employment_type": "Full-time",
            "min_experience": 1,
            "max_experience": 3,
        },
        headers=headers,
    )
    assert generate.status_code == 400
    assert keys(generate) == {"must_have_skills"}


async def test_a_nested_field_is_named_by_its_path(client: httpx.AsyncClient, world: World) -> None:
    job = await factories.job(world.editor)
    answer = await client.post(
        "/api/candidate-responses/create-or-update",
        json={
            "candidate_id": 1,
            "job_id": job.id,
            "responses": [
                {"criteria_id": 1, "response": "yes"},
                {"criteria_id": 2, "response": ["a list"]},
                {"criteria_id": "3"},
            ],
        },
        headers=factories.bearer(world.tokens["editor"]),
    )
    assert answer.status_code == 400
    assert keys(answer) == {"responses[1].response", "responses[2].criteria_id"}


async def test_malformed_json_says_where(client: httpx.AsyncClient, world: World) -> None:
    answer = await client.post(
        "/api/jobs/",
        content=b'{"title": "Engineer",\n "status": draft}',
        headers={**factories.bearer(world.tokens["editor"]), "content-type": "application/json"},
    )
    assert answer.status_code == 400
    assert "line 2, column 12" in answer.json()["detail"]
    cut = await client.post(
        "/api/jobs/",
        content=b'{"title": "Eng',
        headers={**factories.bearer(world.tokens["editor"]), "content-type": "application/json"},
    )
    assert "ends too early" in cut.json()["detail"]


async def test_a_malformed_id_or_unknown_route_says_what_was_expected(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = factories.bearer(world.tokens["editor"])
    malformed = await client.get("/api/jobs/abc", headers=headers)
    assert malformed.status_code == 404
    assert malformed.json()["detail"] == (
        "job_id must be an integer id, not 'abc': the route is /api/jobs/{job_id}"
    )
    unknown = await client.get("/api/nothing-here", headers=headers)
    assert unknown.status_code == 404
    assert "/schema/openapi.json" in unknown.json()["detail"]


async def test_413_states_the_limit(client: httpx.AsyncClient, world: World) -> None:
    from models.settings import get_settings

    limit = get_settings().max_body_bytes
    answer = await client.post(
        "/api/jobs/",
        content=b'{"title": "' + b"a" * limit + b'"}',
        headers={**factories.bearer(world.tokens["editor"]), "content-type": "application/json"},
    )
    assert answer.status_code == 413
    assert str(limit) in answer.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/jobs/{id}",
        "/api/jobs/job-detail/{id}",
        "/api/criteria/{id}",
        "/api/candidate-responses/{id}",
        "/api/filter-groups/{id}",
        "/api/jobs/1/versions/{id}",
    ],
)
@pytest.mark.parametrize("value", [MAX_ID + 1, 2**63, 0])
async def test_out_of_range_ids_answer_404_everywhere(
    client: httpx.AsyncClient, world: World, path: str, value: int
) -> None:
    answer = await client.get(
        path.format(id=value), headers=factories.bearer(world.tokens["admin"])
    )
    assert answer.status_code == 404, answer.text


async def test_domain_errors_have_the_documented_shape(
    client: httpx.AsyncClient, world: World
) -> None:
    job = await factories.job(world.editor)
    answer = await client.put(
        f"/api/jobs/{job.id}/weights",
        json={"skills": 50, "experience": 50, "education": 50, "criteria": 0},
        headers=factories.bearer(world.tokens["editor"]),
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "status_code": 400,
        "detail": "weights must sum to 100, not 150",
        "extra": [{"key": "weights", "message": "weights must sum to 100, not 150"}],
    }


# Unknown fields ---------------------------------------------------------------------------


async def test_an_unknown_field_is_an_error_that_names_it(
    client: httpx.AsyncClient, world: World
) -> None:
    job = await factories.job(world.editor)
    answer = await client.patch(
        f"/api/jobs/{job.id}",
        json={"stauts": "closed"},
        headers=factories.bearer(world.tokens["editor"]),
    )
    assert answer.status_code == 400
    assert keys(answer) == {"stauts"}
    assert "status" in answer.json()["extra"][0]["message"]  # the fields it could have meant
    assert (await Job.select(Job.status).where(Job.id == job.id).first())["status"] == "draft"


async def test_legacy_identity_fields_are_ignored_everywhere(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = factories.bearer(world.tokens["admin"])
    legacy = {"user": {"id": 9}, "user_id": 9, "owner": 9, "org": 9}
    user = await client.post(
        "/api/users", json={"email": "new@example.com", "name": "New", **legacy}, headers=headers
    )
    assert user.status_code == 201, user.text
    assert user.json()["org_id"] == world.admin.org_id
    job = await client.post("/api/jobs/", json={"title": "Engineer", **legacy}, headers=headers)
    assert job.status_code == 201, job.text
    assert job.json()["owner_id"] == world.admin.user_id
    nested = await client.post(
        "/api/criteria/bulk-create-or-update",
        json={"job_id": job.json()["id"], "criteria": [{"question": "Q?", "owner": 9}]},
        headers=headers,
    )
    assert nested.status_code == 400
    assert keys(nested) == {"criteria[0].owner"}


# Shapes -----------------------------------------------------------------------------------


async def test_bulk_update_changes_only_the_fields_given(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = factories.bearer(world.tokens["editor"])
    job = await factories.job(world.editor)
    created = await client.post(
        "/api/criteria/",
        json={
            "job_id": job.id,
            "question": "Years of Python?",
            "kind": "number",
            "required": True,
            "weight": 5,
            "expected_answer": "3",
        },
        headers=headers,
    )
    criterion = created.json()
    answer = await client.post(
        "/api/criteria/bulk-create-or-update",
        json={"job_id": job.id, "criteria": [{"id": criterion["id"], "question": "Python?"}]},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    (updated,) = answer.json()["criteria"]
    assert updated == {**criterion, "question": "Python?"}
    no_question = await client.post(
        "/api/criteria/bulk-create-or-update",
        json={"job_id": job.id, "criteria": [{"weight": 3}]},
        headers=headers,
    )
    assert no_question.status_code == 400
    assert keys(no_question) == {"criteria[0].question"}


async def test_a_response_needs_the_candidate_to_have_applied(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = factories.bearer(world.tokens["editor"])
    job = await factories.job(world.editor)
    other = await factories.job(world.editor, "Designer")
    question = (
        await client.post(
            "/api/criteria/", json={"job_id": job.id, "question": "Remote?"}, headers=headers
        )
    ).json()
    applied = await client.post(
        f"/api/jobs/{other.id}/candidates",
        json={"name": "Bo", "email": "bo@example.com"},
        headers=headers,
    )
    candidate_id = applied.json()["candidate_id"]
    body = {"candidate_id": candidate_id, "job_id": job.id, "criteria_id": question["id"]}
    for path, payload in (
        ("/api/candidate-responses/", {**body, "response": "yes"}),
        ("/api/candidate-responses/bulk-create", [{**body, "response": "yes"}]),
        (
            "/api/candidate-responses/create-or-update",
            {
                "candidate_id": candidate_id,
                "job_id": job.id,
                "responses": [{"criteria_id": question["id"], "response": "yes"}],
            },
        ),
    ):
        answer = await client.post(path, json=payload, headers=headers)
        assert answer.status_code == 404, (path, answer.text)
        assert (
            answer.json()["detail"] == f"candidate {candidate_id} has not applied to job {job.id}"
        )


async def test_lists_document_that_weights_are_in_the_detail(document: Document) -> None:
    for path in ("/api/jobs/list", "/api/jobs"):
        assert "weights" in document["paths"][path]["get"]["description"]


async def test_date_time_query_parameters_are_rfc_3339(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = factories.bearer(world.tokens["admin"])
    number = await client.get("/api/audit", params={"before": "0.5"}, headers=headers)
    assert number.status_code == 400
    assert keys(number) == {"before"}
    fine = await client.get(
        "/api/audit", params={"before": "2026-12-01T09:00:00Z"}, headers=headers
    )
    assert fine.status_code == 200
