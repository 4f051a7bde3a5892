"""The one place where errors become HTTP responses. Controllers hold no try/except.

Every error answers `{"status_code", "detail"}` and, when fields are to blame, `extra`:
a list of `{"key": <path of the field>, "message": <reason>}`, one per invalid field.
"""

from __future__ import annotations

import logging
import math
import re
from datetime import UTC, datetime

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_502_BAD_GATEWAY,
    HTTP_503_SERVICE_UNAVAILABLE,
    HTTP_504_GATEWAY_TIMEOUT,
)
from litestar.types import ExceptionHandlersMap

from api.messages import reason
from models.errors import (
    BudgetExceeded,
    Conflict,
    DomainError,
    Forbidden,
    GenerationFailed,
    GenerationTimeout,
    Invalid,
    NotFound,
    TooLarge,
    Unauthenticated,
)

log = logging.getLogger("hirebot.api")

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    Invalid: HTTP_400_BAD_REQUEST,
    Unauthenticated: HTTP_401_UNAUTHORIZED,
    Forbidden: HTTP_403_FORBIDDEN,
    NotFound: HTTP_404_NOT_FOUND,
    Conflict: HTTP_409_CONFLICT,
    TooLarge: HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    GenerationFailed: HTTP_502_BAD_GATEWAY,
    GenerationTimeout: HTTP_504_GATEWAY_TIMEOUT,
    BudgetExceeded: HTTP_429_TOO_MANY_REQUESTS,
}


def error_body(status: int, detail: str, field: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"status_code": status, "detail": detail}
    if field:
        body["extra"] = [{"key": field, "message": detail}]
    return body


def domain_error_to_response(_: Request, exc: DomainError) -> Response[dict[str, object]]:
    status = STATUS_BY_ERROR.get(type(exc), HTTP_400_BAD_REQUEST)
    headers = {"WWW-Authenticate": "Bearer"} if status == HTTP_401_UNAUTHORIZED else None
    if isinstance(exc, BudgetExceeded):
        wait = max(1, math.ceil((exc.resets_at - datetime.now(UTC)).total_seconds()))
        headers = {"Retry-After": str(wait)}
    return Response(
        error_body(status, exc.message, exc.field),
        status_code=status,
        headers=headers,
        media_type=MediaType.JSON,
    )


def undecodable_to_response(_: Request, exc: Exception) -> Response[dict[str, object]]:
    """Input the database or the decoder cannot take (numbers out of range, NUL bytes,
    JSON nested thousands deep) that slipped past validation: the client's fault, 400."""
    log.info("rejected undecodable input: %r", exc)
    return Response(
        error_body(HTTP_400_BAD_REQUEST, "a value in the request is out of range or malformed"),
        status_code=HTTP_400_BAD_REQUEST,
    )


def unavailable_to_response(_: Request, exc: Exception) -> Response[dict[str, object]]:
    """The database (or another service) is briefly away: 503, try again shortly."""
    log.warning("a service is unavailable: %r", exc)
    return Response(
        error_body(HTTP_503_SERVICE_UNAVAILABLE, "a service Hirebot needs is unavailable; retry"),
        status_code=HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "5"},
        media_type=MediaType.JSON,
    )


def invalid_to_response(request: Request, exc: ValidationException) -> Response[dict[str, object]]:
    """Bodies (`api.validation`) and Litestar's checks of the path and query: each field
    with a reason a person understands."""
    problems = [
        {"key": str(item.get("key") or "body"), "message": reason(str(item.get("message", "")))}
        for item in (exc.extra if isinstance(exc.extra, list) else [])
        if isinstance(item, dict)
    ]
    detail = exc.detail
    if detail.startswith("Validation failed for"):
        detail = "invalid request: " + ", ".join(p["key"] for p in problems) + " (see extra)"
    body = error_body(HTTP_400_BAD_REQUEST, detail)
    if problems:
        body["extra"] = problems
    return Response(body, status_code=HTTP_400_BAD_REQUEST, media_type=MediaType.JSON)


def no_route_to_response(request: Request, exc: NotFoundException) -> Response[dict[str, object]]:
    """A path no route answers: which route it nearly is, and what its ids must be."""
    return Response(
        error_body(HTTP_404_NOT_FOUND, _no_route(request)),
        status_code=HTTP_404_NOT_FOUND,
        media_type=MediaType.JSON,
    )


def _no_route(request: Request) -> str:
    path = request.url.path.rstrip("/") or "/"
    for route in request.app.routes:
        if not route.path_parameters:
            continue
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route.path_format))
        match = re.fullmatch(pattern, path)
        if not match:
            continue
        for name, value in match.groupdict().items():
            if route.path_parameters[name].type is int and not value.lstrip("-").isdigit():
                return (
                    f"{name} must be an integer id, not {value!r}: the route is {route.path_format}"
                )
    return (
        f"no route {request.method} {request.url.path}; the routes are listed at "
        "/schema/openapi.json"
    )


def too_large_to_response(request: Request, exc: Exception) -> Response[dict[str, object]]:
    limit = request.app.state.settings.max_body_bytes
    return Response(
        error_body(
            HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            f"the request body is larger than the limit of {limit} bytes",
        ),
        status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        media_type=MediaType.JSON,
    )


def unexpected_error_to_response(request: Request, exc: Exception) -> Response[dict[str, object]]:
    if isinstance(exc, HTTPException):
        if exc.status_code == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
            return too_large_to_response(request, exc)
        body = error_body(exc.status_code, exc.detail)
        if exc.extra:
            body["extra"] = exc.extra
        return Response(body, status_code=exc.status_code, headers=exc.headers)
    log.exception("unhandled error", exc_info=exc)
    return Response(
        error_body(HTTP_500_INTERNAL_SERVER_ERROR, "internal error; it has been logged"),
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
    )


def exception_handlers() -> ExceptionHandlersMap:
    import asyncpg

    from workers.faults import TRANSIENT_TYPES

    return {
        DomainError: domain_error_to_response,
        **dict.fromkeys(TRANSIENT_TYPES, unavailable_to_response),
        asyncpg.DataError: undecodable_to_response,
        OverflowError: undecodable_to_response,
        RecursionError: undecodable_to_response,
        ValidationException: invalid_to_response,
        NotFoundException: no_route_to_response,
        HTTPException: unexpected_error_to_response,
        HTTP_500_INTERNAL_SERVER_ERROR: unexpected_error_to_response,
    }
