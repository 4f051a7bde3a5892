"""The inclusive-language check: a corpus of descriptions with exact findings, the word-list
data (complete, sourced, every entry explained) and the rewrite instruction."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from models.jobs.schemas import MAX_INSTRUCTION
from models.language import LanguageReport, check_language
from models.language.check import WORDLISTS, fix_instruction

M, F = "masculine_coded", "feminine_coded"
AGE, ABILITY, CULTURE = "age_coded", "ability_origin", "closed_culture_jargon"
NOTHING = "No wording found that discourages applicants."

# Gaucher, Friesen & Kay (2011), appendix, as published.
STUDY_MASCULINE = """active adventurous aggress* ambitio* analy* assert* athlet* autonom* boast*
challeng* compet* confident courag* decide decisive decision* determin* dominant domina* force*
greedy headstrong hierarch* hostil* impulsive independen* individual* intellect* lead* logic
masculine objective opinion outspoken persist principle* reckless stubborn superior
self-confiden* self-relian* self-sufficien*""".split()  # noqa: SIM905 (the appendix as printed)
STUDY_FEMININE = """affectionate child* cheer* commit* communal compassion* connect* considerate
cooperat* depend* emotiona* empath* feminine flatterable gentle honest interpersonal
interdependen* interpersona* kind kinship loyal* modesty nag nurtur* pleasant* polite quiet*
respon* sensitiv* submissive support* sympath* tender* together* trust* understand* warm* whin*
yield*""".split()  # noqa: SIM905 (the appendix as printed)


@dataclass(frozen=True)
class Sample:
    name: str
    text: str
    findings: list[tuple[str, str, int]]  # (category, phrase as written, paragraph), in order
    summary: str
    balance: str
    passed: bool
    traps: tuple[str, ...] = ()  # in the text, and inside no finding


CORPUS = [
    Sample(
        name="neutral",
        text=(
            "Backend Engineer, Payments\n\n"
            "You will build and run the services that move money for our customers. You will "
            "work with product managers and designers to plan each release, write clear code "
            "with tests, and review the changes of your colleagues.\n\n"
            "We are looking for someone with three or more years of experience in Python or Go, "
            "a good grasp of SQL, and curiosity about how payment systems fail. We offer a "
            "salary of 70,000 to 85,000 EUR, 30 days of paid leave and parental leave for "
            "every parent."
        ),
        findings=[],
        summary=NOTHING,
        balance="neutral",
        passed=True,
    ),
    Sample(
        name="masculine-heavy",
        text=(
            "Sales Lead\n\n"
            "We need an ambitious, assertive self-starter who thrives on competition and can "
            "dominate a crowded market.\n\n"
            "You are decisive, confident and driven to win. Analytical thinking is a must."
        ),
        findings=[
            (M, "Lead", 1),
            (M, "ambitious", 2),
            (M, "assertive", 2),
            (M, "competition", 2),
            (M, "dominate", 2),
            (M, "decisive", 3),
            (M, "confident", 3),
            (M, "Analytical", 3),
        ],
        summary="8 findings: 8 masculine-coded words.",
        balance="masculine",
        passed=False,
        traps=("self-starter", "driven"),  # "driven" is a later tool's addition, not the study's
    ),
    Sample(
        name="feminine-heavy",
        text=(
            "Care Coordinator\n\n"
            "Join a warm, supportive team that works together to help families. You are "
            "patient, kind and understanding, and you listen with empathy.\n\n"
            "We trust each other and share a commitment to honest, polite service."
        ),
        findings=[
            (F, "warm", 2),
            (F, "supportive", 2),
            (F, "together", 2),
            (F, "kind", 2),
            (F, "understanding", 2),
            (F, "empathy", 2),
            (F, "trust", 3),
            (F, "commitment", 3),
            (F, "honest", 3),
            (F, "polite", 3),
        ],
        summary="10 findings: 10 feminine-coded words.",
        balance="feminine",
        passed=True,
        traps=("Coordinator", "families"),
    ),
    Sample(
        name="age-coded",
        text=(
            "Join our young, energetic team! We are hiring recent graduates and digital "
            "natives.\n\n"
            "Ideal for a fresh graduate. Energetic young people thrive here, in our office in "
            "Youngstown."
        ),
        findings=[
            (AGE, "young", 1),
            (AGE, "recent graduates", 1),
            (AGE, "digital natives", 1),
            (AGE, "fresh graduate", 2),
            (AGE, "Energetic young", 2),
        ],
        summary="5 findings: 5 age-coded phrases.",
        balance="neutral",
        passed=False,
        traps=("energetic team", "Youngstown"),
    ),
    Sample(
        name="ability and origin",
        text=(
            "Warehouse Associate\n\n"
            "Native English speaker required. Must be able to lift 25 kg and must be able to "
            "stand for long periods. You must be able to standardise stock reports.\n\n"
            "A valid driver\u2019s licence and a clean-shaven face are required. Able-bodied "
            "applicants only; Polish as a mother tongue is a plus."
        ),
        findings=[
            (ABILITY, "Native English speaker", 2),
            (ABILITY, "Must be able to lift", 2),
            (ABILITY, "must be able to stand", 2),
            (ABILITY, "driver\u2019s licence", 3),
            (ABILITY, "clean-shaven", 3),
            (ABILITY, "Able-bodied", 3),
            (ABILITY, "mother tongue", 3),
        ],
        summary="7 findings: 7 ability or origin requirements.",
        balance="neutral",
        passed=False,
        traps=("must be able to standardise",),
    ),
    Sample(
        name="closed-culture jargon",
        text=(
            "Are you a coding ninja or a rock-star developer? We work hard, play hard, with "
            "beer on Fridays.\n\n"
            "We're a family of hustlers who crush it every quarter. Our Python guru will mentor "
            "you. Our founders were a family of bakers."
        ),
        findings=[
            (CULTURE, "ninja", 1),
            (CULTURE, "rock-star", 1),
            (CULTURE, "work hard, play hard", 1),
            (CULTURE, "beer", 1),
            (CULTURE, "We're a family", 2),
            (CULTURE, "hustlers", 2),
            (CULTURE, "crush it", 2),
            (CULTURE, "guru", 2),
        ],
        summary="8 findings: 8 closed-culture phrases.",
        balance="neutral",
        passed=False,
        traps=("were a family",),
    ),
    Sample(
        name="mixed",
        text=(
            "Senior Engineer\n\n"
            "We want a competitive ninja who leads from the front and can work independently."
            "\n\n"
            "You will support a young team and collaborate closely. Native speakers of German "
            "are preferred."
        ),
        findings=[
            (M, "competitive", 2),
            (CULTURE, "ninja", 2),
            (M, "leads", 2),
            (M, "independently", 2),
            (F, "support", 3),
            (AGE, "young", 3),
            (ABILITY, "Native speakers", 3),
        ],
        summary=(
            "7 findings: 3 masculine-coded words, 1 feminine-coded word, 1 age-coded phrase, "
            "1 ability or origin requirement, 1 closed-culture phrase."
        ),
        balance="masculine",
        passed=False,
        traps=("Senior", "collaborate"),
    ),
    Sample(
        # Stems match only at the start of a word, whole words only whole, and the data file's
        # exclusions drop unrelated senses; what the study's stems do match is still found.
        name="coded words inside other words",
        text=(
            "Teaching Assistant\n\n"
            "You will help in our kindergarten and flag misleading or pleading messages. What "
            "kind of work is it? Unchallenged routine, mostly.\n\n"
            "You will manage dependencies in Active Directory, handle incident response and "
            "check network connectivity. We offer a competitive salary, depending on "
            "experience.\n\n"
            "Our founders were a family of bakers. You must be able to standardise reports.\n\n"
            "We value competence, warmth, kind colleagues, leadership and clear commit messages."
        ),
        findings=[
            (M, "competence", 5),
            (F, "warmth", 5),
            (F, "kind", 5),
            (M, "leadership", 5),
            (F, "commit", 5),
        ],
        summary="5 findings: 2 masculine-coded words, 3 feminine-coded words.",
        balance="feminine",
        passed=True,
        traps=(
            "kindergarten",
            "misleading",
            "pleading",
            "kind of",
            "Unchallenged",
            "dependencies",
            "Active Directory",
            "incident response",
            "connectivity",
            "competitive salary",
            "depending",
            "were a family",
            "must be able to standardise",
        ),
    ),
]


def located(text: str, expected: list[tuple[str, str, int]]) -> list[tuple[Any, ...]]:
    """The expected findings with their offsets: each phrase's next occurrence in the text."""
    cursor, rows = 0, []
    for category, phrase, paragraph in expected:
        start = text.index(phrase, cursor)
        cursor = start + len(phrase)
        rows.append((category, phrase, start, cursor, paragraph))
    return rows


def rows(report: LanguageReport) -> list[tuple[Any, ...]]:
    return [(f.category, f.phrase, f.start, f.end, f.paragraph) for f in report.findings]


@pytest.mark.parametrize("sample", CORPUS, ids=lambda sample: sample.name)
def test_corpus(sample: Sample) -> None:
    report = check_language(sample.text)

    assert rows(report) == located(sample.text, sample.findings)
    assert all(sample.text[f.start : f.end] == f.phrase for f in report.findings)
    assert report.summary == sample.summary
    assert report.coded_balance == sample.balance
    assert report.passed is sample.passed
    assert report.masculine_count == sum(category == M for category, _, _ in sample.findings)
    assert report.feminine_count == sum(category == F for category, _, _ in sample.findings)
    for trap in sample.traps:
        start = sample.text.index(trap)
        end = start + len(trap)
        assert not [f for f in report.findings if f.start < end and start < f.end], trap


def test_a_finding_says_why_and_what_instead() -> None:
    aggressive, rockstar, kind = check_language("An aggressive rockstar, and kind.").findings

    assert aggressive.suggestion == "proactive"
    assert "Gaucher" in aggressive.reason
    assert (rockstar.category, rockstar.suggestion) == (CULTURE, "expert")
    assert kind.category == F
    assert kind.suggestion.startswith("No change needed")


def test_case_spacing_hyphens_and_apostrophes_vary() -> None:
    text = (
        "ROCKSTAR, Rock Star and rock-star. Work-hard/play-hard. self confident, "
        "selfconfident. co-operative, cooperation. drivers license. we\u2019re a family."
    )

    assert [(f.category, f.phrase) for f in check_language(text).findings] == [
        (CULTURE, "ROCKSTAR"),
        (CULTURE, "Rock Star"),
        (CULTURE, "rock-star"),
        (CULTURE, "Work-hard/play-hard"),
        (M, "self confident"),
        (M, "selfconfident"),
        (F, "co-operative"),
        (F, "cooperation"),
        (ABILITY, "drivers license"),
        (CULTURE, "we\u2019re a family"),
    ]


def test_paragraphs_are_separated_by_blank_lines() -> None:
    text = "\r\n\r\nOne ninja\r\nstill one ninja\r\n \r\n\r\nTwo ninja\n\nThree ninja"

    assert [f.paragraph for f in check_language(text).findings] == [1, 1, 2, 3]


def test_an_empty_text_passes() -> None:
    report = check_language("")

    assert (report.findings, report.summary, report.passed) == ([], NOTHING, True)


def test_feminine_wording_never_fails_but_masculine_balance_does() -> None:
    assert check_language("Ambitious and supportive.").passed  # neutral
    assert check_language("Supportive and kind.").passed  # feminine
    assert not check_language("Ambitious and competitive, supportive.").passed  # masculine


def test_a_report_serialises_with_msgspec() -> None:
    report = check_language("A ninja.")

    assert msgspec.to_builtins(report) == {
        "findings": [
            {
                "category": CULTURE,
                "phrase": "ninja",
                "start": 2,
                "end": 7,
                "paragraph": 1,
                "reason": report.findings[0].reason,
                "suggestion": "expert",
            }
        ],
        "masculine_count": 0,
        "feminine_count": 0,
        "coded_balance": "neutral",
        "summary": "1 finding: 1 closed-culture phrase.",
        "passed": False,
    }


def test_fix_instruction_lists_what_fails_once() -> None:
    report = check_language("A ninja, a Ninja, an aggressive ninja. Supportive and kind.")

    # Balanced (1 masculine, 2 feminine): only the jargon fails, so only it is listed.
    assert fix_instruction(report) == (
        'Reword these phrases, which discourage some applicants: "ninja" (suggest: expert). '
        "Keep everything else as it is."
    )


def test_fix_instruction_lists_masculine_words_when_they_outweigh() -> None:
    instruction = fix_instruction(check_language(CORPUS[6].text))  # mixed

    assert '"competitive" (suggest: ' in instruction
    assert '"ninja" (suggest: expert)' in instruction
    assert '"young" (suggest: ' in instruction
    assert '"support"' not in instruction  # feminine-coded words need no change


def test_fix_instruction_is_empty_when_the_text_passed() -> None:
    assert fix_instruction(check_language(CORPUS[2].text)) == ""  # feminine-heavy


def test_fix_instruction_fits_the_instruction_limit() -> None:
    text = " ".join(f"lead{n}" for n in range(1_000))  # 1,000 different masculine-coded words

    instruction = fix_instruction(check_language(text))

    assert len(instruction) <= MAX_INSTRUCTION
    assert '"lead0" (suggest: ' in instruction
    assert '"lead999"' not in instruction
    assert instruction.endswith(". Keep everything else as it is.")


def test_a_thousand_words_are_checked_quickly() -> None:
    text = "\n\n".join([CORPUS[6].text, CORPUS[0].text] * 12)
    assert len(text.split()) >= 1_000
    check_language(text)  # loads the word lists

    started = time.perf_counter()
    check_language(text)

    assert time.perf_counter() - started < 1.0  # a sanity bound; bench/language_check.py times it


# The data file.


def wordlists() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORDLISTS.read_text())
    return data


def test_the_studys_lists_are_complete() -> None:
    categories = wordlists()["categories"]
    masculine = [entry["pattern"] for entry in categories[M]["entries"]]
    feminine = [entry["pattern"] for entry in categories[F]["entries"]]

    assert sorted(masculine) == sorted(STUDY_MASCULINE)
    # cooperat* is written co-operat* so that the British spelling matches too.
    assert sorted(feminine) == sorted(
        "co-operat*" if word == "cooperat*" else word for word in STUDY_FEMININE
    )


def test_every_entry_has_a_reason_and_a_suggestion() -> None:
    for name, category in wordlists()["categories"].items():
        assert category["label"], name
        for entry in category["entries"]:
            assert entry.get("reason") or category.get("reason"), entry["pattern"]
            assert entry.get("suggestion") or category.get("suggestion"), entry["pattern"]
            if name not in (M, F):  # only the gendered lists share a category-level reason
                assert entry["reason"] and entry["suggestion"], entry["pattern"]


def test_sources_are_named_for_every_category() -> None:
    data = wordlists()
    for source in data["sources"]:
        assert re.search(r"\b(\d{4}|n\.d\.)", source["citation"]), source  # a date
        assert source["url"].startswith("https://")
    covered = {name for source in data["sources"] for name in source["used_for"]}
    assert covered == set(data["categories"])
    assert any(
        "Gaucher, D., Friesen, J., & Kay, A. C. (2011)" in s["citation"] for s in data["sources"]
    )


def test_exclusions_are_real_over_matches_and_not_reported() -> None:
    def bare(text: str) -> str:  # the pattern syntax's optional punctuation, dropped
        return re.sub(r"[\s'\u2019-]", "", text.casefold())

    data = wordlists()
    for exclusion in data["exclusions"]:
        category = data["categories"][exclusion["category"]]
        assert exclusion["pattern"] in [entry["pattern"] for entry in category["entries"]]
        assert exclusion["reason"]
        for word in exclusion["words"]:
            assert bare(word).startswith(bare(exclusion["pattern"].removesuffix("*"))), word
            assert check_language(word).findings == [], word


def test_suggestions_are_not_flagged_themselves() -> None:
    suggestions = [
        text
        for category in wordlists()["categories"].values()
        for text in [category.get("suggestion")]
        + [e.get("suggestion") for e in category["entries"]]
        if text
    ]

    for suggestion in suggestions:
        flagged = [f.phrase for f in check_language(suggestion).findings if f.category != F]
        assert flagged == [], suggestion
