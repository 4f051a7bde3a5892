from __future__ import annotations

import pytest

from bot.blocks import ids
from bot.blocks.job_modal import (
    NEW_JOB_FIELDS,
    modal_errors,
    new_job_modal,
    parse_new_job_submission,
)
from bot.blocks.rewrite_modal import (
    parse_rewrite_submission,
    rewrite_modal,
    rewrite_modal_errors,
)
from bot.blocks.share_modal import parse_share_submission, share_modal
from bot.blocks.values import decode_value
from models.enums import EmploymentType, JobStatus
from models.jobs.schemas import JobName
from tests.bot.blockkit import assert_valid_view
from tests.fakes.slack_requests import number_state, select_state, text_state


def _inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_new_job_modal_has_every_input_with_stable_ids() -> None:
    view = new_job_modal("Backend Engineer", private_metadata='{"channel":"C1"}')
    assert_valid_view(view)
    assert view["callback_id"] == ids.NEW_JOB_CALLBACK
    assert view["private_metadata"] == '{"channel":"C1"}'
    inputs = _inputs(view)
    assert [(b, inputs[b]["element"]["action_id"]) for b in inputs] == list(NEW_JOB_FIELDS.values())
    title = inputs[ids.JOB_TITLE_BLOCK]["element"]
    assert title["type"] == "plain_text_input"
    assert title["initial_value"] == "Backend Engineer"
    assert inputs[ids.JOB_SKILLS_BLOCK]["element"]["type"] == "plain_text_input"
    employment = inputs[ids.JOB_EMPLOYMENT_BLOCK]["element"]
    assert employment["type"] == "static_select"
    assert [o["value"] for o in employment["options"]] == [
        "Full-time",
        "Part-time",
        "Contract",
        "Internship",
        "Temporary",
    ]
    assert [o["value"] for o in employment["options"]] == [t.value for t in EmploymentType]
    for block_id in (ids.JOB_MIN_EXPERIENCE_BLOCK, ids.JOB_MAX_EXPERIENCE_BLOCK):
        number = inputs[block_id]["element"]
        assert number["type"] == "number_input"
        assert number["is_decimal_allowed"] is False
        assert (number["min_value"], number["max_value"]) == ("0", "50")
    assert inputs[ids.JOB_LOCATION_BLOCK]["optional"] is True
    assert inputs[ids.JOB_NOTES_BLOCK]["optional"] is True
    assert inputs[ids.JOB_NOTES_BLOCK]["element"]["multiline"] is True
    required = [b for b, block in inputs.items() if not block["optional"]]
    assert ids.JOB_LOCATION_BLOCK not in required
    assert len(required) == 5


def test_new_job_modal_without_prefill_or_metadata() -> None:
    view = new_job_modal()
    assert_valid_view(view)
    assert "initial_value" not in _inputs(view)[ids.JOB_TITLE_BLOCK]["element"]
    assert "private_metadata" not in view


def test_new_job_modal_refuses_oversized_metadata() -> None:
    with pytest.raises(ValueError):
        new_job_modal(private_metadata="x" * 3001)


def test_parse_new_job_submission_extracts_raw_values() -> None:
    state = {
        ids.JOB_TITLE_BLOCK: {ids.JOB_TITLE_ACTION: text_state("  Data Engineer ")},
        ids.JOB_SKILLS_BLOCK: {ids.JOB_SKILLS_ACTION: text_state("Python, SQL,, python , dbt")},
        ids.JOB_EMPLOYMENT_BLOCK: {ids.JOB_EMPLOYMENT_ACTION: select_state("Contract")},
        ids.JOB_MIN_EXPERIENCE_BLOCK: {ids.JOB_MIN_EXPERIENCE_ACTION: number_state(2)},
        ids.JOB_MAX_EXPERIENCE_BLOCK: {ids.JOB_MAX_EXPERIENCE_ACTION: number_state(5)},
        ids.JOB_LOCATION_BLOCK: {ids.JOB_LOCATION_ACTION: text_state(None)},
        ids.JOB_NOTES_BLOCK: {ids.JOB_NOTES_ACTION: text_state("")},
    }
    assert parse_new_job_submission(state) == {
        "title": "Data Engineer",
        "must_have_skills": ["Python", "SQL", "dbt"],
        "employment_type": "Contract",
        "min_experience": "2",
        "max_experience": "5",
        "location": None,
        "notes": None,
    }


def test_parse_new_job_submission_tolerates_missing_blocks() -> None:
    fields = parse_new_job_submission({})
    assert fields["title"] is None
    assert fields["must_have_skills"] == []
    assert fields["employment_type"] is None


def test_modal_errors_point_at_input_blocks() -> None:
    errors = modal_errors(
        {"title": "Required.", "experience": "Minimum is above maximum.", "weird": "Bad."}
    )
    assert errors == {
        ids.JOB_TITLE_BLOCK: "Required. Bad.",
        ids.JOB_MAX_EXPERIENCE_BLOCK: "Minimum is above maximum.",
    }
    assert modal_errors({"min_experience": "Too big."}) == {
        ids.JOB_MIN_EXPERIENCE_BLOCK: "Too big."
    }


def _jobs(n: int) -> list[JobName]:
    return [JobName(id=i, title=f"Job {i}", status=JobStatus.OPEN) for i in range(1, n + 1)]


def test_rewrite_modal_picker_preselects_and_offers_at_most_100() -> None:
    view = rewrite_modal(_jobs(150), selected_job_id=120, instruction="more senior")
    assert_valid_view(view)
    assert view["callback_id"] == ids.REWRITE_CALLBACK
    inputs = _inputs(view)
    select = inputs[ids.REWRITE_JOB_BLOCK]["element"]
    assert select["action_id"] == ids.REWRITE_JOB_ACTION
    assert len(select["options"]) == 100
    assert select["initial_option"] == {
        "text": {"type": "plain_text", "text": "Job 120 (#120)", "emoji": True},
        "value": "120",
    }
    assert select["options"][0]["value"] == "120"
    instruction = inputs[ids.REWRITE_INSTRUCTION_BLOCK]["element"]
    assert instruction["action_id"] == ids.REWRITE_INSTRUCTION_ACTION
    assert instruction["initial_value"] == "more senior"


def test_rewrite_modal_single_job_is_preselected_and_none_has_no_submit() -> None:
    one = rewrite_modal(_jobs(1))
    assert _inputs(one)[ids.REWRITE_JOB_BLOCK]["element"]["initial_option"]["value"] == "1"
    empty = rewrite_modal([])
    assert_valid_view(empty)
    assert "submit" not in empty
    assert not _inputs(empty)


def test_rewrite_modal_long_titles_fit_option_text() -> None:
    view = rewrite_modal([JobName(id=1, title="T" * 200, status=JobStatus.DRAFT)])
    assert_valid_view(view)


def test_parse_rewrite_submission_and_errors() -> None:
    state = {
        ids.REWRITE_JOB_BLOCK: {ids.REWRITE_JOB_ACTION: select_state("12", "Job 12")},
        ids.REWRITE_INSTRUCTION_BLOCK: {ids.REWRITE_INSTRUCTION_ACTION: text_state("shorter")},
    }
    assert parse_rewrite_submission(state) == {"job_id": 12, "instruction": "shorter"}
    bad = {ids.REWRITE_JOB_BLOCK: {ids.REWRITE_JOB_ACTION: select_state("x")}}
    assert parse_rewrite_submission(bad) == {"job_id": None, "instruction": None}
    assert rewrite_modal_errors({"job": "Not yours.", "instruction": "Required."}) == {
        ids.REWRITE_JOB_BLOCK: "Not yours.",
        ids.REWRITE_INSTRUCTION_BLOCK: "Required.",
    }


def test_share_modal_carries_the_job_and_picks_users() -> None:
    view = share_modal(JobName(id=12, title="Backend <Lead>", status=JobStatus.DRAFT))
    assert_valid_view(view)
    assert view["callback_id"] == ids.SHARE_CALLBACK
    assert decode_value(view["private_metadata"]).job_id == 12
    assert "Backend &lt;Lead&gt;" in view["blocks"][0]["text"]["text"]
    picker = view["blocks"][1]
    assert (picker["block_id"], picker["element"]["type"]) == (
        ids.SHARE_USERS_BLOCK,
        "multi_users_select",
    )


def test_parse_share_submission_keeps_order_without_repeats() -> None:
    picked = {"type": "multi_users_select", "selected_users": ["U2", "U1", "U2"]}
    state = {ids.SHARE_USERS_BLOCK: {ids.SHARE_USERS_ACTION: picked}}
    assert parse_share_submission(state) == ["U2", "U1"]
    assert parse_share_submission({}) == []
