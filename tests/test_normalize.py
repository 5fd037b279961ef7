"""Each normalization pass alone, table by table, and the passes together."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from letteraudio.text.abbreviations import AFTER_A_NAME, BEFORE_A_NAME, STATES
from letteraudio.text.normalize import (
    ABBREVIATIONS,
    expand_abbreviations,
    normalize_text,
    remove_emoji,
    shorten_links,
    soften_punctuation,
    spell_hashtags,
    unbracket,
)
from letteraudio.text.numbers import say_numbers


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("#MeToo last October", "hashtag Me Too last October"),
        ("the #BlackLivesMatter movement", "the hashtag Black Lives Matter movement"),
        ("#COVID19 cases", "hashtag COVID 19 cases"),
        ("issue #42 and C#", "issue number 42 and C#"),  # not hashtags
        ("R&D#x", "R&D#x"),
    ],
)
def test_hashtags(text: str, said: str) -> None:
    assert spell_hashtags(text) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("in [her] power to protect [her daughter]", "in her power to protect her daughter"),
        ("as shown [1] before", "as shown before"),
        ("no brackets", "no brackets"),
    ],
)
def test_editorial_brackets(text: str, said: str) -> None:
    assert unbracket(text) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("her 3-year-old daughter", "her three-year-old daughter"),
        ("It cost $500.", "It cost five hundred dollars."),
        ("It cost $1 and \u00a32.50", "It cost one dollar and two pounds fifty"),
        ("about $3 million", "about three million dollars"),
        ("25% of us and 3.5% more", "twenty-five percent of us and three point five percent more"),
        ("the 1990s", "the nineteen nineties"),
        ("the '80s", "the nineteen eighties"),
        ("the 21st century, the 3rd time", "the twenty-first century, the third time"),
        ("at 3:30 pm or 10:05", "at three thirty P M or ten oh five"),
        ("in 1990 and since 2008", "in nineteen ninety and since two thousand eight"),
        ("1,234 people", "one thousand two hundred thirty-four people"),
        (
            "call 555-1234 or +1 (555) 123-4567",
            "call five five five, one two three four or plus one, five five five, one two three, "
            "four five six seven",
        ),  # phones: digit groups
        ("$2.5 million and $1.01", "two point five million dollars and one dollar and one cent"),
        ("\u00a31.50", "one pound fifty"),
        ("$5k, US$5", "five thousand dollars, five U S dollars"),
        ("version 1.10", "version one point one zero"),
        ("-5 degrees", "minus five degrees"),
        ("3/4 and 24/7, 5'10\" tall", "three quarters and twenty-four seven, five foot ten tall"),
        (
            "from 1999-2001, 10-15 minutes",
            "from nineteen ninety-nine to two thousand one, ten to fifteen minutes",
        ),
        ("15-20% more", "fifteen to twenty percent more"),
        ("Spring 1998 (2019)", "Spring nineteen ninety-eight (twenty nineteen)"),
        ("Jan. 5, 2024", "January fifth, twenty twenty-four"),
        ("9" * 20, "9" * 20),  # too long to be said as a number
        ("no numbers here", "no numbers here"),
    ],
)
def test_numbers(text: str, said: str) -> None:
    assert say_numbers(text) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Dr. Smith and Mr. Jones", "Doctor Smith and Mister Jones"),
        ("on Main St. near St. Paul's", "on Main Street near Saint Paul's"),
        (
            "fruit, e.g. apples, i.e. food, etc.",
            "fruit, for example apples, that is food, et cetera.",
        ),
        ("pears, etc.", "pears, et cetera."),  # one sentence at a time
        ("Main St.", "Main Street."),
        ("No. I won't. No. 5 is mine.", "No. I won't. number 5 is mine."),
        ("Drive slowly.", "Drive slowly."),
    ],
)
def test_abbreviations(text: str, said: str) -> None:
    assert expand_abbreviations(text) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("see https://www.example.com/a/b?c=1 now", "see example dot com now"),
        ("or www.example.org.", "or example dot org."),
        ("write to jo@example.co.uk", "write to jo at example dot co dot uk"),
    ],
)
def test_links(text: str, said: str) -> None:
    assert shorten_links(text) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Wait... what", "Wait, what"),
        ("Wait\u2026 what", "Wait, what"),
        ("a pause \u2014 then more", "a pause, then more"),
        ("say 'me too,' \" she said", "say 'me too,'\" she said"),
        ("well-known", "well-known"),
    ],
)
def test_punctuation(text: str, said: str) -> None:
    assert soften_punctuation(text) == said


def test_emoji() -> None:
    assert remove_emoji("Party \U0001f389 time \u2764\ufe0f!").split() == ["Party", "time", "!"]


WORD = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=9
).filter(
    lambda w: (
        f"{w}." not in ABBREVIATIONS
        and w not in ("No", "St", "st")
        and w not in BEFORE_A_NAME
        and w not in AFTER_A_NAME
        and w not in STATES
        and not re.fullmatch("[IVXL]+", w)
    )  # a Roman numeral is read as its number, by rule
)
GLUE = st.sampled_from([" ", ", ", ". ", "; ", " \u2014 ", "... ", "! ", "? ", ' "', '" '])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WORD, GLUE), max_size=40))
def test_normalization_never_drops_a_word(pairs: list[tuple[str, str]]) -> None:
    text = "".join(word + glue for word, glue in pairs)
    said = [w.strip(".,;:!?\"'") for w in normalize_text(text).split()]
    words = [word for word, _ in pairs]
    position = 0
    for word in words:  # every word, in order
        position = said.index(word, position) + 1
