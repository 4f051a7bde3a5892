"""Rewrites as reviewable changes: comparing, applying any subset, showing them in Slack."""

from __future__ import annotations

import random

import msgspec
import pytest

from bot.blocks.changes import MAX_MRKDWN, render_change_mrkdwn
from models.jobs.changes import Change, apply, compare, normalise, summary

CURRENT = """We are hiring a backend engineer.

You will build our API. You will review code daily.

Requirements:
- Python
- PostgreSQL
- Slack apps"""


def test_a_reworded_sentence_is_one_replace_in_its_paragraph() -> None:
    rewritten = CURRENT.replace("review code daily.", "review pull requests every day.")
    assert compare(CURRENT, rewritten) == [
        Change(
            index=0,
            kind="replace",
            before="You will review code daily.",
            after="You will review pull requests every day.",
            paragraph=2,
        )
    ]


def test_a_change_encodes_as_its_five_fields() -> None:
    [change] = compare("We ship.", "We ship daily.")
    assert msgspec.json.decode(msgspec.json.encode(change)) == {
        "index": 0,
        "kind": "replace",
        "before": "We ship.",
        "after": "We ship daily.",
        "paragraph": 1,
    }


def test_an_added_paragraph_is_one_insert_with_its_break() -> None:
    rewritten = CURRENT.replace("\n\nRequirements:", "\n\nWe work remotely.\n\nRequirements:")
    [change] = compare(CURRENT, rewritten)
    assert (change.kind, change.before, change.after.strip(), change.paragraph) == (
        "insert",
        "",
        "We work remotely.",
        3,
    )
    assert "\n\n" in change.after


def test_a_sentence_added_inside_a_paragraph_has_no_break() -> None:
    rewritten = CURRENT.replace("build our API.", "build our API. You will own it.")
    [change] = compare(CURRENT, rewritten)
    assert (change.kind, change.after, change.paragraph) == ("insert", "You will own it.", 2)


def test_a_removed_bullet_is_one_delete() -> None:
    rewritten = CURRENT.replace("- PostgreSQL\n", "")
    [change] = compare(CURRENT, rewritten)
    assert (change.kind, change.before.strip(), change.after, change.paragraph) == (
        "delete",
        "- PostgreSQL",
        "",
        3,
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Know a language, e.g. Python or Go.",
        "Know a language (i.e. Python) well.",
        "Report to our Sr. Director of Engineering.",
        "Work with Mr. Smith and Dr. Jones.",
        "Ship APIs, queues, etc. Every week.",
        "Bring 3.5 years of experience.",
    ],
)
def test_abbreviations_and_decimals_do_not_end_a_sentence(sentence: str) -> None:
    current = f"{sentence} We are remote."
    [change] = compare(current, current.replace(sentence, f"{sentence[:-1]} too."))
    assert (change.before, change.after) == (sentence, f"{sentence[:-1]} too.")


def test_sentences_end_at_full_stops_exclamation_and_question_marks() -> None:
    [change] = compare("Why join? We grow fast! Apply now.", "Why join? We grow! Apply now.")
    assert (change.before, change.after) == ("We grow fast!", "We grow!")


def test_whitespace_alone_is_not_a_change() -> None:
    messy = "  We are hiring.   You will\tbuild.  \r\n\r\n\r\n\n- Python  \n   - Go\n\n"
    tidy = "We are hiring. You will build.\n\n- Python\n- Go"
    assert compare(messy, tidy) == []
    assert normalise(messy) == tidy


def test_line_and_paragraph_breaks_are_changes() -> None:
    [change] = compare("## About\nWe are hiring.", "## About\n\nWe are hiring.")
    assert (change.kind, change.before, change.after) == ("replace", "\n", "\n\n")
    [change] = compare("We are hiring. Apply now.", "We are hiring.\n\nApply now.")
    assert (change.kind, change.after, change.paragraph) == ("insert", "\n\n", 1)


def test_identical_texts_have_no_changes() -> None:
    assert compare(CURRENT, CURRENT) == []
    assert compare("", "") == []


def test_changes_are_numbered_in_document_order() -> None:
    rewritten = _three_changes()
    assert [change.index for change in compare(CURRENT, rewritten)] == [0, 1, 2]
    assert [change.paragraph for change in compare(CURRENT, rewritten)] == [1, 2, 3]


def _three_changes() -> str:
    return (
        CURRENT.replace("a backend engineer", "a senior backend engineer")
        .replace(" You will review code daily.", "")
        .replace("- Slack apps", "- Slack apps\n- Redis")
    )


def test_accepting_two_of_three_changes_applies_exactly_those() -> None:
    result = apply(CURRENT, _three_changes(), [0, 2])
    assert result == CURRENT.replace("a backend", "a senior backend") + "\n- Redis"


def test_accepting_all_gives_the_rewrite_and_none_the_current_text() -> None:
    assert apply(CURRENT, _three_changes(), range(3)) == _three_changes()
    assert apply(CURRENT, _three_changes(), []) == CURRENT
    assert apply(" A.  B. ", "A. C.", []) == "A. B."


def test_an_unknown_change_is_refused_by_number() -> None:
    with pytest.raises(ValueError, match=r"No such change: -1, 3 \(there are 3\)"):
        apply(CURRENT, _three_changes(), [0, 3, -1])


def test_a_change_is_shown_struck_and_marked_line_by_line() -> None:
    current = "Intro.\n\nWe use <Go> & Rust.\nAnd C."
    [change] = compare(current, "Intro.\n\nWe use Go.\n\n- Python")
    assert render_change_mrkdwn(change) == (
        "*1. Rewritten paragraph* · paragraph 2\n"
        "~We use &lt;Go&gt; &amp; Rust.~\n~And C.~\n"
        "*+* We use Go.\n\n*+* - Python"
    )


def test_an_added_paragraph_is_shown_without_its_break() -> None:
    [change] = compare("One.", "One.\n\nTwo.")
    assert render_change_mrkdwn(change) == "*1. Added paragraph* · paragraph 2\n*+* Two."


def test_a_break_alone_is_described() -> None:
    [change] = compare("One. Two.", "One.\n\nTwo.")
    assert render_change_mrkdwn(change) == (
        "*1. Layout change* · paragraph 1\n_no break → paragraph break_"
    )


def test_a_long_change_is_cut_to_fit_a_section() -> None:
    before = " ".join(["Old & <tired> words."] * 300)
    after = " ".join(["New words."] * 400)
    [change] = compare(before, after)
    text = render_change_mrkdwn(change)
    assert len(text) <= MAX_MRKDWN
    removed, added = text.split("\n")[1:]
    assert removed.startswith("~Old &amp; &lt;tired&gt;")
    assert removed.endswith("…~")
    assert added.startswith("*+* New words.")
    assert added.endswith("…")


def test_summary_counts_changes_by_kind() -> None:
    current = "Intro.\n\nWe build. We test. We ship.\n\n- Go"
    rewritten = "Intro!\n\nWe build. We ship.\n\n- Rust\n- Go\n\nWe are remote."
    assert summary(compare(current, rewritten)) == (
        "4 changes: 1 rewritten sentence, 1 removed sentence, 1 added bullet, 1 added paragraph"
    )
    assert summary([]) == "No changes"


# ---------------------------------------------------------------- properties

WORDS = ["we", "build", "ship", "review", "test", "code", "data", "team", "users", "api", "go"]
TAILS = ["e.g. Slack", "etc.", "3.5 years", "i.e. daily", "Sr. staff", "(see below.)"]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(1, 5))
    if rng.random() < 0.2:
        words.insert(rng.randrange(len(words)), rng.choice(TAILS))
    return " ".join(words).capitalize() + rng.choice(".!?")


def _line(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        return f"{rng.choice(['-', '•', '1.'])} {_sentence(rng)}"
    if roll < 0.35:
        return f"## {rng.choice(WORDS).title()}"
    return " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))


def _document(rng: random.Random) -> list[list[str]]:
    return [[_line(rng) for _ in range(rng.randint(1, 3))] for _ in range(rng.randint(0, 4))]


def _edit(rng: random.Random, document: list[list[str]]) -> list[list[str]]:
    edited = [list(lines) for lines in document]
    for _ in range(rng.randint(0, 4)):
        roll = rng.random()
        if not edited or roll < 0.15:
            edited.insert(rng.randint(0, len(edited)), [_line(rng)])
            continue
        lines = edited[rng.randrange(len(edited))]
        at = rng.randrange(len(lines))
        if roll < 0.45:
            lines[at] = _line(rng)
        elif roll < 0.6:
            lines.insert(at, _line(rng))
        elif roll < 0.7:
            lines[at] = f"{lines[at]} {_sentence(rng)}"
        elif roll < 0.8 and len(lines) > 1:
            del lines[at]
        elif roll < 0.9:
            edited.remove(lines)
        else:
            lines.append(lines[0])  # repeated text must not confuse the alignment
    return [lines for lines in edited if lines]


def _text(rng: random.Random, document: list[list[str]]) -> str:
    """The document written with random spacing, which must not matter."""
    space = rng.choice(["", " ", "  ", "\t"])
    gap = rng.choice(["\n\n", "\n \n", "\r\n\r\n", "\n\n\n"])
    return gap.join("\n".join(f"{space}{line}{space}" for line in lines) for lines in document)


def test_any_subset_of_changes_applies_exactly() -> None:
    rng = random.Random(20240611)
    for _ in range(400):
        document = _document(rng)
        current, rewritten = _text(rng, document), _text(rng, _edit(rng, document))
        changes = compare(current, rewritten)
        everything = range(len(changes))
        assert apply(current, rewritten, everything) == normalise(rewritten)
        assert apply(current, rewritten, []) == normalise(current)
        assert compare(normalise(current), current) == []
        for change in changes:
            assert change.before in normalise(current)
            assert change.after in normalise(rewritten)
            assert 1 <= change.paragraph <= normalise(current).count("\n\n") + 2
            assert len(render_change_mrkdwn(change)) <= MAX_MRKDWN

        accepted = {index for index in everything if rng.random() < 0.5}
        partial = apply(current, rewritten, accepted)
        assert len(compare(partial, rewritten)) <= len(changes) - len(accepted)
        assert len(compare(current, partial)) <= len(accepted)
        assert normalise(partial) == partial
