"""Memory bounded by what is in flight, whatever the paragraph or sentence lengths (issue 26):
a 3,000-character paragraph of clauses and a 200-row table reach Piper's model and the
mastering in pieces no larger than an ordinary text's. Peak RSS itself is measured by
``benchmarks/footprint.py`` (too noisy on a shared machine for a test)."""

from __future__ import annotations

import random
from itertools import pairwise
from pathlib import Path

import pytest

from letteraudio.engines import model_pieces
from letteraudio.engines.piper import MODEL_CHARS, PiperEngine
from letteraudio.render.model import Article, Plan
from letteraudio.render.paragraph import MASTERING_SECONDS, waits
from letteraudio.render.plan import LONGEST_PARAGRAPH, PARAGRAPH_CHARS, plan
from letteraudio.settings import Settings, Voice

WORDS = ("river", "window", "morning", "garden", "letter", "station", "winter", "harbour")


def clauses(chars: int) -> str:
    """One paragraph, one sentence: clauses joined by semicolons."""
    rng = random.Random(26)
    parts: list[str] = []
    while sum(len(p) + 2 for p in parts) < chars:
        a, b, c = rng.sample(WORDS, 3)
        parts.append(f"the {a} by the {b} and the {c} beyond it")
    return "A long morning; " + "; ".join(parts) + ".\n"


def table(rows: int) -> str:
    """A plain-text table, one paragraph, no full stop."""
    rng = random.Random(26)
    lines = ["Item | Place | Count | Colour"]
    for n in range(1, rows + 1):
        place, colour = rng.sample(WORDS, 2)
        lines.append(f"Item {n} | {place} | {rng.randint(1, 999)} | {colour}")
    return "\n".join(lines) + "\n"


def piper_plan(text: str, tmp_path: Path) -> Plan:
    article = tmp_path / "article.txt"
    article.write_text(text, encoding="utf-8")
    return plan(Article.read(article, None), Settings(voice=Voice(engine="piper")))


def test_a_plain_text_table_reaches_the_model_row_by_row(tmp_path: Path) -> None:
    # Its rows are items of their own (text/parse.py), not one sentence of 5,000
    # characters: each row one segment, each within one model call, paragraphs bounded.
    planned = piper_plan(table(200), tmp_path)
    segments = [s for task in planned.tasks for s in task.paragraph.segments]
    assert len(segments) == 201 and all(len(s.text) <= MODEL_CHARS for s in segments)
    lengths = [sum(len(s.text) for s in t.paragraph.segments) for t in planned.tasks]
    assert max(lengths) <= LONGEST_PARAGRAPH * PARAGRAPH_CHARS + PiperEngine.max_chars


@pytest.mark.parametrize("text", [clauses(3000), clauses(6000)], ids=["3000", "6000"])
def test_long_clause_texts_reach_the_model_and_the_mastering_in_bounded_pieces(
    text: str, tmp_path: Path
) -> None:
    planned = piper_plan(text, tmp_path)
    assert len(text) > 3000 and len(planned.tasks) >= 3
    segments = [s for task in planned.tasks for s in task.paragraph.segments]
    # Each model call speaks at most MODEL_CHARS, however long the sentence.
    assert max(len(s.text) for s in segments) > MODEL_CHARS
    assert all(len(p) <= MODEL_CHARS for s in segments for p in model_pieces(s.text, MODEL_CHARS))
    # Each paragraph mastered is a bounded one, and the paragraphs of these texts (40 s of
    # speech or more each, estimated at the engine's speaking rate) are mastered one at a
    # time.
    lengths = [sum(len(s.text) for s in t.paragraph.segments) for t in planned.tasks]
    assert max(lengths) <= max(LONGEST_PARAGRAPH * PARAGRAPH_CHARS, PiperEngine.max_chars)
    seconds = [n / PiperEngine.chars_per_second for n in lengths[:-1]]
    assert all(waits(after, [before]) for before, after in pairwise(seconds))


def test_paragraphs_are_mastered_side_by_side_only_within_the_bound() -> None:
    short = PARAGRAPH_CHARS / 2 / PiperEngine.chars_per_second  # about 20 s of speech
    assert not waits(short, [short])
    assert not waits(MASTERING_SECONDS * 2, [])  # one alone always goes
    assert waits(short, [short, short, short])
    # The longest paragraph of several segments fits the bound alone, not beside another.
    longest = LONGEST_PARAGRAPH * PARAGRAPH_CHARS / PiperEngine.chars_per_second
    assert longest <= MASTERING_SECONDS and waits(longest, [longest])
