"""The service answers: health, OpenAPI, authentication."""

from __future__ import annotations

import httpx

from models.enums import Role
from tests import factories


async def test_health_and_openapi(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
    }
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/jobs/list" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


async def test_requests_without_a_valid_token_get_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/jobs/list/")).status_code == 401
    response = await client.get("/api/me", headers={"Authorization": "Bearer hb_nope"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_me_and_trailing_slashes(client: httpx.AsyncClient) -> None:
    org = await factories.org("Acme")
    admin = await factories.user(org, Role.ADMIN, email="boss@acme.test")
    headers = await factories.headers(admin)
    me = (await client.get("/api/me", headers=headers)).json()
    assert me["email"] == "boss@acme.test"
    assert me["role"] == "Admin"
    for path in ("/api/jobs/list", "/api/jobs/list/", "/api/jobs/", "/api/jobs"):
        assert (await client.get(path, headers=headers)).status_code == 200, path
