"""Submitted modals checked against the domain's schemas and rules, before the ack.

Pure functions: the acknowledgement answers with the errors inline (`after_ack`'s check),
and the work after the ack reads the same result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from bot.blocks import ids
from bot.blocks.job_modal import modal_errors, parse_new_job_submission
from bot.blocks.rewrite_modal import parse_rewrite_submission, rewrite_modal_errors
from bot.blocks.share_modal import parse_share_submission
from models.enums import EmploymentType
from models.errors import Invalid
from models.jobs.operations import check_fields
from models.jobs.schemas import DraftRequest

_AT_FIELD = re.compile(r" - at `\$\.(\w+)")
_FIELD_HINTS = {
    "job_title": ("title", "Enter a title of at most 200 characters."),
    "min_experience": ("min_experience", "Enter a whole number of years from 0 to 50."),
    "max_experience": ("max_experience", "Enter a whole number of years from 0 to 50."),
    "must_have_skills": ("must_have_skills", "At most 50 skills, each at most 100 characters."),
    "employment_type": ("employment_type", "Pick an employment type."),
    "location": ("location", "At most 200 characters."),
    "notes": ("notes", "At most 2,000 characters."),
}


@dataclass(frozen=True, slots=True)
class NewJobForm:
    request: DraftRequest | None
    errors: dict[str, str] = field(default_factory=dict)
    """Block id -> message, for `ack(response_action="errors", errors=...)`."""


def new_job_form(state_values: Mapping[str, Any]) -> NewJobForm:
    """The draft request of a submitted new-job modal, or the errors to show in it."""
    fields = parse_new_job_submission(state_values)
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
    return NewJobForm(request)


def _sentence(error: Invalid) -> str:
    if error.field == "min_experience":
        return "The minimum must not be greater than the maximum."
    return error.message[:1].upper() + error.message[1:] + "."


@dataclass(frozen=True, slots=True)
class RewriteForm:
    job_id: int | None
    instruction: str
    errors: dict[str, str] = field(default_factory=dict)


def rewrite_form(state_values: Mapping[str, Any]) -> RewriteForm:
    """The job and instruction of a submitted rewrite modal, or the errors to show."""
    fields = parse_rewrite_submission(state_values)
    problems: dict[str, str] = {}
    if fields["job_id"] is None:
        problems["job_id"] = "Pick a job."
    if not fields["instruction"]:
        problems["instruction"] = "Say how the description should change."
    errors = rewrite_modal_errors(problems) if problems else {}
    return RewriteForm(fields["job_id"], fields["instruction"] or "", errors)


@dataclass(frozen=True, slots=True)
class ShareForm:
    slack_ids: list[str]
    errors: dict[str, str] = field(default_factory=dict)


def share_form(state_values: Mapping[str, Any]) -> ShareForm:
    """The colleagues picked in the share modal, or the error to show."""
    picked = parse_share_submission(state_values)
    if not picked:
        return ShareForm([], {ids.SHARE_USERS_BLOCK: "Pick at least one colleague."})
    return ShareForm(picked)
