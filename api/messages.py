"""Reasons a person understands, in place of the decoder's messages."""

from __future__ import annotations

import re
from typing import Any

from models.text import PATTERN_REASONS

_TYPES = {
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "bool": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
_EXPECTED = re.compile(r"^Expected `([^`]+)`, got `([^`]+)`$")
_BOUND = re.compile(r"^Expected `(\w+)` (>=|<=|>|<) ([-\d.e+]+)$")
_LENGTH = re.compile(r"^Expected `(str|array|object)` of length (>=|<=) (\d+)$")
_PATTERN = re.compile(r"^Expected `str` matching regex '(.*)'$")
_ENUM = re.compile(r"^Invalid enum value '(.*)'$")
_BOUNDS = {">=": "at least", "<=": "at most", ">": "more than", "<": "less than"}
_JSON_ERROR = re.compile(r"^JSON is malformed: (.*) \(byte (\d+)\)$")


def _kind(name: str) -> str:
    names = [_TYPES.get(part.strip(), f"`{part.strip()}`") for part in name.split("|")]
    return " or ".join(names)


def reason(message: str, value: Any = None) -> str:
    """`message` (msgspec's) as a person would say it; unknown ones pass unchanged."""
    if match := _EXPECTED.match(message):
        return f"must be {_kind(match.group(1))}, not {_kind(match.group(2))}"
    if match := _BOUND.match(message):
        return f"must be {_BOUNDS[match.group(2)]} {match.group(3)}"
    if match := _LENGTH.match(message):
        unit = {"str": "characters", "array": "items", "object": "keys"}[match.group(1)]
        return f"must have {_BOUNDS[match.group(2)]} {match.group(3)} {unit}"
    if match := _PATTERN.match(message):
        pattern = match.group(1).replace("\\\\", "\\")  # msgspec shows it escaped
        return PATTERN_REASONS.get(pattern, f"must match the pattern {pattern}")
    if match := _ENUM.match(message):
        return f"{match.group(1)!r} is not one of the values allowed (see the API schema)"
    if message.startswith("Object missing required field `"):
        return "is required"
    return message


def malformed_json(raw: bytes, message: str) -> str:
    """Where a body stops being JSON: line, column and byte, and what was found there."""
    if message == "Input data was truncated":
        return f"the body is not valid JSON: it ends too early (after {len(raw)} bytes)"
    match = _JSON_ERROR.match(message)
    if not match:
        return f"the body is not valid JSON: {message}"
    what, offset = match.group(1), int(match.group(2))
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return f"the body is not valid JSON: {what} at line {line}, column {column} (byte {offset})"
