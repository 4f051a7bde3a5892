from __future__ import annotations

import pytest

from bot.blocks.errors import error_message
from bot.blocks.refs import candidate_url
from bot.blocks.text import escape, markdown_to_mrkdwn, plain, split_text, truncate
from bot.blocks.values import (
    ButtonValue,
    Origin,
    decode_origin,
    decode_value,
    encode_origin,
    encode_value,
)
from tests.bot.blockkit import assert_valid_blocks


def test_escape_neutralises_mentions_and_links() -> None:
    assert escape("R&D <!channel> <http://x|y>") == "R&amp;D &lt;!channel&gt; &lt;http://x|y&gt;"
    assert escape("plain") == "plain"


def test_truncate_and_plain_text_limits() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"
    assert plain("x" * 100, 75)["text"] == "x" * 74 + "…"


def test_split_text_keeps_every_chunk_within_3000_and_prefers_paragraphs() -> None:
    paragraph = ("word " * 200).strip()  # 999 characters
    text = "\n\n".join([paragraph] * 6)
    chunks = split_text(text)
    # Three paragraphs would be 3,001 characters: two fit, the cut falls between paragraphs.
    assert chunks == ["\n\n".join([paragraph] * 2)] * 3


def test_split_text_falls_back_to_spaces() -> None:
    text = ("word " * 2000).strip()
    chunks = split_text(text)
    assert all(len(c) <= 3000 for c in chunks)
    assert all(not c.startswith(" ") and not c.endswith(" ") for c in chunks)
    assert " ".join(chunks).split() == text.split()


def test_split_text_hard_cut_never_splits_an_entity() -> None:
    text = escape("a" * 2998 + "&b" + "c" * 10)
    chunks = split_text(text)
    assert chunks[0] == "a" * 2998
    assert chunks[1].startswith("&amp;b")
    assert "".join(chunks) == text


def test_split_text_of_empty_text_is_empty() -> None:
    assert split_text("   ") == []


def test_markdown_headings_bold_and_bullets_become_mrkdwn() -> None:
    md = "## About us\nWe **ship** fast & <often>.\n- Python\n* Go"
    assert markdown_to_mrkdwn(md) == (
        "*About us*\nWe *ship* fast &amp; &lt;often&gt;.\n• Python\n• Go"
    )


def test_button_values_round_trip() -> None:
    value = encode_value(12, kind="rewrite", instruction="more senior", skill="Go")
    assert decode_value(value) == ButtonValue(
        job_id=12, kind="rewrite", skill="Go", instruction="more senior"
    )
    assert decode_value("7") == ButtonValue(job_id=7)
    assert len(encode_value(1, instruction="x" * 5000)) <= 2000


@pytest.mark.parametrize("raw", ["", "abc", "{}", '{"job_id": "1"}', '{"job_id": 1, "kind": "x"}'])
def test_foreign_button_values_are_rejected(raw: str) -> None:
    with pytest.raises(ValueError):
        decode_value(raw)


def test_error_message_is_short_escaped_and_warns() -> None:
    text, blocks = error_message("No job <#3> here")
    assert text == ":warning: No job &lt;#3&gt; here"
    assert len(blocks) == 1
    assert blocks[0]["text"]["text"] == text
    assert_valid_blocks(blocks)


def test_modal_origins_round_trip_and_tolerate_junk() -> None:
    assert decode_origin(encode_origin("C1", "1700000000.000100")) == Origin(
        "C1", "1700000000.000100"
    )
    assert encode_origin(None) == ""
    assert decode_origin("") == Origin()
    assert decode_origin("not json") == Origin()
    assert decode_origin('{"job_id": 3}') == Origin()  # another modal's metadata


def test_candidate_url_joins_the_public_url_and_the_key() -> None:
    assert candidate_url("https://hirebot.example.com/", "k3y") == (
        "https://hirebot.example.com/api/jobs/candidate-view/k3y"
    )
