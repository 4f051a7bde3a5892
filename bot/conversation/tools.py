"""The conversation's tools: what the model may do, defined once from the domain's schemas.

Each tool runs with the permissions of the Slack user who wrote the message, through the
same operations the REST API and the slash commands use. Reads run at once and answer with
data. Writes never run when the model calls them: they are checked (the job exists for
this user, they may change it) and become a proposal, shown as a card with Confirm and
Cancel; only the Confirm click of the user who asked performs one (`perform`), and the
permission is checked again then, by the operation itself.

A job the user cannot see is "not found" to the model exactly as to the API; arguments
that do not fit the schema come back as the tool's answer, so the model can correct them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec

from bot.blocks.text import escape
from models.enums import JobStatus, Role
from models.errors import DomainError, Invalid
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.jobs.access import Action, load_job
from models.jobs.schemas import DraftRequest, Instruction, JobFilters
from models.pipeline import operations as pipeline
from models.screening import criteria as screening
from models.screening.schemas import CriteriaCreate, CriteriaFields
from models.stages import Stage
from workers.llm import ToolSpec, strict_schema

MAX_LISTED = 25
MAX_DESCRIPTION_CHARS = 6_000
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>|^@?([UW][A-Z0-9]{2,})$")

JobId = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


# Arguments ---------------------------------------------------------------------------------


class ListJobsArgs(msgspec.Struct, frozen=True, kw_only=True):
    status: JobStatus | None = None
    title: str | None = None
    """Part of the title, any case."""


class FindJobArgs(msgspec.Struct, frozen=True, kw_only=True):
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    """A job id ("42") or part of its title."""


class JobArgs(msgspec.Struct, frozen=True, kw_only=True):
    job_id: JobId


class CandidatesArgs(msgspec.Struct, frozen=True, kw_only=True):
    job_id: JobId
    stage: Stage


class RewriteArgs(msgspec.Struct, frozen=True, kw_only=True):
    job_id: JobId
    instruction: Instruction


class ShareArgs(msgspec.Struct, frozen=True, kw_only=True):
    job_id: JobId
    colleagues: Annotated[list[str], msgspec.Meta(min_length=1, max_length=20)]
    """Slack mentions as written (<@U123>) or Slack user ids."""


class SetStatusArgs(msgspec.Struct, frozen=True, kw_only=True):
    job_id: JobId
    status: Literal["open", "closed"]


class MoveCandidateArgs(msgspec.Struct, frozen=True, kw_only=True):
    job_id: JobId
    candidate_id: JobId
    stage: Stage


class AddCriterionArgs(CriteriaCreate, frozen=True, kw_only=True):
    """A new screening question for a job."""


class ChangeCriterionArgs(CriteriaFields, frozen=True, kw_only=True):
    criterion_id: JobId


# The tool table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """Who calls a tool: the Hirebot user, their Slack identity, and the thread's job."""

    actor: Actor
    team_id: str
    slack_user_id: str
    default_role: Role
    job_id: int | None = None


Run = Callable[[Caller, Any], Awaitable[dict[str, Any]]]
Check = Callable[[Caller, Any], Awaitable[str]]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    args: type[msgspec.Struct]
    run: Run | None = None
    """Reads: the answer."""
    check: Check | None = None
    """Writes: verify the user may do it, and say in plain words what will change."""

    @property
    def writes(self) -> bool:
        return self.check is not None

    def spec(self) -> ToolSpec:
        return ToolSpec(
            name=self.name, description=self.description, parameters=strict_schema(self.args)
        )


# Reads ---------------------------------------------------------------------------------------


async def _list_jobs(caller: Caller, args: ListJobsArgs) -> dict[str, Any]:
    page = await jobs.list_jobs(
        caller.actor, JobFilters(status=args.status, title=args.title), limit=MAX_LISTED
    )
    totals = await pipeline.totals_for_jobs(caller.actor, [job.id for job in page.items])
    return {
        "jobs": [
            {
                "id": job.id,
                "title": job.title,
                "status": job.status.value,
                "candidates": sum(totals[job.id].values()),
            }
            for job in page.items
        ],
        "more": page.next_cursor is not None,
    }


async def _find_job(caller: Caller, args: FindJobArgs) -> dict[str, Any]:
    matches = await jobs.find_jobs(caller.actor, args.reference)
    return {"matches": [{"id": m.id, "title": m.title, "status": m.status.value} for m in matches]}


async def _pipeline(caller: Caller, args: JobArgs) -> dict[str, Any]:
    job = await jobs.get_job(caller.actor, args.job_id)
    counts = await pipeline.stage_counts(caller.actor, args.job_id)
    stages = []
    previous: int | None = None
    for stage in counts:
        entry: dict[str, Any] = {"stage": stage.label, "count": stage.count}
        if previous and stage.label not in ("Rejected",):
            entry["conversion_from_previous"] = f"{100 * stage.count / previous:.0f}%"
        stages.append(entry)
        if stage.label != "Rejected":
            previous = stage.count
    return {"job": {"id": job.id, "title": job.title}, "stages": stages}


async def _candidates(caller: Caller, args: CandidatesArgs) -> dict[str, Any]:
    found = await pipeline.list_candidates(caller.actor, args.job_id, args.stage, MAX_LISTED)
    return {
        "stage": args.stage.value,
        "candidates": [{"candidate_id": a.candidate_id, "name": a.name} for a in found],
    }


async def _criteria(caller: Caller, args: JobArgs) -> dict[str, Any]:
    found = await screening.list_by_job(caller.actor, args.job_id)
    return {
        "criteria": [
            {
                "criterion_id": c.id,
                "question": c.question,
                "kind": c.kind.value,
                "required": c.required,
                "weight": c.weight,
            }
            for c in found
        ]
    }


async def _description(caller: Caller, args: JobArgs) -> dict[str, Any]:
    job = await jobs.get_job(caller.actor, args.job_id)
    text = job.description
    cut = len(text) > MAX_DESCRIPTION_CHARS
    return {
        "job": {"id": job.id, "title": job.title, "status": job.status.value},
        "description": text[:MAX_DESCRIPTION_CHARS] + (" [...]" if cut else ""),
        "must_have_skills": job.must_have_skills,
    }


# Writes: checked now, performed on Confirm -------------------------------------------------


async def _title(caller: Caller, job_id: int, action: Action = Action.CHANGE) -> str:
    row = await load_job(caller.actor, job_id, action)
    return f"*{escape(row['title'])}* (#{job_id})"


async def _check_draft(caller: Caller, args: DraftRequest) -> str:
    if not caller.actor.can_write:
        raise Invalid("Viewers cannot create jobs")
    jobs.check_fields(args.job_title, args.min_experience, args.max_experience)
    facts = [args.employment_type.value, f"{args.min_experience}-{args.max_experience} years"]
    if args.location:
        facts.append(args.location)
    skills = ", ".join(args.must_have_skills) or "no must-have skills yet"
    return (
        f"Create a draft job *{escape(args.job_title)}* ({escape(', '.join(facts))}; "
        f"skills: {escape(skills)}) and write its description in this thread."
    )


async def _check_rewrite(caller: Caller, args: RewriteArgs) -> str:
    title = await _title(caller, args.job_id)
    return f"Propose a rewrite of the description of {title}: “{escape(args.instruction)}”."


def slack_ids(colleagues: list[str]) -> list[str]:
    """The Slack user ids in mentions (<@U123>, U123); Invalid naming what is not one."""
    found: list[str] = []
    for text in colleagues:
        match = MENTION.search(text.strip())
        if match is None:
            raise Invalid(f"“{text}” is not a Slack mention; mention the colleague with @")
        found.append(match.group(1) or match.group(2))
    return list(dict.fromkeys(found))


async def _check_share(caller: Caller, args: ShareArgs) -> str:
    people = ", ".join(f"<@{slack_id}>" for slack_id in slack_ids(args.colleagues))
    return f"Share {await _title(caller, args.job_id, Action.MANAGE)} with {people}."


async def _check_status(caller: Caller, args: SetStatusArgs) -> str:
    what = "Publish" if args.status == "open" else "Close"
    after = "candidates can apply" if args.status == "open" else "it takes no more candidates"
    return f"{what} {await _title(caller, args.job_id)}: {after}."


async def _check_move(caller: Caller, args: MoveCandidateArgs) -> str:
    found = await pipeline.list_candidates(caller.actor, args.job_id, None, 100)
    title = await _title(caller, args.job_id)
    name = next((a.name for a in found if a.candidate_id == args.candidate_id), None)
    if name is None:
        raise Invalid(f"candidate {args.candidate_id} is not in job {args.job_id}")
    return f"Move {escape(name)} in {title} to *{args.stage.value}*."


async def _check_add_criterion(caller: Caller, args: AddCriterionArgs) -> str:
    screening.validated(msgspec.structs.asdict(args))
    flag = "required" if args.required else "optional"
    return (
        f"Add the screening question “{escape(args.question)}” ({args.kind.value}, {flag}, weight "
        f"{args.weight}) to {await _title(caller, args.job_id)}."
    )


async def _check_change_criterion(caller: Caller, args: ChangeCriterionArgs) -> str:
    current = await screening.get_criteria(caller.actor, args.criterion_id)
    await load_job(caller.actor, current.job_id, Action.CHANGE)
    return (
        f"Change the screening question “{escape(current.question)}” of job #{current.job_id} "
        f"to “{escape(args.question)}” ({args.kind.value}, "
        f"{'required' if args.required else 'optional'}, weight {args.weight})."
    )


TOOLS: tuple[Tool, ...] = (
    Tool("list_jobs", "The user's jobs (newest first), optionally by status or title.",
         ListJobsArgs, run=_list_jobs),
    Tool("find_job", "Find jobs by id or by part of the title.", FindJobArgs, run=_find_job),
    Tool("get_pipeline", "A job's hiring pipeline: candidates per stage and the conversion "
         "from the previous stage.", JobArgs, run=_pipeline),
    Tool("list_candidates", "The candidates of a job at one stage.", CandidatesArgs,
         run=_candidates),
    Tool("get_criteria", "A job's screening criteria.", JobArgs, run=_criteria),
    Tool("get_description", "A job's current description and must-have skills.", JobArgs,
         run=_description),
    Tool("draft_job", "Propose a new draft job; once the user confirms, its description is "
         "written into this thread.", DraftRequest, check=_check_draft),
    Tool("rewrite_description", "Propose rewriting a job's description as instructed; once "
         "the user confirms, a rewrite is proposed for them to accept.", RewriteArgs,
         check=_check_rewrite),
    Tool("share_job", "Propose sharing a job with colleagues (Slack mentions).", ShareArgs,
         check=_check_share),
    Tool("set_job_status", "Propose publishing (open) or closing a job.", SetStatusArgs,
         check=_check_status),
    Tool("move_candidate", "Propose moving a candidate to another stage.", MoveCandidateArgs,
         check=_check_move),
    Tool("add_criterion", "Propose adding a screening criterion to a job.", AddCriterionArgs,
         check=_check_add_criterion),
    Tool("change_criterion", "Propose changing a screening criterion (all its fields).",
         ChangeCriterionArgs, check=_check_change_criterion),
)  # fmt: skip
BY_NAME = {tool.name: tool for tool in TOOLS}


def specs() -> list[ToolSpec]:
    return [tool.spec() for tool in TOOLS]


def decode_arguments(tool: Tool, raw: str) -> Any:
    """The arguments as the tool's struct; Invalid with the decoder's reason otherwise."""
    try:
        return msgspec.json.decode(raw or "{}", type=tool.args)
    except msgspec.ValidationError as error:
        raise Invalid(f"invalid arguments for {tool.name}: {error}") from None
    except msgspec.DecodeError:
        raise Invalid(f"the arguments of {tool.name} are not valid JSON") from None


def error_result(error: DomainError) -> dict[str, Any]:
    """A domain error as the tool's answer (what the user would be told)."""
    return {"error": error.message}
