"""Offline check of a job description's wording: coded words and phrases that discourage some
people from applying, each with where it is, why it matters and what to write instead.

The word lists are data (`wordlists.json`, with its sources): the masculine- and
feminine-coded stems of Gaucher, Friesen & Kay (2011), and phrases that are age-coded, ask for
an ability or origin the work rarely needs, or signal a closed culture. A stem (`lead*`)
matches words that start with it ("leader", not "misleading"); other entries match whole
words or phrases only ("kind", not "kindergarten").

Where a stem over-matches words with an unrelated meaning ("response" for `respon*`,
"Active Directory" for `active`), the data file's `exclusions` list says so and why. Kept on
purpose, as in the study: "responsible"/"responsibilities" (`respon*`), "commit" (`commit*`,
also version control), "competence" (`compet*`), "leads"/"leadership" (`lead*`).

Callers serialise a report with `msgspec.to_builtins`.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import msgspec

from models.jobs.schemas import MAX_INSTRUCTION

WORDLISTS = Path(__file__).with_name("wordlists.json")
MASCULINE, FEMININE = "masculine_coded", "feminine_coded"

Balance = Literal["masculine", "feminine", "neutral"]

# What a pattern's punctuation matches in the text (the data file's "syntax" says it in words).
_SEPARATORS = {" ": r"[\s,/-]+", "-": r"[\s-]?", "'": "['\u2019]?"}
_BLANK_LINE = re.compile(r"\n\s*\n")
_NOTHING_FOUND = "No wording found that discourages applicants."


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    """One coded word or phrase in the text."""

    category: str
    phrase: str  # as it appears: text[start:end]
    start: int
    end: int
    paragraph: int  # 1-based; paragraphs are separated by blank lines
    reason: str
    suggestion: str


class LanguageReport(msgspec.Struct, frozen=True, kw_only=True):
    """Every finding in text order, the gendered counts and a verdict.

    `coded_balance` compares the masculine- and feminine-coded counts, as Gaucher et al. do:
    more masculine-coded words is "masculine", more feminine-coded "feminine", else "neutral".
    `passed` is true when nothing outside the two gendered lists was found and the balance is
    not "masculine". Feminine-coded wording never fails a text: the study found it had little
    effect on men's interest, while masculine-coded wording made jobs less appealing to women.
    """

    findings: list[Finding]
    masculine_count: int
    feminine_count: int
    coded_balance: Balance
    summary: str
    passed: bool


class _Entry(msgspec.Struct, frozen=True):
    pattern: str
    reason: str | None = None
    suggestion: str | None = None


class _Category(msgspec.Struct, frozen=True):
    label: str  # singular; the summary adds "s" for more than one
    entries: list[_Entry]
    reason: str | None = None  # for entries without their own
    suggestion: str | None = None


class _Exclusion(msgspec.Struct, frozen=True):
    category: str
    pattern: str  # the entry that must not match these words
    words: list[str]
    reason: str


class _Wordlists(msgspec.Struct, frozen=True):
    categories: dict[str, _Category]
    exclusions: list[_Exclusion]


@dataclass(frozen=True)
class _Rule:
    category: str
    reason: str
    suggestion: str


@dataclass(frozen=True)
class _Lexicon:
    regex: re.Pattern[str]  # one alternative per entry, each ending in a named empty group
    rules: dict[str, _Rule]  # by group name
    labels: dict[str, str]  # by category, in the data file's order


def _regex(pattern: str) -> str:
    """A pattern as a regex (see _SEPARATORS): a stem runs on, anything else must end there."""
    body = "".join(_SEPARATORS.get(char, re.escape(char)) for char in pattern.removesuffix("*"))
    return body + (r"\w*" if pattern.endswith("*") else r"\b")


def _alternative(name: str, pattern: str, excluded: list[str]) -> str:
    """The regex of one entry, named by an empty group at its end.

    The engine skips an alternative of an alternation without entering it when its first
    character cannot match, but only if that is a plain character set: so the first character
    is spelled `(?-i:[aA])` and the group comes last. That makes the check about 8 times
    faster. Excluded words share the first character, so their guard follows it.
    """
    first = pattern[0]
    head = f"(?-i:[{first.lower()}{first.upper()}])" if first.isalpha() else re.escape(first)
    guard = f"(?!{'|'.join(_regex(word[1:]) for word in excluded)})" if excluded else ""
    return f"{head}{guard}{_regex(pattern[1:])}(?P<{name}>)"


@cache
def _lexicon() -> _Lexicon:
    data = msgspec.json.decode(WORDLISTS.read_bytes(), type=_Wordlists)
    excluded: dict[tuple[str, str], list[str]] = {}
    for exclusion in data.exclusions:
        excluded.setdefault((exclusion.category, exclusion.pattern), []).extend(exclusion.words)
    rules: dict[str, _Rule] = {}
    alternatives: list[tuple[int, str]] = []
    for category_name, category in data.categories.items():
        for entry in category.entries:
            reason = entry.reason or category.reason
            suggestion = entry.suggestion or category.suggestion
            if not (reason and suggestion):
                raise ValueError(f"{entry.pattern!r} has no reason or no suggestion")
            name = f"e{len(rules)}"
            rules[name] = _Rule(category_name, reason, suggestion)
            words = excluded.pop((category_name, entry.pattern), [])
            alternatives.append((len(entry.pattern), _alternative(name, entry.pattern, words)))
    if excluded:
        raise ValueError(f"exclusions for patterns that are not entries: {sorted(excluded)}")
    # Longest first: where two entries match at one place, the longer phrase is the finding.
    alternatives.sort(key=lambda alternative: -alternative[0])
    regex = re.compile(r"\b(?:" + "|".join(alt for _, alt in alternatives) + ")", re.IGNORECASE)
    labels = {name: category.label for name, category in data.categories.items()}
    return _Lexicon(regex, rules, labels)


def check_language(text: str) -> LanguageReport:
    """Every coded word or phrase in `text`, in order, and the verdict (see LanguageReport)."""
    lexicon = _lexicon()
    first = len(text) - len(text.lstrip())  # blank lines before the first paragraph don't count
    paragraph_starts = [match.end() for match in _BLANK_LINE.finditer(text, first)]
    findings = []
    for match in lexicon.regex.finditer(text):
        assert match.lastgroup is not None  # every alternative ends in a named group
        rule = lexicon.rules[match.lastgroup]
        findings.append(
            Finding(
                category=rule.category,
                phrase=match.group(),
                start=match.start(),
                end=match.end(),
                paragraph=bisect.bisect_right(paragraph_starts, match.start()) + 1,
                reason=rule.reason,
                suggestion=rule.suggestion,
            )
        )
    counts = Counter(finding.category for finding in findings)
    balance: Balance = "neutral"
    if counts[MASCULINE] != counts[FEMININE]:
        balance = "masculine" if counts[MASCULINE] > counts[FEMININE] else "feminine"
    return LanguageReport(
        findings=findings,
        masculine_count=counts[MASCULINE],
        feminine_count=counts[FEMININE],
        coded_balance=balance,
        summary=_summary(counts, lexicon.labels),
        passed=balance != "masculine" and counts.keys() <= {MASCULINE, FEMININE},
    )


def _summary(counts: Counter[str], labels: dict[str, str]) -> str:
    total = counts.total()
    if not total:
        return _NOTHING_FOUND
    parts = [
        f"{counts[category]} {label}{_plural(counts[category])}"
        for category, label in labels.items()
        if counts[category]
    ]
    return f"{total} finding{_plural(total)}: {', '.join(parts)}."


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def fix_instruction(report: LanguageReport) -> str:
    """A rewrite instruction for the model naming what fails `report`, or "" when it passed.

    It lists each failing phrase once (ignoring case) with its suggestion: everything outside
    the gendered lists, and the masculine-coded words when they outweigh the feminine-coded
    ones. Rewrite instructions are limited to MAX_INSTRUCTION characters, so phrases that do
    not fit are left out.
    """
    if report.passed:
        return ""
    fixes: dict[str, str] = {}
    for finding in report.findings:
        fails = finding.category != FEMININE and (
            finding.category != MASCULINE or report.coded_balance == "masculine"
        )
        if fails:
            fixes.setdefault(
                finding.phrase.casefold(), f'"{finding.phrase}" (suggest: {finding.suggestion})'
            )
    head = "Reword these phrases, which discourage some applicants: "
    tail = ". Keep everything else as it is."
    listed = ""
    for fix in fixes.values():
        piece = f"; {fix}" if listed else fix
        if len(head) + len(listed) + len(piece) + len(tail) > MAX_INSTRUCTION:
            break
        listed += piece
    return head + listed + tail
