"""Submitted modals read back and checked against the domain's schemas and rules, before
the ack.

Pure functions: the acknowledgement answers with the errors inline (`after_ack`'s check),
and the work after the ack reads the same result.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from bot.blocks import ids
from bot.blocks.changes_modal import chosen_changes
from bot.blocks.job_modal import modal_errors, parse_new_job_submission
from bot.blocks.rewrite_modal import parse_rewrite_submission, rewrite_modal_errors
from bot.blocks.share_modal import parse_share_submission
from bot.blocks.values import Origin, decode_origin, decode_value
from models.enums import EmploymentType
from models.errors import Invalid
from models.jobs.operations import check_fields
from models.jobs.schemas import (
    MAX_LOCATION,
    MAX_NOTES,
    MAX_SKILL_LENGTH,
    MAX_SKILLS,
    MAX_TITLE,
    MAX_YEARS,
    DraftRequest,
)

_AT_FIELD = re.compile(r" - at `\$\.(\w+)")
_YEARS = f"Enter a whole number of years from 0 to {MAX_YEARS}."
_FIELD_HINTS = {
    "job_title": ("title", f"Enter a title of at most {MAX_TITLE} characters."),
    "min_experience": ("min_experience", _YEARS),
    "max_experience": ("max_experience", _YEARS),
    "must_have_skills": (
        "must_have_skills",
        f"At most {MAX_SKILLS} skills, each at most {MAX_SKILL_LENGTH} characters.",
    ),
    "employment_type": ("employment_type", "Pick an employment type."),
    "location": ("location", f"At most {MAX_LOCATION} characters."),
    "notes": ("notes", f"At most {MAX_NOTES:,} characters."),
}


@dataclass(frozen=True, slots=True)
class NewJobForm:
    request: DraftRequest | None
    errors: dict[str, str] = field(default_factory=dict)
    """Block id -> message, for `ack(response_action="errors", errors=...)`."""
    origin: Origin = field(default_factory=Origin)
    """Where the modal was opened (the channel to answer in)."""


def _values(view: Mapping[str, Any]) -> dict[str, Any]:
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    return dict(values) if isinstance(values, Mapping) else {}


def new_job_form(view: Mapping[str, Any]) -> NewJobForm:
    """The draft request of a submitted new-job modal, or the errors to show in it."""
    fields = parse_new_job_submission(_values(view))
    if not fields["title"]:
        return NewJobForm(None, modal_errors({"title": "Enter a title."}))
    data = {
        "job_title": fields["title"],
        "must_have_skills": fields["must_have_skills"],
        "employment_type": fields["employment_type"] or EmploymentType.FULL_TIME.value,
        "min_experience": fields["min_experience"],
        "max_experience": fields["max_experience"],
        "location": fields["location"],
        "notes": fields["notes"],
    }
    try:
        request = msgspec.convert(data, DraftRequest, strict=False)
        check_fields(request.job_title, request.min_experience, request.max_experience)
    except msgspec.ValidationError as error:
        found = _AT_FIELD.search(str(error))
        name, message = _FIELD_HINTS.get(found.group(1) if found else "", ("title", str(error)))
        return NewJobForm(None, modal_errors({name: message}))
    except Invalid as error:
        return NewJobForm(None, modal_errors({error.field or "title": _sentence(error)}))
    return NewJobForm(request, origin=decode_origin(view.get("private_metadata")))


def _sentence(error: Invalid) -> str:
    if error.field == "min_experience":
        return "The minimum must not be greater than the maximum."
    return error.message[:1].upper() + error.message[1:] + "."


@dataclass(frozen=True, slots=True)
class RewriteForm:
    job_id: int | None
    instruction: str
    errors: dict[str, str] = field(default_factory=dict)
    origin: Origin = field(default_factory=Origin)


def rewrite_form(view: Mapping[str, Any]) -> RewriteForm:
    """The job and instruction of a submitted rewrite modal, or the errors to show."""
    fields = parse_rewrite_submission(_values(view))
    problems: dict[str, str] = {}
    if fields["job_id"] is None:
        problems["job_id"] = "Pick a job."
    if not fields["instruction"]:
        problems["instruction"] = "Say how the description should change."
    errors = rewrite_modal_errors(problems) if problems else {}
    origin = decode_origin(view.get("private_metadata"))
    return RewriteForm(fields["job_id"], fields["instruction"] or "", errors, origin)


@dataclass(frozen=True, slots=True)
class ShareForm:
    job_id: int | None
    slack_ids: list[str]
    errors: dict[str, str] = field(default_factory=dict)


def share_form(view: Mapping[str, Any]) -> ShareForm:
    """The job and the colleagues picked in the share modal, or the error to show."""
    picked = parse_share_submission(_values(view))
    try:
        job_id: int | None = decode_value(str(view.get("private_metadata") or "")).job_id
    except ValueError:
        job_id = None
    if job_id is None:
        return ShareForm(None, [], {ids.SHARE_USERS_BLOCK: "This form is outdated; share again."})
    if not picked:
        return ShareForm(job_id, [], {ids.SHARE_USERS_BLOCK: "Pick at least one colleague."})
    return ShareForm(job_id, picked)


@dataclass(frozen=True, slots=True)
class ChangesForm:
    """The changes ticked in the "Choose changes" modal, and the proposal they belong to."""

    job_id: int | None
    proposal: str | None
    accepted: list[int]
    where: tuple[str, str, str] | None
    """`(channel, proposal message ts, thread ts)` of the proposal, to redraw it."""
    errors: dict[str, str] = field(default_factory=dict)


def changes_form(view: Mapping[str, Any]) -> ChangesForm:
    """The ticked changes of a submitted "Choose changes" modal, or the error to show."""
    try:
        meta = json.loads(str(view.get("private_metadata") or "{}"))
    except json.JSONDecodeError:
        meta = {}
    job_id, proposal = meta.get("job_id"), meta.get("proposal")
    values = _values(view)
    first = next((b for b in values if str(b).startswith(ids.CHANGE_BLOCK_PREFIX)), None)
    if not isinstance(job_id, int) or not isinstance(proposal, str) or first is None:
        return ChangesForm(None, None, [], None, {first or "": "This form is outdated."})
    accepted = chosen_changes(values)
    if not accepted:
        return ChangesForm(
            job_id, proposal, [], None, {first: "Tick at least one change, or Cancel."}
        )
    where = meta.get("where")
    spot = (
        tuple(str(part) for part in where) if isinstance(where, list) and len(where) == 3 else None
    )
    return ChangesForm(job_id, proposal, accepted, spot)  # type: ignore[arg-type]
