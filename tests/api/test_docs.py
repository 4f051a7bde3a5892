"""The API docs work offline: every file the pages load is served by Hirebot itself."""

from __future__ import annotations

import re
import sys

import httpx
import pytest

from api.docs import ASSETS_PATH

LINKS = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""")
TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


@pytest.mark.parametrize("page", ["/schema/swagger", "/schema/redoc"])
async def test_docs_pages_load_only_hirebot_urls(client: httpx.AsyncClient, page: str) -> None:
    answer = await client.get(page)
    assert answer.status_code == 200
    head = answer.text.split("<body", 1)[0]
    assert "http://" not in head
    assert "https://" not in head  # no CDN, no web fonts
    links = LINKS.findall(answer.text)
    assert any(link.endswith(".js") for link in links), links
    for link in links:
        assert link.startswith(f"{ASSETS_PATH}/"), link  # this server, this pinned version
        asset = await client.get(link)
        assert asset.status_code == 200, link
        suffix = link[link.rindex(".") :]
        assert asset.headers["content-type"].startswith(TYPES[suffix]), link
        assert len(asset.content) > 500, link
        assert "immutable" in asset.headers["cache-control"]


async def test_swagger_page_loads_the_swagger_bundle_and_redoc_its_own(
    client: httpx.AsyncClient,
) -> None:
    swagger = LINKS.findall((await client.get("/schema/swagger")).text)
    redoc = LINKS.findall((await client.get("/schema/redoc")).text)
    assert {link.rsplit("/", 1)[1] for link in swagger} >= {
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
    }
    [script] = [link for link in redoc if link.endswith(".js")]
    bundle = (await client.get(script)).text
    assert "Redoc" in bundle[:5000] or "redoc" in bundle[:5000].lower()
    assert "django" not in sys.modules  # the assets' package is read, never imported


async def test_assets_are_public_and_not_in_the_schema(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert not [path for path in schema["paths"] if path.startswith("/schema")]
    assert (await client.get(f"{ASSETS_PATH}/no-such-file.js")).status_code == 404
    assert (await client.get(f"{ASSETS_PATH}/../../pyproject.toml")).status_code == 404
