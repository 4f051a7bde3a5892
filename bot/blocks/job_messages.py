"""Messages about one job in a channel or thread: drafting, the description, failures,
rewrite proposals, and the `/job list` and `/job help` answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from bot.blocks import ids
from bot.blocks.changes import render_change_mrkdwn
from bot.blocks.elements import Element, button
from bot.blocks.layout import (
    MESSAGE_BLOCKS_LIMIT,
    Block,
    Message,
    actions,
    context,
    header,
    section,
    sections,
)
from bot.blocks.refs import JobListing, JobRef, status_label
from bot.blocks.text import escape, markdown_to_mrkdwn, split_text, truncate
from bot.blocks.values import RetryKind, encode_value
from models.enums import JobStatus
from models.jobs.changes import Change, summary
from models.jobs.schemas import Job
from models.jobs.skills import clean_skills
from models.jobs.versions import VersionSummary
from models.language import LanguageReport
from models.language.check import fix_instruction

HeadlineState = Literal["done", "failed"]
MAX_SKILL_BUTTONS = 10
MAX_FINDINGS_SHOWN = 10
MAX_VERSIONS_SHOWN = 10
MAX_REPORT_BLOCKS = 6
HELP_COMMANDS: tuple[tuple[str, str, str], ...] = (
    (
        "/job new [title]",
        "Create a job; its description is written for you.",
        "/job new Backend Engineer",
    ),
    ("/job rewrite [job id or title]", "Rewrite a job's description.", "/job rewrite 12"),
    ("/job list", "Your jobs, their status and candidates.", "/job list"),
    ("/job share <job> @user...", "Share a job with colleagues.", "/job share 12 @ana @li"),
    ("/job help", "This help.", "/job help"),
    ("/stages [job id or title]", "A job's hiring pipeline.", "/stages Backend Engineer"),
)
"""(usage, what it does, example) of every command."""

_FAILED_VERBS: dict[str, str] = {
    "generate": "write the job description for",
    "rewrite": "rewrite the description of",
    "convert": "structure the description of",
}


def drafting_message(title: str) -> Message:
    """The first message after `/job new`: the description follows in its thread."""
    text = f"Drafting a job description for {escape(title)}..."
    blocks = [
        section(f":hourglass_flowing_sand: Drafting a job description for *{escape(title)}*..."),
        context("It will appear in this thread in a moment."),
    ]
    return text, blocks


def experience_text(min_years: int, max_years: int) -> str:
    if min_years == max_years:
        return f"{min_years} years" if min_years else "no experience required"
    return f"{min_years}-{max_years} years"


def _facts(job: Job) -> str:
    facts = [
        status_label(job.status),
        escape(str(job.employment_type)),
        experience_text(job.min_experience, job.max_experience),
    ]
    if job.location:
        facts.append(escape(job.location))
    facts.append(f"#{job.id}")
    if job.description_generated_by:
        facts.append(f"written by {escape(job.description_generated_by)}")
    return " · ".join(facts)


def _capped_sections(mrkdwn_text: str, budget: int) -> list[Block]:
    """Sections of the text, at most `budget` blocks, the last one saying it was cut."""
    chunks = split_text(mrkdwn_text)
    if not chunks:
        return [section("_No description yet._")]
    if len(chunks) <= budget:
        return [section(chunk) for chunk in chunks]
    cut = [section(chunk) for chunk in chunks[: budget - 1]]
    return [*cut, context(":scissors: Too long for one message: open the job for the full text.")]


def job_buttons(job: JobListing, candidate_url: str) -> list[Element]:
    """Rewrite, Share, Open job, View stages, and Publish while the job is a draft."""
    value = encode_value(job.id)
    buttons = [
        button("Rewrite", ids.REWRITE_ACTION, value),
        button("Share", ids.SHARE_ACTION, value),
        button("Open job", ids.OPEN_JOB_ACTION, value, url=candidate_url),
        button("View stages", ids.VIEW_STAGES_ACTION, value),
        button("History", ids.HISTORY_ACTION, value),
    ]
    if job.status == JobStatus.DRAFT:
        buttons.append(button("Publish", ids.PUBLISH_ACTION, value, style="primary"))
    return buttons


def description_ready_message(
    job: Job, candidate_url: str, report: LanguageReport | None = None
) -> Message:
    """The description in the job's thread, with the buttons that act on it (and the
    language check's findings, when given)."""
    top = [header(job.title), context(_facts(job))]
    bottom = description_footer(job, candidate_url, report)
    budget = MESSAGE_BLOCKS_LIMIT - len(top) - len(bottom)
    body = _capped_sections(markdown_to_mrkdwn(job.description), budget)
    text = f"Job description for {escape(job.title)}"
    return text, [*top, *body, *bottom]


def description_footer(
    job: Job, candidate_url: str, report: LanguageReport | None = None
) -> list[Block]:
    """What goes under a description: the language check, its skills and the buttons
    that act on it (also the end of a description streamed into the thread)."""
    bottom: list[Block] = []
    if report is not None:
        bottom += language_report_message(job.id, job.title, report)[1][:MAX_REPORT_BLOCKS]
    if job.must_have_skills:
        skills = ", ".join(escape(s) for s in job.must_have_skills)
        bottom.append(context(f"*Must-have:* {skills}"))
    bottom.append(actions(*job_buttons(job, candidate_url)))
    return bottom


def headline_update(job: JobRef, state: HeadlineState) -> Message:
    """The first ("Drafting...") message once the worker is done or has failed."""
    title = escape(job.title)
    if state == "done":
        text = f"The job description for {title} is ready."
        line = f":white_check_mark: The job description for *{title}* is ready: see the thread."
    else:
        text = f"Could not write the job description for {title}."
        line = f":x: Could not write the job description for *{title}*: see the thread."
    return text, [section(line), context(f"Job #{job.id}")]


def rewriting_message(title: str, instruction: str) -> Message:
    """The placeholder in the job's thread while a rewrite is being written."""
    text = f"Rewriting the description of {escape(title)}..."
    blocks = [
        section(f":pencil2: Rewriting the description of *{escape(title)}*..."),
        context(f"Asked for: {escape(truncate(instruction, 500))}"),
    ]
    return text, blocks


def rewrite_headline(job: JobRef, ok: bool) -> Message:
    """The rewrite placeholder once the proposal (or the failure) is in the thread."""
    title = escape(job.title)
    if ok:
        line = f":pencil2: A rewrite of *{title}* is proposed below: accept or discard it."
        text = f"A rewrite of {title} is proposed."
    else:
        line = f":x: Could not rewrite *{title}*: see below."
        text = f"Could not rewrite {title}."
    return text, [section(line), context(f"Job #{job.id}")]


def notice_message(line: str) -> Message:
    """A one-line confirmation; `line` is escaped mrkdwn (mentions allowed)."""
    return line, [section(line)]


def generation_failed_message(
    title: str,
    reason: str,
    job_id: int,
    retry_kind: RetryKind,
    *,
    instruction: str | None = None,
) -> Message:
    """What went wrong, in the thread, with a Retry button that queues the task again."""
    line = f":warning: I could not {_FAILED_VERBS[retry_kind]} *{escape(title)}*."
    value = encode_value(job_id, kind=retry_kind, instruction=instruction)
    blocks = [
        section(line),
        context(escape(reason)),
        actions(button("Retry", ids.RETRY_ACTION, value, style="primary")),
    ]
    return f"Could not {_FAILED_VERBS[retry_kind]} {escape(title)}: {escape(reason)}", blocks


def rewrite_proposal_message(
    job_id: int,
    title: str,
    changes: Sequence[Change],
    suggested_skills: Sequence[str],
    *,
    proposal_id: str | None = None,
    resolution: str | None = None,
    skill_buttons: bool = True,
) -> Message:
    """A proposed rewrite shown as what it changes, with Accept all, Choose changes...,
    one "Add <skill>" per suggestion (10 at most) and Discard.

    Nothing changes until accepted. The texts are too long for a button value: the buttons
    carry the job id and `proposal_id`, the key of the stored proposal. Once accepted or
    discarded, `resolution` (escaped mrkdwn) replaces the buttons; `skill_buttons` keeps
    the "Add" buttons (still useful after Accept, not after Discard).
    """
    skills = clean_skills(suggested_skills)[:MAX_SKILL_BUTTONS]
    top = [
        section(f":pencil2: Proposed rewrite of *{escape(title)}*"),
        context(escape(summary(changes))),
    ]
    bottom: list[Block] = []
    if skills:
        bottom.append(context("*Suggested skills:* " + ", ".join(escape(s) for s in skills)))
    if skills and skill_buttons:
        skill_buttons_row = [
            button(
                f"Add {skill}",
                f"{ids.ADD_SKILL_ACTION_PREFIX}{n}",
                encode_value(job_id, skill=skill, proposal=proposal_id),
            )
            for n, skill in enumerate(skills)
        ]
        bottom.append(actions(*skill_buttons_row))
    if resolution is not None:
        bottom.append(context(resolution))
    elif changes:
        value = encode_value(job_id, proposal=proposal_id)
        bottom.append(
            actions(
                button("Accept all", ids.ACCEPT_REWRITE_ACTION, value, style="primary"),
                button("Choose changes...", ids.CHOOSE_CHANGES_ACTION, value),
                button("Discard", ids.DISCARD_REWRITE_ACTION, value, style="danger"),
            )
        )
    room = MESSAGE_BLOCKS_LIMIT - len(top) - len(bottom)
    shown = [section(render_change_mrkdwn(change)) for change in changes]
    if len(shown) > room:
        hidden = len(shown) - room + 1
        shown = [*shown[: room - 1], context(f"…and {hidden} more: see them in Choose changes.")]
    return f"Proposed rewrite of {escape(title)}", [*top, *shown, *bottom]


def language_report_message(job_id: int, title: str, report: LanguageReport) -> Message:
    """The inclusive-language check after a description is written or changed: a line
    when it passes; else the findings, with "Fix the wording"."""
    if report.passed and not report.findings:
        line = f":white_check_mark: *Inclusive language:* {escape(report.summary)}"
        return report.summary, [context(line)]
    verdict = "passes, with notes" if report.passed else "could discourage some applicants"
    lines = [
        f"• “{escape(f.phrase)}” (paragraph {f.paragraph}): {escape(f.reason)} "
        f"_Try: {escape(f.suggestion)}_"
        for f in report.findings[:MAX_FINDINGS_SHOWN]
    ]
    if len(report.findings) > MAX_FINDINGS_SHOWN:
        lines.append(f"…and {len(report.findings) - MAX_FINDINGS_SHOWN} more.")
    blocks = [
        section(f":mag: *Inclusive language* of *{escape(title)}*: {verdict}."),
        context(escape(report.summary)),
        *sections("\n".join(lines)),
    ]
    if fix_instruction(report):
        value = encode_value(job_id)
        blocks.append(actions(button("Fix the wording", ids.FIX_WORDING_ACTION, value)))
    return f"Inclusive language of {escape(title)}: {report.summary}", blocks[:MESSAGE_BLOCKS_LIMIT]


def history_message(job: JobRef, listed: Sequence[VersionSummary]) -> Message:
    """The last versions of a job's description, each but the current with Restore."""
    if not listed:
        line = f"*{escape(job.title)}* has no description versions yet."
        return line, [section(line)]
    blocks: list[Block] = [section(f":scroll: *Versions of {escape(job.title)}*, newest first")]
    for n, version in enumerate(listed[:MAX_VERSIONS_SHOWN]):
        line = f"*v{version.number}* · {escape(_version_line(version))}"
        if n == 0:
            blocks.append(section(f"{line} · _current_"))
            continue
        restore = button(
            "Restore",
            f"{ids.RESTORE_VERSION_ACTION_PREFIX}{version.number}",
            encode_value(job.id, version=version.number),
        )
        blocks.append(section(line, accessory=restore))
    return f"Versions of {escape(job.title)}", blocks


def _version_line(version: VersionSummary) -> str:
    how = {
        "typed": "typed",
        "generated": "written by the model",
        "rewrite_accepted": "model rewrite, accepted",
        "rewrite_partial": "model rewrite, partly accepted",
        "restored": f"restored from v{version.restored_from}",
    }[version.source]
    who = version.author_name if version.author == "person" else (version.model or "the model")
    accepted = (
        f", accepted by {version.accepted_by_name}"
        if version.author == "model" and version.accepted_by_name
        else ""
    )
    when = f"{version.created_at:%Y-%m-%d %H:%M} UTC"
    return f"{how} · {who}{accepted} · {when} · {version.characters} characters"


def _candidates(total: int) -> str:
    return f"{total} candidate" if total == 1 else f"{total} candidates"


def job_list_message(jobs: Sequence[tuple[JobListing, int]]) -> Message:
    """`/job list`: each job with its id, status and candidate total."""
    if not jobs:
        line = "You have no jobs yet. Create one with `/job new Backend Engineer`."
        return "You have no jobs yet.", [section(line)]
    lines = [
        f"• *{escape(job.title)}* · #{job.id} · {status_label(job.status)} · {_candidates(total)}"
        for job, total in jobs
    ]
    body = sections("\n".join(lines))
    if len(body) > MESSAGE_BLOCKS_LIMIT - 2:
        body = [*body[: MESSAGE_BLOCKS_LIMIT - 2], context("More jobs: see the App Home tab.")]
    return f"Your jobs ({len(jobs)})", [header(f"Your jobs ({len(jobs)})"), *body]


def help_message() -> Message:
    """Every command with what it does and an example; also the unknown-subcommand answer."""
    blocks: list[Block] = [header("Hirebot commands")]
    for usage, what, example in HELP_COMMANDS:
        blocks.append(section(f"`{escape(usage)}`\n{what}\n_Example:_ `{escape(example)}`"))
    text = "Hirebot commands: " + ", ".join(usage for usage, _what, _example in HELP_COMMANDS)
    return escape(text), blocks
