"""Typed shapes of filter groups. The owner is always the caller (the API ignores an `owner`
or `user` in a write body; any other unknown field is an error)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from models.ids import Id
from models.text import VISIBLE_PATTERN

Name = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=200, pattern=VISIBLE_PATTERN, examples=["Shortlist: on-site"]
    ),
]


class FilterGroup(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    owner_id: int
    name: str
    job_id: int | None
    filters: dict[str, Any]
    created_at: datetime


class FilterGroupCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """POST, and PUT (which replaces every writable field)."""

    name: Name
    job_id: Id | None = None
    filters: dict[str, Any] = msgspec.field(default_factory=dict)


class FilterGroupUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """PATCH; `job_id: null` detaches the group from its job."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    job_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    filters: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
