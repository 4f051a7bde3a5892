"""Swagger UI and ReDoc that work offline: their files are served by Hirebot itself.

The files come from an installed package, drf-spectacular-sidecar (pinned in
pyproject.toml: Swagger UI 5.33.1, ReDoc 2.5.4), and are served under `/schema/assets/<its
version>/`, so a new version gets new URLs and browsers may cache them for good.
"""

from __future__ import annotations

import importlib.util
from importlib.metadata import version
from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin, RedocRenderPlugin, SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

ASSETS_PACKAGE = "drf_spectacular_sidecar"
ASSETS_PATH = f"/schema/assets/{version('drf-spectacular-sidecar')}"
SWAGGER = f"{ASSETS_PATH}/swagger-ui-dist"
REDOC = f"{ASSETS_PATH}/redoc/bundles"


def assets_folder() -> Path:
    """The package's folder of static files, found without importing the package (its
    `__init__` imports Django, which only its Django app needs)."""
    spec = importlib.util.find_spec(ASSETS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{ASSETS_PACKAGE} is not installed (pip install .)")
    return Path(next(iter(spec.submodule_search_locations))) / "static" / ASSETS_PACKAGE


def docs_assets() -> Router:
    """The route that serves the pages' scripts, styles and icon (public, not in the schema)."""
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[assets_folder()],
        name="docs_assets",
        cache_control=CacheControlHeader(max_age=365 * 24 * 3600, public=True, immutable=True),
    )


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """`/schema/swagger` and `/schema/redoc`, loading nothing from another site."""
    favicon = f"<link rel='icon' type='image/png' href='{SWAGGER}/favicon-32x32.png'>"
    return [
        SwaggerRenderPlugin(
            js_url=f"{SWAGGER}/swagger-ui-bundle.js",
            css_url=f"{SWAGGER}/swagger-ui.css",
            standalone_preset_js_url=f"{SWAGGER}/swagger-ui-standalone-preset.js",
            favicon=favicon,
        ),
        RedocRenderPlugin(
            js_url=f"{REDOC}/redoc.standalone.js", google_fonts=False, favicon=favicon
        ),
    ]
