"""The conversation without a model key: a deterministic parser that drives the same tools.

It understands the core requests (see `HELP`) and plays the model's part in the turn loop:
from the user's message and the tool results so far it picks the next tool call, or the
answer. Writes end in the same confirmation cards as with a model. Its answers stream in
pieces, like a model's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workers.llm import ModelTurn, OnText, ToolCall, ToolSpec

NAME = "offline"
PIECE = 24

HELP = (
    "Without a language model I understand:\n"
    "• *new job* <title> (optionally “with” skills, “remote”, “5+ years”), or "
    "*create a job for* <title>\n"
    "• *my jobs* or *list jobs*\n"
    "• *pipeline* <job> or *stages* <job>\n"
    "• *rewrite* <job>: <instruction> (in a job's thread: *rewrite:* <instruction>)\n"
    "• *share* <job> *with* @colleague\n"
    "• *publish* <job>, *close* <job>\n"
    "• *help*\n"
    "A job is its id (42) or part of its title."
)

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_NEW = re.compile(
    r"^(?:new job|(?:create|draft|open)(?: a| an)?(?: new)? (?:job|role|position)(?: for)?|"
    r"we need(?: a| an)?|we are hiring(?: a| an)?|hire(?: a| an)?)\s*[:\-]?\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_LIST = re.compile(
    r"^(?:(?:list|show)(?: me)?(?: all)?(?: my)?|my|all)\s+"
    r"(?:(?P<status>open|draft|closed)\s+)?jobs\??$",
    re.IGNORECASE,
)
_PIPELINE = re.compile(
    r"^(?:(?:show|get)\s+)?(?:the\s+)?(?:pipeline|stages)(?:\s+(?:of|for))?\s+(?P<job>.+?)\??$|"
    r"^how is (?:the\s+)?(?P<job2>.+?) pipeline(?: doing)?\??$",
    re.IGNORECASE,
)
_REWRITE = re.compile(
    r"^rewrite\s*(?P<job>[^:]*?)\s*:\s*(?P<instruction>.+)$", re.IGNORECASE | re.S
)
_SHARE = re.compile(r"^share\s+(?P<job>.+?)\s+with\s+(?P<people>.+)$", re.IGNORECASE)
_STATUS = re.compile(r"^(?P<verb>publish|open|close)\s+(?P<job>.+?)\.?$", re.IGNORECASE)
_IMPERATIVE = re.compile(
    r"^(?:make|add|mention|remove|drop|shorten|expand|emphasi[sz]e|change|rephrase|include|"
    r"focus|tone)\b",
    re.IGNORECASE,
)
_YEARS = re.compile(r"(\d{1,2})\s*\+?\s*(?:years?|yrs?)", re.IGNORECASE)
_THREAD_JOB = re.compile(r"thread of job #(\d+)")
_TYPES = {
    "part-time": "Part-time",
    "part time": "Part-time",
    "contract": "Contract",
    "contractor": "Contract",
    "intern": "Internship",
    "internship": "Internship",
    "temporary": "Temporary",
}


@dataclass(frozen=True)
class Intent:
    kind: str
    job: str | None = None
    """How the user named the job ("" for "this thread's job", "newest")."""
    fields: dict[str, Any] = field(default_factory=dict)


def parse(text: str, thread_job: int | None) -> Intent:
    """What a message asks for, or `help`/`unknown`."""
    raw = text.strip()
    plain = " ".join(_MENTION.sub(" ", raw).split()).rstrip("!")
    lowered = plain.lower()
    if lowered in ("help", "?", "what can you do", "what can you do?"):
        return Intent("help")
    if listed := _LIST.match(plain):
        return Intent("list", fields={"status": (listed["status"] or "").lower() or None})
    if lowered in ("jobs", "list", "my jobs?"):
        return Intent("list", fields={"status": None})
    if rewrite := _REWRITE.match(plain):
        job = rewrite["job"].strip() or ("" if thread_job else None)
        if job is not None:
            return Intent(
                "rewrite", job=job, fields={"instruction": rewrite["instruction"].strip()}
            )
    if share := _SHARE.match(" ".join(raw.split()).removeprefix(_leading_mention(raw))):
        people = re.findall(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>", share["people"])
        job = share["job"].strip()
        if people:
            return Intent("share", job="" if job.lower() in ("it", "this", "this job") else job,
                          fields={"colleagues": people})  # fmt: skip
    if status := _STATUS.match(plain):
        job = status["job"].strip()
        value = "closed" if status["verb"].lower() == "close" else "open"
        return Intent(
            "status", job="" if job.lower() in ("it", "this", "this job") else job,
            fields={"status": value},
        )  # fmt: skip
    if pipeline := _PIPELINE.match(plain):
        job = (pipeline["job"] or pipeline["job2"] or "").strip()
        return Intent("pipeline", job="" if job.lower() in ("it", "this", "this job") else job)
    if new := _NEW.match(plain):
        return Intent("draft", fields=_draft_fields(new["rest"]))
    if thread_job is not None and _IMPERATIVE.match(plain):
        return Intent("rewrite", job="", fields={"instruction": plain})
    return Intent("unknown")


def _leading_mention(text: str) -> str:
    """`<@UBOT> ` at the start of a mention, to read what follows it."""
    found = _MENTION.match(" ".join(text.split()))
    return found.group(0) + " " if found else ""


def _draft_fields(rest: str) -> dict[str, Any]:
    segments = [s.strip() for s in re.split(r",|;", rest) if s.strip()]
    head = segments[0] if segments else rest
    title, _, with_skills = head.partition(" with ")
    skills: list[str] = _skills(with_skills) if with_skills else []
    location: str | None = None
    employment = "Full-time"
    low = high = 0
    for segment in [title, *segments[1:]]:
        lowered = segment.lower()
        if "remote" in lowered:
            location = "Remote"
        for word, kind in _TYPES.items():
            if word in lowered:
                employment = kind
        if years := _YEARS.search(segment):
            low = min(int(years[1]), 50)
            high = min(low + 5, 50)
    for segment in segments[1:]:
        lowered = segment.lower()
        if "remote" in lowered or _YEARS.search(segment) or lowered in _TYPES:
            continue
        skills += _skills(re.sub(r"^with\s+", "", segment, flags=re.I))
    title = _YEARS.sub("", re.sub(r"\bremote\b", "", title, flags=re.I)).strip(" .-:")
    if title == title.lower():
        title = title.title()
    return {
        "job_title": title[:200] or "New job",
        "must_have_skills": list(dict.fromkeys(skills))[:50],
        "employment_type": employment,
        "min_experience": low,
        "max_experience": high,
        "location": location,
        "notes": None,
    }


def _skills(text: str) -> list[str]:
    return [s.strip(" .") for s in re.split(r",|\band\b|&|/", text) if s.strip(" .")]


class OfflineConversant:
    """Plays the model in the turn loop, deterministically."""

    name = NAME

    async def converse(
        self,
        messages: Sequence[dict[str, Any]],
        tools: Sequence[ToolSpec],
        on_text: OnText,
        *,
        on_usage: object = None,
    ) -> ModelTurn:
        thread_job = _thread_job(messages)
        last_user = max(i for i, m in enumerate(messages) if m["role"] == "user")
        intent = parse(str(messages[last_user]["content"]), thread_job)
        results = _results_since(messages, last_user)
        step = _next_step(intent, results, thread_job)
        if isinstance(step, ToolCall):
            return ModelTurn(text="", tool_calls=[step])
        for start in range(0, len(step), PIECE):
            await on_text(step[start : start + PIECE])
        return ModelTurn(text=step, tool_calls=[])


def _thread_job(messages: Sequence[dict[str, Any]]) -> int | None:
    for message in messages:
        if message["role"] == "system" and (found := _THREAD_JOB.search(str(message["content"]))):
            return int(found[1])
    return None


def _results_since(messages: Sequence[dict[str, Any]], start: int) -> list[tuple[str, Any]]:
    """(tool name, decoded result) of the calls made since the user's message, in order."""
    names: dict[str, str] = {}
    out: list[tuple[str, Any]] = []
    for message in messages[start + 1 :]:
        for call in message.get("tool_calls") or []:
            names[call["id"]] = call["function"]["name"]
        if message["role"] == "tool":
            out.append(
                (names.get(str(message.get("tool_call_id")), ""), json.loads(message["content"]))
            )
    return out


_counter = 0


def _call(name: str, **arguments: Any) -> ToolCall:
    global _counter
    _counter += 1
    return ToolCall(id=f"offline_{_counter}", name=name, arguments=json.dumps(arguments))


WRITE_TOOLS = {"rewrite": "rewrite_description", "share": "share_job", "status": "set_job_status"}


def _next_step(
    intent: Intent, results: list[tuple[str, Any]], thread_job: int | None
) -> ToolCall | str:
    if results and "error" in results[-1][1]:
        return f"Sorry: {results[-1][1]['error']}."
    if results and "proposed" in results[-1][1]:
        return "I've put that in a card above: click *Confirm* to go ahead, or *Cancel*."
    if intent.kind == "help":
        return HELP
    if intent.kind == "unknown":
        return "I'm not sure what you mean. " + HELP
    if intent.kind == "list":
        if not results:
            return _call("list_jobs", status=intent.fields["status"], title=None)
        return _jobs_answer(results[-1][1])
    if intent.kind == "draft":
        return _call("draft_job", **intent.fields)
    job_id = _job_id(intent, results, thread_job)
    if isinstance(job_id, str | ToolCall):
        return job_id
    if intent.kind == "pipeline":
        if results and results[-1][0] == "get_pipeline":
            return _pipeline_answer(results[-1][1])
        return _call("get_pipeline", job_id=job_id)
    return _call(WRITE_TOOLS[intent.kind], job_id=job_id, **intent.fields)


def _job_id(
    intent: Intent, results: list[tuple[str, Any]], thread_job: int | None
) -> int | str | ToolCall:
    """The job the intent names: the thread's, an id, the newest, or a title to look up."""
    reference = (intent.job or "").strip().lstrip("#")
    if not reference:
        if thread_job is not None:
            return thread_job
        return "Which job? Name it by its id or title."
    if reference.isdigit():
        return int(reference)
    if re.fullmatch(
        r"(?:of\s+)?(?:my\s+)?(?:newest|latest|last|most recent)(?:\s+job)?", reference, re.I
    ):
        found = next((r for name, r in results if name == "list_jobs"), None)
        if found is None:
            return _call("list_jobs", status=None, title=None)
        if not found["jobs"]:
            return "You have no jobs yet."
        return int(found["jobs"][0]["id"])
    found = next((r for name, r in results if name == "find_job"), None)
    if found is None:
        return _call("find_job", reference=re.sub(r"^(?:the|job)\s+", "", reference, flags=re.I))
    matches = found["matches"]
    if not matches:
        return f"No job of yours matches “{reference}”."
    if len(matches) > 1:
        listed = ", ".join(f"{m['title']} (#{m['id']})" for m in matches[:10])
        return f"Several jobs match “{reference}”: {listed}. Which one (by id)?"
    return int(matches[0]["id"])


def _jobs_answer(result: dict[str, Any]) -> str:
    listed = result.get("jobs") or []
    if not listed:
        return "You have no jobs yet. Say “new job <title>” to draft one."
    lines = [
        f"• #{job['id']} *{job['title']}*: {job['status']}, {job['candidates']} candidate"
        f"{'' if job['candidates'] == 1 else 's'}"
        for job in listed
    ]
    return "Your jobs:\n" + "\n".join(lines)


def _pipeline_answer(result: dict[str, Any]) -> str:
    lines = []
    for stage in result["stages"]:
        extra = (
            f" ({stage['conversion_from_previous']} of the previous stage)"
            if "conversion_from_previous" in stage
            else ""
        )
        lines.append(f"• {stage['stage']}: {stage['count']}{extra}")
    return f"Pipeline of *{result['job']['title']}* (#{result['job']['id']}):\n" + "\n".join(lines)
