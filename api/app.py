"""Builds the Litestar application: routes, auth, error mapping, OpenAPI and lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler

from api.auth import ACTOR
from api.controllers.candidates import CandidateController
from api.controllers.criteria import CriteriaController
from api.controllers.filter_groups import FilterGroupController
from api.controllers.generation import GenerationController
from api.controllers.job_spec import JobSpecController
from api.controllers.jobs import JobController
from api.controllers.responses import CandidateResponseController
from api.controllers.users import UserController
from api.errors import exception_handlers
from api.health import health
from bot.app import build_bolt_app
from bot.http import slack_events
from models import idempotency
from models.cache import job_lists
from models.db import close_pool, open_pool
from models.settings import Settings, get_settings
from workers.broker import broker_lifespan

ROUTES: list[ControllerRouterHandler] = [
    health,
    JobSpecController,
    GenerationController,
    JobController,
    CandidateController,
    UserController,
    FilterGroupController,
    CriteriaController,
    CandidateResponseController,
    slack_events,
]


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Hirebot API",
        version="1.0.0",
        description="Jobs, hiring pipelines and model-written job descriptions. "
        "Authenticate with `Authorization: Bearer <token>` (`hirebot token create`).",
        path="/schema",
        render_plugins=[SwaggerRenderPlugin(), RedocRenderPlugin()],
        components=Components(
            security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
        ),
        security=[{"BearerToken": []}],
    )


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()

    @asynccontextmanager
    async def resources(app: Litestar) -> AsyncIterator[None]:
        opened = await open_pool(settings)
        job_lists.configure(settings)
        await idempotency.purge()
        app.state.bolt = build_bolt_app(settings) if settings.slack_configured else None
        try:
            yield
        finally:
            if opened:
                await close_pool()

    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    return Litestar(
        route_handlers=ROUTES,
        dependencies=ACTOR,
        exception_handlers=exception_handlers(),
        openapi_config=openapi_config(),
        lifespan=[resources, broker_lifespan],
        request_max_body_size=settings.max_body_bytes,
        debug=settings.debug,
    )
