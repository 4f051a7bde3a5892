from __future__ import annotations

import pytest

from bot.blocks import ids
from bot.blocks.pipeline import (
    bar,
    conversion,
    counts_summary,
    job_picker_message,
    pipeline_lines,
    pipeline_message,
    pipeline_modal,
)
from bot.blocks.values import decode_value
from models.enums import JobStatus
from models.jobs.schemas import JobName
from models.stages import PIPELINE
from tests.bot.blockkit import assert_valid_blocks, assert_valid_view, buttons

COUNTS = [
    ("Applied", 40),
    ("Resume Screening", 20),
    ("Assessments", 0),
    ("Interview", 0),
    ("Offer", 0),
    ("Hired", 0),
    ("Rejected", 7),
]


@pytest.mark.parametrize(
    ("count", "largest", "expected"),
    [(40, 40, 20), (20, 40, 10), (1, 1000, 1), (0, 40, 0), (0, 0, 0), (3, 7, 9)],
)
def test_bar_scales_to_the_largest_count(count: int, largest: int, expected: int) -> None:
    assert bar(count, largest) == "█" * expected


@pytest.mark.parametrize(
    ("count", "previous", "expected"),
    [(20, 40, "50%"), (1, 3, "33%"), (2, 3, "67%"), (5, 0, "n/a"), (0, 0, "n/a"), (0, 5, "0%")],
)
def test_conversion_from_the_previous_stage(count: int, previous: int, expected: str) -> None:
    assert conversion(count, previous) == expected


def test_pipeline_lines_align_and_skip_conversion_for_first_and_rejected() -> None:
    lines = pipeline_lines(COUNTS)
    assert lines[0] == "Applied           40  " + "█" * 20
    assert lines[1] == "Resume Screening  20  " + "█" * 10 + " " * 10 + "  50%"
    assert lines[2].endswith("0%")
    assert lines[3].endswith("n/a")
    assert lines[6] == "Rejected           7  ████"
    # Counts are right-aligned in one column, so bars start together.
    assert [line[18:20] for line in lines] == ["40", "20", " 0", " 0", " 0", " 0", " 7"]


def test_pipeline_message_shows_every_stage_and_a_share_button() -> None:
    counts = [(style.label, n) for style, n in zip(PIPELINE, [5, 4, 3, 2, 1, 1, 2], strict=True)]
    text, blocks = pipeline_message("Data & AI", 12, counts, in_channel=False)
    assert_valid_blocks(blocks)
    assert text == "Pipeline for Data &amp; AI: 18 candidates"
    table = blocks[1]["text"]["text"]
    assert table.startswith("```") and table.endswith("```")
    for style in PIPELINE:
        assert style.label in table
    assert "*18* candidates in total" in blocks[2]["elements"][0]["text"]
    share = buttons(blocks)["Share in channel"]
    assert share["action_id"] == ids.SHARE_PIPELINE_ACTION
    assert decode_value(share["value"]).job_id == 12


def test_pipeline_message_in_channel_has_no_share_button() -> None:
    _text, blocks = pipeline_message("Backend", 1, COUNTS, in_channel=True)
    assert_valid_blocks(blocks)
    assert buttons(blocks) == {}


def test_counts_summary_lists_non_empty_stages() -> None:
    assert counts_summary(COUNTS) == "Applied 40 · Resume Screening 20 · Rejected 7"
    assert counts_summary([("Applied", 0)]) == "No candidates yet"


def test_job_picker_lists_matches_as_a_select_of_job_ids() -> None:
    jobs = [JobName(id=n, title="Engineer", status=JobStatus.OPEN) for n in (3, 8)]
    text, blocks = job_picker_message(jobs, ids.PickPurpose.STAGES, query="Engineer")
    assert_valid_blocks(blocks)
    assert "Several jobs match *Engineer*" in text
    select = blocks[0]["accessory"]
    assert select["type"] == "static_select"
    assert select["action_id"] == ids.PICK_JOB_ACTIONS[ids.PickPurpose.STAGES]
    assert [o["value"] for o in select["options"]] == ["3", "8"]
    assert [o["text"]["text"] for o in select["options"]] == ["Engineer (#3)", "Engineer (#8)"]


def test_job_picker_caps_options_and_handles_no_jobs() -> None:
    jobs = [JobName(id=n, title=f"Job {n}", status=JobStatus.OPEN) for n in range(130)]
    _text, blocks = job_picker_message(jobs, ids.PickPurpose.REWRITE)
    assert_valid_blocks(blocks)
    assert len(blocks[0]["accessory"]["options"]) == 100
    assert "30 more" in blocks[1]["elements"][0]["text"]
    text, blocks = job_picker_message([], ids.PickPurpose.STAGES)
    assert "no jobs" in text
    assert_valid_blocks(blocks)


def test_every_purpose_has_its_own_action_id() -> None:
    assert set(ids.PICK_JOB_ACTIONS) == set(ids.PickPurpose)
    assert len(set(ids.PICK_JOB_ACTIONS.values())) == len(ids.PickPurpose)


def test_pipeline_modal_shows_the_pipeline_without_a_share_button() -> None:
    view = pipeline_modal("Backend Engineer", 7, COUNTS)
    assert_valid_view(view)
    assert view["type"] == "modal" and "submit" not in view
    assert buttons(view["blocks"]) == {}
    assert "Pipeline: Backend Engineer" in view["blocks"][0]["text"]["text"]
