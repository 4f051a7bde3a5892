from __future__ import annotations

from bot.blocks import ids
from bot.blocks.home import HomeJob, home_view
from bot.blocks.values import decode_value
from models.enums import JobStatus
from models.jobs.schemas import JobName
from tests.bot.blockkit import all_text, assert_valid_view, buttons

COUNTS = [("Applied", 3), ("Interview", 1), ("Rejected", 0)]


def _home_jobs(n: int, url: str | None = "https://hirebot.example/j") -> list[HomeJob]:
    return [
        HomeJob(JobName(id=i, title=f"Job <{i}>", status=JobStatus.OPEN), COUNTS, url)
        for i in range(1, n + 1)
    ]


def test_home_lists_jobs_with_counts_and_buttons() -> None:
    view = home_view(_home_jobs(2))
    assert_valid_view(view)
    assert view["type"] == "home"
    text = all_text(view["blocks"])
    assert "*Job &lt;1&gt;* · #1" in text
    assert "4 candidates: Applied 3 · Interview 1" in text
    actions = [b for b in view["blocks"] if b["type"] == "actions"]
    assert buttons(actions[:1]).keys() == {"Create a job"}
    first = buttons(actions[1:2])
    assert list(first) == ["Rewrite", "View stages", "Open job"]
    assert first["Rewrite"]["action_id"] == ids.REWRITE_ACTION
    assert first["View stages"]["action_id"] == ids.VIEW_STAGES_ACTION
    assert first["Open job"]["url"] == "https://hirebot.example/j"
    assert {decode_value(b["value"]).job_id for b in first.values()} == {1}


def test_home_without_candidate_url_has_no_open_button() -> None:
    view = home_view(_home_jobs(1, url=None))
    assert "Open job" not in buttons(view["blocks"])


def test_home_is_capped_at_100_blocks_with_a_more_line() -> None:
    view = home_view(_home_jobs(40))
    assert_valid_view(view)
    assert len(view["blocks"]) <= 100
    last = view["blocks"][-1]
    assert last["type"] == "context"
    shown = sum(1 for b in view["blocks"] if b["type"] == "section")
    assert shown == 32  # 2 top blocks + 32 jobs x 3 blocks + the "more" line = 99
    assert f"and {40 - shown} more" in last["elements"][0]["text"]


def test_home_exactly_full_needs_no_more_line() -> None:
    view = home_view(_home_jobs(32))
    assert_valid_view(view)
    assert len(view["blocks"]) == 98
    assert "more" not in all_text(view["blocks"][-1:])


def test_home_empty_state_offers_create_and_help() -> None:
    view = home_view([])
    assert_valid_view(view)
    create = buttons(view["blocks"])["Create a job"]
    assert create["action_id"] == ids.CREATE_JOB_ACTION
    text = all_text(view["blocks"])
    assert "`/job new [title]`" in text
    assert "`/stages [job id or title]`" in text
