"""The offline gateway: rule-based writing, rewriting and parsing, no model needed.

Hirebot works without an OpenAI key (demos, tests, air-gapped installs). Everything here
is deterministic, and every text it writes says that it was written offline.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from models.enums import EmploymentType
from models.jobs.skills import clean_skills
from workers.llm.schemas import (
    GeneratedText,
    JobDescriptionInput,
    RewriteInput,
    RewriteResult,
    StructuredJD,
)
from workers.llm.skills import canonical_skill, find_skill_mentions, find_skills, related_skills

OFFLINE = "offline"
OFFLINE_NOTE = (
    "_Drafted offline by Hirebot's built-in writer; "
    "set OPENAI_API_KEY for model-written descriptions._"
)
_NOTE_LINE = re.compile(r"^_(?:Drafted|Rewritten) offline by Hirebot.*_\s*$", re.MULTILINE)
HOW_TO_APPLY = (
    "Apply through Hirebot or send the hiring team your CV and a short note about work "
    "you are proud of. We reply to every applicant."
)

# ---------------------------------------------------------------- writing


_FAMILIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        r"test|tester|qa|quality",
        "keep the quality of our product high, release after release",
        (
            "Plan and run test campaigns for new features and releases.",
            "Write and maintain automated tests alongside manual checks.",
            "Report, reproduce and track defects with clear steps.",
            "Work with developers to prevent defects early.",
        ),
    ),
    (
        r"data|analyst|analytics|scientist|machine learning",
        "turn our data into decisions the team can trust",
        (
            "Collect, clean and model data from our products and partners.",
            "Build analyses, dashboards and models that answer real questions.",
            "Explain findings clearly to technical and non-technical colleagues.",
            "Keep data pipelines reliable, documented and secure.",
        ),
    ),
    (
        r"design|designer|ux|ui",
        "shape how people experience our product",
        (
            "Turn user needs into flows, wireframes and polished designs.",
            "Run user research and usability tests, and act on what you learn.",
            "Keep our design system consistent and accessible.",
            "Work closely with engineers through delivery.",
        ),
    ),
    (
        r"manager|lead|head|director",
        "lead people and work towards clear, shared goals",
        (
            "Set goals and priorities with the team and track progress.",
            "Coach and support team members in their growth.",
            "Work with stakeholders across the company to plan and deliver.",
            "Keep hiring, processes and communication healthy.",
        ),
    ),
    (
        r"engineer|developer|programmer|architect|devops|sre",
        "design, build and run reliable software with the rest of the team",
        (
            "Design, build and ship well-tested features.",
            "Review code and share knowledge with your teammates.",
            "Keep our systems reliable, secure and easy to change.",
            "Work with product and design to turn needs into working software.",
        ),
    ),
)
_GENERIC_FAMILY = (
    "",
    "make a real difference to the team from day one",
    (
        "Own the day-to-day work of the role and deliver it to a high standard.",
        "Work closely with colleagues across the team.",
        "Share progress, raise risks early and suggest improvements.",
    ),
)

_EMPLOYMENT_WORDS: tuple[tuple[EmploymentType, str], ...] = (
    (EmploymentType.INTERNSHIP, r"intern(?:ship)?s?"),
    (EmploymentType.PART_TIME, r"part[- ]?time"),
    (EmploymentType.FULL_TIME, r"full[- ]?time|permanent"),
    (EmploymentType.CONTRACT, r"contract(?:or)?|freelance|fixed[- ]term"),
    (EmploymentType.TEMPORARY, r"temporary|temp|seasonal"),
)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _employment(text: str) -> EmploymentType | None:
    """The employment type mentioned first in `text`."""
    hits = []
    for kind, words in _EMPLOYMENT_WORDS:
        match = re.search(rf"\b(?:{words})\b", text, re.IGNORECASE)
        if match:
            hits.append((match.start(), kind))
    return min(hits)[1] if hits else None


def _experience_line(low: int, high: int) -> str:
    if high == 0:
        return "No prior experience required."
    if low == high:
        return f"About {low} year{'s' if low != 1 else ''} of relevant experience."
    return f"{low}-{high} years of relevant experience."


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def compose_description(data: JobDescriptionInput) -> str:
    """A readable job description built only from the fields."""
    title = " ".join(data.title.split()) or "Team member"
    skills = clean_skills(canonical_skill(s) for s in data.must_have_skills if s.strip())
    low, high = sorted((max(0, data.min_experience), max(0, data.max_experience)))
    kind = _employment(data.employment_type)
    employment = kind.value if kind else data.employment_type.strip() or "Not specified"
    location = (data.location or "").strip()
    _, mission, duties = next(
        (f for f in _FAMILIES if re.search(rf"\b(?:{f[0]})\b", title, re.IGNORECASE)),
        _GENERIC_FAMILY,
    )
    where = f", based in {location}" if location else ""
    about = (
        f"We are looking for {_article(title)} {title} to join our team{where}. "
        f"This is {_article(employment)} {employment.lower()} role where you will {mission}."
    )
    if skills:
        duties = (*duties, f"Put your {', '.join(skills[:3])} skills to work every day.")
    parts = [
        f"# {title}",
        "## About the role",
        about,
        "## Responsibilities",
        _bullets(duties),
        "## Must-have skills",
        _bullets(skills) if skills else "No specific skills required; we value curiosity.",
        "## Experience",
        f"- {_experience_line(low, high)}",
        "## Employment type",
        employment,
        "## Location",
        location or "Not specified.",
    ]
    if data.notes and data.notes.strip():
        parts += ["## Additional information", data.notes.strip()]
    parts += ["## How to apply", HOW_TO_APPLY, OFFLINE_NOTE]
    return "\n\n".join(parts)


# ---------------------------------------------------------------- reading


@dataclass
class _Section:
    heading: str | None
    level: int
    lines: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return _kind(self.heading, self.level)


_KINDS: tuple[tuple[str, str], ...] = (
    ("nice", r"nice[- ]to[- ]have|bonus|preferred|a plus|good to have|desirable"),
    ("apply", r"how to apply|apply|application"),
    ("benefits", r"benefit|perks|what we offer|we offer|compensation|why join"),
    ("employment", r"employment|job type|contract type"),
    ("location", r"location|where you|workplace"),
    (
        "must",
        r"must|requirement|qualification|required|skills|what you bring|about you|looking for",
    ),
    ("responsibilities", r"responsibilit|duties|what you.ll do|what you will do|day[- ]to[- ]day"),
    ("experience", r"experience"),
    ("summary", r"about|overview|summary|the role|introduction|description|position"),
)
_KNOWN_HEADING = re.compile("|".join(words for _, words in _KINDS), re.IGNORECASE)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BOLD_HEADING = re.compile(r"^(?:\*\*|__)(.+?)(?:\*\*|__):?\s*$")
_COLON_HEADING = re.compile(r"^([A-Z][^.!?:]{1,60}):\s*$")
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+(.*)$")


def _kind(heading: str | None, level: int) -> str:
    if heading is None:
        return "preamble"
    if level == 1:
        return "title"
    for kind, words in _KINDS:
        if re.search(words, heading, re.IGNORECASE):
            return kind
    return "other"


def _heading(line: str) -> tuple[str, int] | None:
    stripped = line.strip()
    if match := _MD_HEADING.match(stripped):
        return match.group(2).strip("*_ "), len(match.group(1))
    if match := _BOLD_HEADING.match(stripped):
        return match.group(1).strip(), 2
    if match := _COLON_HEADING.match(stripped):
        return match.group(1).strip(), 2
    name = stripped.rstrip(":")
    if (
        0 < len(name.split()) <= 4
        and _KNOWN_HEADING.search(name)
        and name[:1].isupper()
        and not re.search(r"[.,;:!?]", name)
    ):
        return name, 2
    return None


def _split(text: str) -> list[_Section]:
    """Sections by heading; only a leading level-1 heading that names no section is the title."""
    sections = [_Section(None, 0)]
    for raw in _NOTE_LINE.sub("", text.replace("\r\n", "\n")).split("\n"):
        found = _heading(raw)
        if found is None:
            sections[-1].lines.append(raw.rstrip())
            continue
        heading, level = found
        if level == 1 and (len(sections) > 1 or _kind(heading, 2) != "other"):
            level = 2
        sections.append(_Section(heading, level))
    preamble = sections[0].lines
    first = next((i for i, line in enumerate(preamble) if line.strip()), None)
    if first is not None and not any(s.level == 1 for s in sections):
        # A plain-text description often starts with the job title on its own line.
        line = _plain(preamble[first])
        short = 0 < len(line.split()) <= 8 and not line.endswith((".", "!", "?", ":", ";", ","))
        if short and not _BULLET.match(preamble[first]):
            sections.insert(1, _Section(line, 1, preamble[first + 1 :]))
            del preamble[:]
    return sections


def _render(sections: list[_Section]) -> str:
    blocks = []
    for section in sections:
        body = "\n".join(section.lines).strip("\n")
        if section.heading is not None:
            blocks.append(f"{'#' * max(section.level, 1)} {section.heading}")
        if body:
            blocks.append(body)
    return "\n\n".join(blocks)


def _plain(text: str) -> str:
    """Text without Markdown emphasis."""
    return re.sub(r"\*\*|__|`", "", text).strip(" *_\t")


def _bullets_of(section: _Section) -> list[str]:
    return [_plain(m.group(1)) for line in section.lines if (m := _BULLET.match(line))]


def _items(section: _Section) -> list[str]:
    """Bullets of a section, or its non-empty lines when it has none."""
    lines = _bullets_of(section) or [_plain(line) for line in section.lines if line.strip()]
    return clean_skills(lines)


def _skills_in(section: _Section) -> list[str]:
    """Short bullets of a "skills" section are skills as written; the rest, catalogue skills."""
    verbatim = "skill" in (section.heading or "").lower()
    bullets = set(_bullets_of(section))
    out: list[str] = []
    for item in _items(section):
        parts = [p.strip(" .") for p in re.split(r"[,;]", item)]
        if verbatim and item in bullets and all(0 < len(p.split()) <= 4 for p in parts):
            out.extend(canonical_skill(p) for p in parts)
        else:
            out.extend(find_skills(item))
    return clean_skills(out)


_NUM = r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)"
_YEARS = r"\s*(?:years?|yrs?)\b"
_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_EXPERIENCE: tuple[tuple[str, str], ...] = (
    ("none", r"no (?:prior |previous )?experience (?:is )?(?:required|needed)"),
    ("range", rf"{_NUM}\s*(?:-|\u2013|\u2014|to)\s*{_NUM}\s*\+?{_YEARS}"),
    ("min", rf"(?:at least|minimum(?: of)?|min\.?|over|more than)\s+{_NUM}\s*\+?{_YEARS}"),
    ("min", rf"{_NUM}\s*\+{_YEARS}"),
    ("max", rf"(?:up to|at most|maximum(?: of)?|no more than)\s+{_NUM}{_YEARS}"),
    ("exact", rf"(?:about|around|approximately|roughly|~)\s*{_NUM}{_YEARS}"),
    ("min", rf"{_NUM}{_YEARS}"),
)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _WORDS.index(word.lower()) + 1


def _experience(text: str) -> tuple[int | None, int | None] | None:
    for kind, pattern in _EXPERIENCE:
        match = re.search(pattern, text, re.IGNORECASE)
        if not match:
            continue
        values = [_number(g) for g in match.groups()]
        if kind == "none":
            return 0, 0
        if kind == "range":
            low, high = sorted(values)
            return low, high
        if kind == "max":
            return None, values[0]
        if kind == "exact":
            return values[0], values[0]
        return values[0], None
    return None


def _experience_of(sections: list[_Section], text: str) -> tuple[int | None, int | None]:
    """Years from the Experience section first, then requirements, then any sentence about it."""
    candidates = ["\n".join(s.lines) for s in sections if s.kind == "experience"]
    candidates += ["\n".join(s.lines) for s in sections if s.kind == "must"]
    candidates += [s for s in re.split(r"(?<=[.!?\n])\s+", text) if "experien" in s.lower()]
    for candidate in candidates:
        found = _experience(candidate)
        if found:
            low, high = (None if v is None or v > 60 else v for v in found)
            return low, high
    return None, None


def _location_of(sections: list[_Section], text: str) -> str | None:
    for section in sections:
        if section.kind == "location" and (items := _items(section)):
            value = items[0].rstrip(".").strip()
            return None if value.lower() in {"not specified", "n/a", "tbd", "-"} else value
    if match := re.search(r"^\W*location\W*:\s*(.+)$", text, re.IGNORECASE | re.MULTILINE):
        return _plain(match.group(1)).rstrip(".") or None
    return "Remote" if re.search(r"\bremote\b", text, re.IGNORECASE) else None


def parse_description(title: str, description: str) -> StructuredJD:
    """Turn a job description into structured fields using headings, bullets and keywords."""
    sections = _split(description)
    text = _render(sections)

    def of(kind: str) -> list[_Section]:
        return [s for s in sections if s.kind == kind]

    def items(kind: str) -> list[str]:
        return clean_skills(item for s in of(kind) for item in _items(s))

    summary_sections = of("summary") or of("preamble") + of("title")
    summary = " ".join(line.strip() for s in summary_sections for line in s.lines if line.strip())
    must = clean_skills(skill for s in of("must") for skill in _skills_in(s))
    nice = clean_skills(skill for s in of("nice") for skill in _skills_in(s))
    if not of("must"):
        must = [skill for skill in find_skills(text) if skill not in nice]
    nice = [skill for skill in nice if skill.casefold() not in {m.casefold() for m in must}]
    employment_text = "\n".join("\n".join(s.lines) for s in of("employment"))
    employment = _employment(employment_text) or _employment(text)
    low, high = _experience_of(sections, text)
    heading_title = next((s.heading for s in sections if s.kind == "title"), None)
    return StructuredJD(
        title=title.strip() or heading_title or "Untitled role",
        summary=_plain(summary),
        responsibilities=items("responsibilities"),
        must_have_skills=must,
        nice_to_have_skills=nice,
        min_experience=low,
        max_experience=high,
        employment_type=employment.value if employment else None,
        location=_location_of(sections, text),
        benefits=items("benefits"),
    )


# ---------------------------------------------------------------- rewriting

_BENEFITS_PLACEHOLDERS = (
    "Salary: [range to confirm]",
    "Paid time off: [days per year]",
    "Learning budget: [amount per year]",
    "Health cover: [details]",
)
_EQUAL_OPPORTUNITY = (
    "We welcome applicants of every background, identity and ability, and we make "
    "reasonable adjustments to the interview process on request."
)
_LEVEL_WORDS = re.compile(r"\b(?:junior|mid-level|senior|lead|principal|entry-level)\s+", re.I)
_UNDERSTOOD = (
    "senior, junior, remote, hybrid, on-site, shorter, benefits, inclusive, add/remove a skill"
)


def _first(sections: list[_Section], *kinds: str) -> _Section | None:
    return next((s for s in sections if s.kind in kinds), None)


def _insert_before(sections: list[_Section], new: _Section, *kinds: str) -> None:
    anchor = _first(sections, *kinds)
    sections.insert(sections.index(anchor) if anchor else len(sections), new)


def _append(section: _Section, *lines: str) -> None:
    """Add lines after the section's last non-blank line."""
    while section.lines and not section.lines[-1].strip():
        section.lines.pop()
    section.lines.extend(lines)


def _set_level(sections: list[_Section], level: str, sentence: str) -> None:
    title = _first(sections, "title")
    if title and title.heading and level.lower() not in title.heading.lower():
        title.heading = f"{level} {_LEVEL_WORDS.sub('', title.heading)}"
    about = _first(sections, "summary")
    if about is None:
        about = _Section("About the role", 2)
        sections.insert(sections.index(title) + 1 if title else 1, about)
    _append(about, "", sentence)


def _set_location(sections: list[_Section], value: str) -> None:
    location = _first(sections, "location")
    if location is None:
        location = _Section("Location", 2)
        _insert_before(sections, location, "apply", "benefits")
    location.lines = [value]


def _change_skills(sections: list[_Section], instruction: str) -> list[str]:
    """Add the skills the instruction names; remove those it names after remove/drop/without."""
    present = {s.casefold() for s in find_skills(_render(sections))}
    changes = []
    target = next(
        (s for s in sections if s.kind == "must" and "skill" in (s.heading or "").lower()), None
    )
    for position, skill in find_skill_mentions(instruction):
        verbs = re.findall(
            r"\b(add|include|require|need|mention|remove|drop|delete|without|exclude)\b",
            instruction[:position],
            re.IGNORECASE,
        )
        removing = bool(verbs) and verbs[-1].lower() in {
            "remove",
            "drop",
            "delete",
            "without",
            "exclude",
        }
        if removing:
            for section in sections:
                if section.kind in {"must", "nice"}:
                    kept = [ln for ln in section.lines if find_skills(ln) != [skill]]
                    if kept != section.lines:
                        section.lines = kept
                        changes.append(f"removed {skill}")
        elif skill.casefold() not in present:
            if target is None:
                target = _Section("Must-have skills", 2)
                _insert_before(sections, target, "experience", "employment", "location", "apply")
            _append(target, f"- {skill}")
            changes.append(f"added {skill}")
    return clean_skills(changes)


def _shorten(sections: list[_Section]) -> None:
    for section in sections:
        if section.kind in {"must", "nice", "benefits", "title"}:
            continue
        bullets = 0
        lines = []
        for line in section.lines:
            if _BULLET.match(line):
                bullets += 1
                if bullets > 3:
                    continue
            elif line.strip():
                line = " ".join(re.split(r"(?<=[.!?])\s+", line.strip())[:2])
            lines.append(line)
        section.lines = lines


def rewrite_description(data: RewriteInput) -> RewriteResult:
    """Apply the instruction cues this writer understands, and suggest missing skills."""
    title = " ".join(data.title.split()) or "Team member"
    blank = f"# {title}\n\n## About the role\n\nWe are hiring {_article(title)} {title}."
    source = data.description if data.description.strip() else blank
    sections = _split(source)
    if _first(sections, "title") is None:
        sections.insert(1, _Section(title, 1))
    cue = data.instruction.lower()
    changes: list[str] = []

    def wants(pattern: str) -> bool:
        return re.search(rf"\b(?:{pattern})", cue) is not None

    if wants("senior"):
        _set_level(sections, "Senior", "You will own complex work end to end and mentor others.")
        changes.append("senior level")
    elif wants("junior|entry[- ]level|graduate"):
        _set_level(
            sections,
            "Junior",
            "This role suits someone early in their career; we will support your growth.",
        )
        changes.append("junior level")
    if wants("remote"):
        _set_location(sections, "Remote.")
        changes.append("remote")
    elif wants("hybrid"):
        _set_location(sections, "Hybrid: part remote, part in the office.")
        changes.append("hybrid")
    elif wants("on[- ]?site|in[- ]office"):
        _set_location(sections, "On-site.")
        changes.append("on-site")
    if wants("benefit|perk") and _first(sections, "benefits") is None:
        benefits = _Section("Benefits", 2, [f"- {b}" for b in _BENEFITS_PLACEHOLDERS])
        _insert_before(sections, benefits, "apply")
        changes.append("benefits section (fill in the placeholders)")
    changes += _change_skills(sections, data.instruction)
    if wants("inclusive|diversity|equal opportunit"):
        if not any((s.heading or "").lower() == "equal opportunity" for s in sections):
            sections.append(_Section("Equal opportunity", 2, [_EQUAL_OPPORTUNITY]))
        changes.append("equal opportunity statement")
    if wants("short|concise|brief|trim|cut"):
        _shorten(sections)
        changes.append("shorter")

    if changes:
        note = f"_Rewritten offline by Hirebot's built-in writer ({', '.join(changes)}); "
    else:
        note = (
            "_Rewritten offline by Hirebot's built-in writer, "
            f"which understands only: {_UNDERSTOOD}; "
        )
    text = f"{_render(sections)}\n\n{note}set OPENAI_API_KEY for model-written rewrites._"
    present = find_skills(text) + [
        skill for s in sections if s.kind == "must" for skill in _skills_in(s)
    ]
    suggestions = related_skills(clean_skills(present), f"{data.title}\n{data.instruction}")
    return RewriteResult(job_description=text, suggested_skills=suggestions, generated_by=OFFLINE)


class OfflineGateway:
    """The gateway used when no OpenAI key is configured."""

    name = OFFLINE

    def __init__(self, chunk_delay: float = 0.0) -> None:
        self.chunk_delay = chunk_delay
        """Seconds between streamed lines (HIREBOT_OFFLINE_STREAM_PACE)."""

    async def generate(
        self,
        data: JobDescriptionInput,
        *,
        on_text: Callable[[str], Awaitable[None]] | None = None,
        on_usage: object = None,
    ) -> GeneratedText:
        text = compose_description(data)
        if on_text is not None:
            for index, line in enumerate(text.splitlines(keepends=True)):
                if index and self.chunk_delay:
                    await asyncio.sleep(self.chunk_delay)
                await on_text(line)
        return GeneratedText(text=text, generated_by=OFFLINE)

    async def rewrite(self, data: RewriteInput, *, on_usage: object = None) -> RewriteResult:
        return rewrite_description(data)

    async def convert(
        self, title: str, description: str, *, on_usage: object = None
    ) -> StructuredJD:
        return parse_description(title, description)

    async def aclose(self) -> None:
        return None
