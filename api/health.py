"""Liveness and readiness: the process answers and the database does too."""

from __future__ import annotations

from litestar import get

from models.db import ping


@get("/health", operation_id="health", tags=["health"], security=[])
async def health() -> dict[str, str]:
    await ping()
    return {"status": "ok"}
