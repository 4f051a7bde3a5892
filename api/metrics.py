"""`GET /metrics`: Prometheus metrics of this process (of every process of `hirebot serve
--workers N`, added up), for a scraper, not for the public.

Requests are counted by Litestar's Prometheus middleware, by route template (so ids do
not make a series each) and status; Hirebot's own metrics are in `workers/metrics.py`.
With HIREBOT_METRICS_TOKEN set, /metrics answers only to that bearer token; without it,
only to clients on loopback.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from typing import Any

from litestar import Response, get
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.base import DefineMiddleware
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from models import outbox
from models.errors import Forbidden, Unauthenticated
from models.settings import Settings
from models.webhooks import deliveries
from workers.metrics import OUTBOX_BACKLOG, WEBHOOK_BACKLOG
from workers.metrics_folder import MULTIPROC_ENV

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"


def metrics_middleware() -> DefineMiddleware:
    config = PrometheusConfig(
        app_name="hirebot",
        prefix="hirebot",
        group_path=True,  # /api/jobs/{job_id}, not one series per job
        exclude=[METRICS_PATH],
    )
    return config.middleware


def scraper_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    settings: Settings = connection.app.state.settings
    if settings.metrics_token:
        given = connection.headers.get("authorization", "")
        expected = f"Bearer {settings.metrics_token}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthenticated("/metrics needs the bearer token of HIREBOT_METRICS_TOKEN")
        return
    host = connection.client.host if connection.client else ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise Forbidden("/metrics answers only on loopback unless HIREBOT_METRICS_TOKEN is set")


@get(
    METRICS_PATH,
    operation_id="metrics",
    tags=["operations"],
    summary="Prometheus metrics (HIREBOT_METRICS_TOKEN, or loopback only)",
    guards=[scraper_only],
    include_in_schema=False,
)
async def metrics() -> Response[bytes]:
    try:
        OUTBOX_BACKLOG.set(await outbox.backlog())
        WEBHOOK_BACKLOG.set(await deliveries.backlog())
    except Exception as error:  # the database away: the other metrics still answer
        log.warning("could not read the backlogs for /metrics: %s", type(error).__name__)
    registry = REGISTRY
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
