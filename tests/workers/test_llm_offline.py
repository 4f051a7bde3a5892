"""The offline gateway: deterministic writing, rule-based rewriting and parsing, skills."""

from __future__ import annotations

import pytest

from workers.llm import JobDescriptionInput, OfflineGateway, RewriteInput
from workers.llm.offline import OFFLINE_NOTE, compose_description, parse_description
from workers.llm.skills import SKILLS, find_skills, related_skills

JOB = JobDescriptionInput(
    title="Software Tester",
    must_have_skills=["Python", "c++", "Cybersecurity", "Exploratory testing"],
    employment_type="Internship",
    min_experience=2,
    max_experience=4,
    location="Berlin",
    notes="The team is five people.",
)

PLAIN_JD = """Senior Data Engineer

We are a small fintech building payment analytics for European banks.

Responsibilities:
- Build and run batch and streaming pipelines.
- Own our data warehouse on Snowflake.

Requirements:
- At least 5 years of experience with Python and SQL
- Hands-on Apache Spark or Kafka

Nice to have:
- dbt, Airflow
- Kubernetes

Benefits:
- 30 days of paid holiday
- Learning budget

Location: Amsterdam (hybrid)
Job type: Part-time, 32 hours a week
"""


async def test_generate_is_deterministic_and_offline() -> None:
    gateway = OfflineGateway()

    first, second = await gateway.generate(JOB), await gateway.generate(JOB)

    assert first == second
    assert first.generated_by == "offline"
    assert gateway.name == "offline"
    assert first.text.splitlines()[-1] == OFFLINE_NOTE


def test_description_contains_the_fields() -> None:
    text = compose_description(JOB)

    for expected in (
        "# Software Tester",
        "## About the role",
        "## Responsibilities",
        "## Must-have skills",
        "## Experience",
        "## Employment type",
        "## Location",
        "## How to apply",
        "- Python",
        "- C++",
        "- Cybersecurity",
        "- Exploratory testing",
        "2-4 years",
        "Internship",
        "Berlin",
        "The team is five people.",
        "OPENAI_API_KEY",
    ):
        assert expected in text


@pytest.mark.parametrize(
    "job",
    [
        JOB,
        JobDescriptionInput(
            title="Backend Developer",
            must_have_skills=["Go", "Node.js", "C#", "PostgreSQL"],
            employment_type="full time",
            min_experience=3,
            max_experience=3,
        ),
        JobDescriptionInput(
            title="Design Intern",
            must_have_skills=[],
            employment_type="Contract",
            min_experience=0,
            max_experience=0,
            location="Remote",
        ),
        JobDescriptionInput(
            title="Engineering Manager",
            must_have_skills=["Leadership", "Kubernetes"],
            employment_type="Part-time",
            min_experience=8,
            max_experience=5,
        ),
    ],
)
async def test_parser_reads_back_the_generated_description(job: JobDescriptionInput) -> None:
    gateway = OfflineGateway()
    text = (await gateway.generate(job)).text

    parsed = await gateway.convert(job.title, text)

    assert [s.casefold() for s in parsed.must_have_skills] == [
        s.casefold() for s in job.must_have_skills
    ]
    low, high = sorted((job.min_experience, job.max_experience))
    assert (parsed.min_experience, parsed.max_experience) == (low, high)
    assert parsed.employment_type is not None
    assert parsed.employment_type.casefold().replace("-", " ") == (
        job.employment_type.casefold().replace("-", " ")
    )
    assert parsed.location == job.location
    assert parsed.title == job.title
    assert len(parsed.responsibilities) >= 3
    assert parsed.summary.startswith("We are looking for")


def test_parser_reads_a_plain_text_description() -> None:
    parsed = parse_description("", PLAIN_JD)

    assert parsed.title == "Senior Data Engineer"
    assert parsed.summary.startswith("We are a small fintech")
    assert parsed.responsibilities == [
        "Build and run batch and streaming pipelines.",
        "Own our data warehouse on Snowflake.",
    ]
    assert parsed.must_have_skills == ["Python", "SQL", "Apache Spark", "Kafka"]
    assert parsed.nice_to_have_skills == ["dbt", "Airflow", "Kubernetes"]
    assert (parsed.min_experience, parsed.max_experience) == (5, None)
    assert parsed.employment_type == "Part-time"
    assert parsed.location == "Amsterdam (hybrid)"
    assert parsed.benefits == ["30 days of paid holiday", "Learning budget"]


@pytest.mark.parametrize(
    ("sentence", "years"),
    [
        ("You have 3-5 years of experience.", (3, 5)),
        ("You have 3 to 5 yrs of experience.", (3, 5)),
        ("You have at least 2 years of experience.", (2, None)),
        ("You bring 7+ years of experience.", (7, None)),
        ("Minimum of two years experience in sales.", (2, None)),
        ("Up to 4 years of experience.", (None, 4)),
        ("No prior experience required.", (0, 0)),
        ("We were founded 20 years ago.", (None, None)),
    ],
)
def test_experience_ranges(sentence: str, years: tuple[int | None, int | None]) -> None:
    parsed = parse_description("Role", f"## About the role\n\n{sentence}")

    assert (parsed.min_experience, parsed.max_experience) == years


def test_experience_range_written_backwards_is_ordered() -> None:
    parsed = parse_description("Role", "## Experience\n\n- 6-2 years in the field")

    assert (parsed.min_experience, parsed.max_experience) == (2, 6)


async def test_rewrite_follows_simple_cues() -> None:
    gateway = OfflineGateway()
    original = compose_description(JOB)
    data = RewriteInput(
        title=JOB.title,
        description=original,
        instruction="Make it senior and remote, add a benefits section, add Docker, remove Python.",
    )

    result = await gateway.rewrite(data)
    parsed = parse_description("", result.job_description)

    assert result == await gateway.rewrite(data)
    assert result.generated_by == "offline"
    assert parsed.title == "Senior Software Tester"
    assert parsed.location == "Remote"
    assert parsed.benefits
    assert "Docker" in parsed.must_have_skills
    assert "Python" not in parsed.must_have_skills
    assert "Drafted offline" not in result.job_description
    assert result.job_description.count("Rewritten offline") == 1
    assert "OPENAI_API_KEY" in result.job_description


async def test_rewrite_suggests_only_missing_skills() -> None:
    original = compose_description(JOB)

    result = await OfflineGateway().rewrite(
        RewriteInput(title=JOB.title, description=original, instruction="Polish it.")
    )

    present = {s.casefold() for s in find_skills(original)}
    assert result.suggested_skills
    assert len(result.suggested_skills) <= 5
    assert not present & {s.casefold() for s in result.suggested_skills}
    assert set(result.suggested_skills) <= set(SKILLS)


async def test_rewrite_without_a_known_cue_keeps_the_text_and_says_so() -> None:
    original = compose_description(JOB)

    result = await OfflineGateway().rewrite(
        RewriteInput(title=JOB.title, description=original, instruction="Make it sparkle")
    )

    body = original.removesuffix(OFFLINE_NOTE).strip()
    assert result.job_description.startswith(body)
    assert "understands only" in result.job_description


async def test_rewrite_of_an_empty_description_starts_one() -> None:
    result = await OfflineGateway().rewrite(
        RewriteInput(title="Data Analyst", description="", instruction="mention Tableau")
    )

    assert result.job_description.startswith("# Data Analyst\n\n## About the role")
    assert "- Tableau" in result.job_description
    assert "Tableau" not in result.suggested_skills


async def test_shorter_keeps_three_bullets_per_list() -> None:
    description = "## Responsibilities\n\n" + "\n".join(f"- Task {n}." for n in range(6))

    result = await OfflineGateway().rewrite(
        RewriteInput(title="Clerk", description=description, instruction="shorter please")
    )

    assert "- Task 2." in result.job_description
    assert "- Task 3." not in result.job_description


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        ("We use C++, C# and C daily.", ["C++", "C#", "C"]),
        ("Node.js and .NET; not ASP.NET here", ["Node.js", ".NET", "ASP.NET"]),
        ("Backend in Go, infra in Rust.", ["Go", "Rust"]),
        ("Go ahead and apply! You will go far.", []),
        ("C-level exposure and R&D budgets.", []),
        ("JavaScript, not Java. PostgreSQL, not SQL.", ["JavaScript", "Java", "PostgreSQL", "SQL"]),
        ("Spring Boot on k8s", ["Spring Boot", "Kubernetes"]),
        ("the rest of the team excels; REST APIs in Excel", ["REST APIs", "Microsoft Excel"]),
        ("Objective-C, Python-based tooling", ["Objective-C", "Python"]),
    ],
)
def test_find_skills(text: str, skills: list[str]) -> None:
    assert find_skills(text) == skills


def test_catalogue_is_curated() -> None:
    assert 140 <= len(SKILLS) <= 220
    assert len({s.casefold() for s in SKILLS}) == len(SKILLS)
    for skill in SKILLS:
        assert find_skills(f"We need {skill} here.") == [skill], skill


def test_related_skills_skip_present_ones() -> None:
    assert related_skills(["React"], "Frontend Developer") == [
        "JavaScript",
        "TypeScript",
        "CSS",
        "Git",
        "Unit Testing",
    ]
    assert "React" not in related_skills(["React"], "Frontend Developer", limit=20)
