"""Builds the Litestar application: routes, auth, error mapping, OpenAPI and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler

import bot.conversation.tasks
import bot.tasks  # noqa: F401
from api.auth import ACTOR
from api.cache import JobListCache, build_cache
from api.controllers.audit import AuditController
from api.controllers.candidates import CandidateController
from api.controllers.criteria import CriteriaController
from api.controllers.descriptions import DescriptionController
from api.controllers.filter_groups import FilterGroupController
from api.controllers.generation import GenerationController
from api.controllers.job_spec import JobSpecController
from api.controllers.jobs import JobController
from api.controllers.organization import OrganizationController
from api.controllers.responses import CandidateResponseController
from api.controllers.usage import UsageController
from api.controllers.users import UserController
from api.controllers.webhooks import WebhookController
from api.docs import docs_assets, render_plugins
from api.errors import exception_handlers
from api.health import health
from api.metrics import metrics, metrics_middleware
from api.openapi import install as install_contract
from api.options import answer_options
from api.request_id import request_id_middleware
from api.validation import check_request
from bot.app import build_bolt_app
from bot.http import slack_events, slack_install, slack_oauth_redirect
from models.settings import Settings, get_settings
from workers.logs import configure_logging
from workers.runtime import serving, settle_heap

ROUTES: list[ControllerRouterHandler] = [
    health,
    JobSpecController,
    GenerationController,
    JobController,
    DescriptionController,
    UsageController,
    CandidateController,
    UserController,
    OrganizationController,
    AuditController,
    WebhookController,
    FilterGroupController,
    CriteriaController,
    CandidateResponseController,
    slack_events,
    slack_install,
    slack_oauth_redirect,
    metrics,
    docs_assets(),
]


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Hirebot API",
        version="1.0.0",
        description="Jobs, hiring pipelines and model-written job descriptions. "
        "Authenticate with `Authorization: Bearer <token>` (`hirebot token create`).",
        path="/schema",
        render_plugins=render_plugins(),
        components=Components(
            security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
        ),
        security=[{"BearerToken": []}],
    )


async def before_request(request: Request[Any, Any, Any]) -> Response[None] | None:
    """An OPTIONS answer (`api.options`), or the checks of ids and body (`api.validation`)."""
    if (answer := answer_options(request)) is not None:
        return answer
    await check_request(request)
    return None


def provide_job_lists(state: State) -> JobListCache:
    """The cache of encoded job lists, made when the app starts (`build_cache`)."""
    cache = state.get("job_lists")
    if cache is None:  # served without its lifespan (some tests): one cache for the app
        cache = state.job_lists = JobListCache()
    return cache  # type: ignore[no-any-return]


def create_app(settings: Settings | None = None) -> Litestar:
    """The app for `settings` (the environment's by default); every handler, the Slack app
    and the broker use these settings."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def resources(app: Litestar) -> AsyncIterator[None]:
        async with serving(settings) as broker:
            app.state.broker = broker
            app.state.job_lists = build_cache(settings)
            app.state.bolt = build_bolt_app(settings) if settings.slack_configured else None
            if app.state.bolt is not None:
                await app.state.bolt.warm()
            settle_heap()
            yield

    configure_logging(settings)
    app = Litestar(
        route_handlers=ROUTES,
        dependencies={
            **ACTOR,
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            "job_lists": Provide(provide_job_lists, sync_to_thread=False),
        },
        exception_handlers=exception_handlers(),
        before_request=before_request,
        openapi_config=openapi_config(),
        lifespan=[resources],
        request_max_body_size=settings.max_body_bytes,
        debug=settings.debug,
        middleware=[request_id_middleware, metrics_middleware()],
        state=State({"settings": settings}),
    )
    install_contract(app)
    return app
