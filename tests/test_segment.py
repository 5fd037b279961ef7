"""Segmenting: split below the engine limit at sentence, clause, then word boundaries."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from letteraudio.text.parse import Document, parse_text
from letteraudio.text.segment import (
    Boundary,
    Pauses,
    is_speakable,
    segment_document,
    sentences,
    split_text,
)

PARAGRAPH = (
    "The boats came in early, one after another. Gulls followed them, loud and hungry; "
    "nobody minded. Then the harbour fell silent."
)


def test_short_text_is_one_piece() -> None:
    assert split_text(PARAGRAPH, 600) == [(PARAGRAPH, Boundary.PARAGRAPH)]


def test_sentences_are_packed_below_the_limit() -> None:
    pieces = split_text(PARAGRAPH, 60)
    assert [p for p, _ in pieces] == [
        "The boats came in early, one after another.",
        "Gulls followed them, loud and hungry; nobody minded.",
        "Then the harbour fell silent.",
    ]
    assert [b for _, b in pieces] == [Boundary.SENTENCE, Boundary.SENTENCE, Boundary.PARAGRAPH]


def test_a_long_sentence_splits_at_clauses_then_words() -> None:
    pieces = split_text(PARAGRAPH, 25)
    assert ("The boats came in early,", Boundary.CLAUSE) in pieces
    assert ("one after another.", Boundary.SENTENCE) in pieces
    assert all(len(p) <= 25 for p, _ in pieces)
    words = split_text("alpha beta gamma delta epsilon", 12)
    assert words == [
        ("alpha beta", Boundary.WORD),
        ("gamma delta", Boundary.WORD),
        ("epsilon", Boundary.PARAGRAPH),
    ]


def test_closing_quotes_stay_with_their_sentence() -> None:
    pieces = [p for p, _ in split_text('He said "hello there." Then he left the room quietly.', 25)]
    assert pieces[0] == 'He said "hello there."'


def test_a_word_longer_than_the_limit_is_cut() -> None:
    assert [p for p, _ in split_text("abcdefghij", 4)] == ["abcd", "efgh", "ij"]


def test_pauses_follow_the_kind_and_boundary() -> None:
    document = Document(title="Title", subtitle="Sub title", paragraphs=(PARAGRAPH, "Last one."))
    pauses = Pauses()
    segments = segment_document(document, 60, pauses)
    assert [(s.kind, s.paragraph, s.pause_after_ms) for s in segments] == [
        ("title", 0, pauses.title),
        ("subtitle", 0, pauses.subtitle),
        ("paragraph", 1, pauses.sentence),
        ("paragraph", 1, pauses.sentence),
        ("paragraph", 1, pauses.paragraph),
        ("paragraph", 2, pauses.paragraph),
    ]
    assert [s.index for s in segments] == list(range(6))


@pytest.mark.parametrize("text", ["---", "***", "  ", "\u2014 \u2014", "* * *", "..."])
def test_nothing_speakable_is_skipped(text: str) -> None:
    assert not is_speakable(text)
    document = Document(paragraphs=("Before.", text, "After."))
    segments = segment_document(document, 600, Pauses())
    assert [s.text for s in segments] == ["Before.", "After."]
    assert [s.paragraph for s in segments] == [1, 3]


# --- properties ----------------------------------------------------------------------

WORDS = st.sampled_from(
    ["the", "harbour", "boats", "Gulls", "nobody", "3-year-old", "caf\u00e9", "#MeToo", "e.g.",
     "\u201cquoted\u201d", "(aside)", "don't", "---", "***", "x" * 40, "\u2014", "-", "O'Neil"]
)  # fmt: skip
PUNCT = st.sampled_from(["", "", "", ".", ",", ";", ":", "!", "?", "\u2026", '."', ".\u201d"])
SPACE = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", "\n \n", "\t", "\r\n", "\r\n\r\n"])


@st.composite
def articles(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(st.tuples(WORDS, PUNCT, SPACE), min_size=0, max_size=80))
    return "".join(word + punct + space for word, punct, space in tokens)


def words(text: str) -> list[str]:
    """The words of a text: white-space separated tokens with a letter or digit in them."""
    return [token for token in text.split() if is_speakable(token)]


@settings(max_examples=300, deadline=None)
@given(text=articles(), limit=st.integers(min_value=45, max_value=600))
def test_parse_and_segment_never_lose_or_reorder_a_word(text: str, limit: int) -> None:
    segments = segment_document(parse_text(text), limit, Pauses())
    assert all(len(s.text) <= limit and is_speakable(s.text) for s in segments)
    assert words(" ".join(s.text for s in segments)) == words(text)


@settings(max_examples=300, deadline=None)
@given(text=articles(), limit=st.integers(min_value=1, max_value=120))
def test_split_keeps_every_character_in_order_at_any_limit(text: str, limit: int) -> None:
    pieces = [p for p, _ in split_text(text, limit)]
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join(pieces).replace(" ", "") == re.sub(r"\s+", "", text)


def test_an_unspeakable_piece_is_dropped_and_its_pause_kept() -> None:
    document = Document(paragraphs=("First sentence here. *** *** *** ***", "Next."))
    segments = segment_document(document, 22, Pauses())
    assert [(s.text, s.pause_after_ms) for s in segments] == [
        ("First sentence here.", Pauses().paragraph),
        ("Next.", Pauses().paragraph),
    ]


def test_headings_are_segments_with_a_section_pause_before_them() -> None:
    document = Document(paragraphs=("Intro text.", "Part One", "Body text."), headings=(1,))
    pauses = Pauses()
    segments = segment_document(document, 600, pauses)
    assert [(s.kind, s.paragraph, s.pause_after_ms) for s in segments] == [
        ("paragraph", 1, pauses.section),
        ("heading", 2, pauses.heading),
        ("paragraph", 3, pauses.paragraph),
    ]


def test_every_sentence_is_its_own_segment_even_when_short() -> None:
    document = Document(paragraphs=("One fish. Two fish! Red fish?", "Blue fish."))
    segments = segment_document(document, 600, Pauses())
    assert [(s.text, s.paragraph, s.pause_after_ms) for s in segments] == [
        ("One fish.", 1, Pauses().sentence),
        ("Two fish!", 1, Pauses().sentence),
        ("Red fish?", 1, Pauses().paragraph),
        ("Blue fish.", 2, Pauses().paragraph),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. Army arrived at dawn.",
        "Dr. Okafor met Mr. Lund at St. Ives.",
        "Bring snacks, e.g. Apples and pears.",
        "It rose in Jan. and fell in Feb. of that year.",
    ],
)
def test_abbreviations_do_not_end_a_sentence(text: str) -> None:
    assert sentences(text) == [text]


def test_an_abbreviation_before_a_capital_may_end_a_sentence() -> None:
    assert sentences("It rose in Jan. Nobody knew why.") == ["It rose in Jan.", "Nobody knew why."]


def test_sentences_split_at_terminal_punctuation_and_closing_quotes() -> None:
    assert sentences('He said "go." She went.  Why?\nBecause.') == [
        'He said "go."',
        "She went.",
        "Why?",
        "Because.",
    ]
