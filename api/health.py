"""Liveness and readiness: the process answers, and says whether its database and broker do.

200 `{"status": "ok", "database": "ok", "broker": "ok"}` when both answer; 503 with the same
keys, naming what is down, when either does not (a load balancer stops sending traffic
until it is back; the process keeps running and recovers by itself).
"""

from __future__ import annotations

import asyncio

from litestar import MediaType, Request, Response, get
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from models.db import ping
from workers.broker import broker_answers

CHECK_SECONDS = 2.0


async def _database() -> bool:
    try:
        await asyncio.wait_for(ping(), CHECK_SECONDS)
    except Exception:
        return False
    return True


@get(
    "/health",
    operation_id="health",
    response_description="All of them answer.",
    tags=["health"],
    security=[],
    summary="Say whether the service, its database and its broker answer",
)
async def health(request: Request) -> Response[dict[str, str]]:
    broker = request.app.state.get("broker")
    database, queue = await asyncio.gather(_database(), broker_answers(broker, CHECK_SECONDS))
    body = {
        "status": "ok" if database and queue else "unavailable",
        "database": "ok" if database else "down",
        "broker": "ok" if queue else "down",
    }
    status = HTTP_200_OK if database and queue else HTTP_503_SERVICE_UNAVAILABLE
    return Response(body, status_code=status, media_type=MediaType.JSON)
