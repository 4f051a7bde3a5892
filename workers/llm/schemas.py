"""Typed values that cross the LLM gateway's boundary, and their strict JSON schemas.

The structs validate themselves in `__post_init__`, so a model answer decoded with msgspec
is both shape-checked and sanity-checked in one step (an invalid one is retried).
"""

from __future__ import annotations

from typing import Any

import msgspec
import msgspec.inspect as mi

MAX_YEARS = 60


class JobDescriptionInput(msgspec.Struct, frozen=True, kw_only=True):
    """The job fields a description is written from."""

    title: str
    must_have_skills: list[str]
    employment_type: str
    min_experience: int
    max_experience: int
    location: str | None = None
    notes: str | None = None


class RewriteInput(msgspec.Struct, frozen=True, kw_only=True):
    """An existing description and the recruiter's request for changing it."""

    title: str
    description: str
    instruction: str


class Usage(msgspec.Struct, frozen=True, kw_only=True):
    """Tokens one completion used, as the model reported them."""

    tokens_in: int = 0
    tokens_out: int = 0


class GeneratedText(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    generated_by: str
    """The model name, or "offline"."""


class RewriteResult(msgspec.Struct, frozen=True, kw_only=True):
    job_description: str
    suggested_skills: list[str]
    generated_by: str


class RewriteAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """What the model must return for a rewrite (structured output)."""

    job_description: str
    suggested_skills: list[str]

    def __post_init__(self) -> None:
        if not self.job_description.strip():
            raise ValueError("job_description is empty")


class StructuredJD(msgspec.Struct, frozen=True, kw_only=True):
    """A job description as data, for filtering and scoring candidates."""

    title: str
    summary: str
    responsibilities: list[str]
    must_have_skills: list[str]
    nice_to_have_skills: list[str]
    min_experience: int | None
    max_experience: int | None
    employment_type: str | None
    location: str | None
    benefits: list[str]

    def __post_init__(self) -> None:
        for name in ("min_experience", "max_experience"):
            years = getattr(self, name)
            if years is not None and not 0 <= years <= MAX_YEARS:
                raise ValueError(f"{name} must be between 0 and {MAX_YEARS}")
        low, high = self.min_experience, self.max_experience
        if low is not None and high is not None and low > high:
            raise ValueError("min_experience is greater than max_experience")


class ToolSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A function the model may call: its name, what it does, its strict JSON schema."""

    name: str
    description: str
    parameters: dict[str, Any]


class ToolCall(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    arguments: str
    """JSON text, as the model wrote it (it may be invalid: the tool says so)."""


class ModelTurn(msgspec.Struct, frozen=True, kw_only=True):
    """One answer of the model in a conversation: text, tool calls, or both."""

    text: str
    tool_calls: list[ToolCall]


def _field_schema(t: mi.Type) -> dict[str, Any]:
    """One field in the subset of JSON Schema that strict structured outputs accept
    (lengths are not in that subset: the decoder checks them, and says so to the model)."""
    if isinstance(t, mi.Metadata):  # examples and descriptions: for the API's documents
        return _field_schema(t.type)
    if isinstance(t, mi.StrType):
        return {"type": "string"}
    if isinstance(t, mi.IntType):
        schema: dict[str, Any] = {"type": "integer"}
        if t.ge is not None:
            schema["minimum"] = t.ge
        if t.le is not None:
            schema["maximum"] = t.le
        return schema
    if isinstance(t, mi.BoolType):
        return {"type": "boolean"}
    if isinstance(t, mi.EnumType):
        return {"type": "string", "enum": [member.value for member in t.cls]}
    if isinstance(t, mi.LiteralType):
        return {"type": "string", "enum": list(t.values)}
    if isinstance(t, mi.ListType):
        schema = {"type": "array", "items": _field_schema(t.item_type)}
        if t.max_length is not None:
            schema["maxItems"] = t.max_length
        if t.min_length is not None:
            schema["minItems"] = t.min_length
        return schema
    if isinstance(t, mi.UnionType) and t.includes_none:
        others = [x for x in t.types if not isinstance(x, mi.NoneType)]
        if len(others) == 1:
            inner = _field_schema(others[0])
            if "enum" in inner:
                return {**inner, "type": [inner["type"], "null"], "enum": [*inner["enum"], None]}
            if isinstance(inner.get("type"), str):
                return {**inner, "type": [inner["type"], "null"]}
    raise TypeError(f"no strict JSON schema for {t!r}")


def strict_schema(struct: type[msgspec.Struct]) -> dict[str, Any]:
    """Every property required, no extras, nullable fields as type lists (OpenAI strict mode)."""
    info = mi.type_info(struct)
    if not isinstance(info, mi.StructType):
        raise TypeError(f"{struct!r} is not a msgspec Struct")
    return {
        "type": "object",
        "properties": {f.encode_name: _field_schema(f.type) for f in info.fields},
        "required": [f.encode_name for f in info.fields],
        "additionalProperties": False,
    }


def structured_jd_schema() -> dict[str, Any]:
    return strict_schema(StructuredJD)


def rewrite_answer_schema() -> dict[str, Any]:
    return strict_schema(RewriteAnswer)
