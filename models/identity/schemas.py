"""Typed shapes of organizations, users and tokens at the domain boundary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from models.enums import Role
from models.text import EMAIL_PATTERN, NAME_PATTERN

Email = Annotated[
    str,
    msgspec.Meta(min_length=3, max_length=254, pattern=EMAIL_PATTERN, examples=["ada@example.com"]),
]
Name = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=200, pattern=NAME_PATTERN, examples=["Ada Lovelace"]),
]
SlackUserId = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[UW][A-Z0-9]{2,31}$",
        description="A Slack user id (U... or W...), as Slack shows it.",
        examples=["U0123ABCD"],
    ),
]


class Organization(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    slack_team_id: str | None


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    org_id: int
    email: str
    name: str
    role: Role
    slack_user_id: str | None
    is_active: bool
    created_at: datetime


class UserCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: Email
    name: Name
    role: Role = Role.EDITOR


class UserUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    role: Role | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    slack_user_id: SlackUserId | msgspec.UnsetType | None = msgspec.UNSET
    """Link the user to this Slack user of the organization's workspace; null unlinks."""


class ApiToken(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class UserEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A user and the name of their organization (what an operator lists)."""

    user: User
    org_name: str


class TokenEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A token (never its secret), its owner's email and organization (what an operator
    lists)."""

    token: ApiToken
    owner_email: str
    org_name: str


class IssuedToken(msgspec.Struct, frozen=True, kw_only=True):
    """A new token: `token` is the only copy of the secret and is never stored."""

    token: str
    info: ApiToken


class OrganizationDelete(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    confirm: Name
    """The organization's name, exactly: deleting removes all of its data."""
