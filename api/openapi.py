"""The OpenAPI document as the server behaves: every status an operation can answer, with
the error schema; public routes marked public; request bodies closed to unknown fields.

Litestar generates the document from the handlers; `finish` completes it once, in one
place, from rules that hold for every operation (an authenticated one can answer 401 and
403, one with an id 404, one with a body 400 and 413, every one 503) plus the few
operations that can answer more (`EXTRA_STATUSES`).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.handlers import HTTPRouteHandler

from api.validation import LEGACY_FIELDS
from models.ids import MAX_ID

ERROR = "#/components/schemas/Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Error",
    "description": "Every error answers this shape.",
    "required": ["status_code", "detail"],
    "properties": {
        "status_code": {"type": "integer", "description": "The HTTP status, again."},
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "extra": {
            "type": "array",
            "description": "One item per invalid field: its path and why.",
            "items": {
                "type": "object",
                "required": ["key", "message"],
                "properties": {
                    "key": {
                        "type": "string",
                        "description": "The field's path: `title`, `responses[3].response`.",
                    },
                    "message": {"type": "string"},
                },
            },
        },
    },
    "example": {
        "status_code": 400,
        "detail": "invalid request body: title, min_experience (see extra)",
        "extra": [
            {"key": "title", "message": "must be a string, not an integer"},
            {"key": "min_experience", "message": "must be an integer, not a string"},
        ],
    },
}

RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
STATUS_TEXT = {
    400: "Invalid input: `extra` names each invalid field and why.",
    401: "No valid bearer token (`Authorization: Bearer <token>`).",
    403: "Your role does not allow this.",
    404: f"Not found, or not yours to see (ids are 1 to {MAX_ID}; others name nothing).",
    409: "The change clashes with existing data (a duplicate, or a state that forbids it).",
    413: "The body is larger than HIREBOT_MAX_BODY_BYTES, or names more items than one "
    "request takes.",
    429: "The organization's monthly model budget is used up; `Retry-After` says until when.",
    502: "The language model failed; `detail` says why.",
    503: "A service Hirebot needs is briefly unavailable; retry after `Retry-After`.",
    504: "The model did not finish in time (HIREBOT_GENERATION_WAIT); the work goes on.",
}
MODEL_STATUSES = (429, 502, 504)
EXTRA_STATUSES: dict[str, tuple[int, ...]] = {
    "generateJobDescription": MODEL_STATUSES,
    "rewriteJobDescription": MODEL_STATUSES,
    "slackEvents": (401,),
    "slackInstall": (400,),
    "slackOAuthRedirect": (400,),
}
"""Statuses beyond the rules, by operation id."""
WRITES = {"post", "put", "patch", "delete"}
STREAMS = {"streamGeneration"}
"""Operations answering server-sent events, not JSON."""


class ContractPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, serving the document `finish` completed."""

    __slots__ = ()

    def provide_openapi_schema(self) -> dict[str, Any]:
        if not self._openapi_schema:
            self._openapi_schema = finish(self.provide_openapi().to_schema(), self.app)
        return self._openapi_schema


def install(app: Litestar) -> None:
    """Serve the completed document (the plugin Litestar made, made ours)."""
    app.plugins.get(OpenAPIPlugin).__class__ = ContractPlugin


def finish(document: dict[str, Any], app: Litestar) -> dict[str, Any]:
    handlers = _handlers(app)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    bodies = _request_bodies(handlers, schemas)
    schemas["Error"] = ERROR_SCHEMA
    in_responses = _referenced(
        [op.get("responses", {}) for item in document["paths"].values() for op in _ops(item)],
        schemas,
    )
    for path, item in document["paths"].items():
        for method, operation in _ops_by_method(item):
            handler = handlers.get(operation.get("operationId", ""))
            if handler is not None and handler.security == []:
                operation["security"] = []  # Litestar drops an empty list
            _document_errors(path, method, operation)
            if operation.get("operationId") in STREAMS:
                ok = operation["responses"]["200"]
                ok["content"] = {"text/event-stream": {}}
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                body["schema"] = bodies.get(operation.get("operationId", ""), body["schema"])
                _close(body["schema"], schemas, in_responses, top=True)
    return document


def _request_bodies(
    handlers: dict[str, HTTPRouteHandler], schemas: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Request body schemas as msgspec states them (every range, length, pattern and
    example of the types that decode the body, which Litestar's generator partly drops),
    by operation id; their components replace Litestar's."""
    types = {
        operation_id: parameter.annotation
        for operation_id, handler in handlers.items()
        if (parameter := handler.parsed_fn_signature.parameters.get("data")) is not None
    }
    found, components = msgspec.json.schema_components(
        list(types.values()), ref_template="#/components/schemas/{name}"
    )
    schemas.update(components)
    return dict(zip(types, found, strict=True))


def _handlers(app: Litestar) -> dict[str, HTTPRouteHandler]:
    found = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and isinstance(handler.operation_id, str):
                found[handler.operation_id] = handler
    return found


def _ops(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [operation for _, operation in _ops_by_method(item)]


def _ops_by_method(item: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    methods = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
    return [(method, item[method]) for method in methods if method in item]


def _document_errors(path: str, method: str, operation: dict[str, Any]) -> None:
    public = operation.get("security") == []
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    statuses = {503}
    if parameters or has_body:
        statuses.add(400)
    if not public:
        statuses |= {401, 403}
        if method in WRITES:
            statuses.add(409)
    if "{" in path or has_body or any(p["name"].endswith("_id") for p in parameters):
        statuses.add(404)
    if has_body:
        statuses.add(413)
    statuses |= set(EXTRA_STATUSES.get(operation.get("operationId", ""), ()))
    responses = operation.setdefault("responses", {})
    for status in sorted(statuses):
        if str(status) in responses and not (status == 400 and _litestar_400(responses["400"])):
            continue
        response: dict[str, Any] = {
            "description": STATUS_TEXT[status],
            "content": {"application/json": {"schema": {"$ref": ERROR}}},
        }
        if status in (429, 503):
            response["headers"] = RETRY_AFTER
        responses[str(status)] = response


def _litestar_400(response: dict[str, Any]) -> bool:
    """Litestar's own 400 entry, whose schema is not the shape this API sends."""
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("description") == "Validation Exception"


def _referenced(roots: list[Any], schemas: dict[str, Any]) -> set[str]:
    """Names of the components reachable from `roots`."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    seen.add(name)
                    stack.append(schemas.get(name, {}))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return seen


def _close(schema: dict[str, Any], schemas: dict[str, Any], shared: set[str], top: bool) -> None:
    """Objects of a request body take no unknown field; its top takes the legacy ones."""
    seen: set[str] = set()

    def visit(node: Any, at_top: bool) -> None:
        if isinstance(node, list):
            for child in node:
                visit(child, at_top)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            target = schemas.get(name)
            if target is None:
                return
            if at_top and name not in shared:
                _legacy(target)
            if name not in seen:
                seen.add(name)
                visit(target, False)
            return
        if node.get("type") == "array":
            visit(node.get("items"), at_top)
            return
        if "properties" in node:
            node["additionalProperties"] = False
            for child in node["properties"].values():
                visit(child, False)
        for key in ("oneOf", "anyOf", "allOf"):
            visit(node.get(key), at_top)

    visit(schema, top)


def _legacy(component: dict[str, Any]) -> None:
    properties = component.setdefault("properties", {})
    for name in LEGACY_FIELDS:
        properties.setdefault(
            name,
            {
                "description": "Ignored: the caller is always the token's user (kept for "
                "clients of the original job module).",
                "deprecated": True,
            },
        )
