"""A model's rewrite of a description as a list of changes the user accepts one by one.

Both texts are cut into tokens: sentences, whole lines for list items and headings, and the
breaks between lines ("\\n") and between paragraphs ("\\n\\n"). difflib aligns the two token
lists and every stretch where they differ is one change.

The normal form of a text is its tokens joined back: sentences of a line by one space, lines
by "\\n", paragraphs by "\\n\\n". Runs of spaces, indentation, line endings and extra blank
lines are therefore not changes; line and paragraph breaks are structure (a Markdown heading
must stay on its own line) and are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from itertools import pairwise
from typing import Literal

import msgspec

LINE = "\n"
PARAGRAPH = "\n\n"
_BREAKS = (LINE, PARAGRAPH)


_MARKER = re.compile(r"[-•*]|\d{1,3}[.)]|#{1,6}")
"""A line whose first word matches is a list item or a heading: one token, never split."""
_ABBREVIATION = re.compile(
    r"(?:etc|vs|approx|incl|mrs?|ms|dr|prof|sr|jr|inc|ltd)\.|(?:[a-z]\.){2,}"
)
"""A word, lowercased, after which a full stop does not end the sentence ("e.g.", "i.e."...)."""
_OPENERS = "([{\"'\u201c\u2018"  # and curly quotes
_CLOSERS = ")]}\"'\u201d\u2019"

Kind = Literal["replace", "insert", "delete"]
_VERBS: dict[str, str] = {"replace": "rewritten", "insert": "added", "delete": "removed"}


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """One difference between the current text and its rewrite.

    `before` and `after` are slices of the two normal forms. They start or end with a break
    ("\\n" or "\\n\\n") when the change removes or adds one there: an added paragraph reads
    "\\n\\nNew paragraph." or "New paragraph.\\n\\n".
    """

    index: int
    """0-based, in document order: the number `apply` accepts."""
    kind: Kind
    before: str
    """The removed text ("" for an insert)."""
    after: str
    """The added text ("" for a delete)."""
    paragraph: int
    """1-based paragraph of the current text where the change applies; for an inserted
    paragraph, the number it will have."""


def normalise(text: str) -> str:
    """`text` in normal form: what `apply` returns when no change (or every change) is taken."""
    return _join(_tokens(text))


def compare(current: str, rewritten: str) -> list[Change]:
    """The changes that turn `current` into `rewritten`, in document order."""
    old, new = _tokens(current), _tokens(rewritten)
    return [
        Change(
            index=index,
            kind=kind,
            before=_join(old[i1:i2]),
            after=_join(new[j1:j2]),
            paragraph=_paragraph(old, i1, old[i1:i2] or new[j1:j2]),
        )
        for index, (kind, i1, i2, j1, j2) in enumerate(_differences(old, new))
    ]


def apply(current: str, rewritten: str, accepted: Iterable[int]) -> str:
    """`current` in normal form with exactly the `accepted` changes of `compare` applied.

    Raises ValueError naming any index that is not a change.
    """
    old, new = _tokens(current), _tokens(rewritten)
    differences = _differences(old, new)
    chosen = set(accepted)
    unknown = sorted(chosen - set(range(len(differences))))
    if unknown:
        names = ", ".join(map(str, unknown))
        raise ValueError(f"No such change: {names} (there are {len(differences)})")
    result: list[str] = []
    done = 0
    for index, (_, i1, i2, j1, j2) in enumerate(differences):
        result += old[done:i1]
        result += new[j1:j2] if index in chosen else old[i1:i2]
        done = i2
    # Any two neighbouring tokens here are neighbours in one of the texts, and sentences are
    # cut by looking at two words only, so the result is in normal form: cut again, it gives
    # back these tokens.
    return _join(result + old[done:])


def summary(changes: Sequence[Change]) -> str:
    """One line such as "3 changes: 2 rewritten sentences, 1 added paragraph"."""
    if not changes:
        return "No changes"
    counts = Counter(describe(change) for change in changes)
    parts = ", ".join(f"{n} {what}{'s' if n != 1 else ''}" for what, n in counts.items())
    return f"{len(changes)} change{'s' if len(changes) != 1 else ''}: {parts}"


# ---------------------------------------------------------------- tokens


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    blank = False  # a blank line since the last token: the next line starts a paragraph
    for line in text.splitlines():
        words = line.split()
        if not words:
            blank = True
            continue
        if tokens:
            tokens.append(PARAGRAPH if blank else LINE)
        blank = False
        tokens += [" ".join(words)] if _MARKER.fullmatch(words[0]) else _sentences(words)
    return tokens


def _sentences(words: list[str]) -> list[str]:
    sentences: list[str] = []
    start = 0
    for i in range(1, len(words)):
        if _ends_sentence(words[i - 1], words[i]):
            sentences.append(" ".join(words[start:i]))
            start = i
    sentences.append(" ".join(words[start:]))
    return sentences


def _ends_sentence(word: str, following: str) -> bool:
    # Deciding from these two words alone keeps a sentence the same wherever it lands.
    bare = word.rstrip(_CLOSERS)
    if not bare.endswith((".", "!", "?")) or following[0].islower():
        return False
    if _MARKER.fullmatch(following):  # a list marker only starts a line
        return False
    return not _ABBREVIATION.fullmatch(bare.lstrip(_OPENERS).lower())


def _join(tokens: Sequence[str]) -> str:
    parts: list[str] = []
    for previous, token in pairwise([LINE, *tokens]):
        if token not in _BREAKS and previous not in _BREAKS:
            parts.append(" ")
        parts.append(token)
    return "".join(parts)


def _differences(old: list[str], new: list[str]) -> list[tuple[Kind, int, int, int, int]]:
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return [
        (tag, i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def _paragraph(old: list[str], start: int, side: list[str]) -> int:
    # Breaks that open the change move it to the paragraph its first sentence is in.
    first = next((at for at, token in enumerate(side) if token not in _BREAKS), 0)
    return 1 + old[:start].count(PARAGRAPH) + side[:first].count(PARAGRAPH)


def describe(change: Change) -> str:
    """What a change does, in words ("rewritten sentence", "added paragraph")."""
    lines = [line for line in f"{change.before}\n{change.after}".split(LINE) if line]
    if not lines:
        return "layout change"
    if PARAGRAPH in change.before or PARAGRAPH in change.after:
        unit = "paragraph"
    elif all(_MARKER.fullmatch(line.split(" ", 1)[0]) for line in lines):
        unit = "heading" if all(line.startswith("#") for line in lines) else "bullet"
    else:
        unit = "line" if LINE in change.before + change.after else "sentence"
    return f"{_VERBS[change.kind]} {unit}"
