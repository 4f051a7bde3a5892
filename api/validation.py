"""Request bodies checked strictly, every problem at once, before a handler runs.

Litestar converts a JSON body leniently (`"true"` becomes true, `"5"` becomes 5) and stops
at the first problem. This hook checks the body against the handler's `data` type with
msgspec's strict rules and reports each invalid, missing or unknown field with its path
(`title`, `responses[3].response`); Litestar's own conversion then sees only valid data.
The legacy identity fields of the original module (`LEGACY_FIELDS`) are dropped at the
top of a body: identity always comes from the token.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import datetime
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException
from litestar.utils.scope.state import ScopeState

from api.auth import provide_actor
from api.messages import malformed_json, reason
from models.errors import NotFound
from models.ids import MAX_ID

LEGACY_FIELDS = ("user", "user_id", "owner", "org")
"""Sent by the original module's clients; ignored (never trusted) wherever they appear at
the top of a body, or of an item of a top-level list."""

MAX_PROBLEMS = 50
"""Past this many, the rest are left out of one answer."""

Problem = tuple[str, str]
_AT = re.compile(r" - at `\$(.*)`$")


async def check_request(request: Request[Any, Any, Any]) -> None:
    """The app's `before_request` hook: ids in the path, then the body."""
    for name, value in request.path_params.items():
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            # No row can have it: the same answer as an id you cannot see, on every resource.
            raise NotFound(f"{name} {value} not found (ids are 1 to {MAX_ID})")
    parameters = request.route_handler.parsed_fn_signature.parameters
    _check_datetimes(request, parameters)
    parameter = parameters.get("data")
    if parameter is None:
        return
    if "actor" in request.route_handler.parsed_fn_signature.parameters:
        await provide_actor(request)  # no valid token: 401 before a word about the body
    raw = await request.body()
    try:
        value = msgspec.json.decode(raw) if raw else msgspec.UNSET
    except msgspec.DecodeError as exc:
        raise ValidationException(malformed_json(raw, str(exc))) from None
    if value is msgspec.UNSET:
        problems = [("body", "is required: send a JSON body")]
    else:
        value = without_legacy(_integral(value), parameter.annotation)
        problems = problems_of(value, parameter.annotation, "")[:MAX_PROBLEMS]
        # What Litestar decodes next: the body without the legacy fields.
        ScopeState.from_scope(request.scope).json = value
    if problems:
        raise ValidationException(
            _summary(problems),
            extra=[{"key": key, "message": message} for key, message in problems],
        )


def _check_datetimes(request: Request[Any, Any, Any], parameters: dict[str, Any]) -> None:
    """Date-time query parameters are RFC 3339 only: Litestar would read `before=0.5` as a
    Unix time, which the schema (`format: date-time`) does not allow."""
    problems = []
    for name, parameter in parameters.items():
        if datetime not in (parameter.annotation, *get_args(parameter.annotation)):
            continue
        value = request.query_params.get(name)
        if value is None:
            continue
        try:
            datetime.fromisoformat(value)
        except ValueError:
            problems.append(
                {"key": name, "message": "must be an RFC 3339 date-time like 2026-12-01T09:00:00Z"}
            )
        else:
            if "T" not in value.upper():
                problems.append(
                    {"key": name, "message": "must be an RFC 3339 date-time (with a time)"}
                )
    if problems:
        raise ValidationException("invalid query", extra=problems)


def _integral(value: Any) -> Any:
    """JSON has one kind of number: 42.0 is the integer 42 (as JSON Schema reads it)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [_integral(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    return value


def without_legacy(value: Any, annotation: Any) -> Any:
    """The body without the legacy fields at its top (or its items' top, for a list)."""
    if isinstance(value, list) and get_origin(annotation) is list:
        return [_without_legacy(item, get_args(annotation)[0]) for item in value]
    return _without_legacy(value, annotation)


def _without_legacy(value: Any, annotation: Any) -> Any:
    if not (isinstance(value, dict) and _is_struct(annotation)):
        return value
    names = {field.encode_name for field in msgspec.structs.fields(annotation)}
    return {k: v for k, v in value.items() if k in names or k not in LEGACY_FIELDS}


def problems_of(value: Any, annotation: Any, path: str) -> list[Problem]:
    base, metas = _unwrap(annotation)
    if _is_struct(base):
        if not isinstance(value, dict):
            return [(path or "body", "must be a JSON object")]
        return _struct_problems(value, base, path)
    origin = get_origin(base)
    if origin in (Union, types.UnionType):
        members = [m for m in get_args(base) if m is not msgspec.UnsetType]
        if value is None and type(None) in members:
            return []
        structs = [m for m in members if _is_struct(_unwrap(m)[0])]
        if len(structs) == 1 and isinstance(value, dict):
            return problems_of(value, structs[0], path)
        return _leaf(value, Union[tuple(members)], path)  # noqa: UP007
    if origin is list and isinstance(value, list):
        shape = Annotated[list[Any], *metas] if metas else list[Any]  # type: ignore[valid-type]
        found = _leaf(value, shape, path)
        (item_type,) = get_args(base) or (Any,)
        for index, item in enumerate(value):
            found += problems_of(item, item_type, f"{path}[{index}]")
            if len(found) >= MAX_PROBLEMS:
                break
        return found
    return _leaf(value, annotation, path)


def _struct_problems(value: dict[str, Any], struct: type, path: str) -> list[Problem]:
    fields = msgspec.structs.fields(struct)
    hints = typing.get_type_hints(struct, include_extras=True)
    names = {field.encode_name for field in fields}
    prefix = f"{path}." if path else ""
    found: list[Problem] = []
    unknown = [key for key in value if key not in names]
    for key in unknown:
        found.append((f"{prefix}{key}", f"is not a field here; the fields are {_list(names)}"))
    for field in fields:
        if field.encode_name not in value:
            if field.required:
                found.append((f"{prefix}{field.encode_name}", "is required"))
            continue
        found += problems_of(
            value[field.encode_name], hints[field.name], prefix + field.encode_name
        )
    if not found:
        # Rules a struct checks itself (`__post_init__`) name their field first.
        try:
            msgspec.convert(value, struct, strict=True)
        except msgspec.ValidationError as exc:
            message = _AT.sub("", str(exc))
            first, _, rest = message.partition(" ")
            if first in names:
                found.append((f"{prefix}{first}", rest))
            else:
                found.append((path or "body", message))
    return found


def _leaf(value: Any, annotation: Any, path: str) -> list[Problem]:
    try:
        msgspec.convert(value, annotation, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
        at = _AT.search(message)
        where = path + (at.group(1) if at else "")
        return [(where or "body", reason(_AT.sub("", message), value))]
    return []


def _unwrap(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    if get_origin(annotation) is Annotated:
        base, *metas = get_args(annotation)
        inner, more = _unwrap(base)
        return inner, (*more, *metas)
    return annotation, ()


def _is_struct(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)


def _list(names: set[str]) -> str:
    return ", ".join(sorted(names))


def _summary(problems: list[Problem]) -> str:
    keys = [key for key, _ in problems]
    shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
    return f"invalid request body: {shown} (see extra)"
