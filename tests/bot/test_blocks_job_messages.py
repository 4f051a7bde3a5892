from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.blocks import ids
from bot.blocks.job_messages import (
    HELP_COMMANDS,
    description_ready_message,
    drafting_message,
    generation_failed_message,
    headline_update,
    help_message,
    job_list_message,
    notice_message,
    rewrite_headline,
    rewrite_proposal_message,
    rewriting_message,
)
from bot.blocks.values import decode_value
from models.enums import EmploymentType, GenerationStatus, JobStatus
from models.jobs.changes import compare
from models.jobs.schemas import Job, JobName
from tests.bot.blockkit import all_text, assert_valid_blocks, buttons

URL = "https://hirebot.example/jobs/abc"


def make_job(**fields: Any) -> Job:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    data: dict[str, Any] = {
        "id": 7,
        "org_id": 1,
        "owner_id": 1,
        "title": "Backend Engineer",
        "description": "## About\nWe build **APIs**.",
        "must_have_skills": ["Python", "PostgreSQL"],
        "employment_type": EmploymentType.FULL_TIME,
        "min_experience": 2,
        "max_experience": 5,
        "location": "Remote",
        "status": JobStatus.DRAFT,
        "description_status": GenerationStatus.READY,
        "description_generated_by": "offline",
        "description_generated_at": now,
        "jd_json": None,
        "jd_json_status": GenerationStatus.NONE,
        "jd_json_generated_by": None,
        "jd_json_generated_at": None,
        "public_key": "abc",
        "created_at": now,
        "updated_at": now,
    }
    data.update(fields)
    return Job(**data)


def test_drafting_message_names_the_job_escaped() -> None:
    text, blocks = drafting_message("R&D <Lead>")
    assert text == "Drafting a job description for R&amp;D &lt;Lead&gt;..."
    assert "*R&amp;D &lt;Lead&gt;*" in blocks[0]["text"]["text"]
    assert_valid_blocks(blocks)


def test_description_ready_has_job_buttons_with_job_id_values() -> None:
    text, blocks = description_ready_message(make_job(), URL)
    assert_valid_blocks(blocks)
    assert text == "Job description for Backend Engineer"
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Backend Engineer", "emoji": True},
    }
    found = buttons(blocks)
    assert list(found) == ["Rewrite", "Share", "Open job", "View stages", "History", "Publish"]
    assert found["Rewrite"]["action_id"] == ids.REWRITE_ACTION
    assert found["Share"]["action_id"] == ids.SHARE_ACTION
    assert found["Open job"]["action_id"] == ids.OPEN_JOB_ACTION
    assert found["Open job"]["url"] == URL
    assert found["View stages"]["action_id"] == ids.VIEW_STAGES_ACTION
    assert found["Publish"]["action_id"] == ids.PUBLISH_ACTION
    assert {decode_value(b["value"]).job_id for b in found.values()} == {7}
    body = all_text(blocks)
    assert "*About*\nWe build *APIs*." in body
    assert "Python, PostgreSQL" in body
    assert ":memo: Draft · Full-time · 2-5 years · Remote · #7 · written by offline" in body


@pytest.mark.parametrize("status", [JobStatus.OPEN, JobStatus.CLOSED])
def test_publish_button_only_for_drafts(status: JobStatus) -> None:
    _text, blocks = description_ready_message(make_job(status=status), URL)
    assert "Publish" not in buttons(blocks)
    assert len(buttons(blocks)) == 5


def test_long_description_is_split_into_3000_char_sections() -> None:
    paragraph = ("lorem ipsum " * 80).strip()  # 959 characters
    description = "\n\n".join([paragraph] * 10)
    _text, blocks = description_ready_message(make_job(description=description), URL)
    assert_valid_blocks(blocks)
    body = [b for b in blocks if b["type"] == "section"]
    assert len(body) == 4
    assert all(len(b["text"]["text"]) <= 3000 for b in body)
    assert " ".join(b["text"]["text"] for b in body).split() == description.split()


def test_escaping_growth_is_counted_before_splitting() -> None:
    description = "&" * 20_000  # the domain's maximum; escapes to 100,000 characters
    _text, blocks = description_ready_message(make_job(description=description), URL)
    assert_valid_blocks(blocks)
    body = [b for b in blocks if b["type"] == "section"]
    assert len(body) == 34
    assert all(b["text"]["text"].endswith(";") for b in body)


def test_huge_description_stays_within_50_blocks() -> None:
    description = "word " * 40_000  # 200,000 characters: would take 67 sections
    _text, blocks = description_ready_message(make_job(description=description), URL)
    assert_valid_blocks(blocks)
    assert len(blocks) == 50
    assert blocks[-1]["type"] == "actions"
    assert "open the job for the full text" in all_text(blocks)


def test_empty_description_says_so() -> None:
    _text, blocks = description_ready_message(make_job(description=""), URL)
    assert "_No description yet._" in all_text(blocks)


def test_description_is_escaped() -> None:
    _text, blocks = description_ready_message(make_job(description="Ping <!channel> & co"), URL)
    assert "Ping &lt;!channel&gt; &amp; co" in all_text(blocks)
    assert "<!channel>" not in all_text(blocks)


def test_headline_update_done_and_failed() -> None:
    job = JobName(id=3, title="QA <Lead>", status=JobStatus.DRAFT)
    text, blocks = headline_update(job, "done")
    assert "ready" in text
    assert blocks[0]["text"]["text"].startswith(":white_check_mark:")
    assert "*QA &lt;Lead&gt;*" in blocks[0]["text"]["text"]
    assert_valid_blocks(blocks)
    text, blocks = headline_update(job, "failed")
    assert text.startswith("Could not")
    assert blocks[0]["text"]["text"].startswith(":x:")
    assert_valid_blocks(blocks)


def test_generation_failed_offers_retry_of_the_same_task() -> None:
    text, blocks = generation_failed_message(
        "Data <Engineer>", "The model timed out.", 9, "rewrite", instruction="shorter"
    )
    assert_valid_blocks(blocks)
    assert "The model timed out." in text
    retry = buttons(blocks)["Retry"]
    assert retry["action_id"] == ids.RETRY_ACTION
    value = decode_value(retry["value"])
    assert (value.job_id, value.kind, value.instruction) == (9, "rewrite", "shorter")


CHANGES = compare("Old text. We build.", "New text. We build.\n\nWe ship.")


def test_rewrite_proposal_shows_each_change_struck_and_marked() -> None:
    _text, blocks = rewrite_proposal_message(4, "Backend", CHANGES, [])
    body = all_text(blocks)
    assert "~Old text.~" in body and "*+* New text." in body and "*+* We ship." in body
    assert "2 changes" in body


def test_rewrite_proposal_has_accept_add_skill_and_discard() -> None:
    skills = [f"Skill {n}" for n in range(12)] + ["skill 0", " "]
    _text, blocks = rewrite_proposal_message(4, "Backend", CHANGES, skills, proposal_id="p1")
    assert_valid_blocks(blocks)
    found = buttons(blocks)
    add = [b for label, b in found.items() if label.startswith("Add ")]
    assert len(add) == 10
    assert [b["action_id"] for b in add] == [f"rewrite_add_skill:{n}" for n in range(10)]
    assert all(ids.ADD_SKILL_ACTION.match(b["action_id"]) for b in add)
    assert decode_value(add[0]["value"]).skill == "Skill 0"
    accept = decode_value(found["Accept all"]["value"])
    assert (accept.job_id, accept.proposal) == (4, "p1")
    assert found["Accept all"]["action_id"] == ids.ACCEPT_REWRITE_ACTION
    assert found["Discard"]["action_id"] == ids.DISCARD_REWRITE_ACTION
    assert decode_value(found["Discard"]["value"]).job_id == 4


def test_rewrite_proposal_without_skills_and_long_skill_names() -> None:
    _text, blocks = rewrite_proposal_message(4, "Backend", CHANGES, [])
    assert list(buttons(blocks)) == ["Accept all", "Choose changes...", "Discard"]
    _text, blocks = rewrite_proposal_message(4, "Backend", CHANGES, ["S" * 100])
    assert_valid_blocks(blocks)


def test_job_list_lists_status_and_candidates() -> None:
    jobs = [
        (JobName(id=1, title="A & B", status=JobStatus.OPEN), 1),
        (JobName(id=2, title="C", status=JobStatus.DRAFT), 0),
    ]
    text, blocks = job_list_message(jobs)
    assert_valid_blocks(blocks)
    assert text == "Your jobs (2)"
    body = all_text(blocks)
    assert "*A &amp; B* · #1 · :large_green_circle: Open · 1 candidate" in body
    assert "*C* · #2 · :memo: Draft · 0 candidates" in body


def test_job_list_empty_and_many() -> None:
    text, blocks = job_list_message([])
    assert "no jobs" in text
    many = [(JobName(id=n, title="T" * 200, status=JobStatus.OPEN), n) for n in range(1000)]
    _text, blocks = job_list_message(many)
    assert_valid_blocks(blocks)


def test_help_lists_every_command_with_an_example() -> None:
    text, blocks = help_message()
    assert_valid_blocks(blocks)
    body = all_text(blocks)
    for usage in (
        "/job new [title]",
        "/job rewrite [job id or title]",
        "/job list",
        "/job share &lt;job&gt; @user...",
        "/job help",
        "/stages [job id or title]",
    ):
        assert f"`{usage}`" in body
    assert body.count("_Example:_") == len(HELP_COMMANDS) == 6
    assert "<job>" not in text


def test_rewrite_placeholder_and_headlines() -> None:
    text, blocks = rewriting_message("R&D Lead", "more senior <please>")
    assert text == "Rewriting the description of R&amp;D Lead..."
    assert "more senior &lt;please&gt;" in all_text(blocks)
    assert_valid_blocks(blocks)
    job = JobName(id=7, title="Backend Engineer", status=JobStatus.DRAFT)
    for ok, phrase in ((True, "proposed below"), (False, "Could not rewrite")):
        _text, headline = rewrite_headline(job, ok)
        assert phrase in all_text(headline)
        assert_valid_blocks(headline)


def test_a_resolved_proposal_replaces_accept_and_discard_with_the_outcome() -> None:
    common: dict[str, Any] = {"proposal_id": "run-1", "resolution": "Accepted by <@U1>."}
    _text, accepted = rewrite_proposal_message(7, "Backend", CHANGES, ["Go", "Rust"], **common)
    assert list(buttons(accepted)) == ["Add Go", "Add Rust"]
    assert "Accepted by <@U1>." in all_text(accepted)
    assert_valid_blocks(accepted)
    _text, discarded = rewrite_proposal_message(
        7, "Backend", CHANGES, ["Go"], **common, skill_buttons=False
    )
    assert buttons(discarded) == {}
    assert "*Suggested skills:* Go" in all_text(discarded)


def test_notice_message_is_one_section() -> None:
    text, blocks = notice_message(":rocket: *Backend* is open")
    assert text == ":rocket: *Backend* is open"
    assert_valid_blocks(blocks)
