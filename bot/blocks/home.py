"""The App Home tab: the user's jobs with their pipelines and buttons, or a first-run state.

Slack refuses a home view over 100 blocks, so jobs that do not fit are summed up in one
"and N more" line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks import ids
from bot.blocks.elements import button
from bot.blocks.job_messages import HELP_COMMANDS
from bot.blocks.layout import (
    VIEW_BLOCKS_LIMIT,
    Block,
    actions,
    context,
    divider,
    header,
    section,
)
from bot.blocks.pipeline import StageCount, counts_summary
from bot.blocks.refs import JobListing, status_label
from bot.blocks.text import escape
from bot.blocks.values import encode_value


@dataclass(frozen=True, slots=True)
class HomeJob:
    """One job on the Home tab; without `candidate_url` there is no Open job button."""

    job: JobListing
    counts: Sequence[StageCount]
    candidate_url: str | None = None


def _job_blocks(item: HomeJob) -> list[Block]:
    job = item.job
    total = sum(count for _label, count in item.counts)
    line = (
        f"*{escape(job.title)}* · #{job.id} · {status_label(job.status)}\n"
        f"{total} candidates: {escape(counts_summary(item.counts))}"
    )
    value = encode_value(job.id)
    buttons = [
        button("Rewrite", ids.REWRITE_ACTION, value),
        button("View stages", ids.VIEW_STAGES_ACTION, value),
    ]
    if item.candidate_url:
        buttons.append(button("Open job", ids.OPEN_JOB_ACTION, value, url=item.candidate_url))
    return [section(line), actions(*buttons), divider()]


def _top(job_count: int) -> list[Block]:
    new_job = button("Create a job", ids.CREATE_JOB_ACTION, "new", style="primary")
    return [header(f"Your jobs ({job_count})"), actions(new_job)]


def _empty_state() -> list[Block]:
    commands = "\n".join(
        f"`{escape(usage)}`: {escape(what)}" for usage, what, _example in HELP_COMMANDS
    )
    return [
        header("Welcome to Hirebot"),
        section("You have no jobs yet. Create one and its description is written for you."),
        actions(button("Create a job", ids.CREATE_JOB_ACTION, "new", style="primary")),
        divider(),
        section(f"*Commands*\n{commands}"),
    ]


def home_view(jobs_with_counts: Sequence[HomeJob]) -> dict[str, Any]:
    """The view for `views.publish` (type "home"), never over 100 blocks."""
    if not jobs_with_counts:
        return {"type": "home", "blocks": _empty_state()}
    blocks = _top(len(jobs_with_counts))
    for shown, item in enumerate(jobs_with_counts):
        job_blocks = _job_blocks(item)
        remaining = len(jobs_with_counts) - shown - 1
        reserve = 1 if remaining else 0
        if len(blocks) + len(job_blocks) + reserve > VIEW_BLOCKS_LIMIT:
            blocks.append(context(f"…and {len(jobs_with_counts) - shown} more: try `/job list`."))
            break
        blocks.extend(job_blocks)
    return {"type": "home", "blocks": blocks}
