"""`/stages`: a job's pipeline as counts, bars and stage-to-stage conversion, and the job
picker shown when no job (or an ambiguous title) was given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks import ids
from bot.blocks.elements import OPTIONS_LIMIT, button, option, static_select
from bot.blocks.layout import Block, Message, actions, context, header, section
from bot.blocks.refs import JobRef, job_option_text
from bot.blocks.text import escape, plain
from bot.blocks.values import encode_value
from models.stages import Stage

BAR_WIDTH = 20
BAR_CHAR = "█"
NO_CONVERSION = "n/a"
StageCount = tuple[str, int]

_NO_CONVERSION_LABELS = frozenset({Stage.REJECTED.value})
"""Rejected is not a step after Hired, so no conversion is shown for it."""


def bar(count: int, largest: int, width: int = BAR_WIDTH) -> str:
    """`count` as blocks scaled to `largest` (= `width` blocks); any non-zero gets one."""
    if count <= 0 or largest <= 0:
        return ""
    return BAR_CHAR * max(1, round(count * width / largest))


def conversion(count: int, previous: int) -> str:
    """Share of the previous stage's count, as a whole percentage; n/a after an empty stage."""
    if previous <= 0:
        return NO_CONVERSION
    return f"{round(count * 100 / previous)}%"


def pipeline_lines(counts: Sequence[StageCount]) -> list[str]:
    """One aligned line per stage: label, count, bar, conversion from the stage before."""
    largest = max((count for _label, count in counts), default=0)
    label_width = max((len(label) for label, _count in counts), default=0)
    count_width = max((len(str(count)) for _label, count in counts), default=1)
    lines = []
    previous: int | None = None
    for label, count in counts:
        rate = ""
        if previous is not None and label not in _NO_CONVERSION_LABELS:
            rate = conversion(count, previous)
        row = f"{label:<{label_width}}  {count:>{count_width}}  {bar(count, largest):<{BAR_WIDTH}}"
        lines.append(f"{row}  {rate}".rstrip())
        if label not in _NO_CONVERSION_LABELS:
            previous = count
    return lines


def counts_summary(counts: Sequence[StageCount]) -> str:
    """A one-line summary ("Applied 4 · Interview 1"), non-empty stages only."""
    parts = [f"{label} {count}" for label, count in counts if count]
    return " · ".join(parts) if parts else "No candidates yet"


def pipeline_message(
    job_title: str, job_id: int, counts: Sequence[StageCount], in_channel: bool
) -> Message:
    """The pipeline; an ephemeral answer (`in_channel=False`) offers to share it."""
    total = sum(count for _label, count in counts)
    title = escape(job_title)
    table = escape("\n".join(pipeline_lines(counts)))
    blocks: list[Block] = [
        header(f"Pipeline: {job_title}"),
        section(f"```{table}```" if table else "_No stages._"),
        context(f"*{total}* candidates in total · job #{job_id} · conversion from the stage above"),
    ]
    if not in_channel:
        share = button("Share in channel", ids.SHARE_PIPELINE_ACTION, encode_value(job_id))
        blocks.append(actions(share))
    return f"Pipeline for {title}: {total} candidates", blocks


def job_picker_message(
    jobs: Sequence[JobRef], purpose: ids.PickPurpose, query: str | None = None
) -> Message:
    """Pick a job (option values are job ids); `query` is the ambiguous title typed."""
    if not jobs:
        line = "You have no jobs yet. Create one with `/job new`."
        return line, [section(line)]
    intro = f"Several jobs match *{escape(query)}*. Which one?" if query else "Which job?"
    options = [option(job_option_text(job), str(job.id)) for job in jobs]
    select = static_select(ids.PICK_JOB_ACTIONS[purpose], options, placeholder="Pick a job")
    blocks: list[Block] = [section(intro, accessory=select)]
    if len(jobs) > OPTIONS_LIMIT:
        more = len(jobs) - OPTIONS_LIMIT
        blocks.append(context(f"{more} more not shown: type part of the title to narrow it."))
    return intro, blocks


def pipeline_modal(job_title: str, job_id: int, counts: Sequence[StageCount]) -> dict[str, Any]:
    """The pipeline in a modal, for the App Home (which has no channel to answer in)."""
    _text, blocks = pipeline_message(job_title, job_id, counts, in_channel=True)
    return {
        "type": "modal",
        "title": plain("Pipeline"),
        "close": plain("Close"),
        "blocks": blocks,
    }
