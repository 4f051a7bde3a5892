"""Closed sets of values stored in the database (roles, statuses, kinds)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "Admin"
    EDITOR = "Editor"
    VIEWER = "Viewer"


class EmploymentType(StrEnum):
    FULL_TIME = "Full-time"
    PART_TIME = "Part-time"
    CONTRACT = "Contract"
    INTERNSHIP = "Internship"
    TEMPORARY = "Temporary"


class JobStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class GenerationStatus(StrEnum):
    """State of a model-written field (the description, or the structured JD)."""

    NONE = "none"
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class CriteriaKind(StrEnum):
    YES_NO = "yes_no"
    NUMBER = "number"
    TEXT = "text"
    CHOICE = "choice"


class Author(StrEnum):
    """Who wrote a version of a description."""

    PERSON = "person"
    MODEL = "model"


class VersionSource(StrEnum):
    """How a version of a description came to be."""

    TYPED = "typed"
    GENERATED = "generated"
    REWRITE_ACCEPTED = "rewrite_accepted"
    """A rewrite, every change accepted."""
    REWRITE_PARTIAL = "rewrite_partial"
    """A rewrite, some of its changes accepted."""
    RESTORED = "restored"


class Surface(StrEnum):
    """Where a person acted."""

    API = "api"
    SLACK = "slack"


class Purpose(StrEnum):
    """What a model call was for."""

    GENERATE = "generate"
    REWRITE = "rewrite"
    CONVERT = "convert"
    CONVERSE = "converse"
