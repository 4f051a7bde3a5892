"""The rewrite modal: pick a job the user may change, say how to rewrite it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from bot.blocks import ids
from bot.blocks.elements import OPTIONS_LIMIT, option, static_select, text_input
from bot.blocks.layout import Block, input_block, section
from bot.blocks.refs import JobRef, job_option_text
from bot.blocks.state import errors_for, state_value
from bot.blocks.text import plain
from models.jobs.schemas import MAX_INSTRUCTION

PRIVATE_METADATA_LIMIT = 3000

REWRITE_FIELDS: dict[str, tuple[str, str]] = {
    "job_id": (ids.REWRITE_JOB_BLOCK, ids.REWRITE_JOB_ACTION),
    "instruction": (ids.REWRITE_INSTRUCTION_BLOCK, ids.REWRITE_INSTRUCTION_ACTION),
}


class RewriteFields(TypedDict):
    """A submitted rewrite modal; None means missing (or, for job_id, not a number)."""

    job_id: int | None
    instruction: str | None


def rewrite_modal(
    jobs: Sequence[JobRef],
    selected_job_id: int | None = None,
    instruction: str = "",
    private_metadata: str = "",
) -> dict[str, Any]:
    """The modal; `jobs` are those the user may change (at most 100 are offered).

    The preselected job is always among the offered ones. With no jobs the modal only
    explains why, and has no submit button.
    """
    if len(private_metadata) > PRIVATE_METADATA_LIMIT:
        raise ValueError("private_metadata exceeds Slack's 3,000 characters")
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": ids.REWRITE_CALLBACK,
        "title": plain("Rewrite description"),
        "close": plain("Cancel"),
    }
    if jobs:
        view["submit"] = plain("Rewrite")
        view["blocks"] = _inputs(jobs, selected_job_id, instruction)
    else:
        view["blocks"] = [
            section("You have no jobs you can change yet. Create one with `/job new`.")
        ]
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def _offered(jobs: Sequence[JobRef], selected_job_id: int | None) -> list[JobRef]:
    offered = list(jobs[:OPTIONS_LIMIT])
    if selected_job_id is not None and all(j.id != selected_job_id for j in offered):
        selected = [j for j in jobs if j.id == selected_job_id]
        offered = selected + offered[: OPTIONS_LIMIT - 1] if selected else offered
    return offered


def _inputs(jobs: Sequence[JobRef], selected_job_id: int | None, instruction: str) -> list[Block]:
    options = [option(job_option_text(j), str(j.id)) for j in _offered(jobs, selected_job_id)]
    initial = next((o for o in options if o["value"] == str(selected_job_id)), None)
    if initial is None and len(options) == 1:
        initial = options[0]
    return [
        input_block(
            ids.REWRITE_JOB_BLOCK,
            "Job",
            static_select(
                ids.REWRITE_JOB_ACTION, options, placeholder="Pick a job", initial=initial
            ),
        ),
        input_block(
            ids.REWRITE_INSTRUCTION_BLOCK,
            "How should it change?",
            text_input(
                ids.REWRITE_INSTRUCTION_ACTION,
                initial=instruction,
                placeholder="More senior, mention remote work",
                multiline=True,
                max_length=MAX_INSTRUCTION,
            ),
        ),
    ]


def parse_rewrite_submission(state_values: Mapping[str, Any]) -> RewriteFields:
    """Extract the picked job id and the instruction from `view.state.values`."""
    raw_job = state_value(state_values, *REWRITE_FIELDS["job_id"])
    return RewriteFields(
        job_id=int(raw_job) if raw_job is not None and raw_job.isdigit() else None,
        instruction=state_value(state_values, *REWRITE_FIELDS["instruction"]),
    )


def rewrite_modal_errors(messages: Mapping[str, str]) -> dict[str, str]:
    """Field-keyed messages (`job_id`, `instruction`) -> `errors` for the ack."""
    blocks = {name: block_id for name, (block_id, _action) in REWRITE_FIELDS.items()}
    blocks["job"] = blocks["job_id"]
    return errors_for(blocks, messages, fallback_field="instruction")
