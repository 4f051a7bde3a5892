"""The `/job new` modal, and reading its submission back.

Validation belongs to the domain (`JobCreate`); this module only extracts raw values and
maps the domain's messages onto the modal's inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from bot.blocks import ids
from bot.blocks.elements import integer_input, option, static_select, text_input
from bot.blocks.layout import Block, input_block
from bot.blocks.state import errors_for, state_value
from bot.blocks.text import plain
from models.enums import EmploymentType
from models.jobs.schemas import MAX_LOCATION, MAX_NOTES, MAX_TITLE, MAX_YEARS
from models.jobs.skills import parse_skills

PRIVATE_METADATA_LIMIT = 3000

NEW_JOB_FIELDS: dict[str, tuple[str, str]] = {
    "title": (ids.JOB_TITLE_BLOCK, ids.JOB_TITLE_ACTION),
    "must_have_skills": (ids.JOB_SKILLS_BLOCK, ids.JOB_SKILLS_ACTION),
    "employment_type": (ids.JOB_EMPLOYMENT_BLOCK, ids.JOB_EMPLOYMENT_ACTION),
    "min_experience": (ids.JOB_MIN_EXPERIENCE_BLOCK, ids.JOB_MIN_EXPERIENCE_ACTION),
    "max_experience": (ids.JOB_MAX_EXPERIENCE_BLOCK, ids.JOB_MAX_EXPERIENCE_ACTION),
    "location": (ids.JOB_LOCATION_BLOCK, ids.JOB_LOCATION_ACTION),
    "notes": (ids.JOB_NOTES_BLOCK, ids.JOB_NOTES_ACTION),
}
"""Domain field name -> (block_id, action_id) of its input."""

_ERROR_ALIASES = {
    "job_title": "title",
    "experience": "max_experience",
    "skills": "must_have_skills",
}


class NewJobFields(TypedDict):
    """Raw values of a submitted new-job modal; None means the input was left empty.

    Numbers stay strings as Slack sends them: `msgspec.convert(..., strict=False)` turns
    them into ints while validating.
    """

    title: str | None
    must_have_skills: list[str]
    employment_type: str | None
    min_experience: str | None
    max_experience: str | None
    location: str | None
    notes: str | None


def new_job_modal(title_prefill: str = "", private_metadata: str = "") -> dict[str, Any]:
    """The modal `/job new [title]` opens; `private_metadata` carries e.g. the channel."""
    if len(private_metadata) > PRIVATE_METADATA_LIMIT:
        raise ValueError("private_metadata exceeds Slack's 3,000 characters")
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": ids.NEW_JOB_CALLBACK,
        "title": plain("New job"),
        "submit": plain("Create"),
        "close": plain("Cancel"),
        "blocks": _inputs(title_prefill.strip()),
    }
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def _inputs(title: str) -> list[Block]:
    types = [option(t.value, t.value) for t in EmploymentType]
    return [
        input_block(
            ids.JOB_TITLE_BLOCK,
            "Job title",
            text_input(
                ids.JOB_TITLE_ACTION,
                initial=title,
                placeholder="Backend Engineer",
                max_length=MAX_TITLE,
            ),
        ),
        input_block(
            ids.JOB_SKILLS_BLOCK,
            "Must-have skills",
            text_input(ids.JOB_SKILLS_ACTION, placeholder="Python, PostgreSQL, AWS"),
            hint="Separate skills with commas.",
        ),
        input_block(
            ids.JOB_EMPLOYMENT_BLOCK,
            "Employment type",
            static_select(ids.JOB_EMPLOYMENT_ACTION, types, initial=types[0]),
        ),
        input_block(
            ids.JOB_MIN_EXPERIENCE_BLOCK,
            "Minimum experience (years)",
            integer_input(ids.JOB_MIN_EXPERIENCE_ACTION, min_value=0, max_value=MAX_YEARS),
        ),
        input_block(
            ids.JOB_MAX_EXPERIENCE_BLOCK,
            "Maximum experience (years)",
            integer_input(ids.JOB_MAX_EXPERIENCE_ACTION, min_value=0, max_value=MAX_YEARS),
        ),
        input_block(
            ids.JOB_LOCATION_BLOCK,
            "Location",
            text_input(
                ids.JOB_LOCATION_ACTION, placeholder="Remote, Berlin", max_length=MAX_LOCATION
            ),
            optional=True,
        ),
        input_block(
            ids.JOB_NOTES_BLOCK,
            "Notes for the writer",
            text_input(
                ids.JOB_NOTES_ACTION,
                placeholder="Team, product, anything the description should mention",
                multiline=True,
                max_length=MAX_NOTES,
            ),
            optional=True,
        ),
    ]


def parse_new_job_submission(state_values: Mapping[str, Any]) -> NewJobFields:
    """Extract the modal's raw values from `view.state.values`."""

    def value(field_name: str) -> str | None:
        block_id, action_id = NEW_JOB_FIELDS[field_name]
        return state_value(state_values, block_id, action_id)

    return NewJobFields(
        title=value("title"),
        must_have_skills=parse_skills(value("must_have_skills") or ""),
        employment_type=value("employment_type"),
        min_experience=value("min_experience"),
        max_experience=value("max_experience"),
        location=value("location"),
        notes=value("notes"),
    )


def modal_errors(messages: Mapping[str, str]) -> dict[str, str]:
    """Field-keyed messages -> `errors` for `ack(response_action="errors", errors=...)`.

    `experience` (min greater than max) lands on the maximum; unknown fields on the title.
    """
    blocks = {name: block_id for name, (block_id, _action) in NEW_JOB_FIELDS.items()}
    blocks.update({alias: blocks[name] for alias, name in _ERROR_ALIASES.items()})
    return errors_for(blocks, messages, fallback_field="title")
