"""Fast renders with the real voice: jobs do not change the audio, the cache saves work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from audio_probe import decode
from test_publish import render

from letteraudio.render.plan import PARAGRAPH_CHARS, build_script, split_paragraphs
from letteraudio.text.segment import Pauses

pytestmark = pytest.mark.slow


def render_in_process(article: Path, out: Path, *options: str) -> list[str]:
    """Render in a fresh interpreter; return the heavy modules it imported."""
    probe = (
        "import json, sys\n"
        "from letteraudio.cli import main\n"
        f"sys.argv = ['letteraudio', 'render', {str(article)!r}, '-o', {str(out)!r}, '-q',"
        f" *{list(options)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'onnxruntime')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


def test_one_or_two_jobs_give_the_same_samples(short_article: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.mp3", tmp_path / "two.mp3"
    render_in_process(short_article, one, "--deterministic", "--no-cache", "--jobs", "1")
    render_in_process(short_article, two, "--deterministic", "--no-cache", "--jobs", "2")
    first, second = decode(one), decode(two)
    assert len(first) > 44_100 and np.array_equal(first, second)
    assert one.read_bytes() == two.read_bytes()


def test_a_warm_render_never_loads_the_voice_and_gives_the_same_file(
    short_article: Path, tmp_path: Path
) -> None:
    cold, warm = tmp_path / "cold.mp3", tmp_path / "warm.mp3"
    assert render_in_process(short_article, cold) != []  # the voice was loaded
    assert render_in_process(short_article, warm) == []  # every paragraph came from the cache
    assert cold.read_bytes() == warm.read_bytes()


def test_editing_one_sentence_speaks_one_new_clip(
    short_article: Path, tmp_path: Path, _test_cache: Path
) -> None:
    """What is spoken and encoded again is counted in the cache folder: the renders run
    here, through the command line (no fresh process needed)."""
    out = tmp_path / "episode.mp3"
    render(short_article, out)
    clips = set((_test_cache / "clips").glob("*/*.clip"))
    chunks = set((_test_cache / "chunks").glob("*/*.chunk"))
    assert clips and chunks
    text = short_article.read_text(encoding="utf-8")
    short_article.write_text(text.replace("sheep", "goats"), encoding="utf-8")

    render(short_article, out)
    assert len(set((_test_cache / "clips").glob("*/*.clip")) - clips) == 1
    assert len(set((_test_cache / "chunks").glob("*/*.chunk")) - chunks) == 1


def test_long_paragraphs_are_cut_into_several_between_sentences() -> None:
    sentence = "The tide came in over the flats and the birds rose ahead of it."
    paragraph = " ".join([sentence] * 60)  # about 3,800 characters
    script = build_script(f"Title\n\n{paragraph}\n\nLast words here.\n", 600, Pauses())
    groups = split_paragraphs(script.segments, script.pauses)
    flat = [segment for group in groups for segment in group.segments]
    assert flat == script.segments  # nothing lost, nothing reordered
    assert groups[0].segments[0].kind == "title" and len(groups[0].segments) == 1
    body = [g for g in groups if g.segments[0].paragraph == 1]
    assert len(body) >= 3
    assert all(
        sum(len(s.text) for s in g.segments) <= PARAGRAPH_CHARS + len(sentence) for g in body
    )
    pauses = Pauses()
    assert [g.pause_after_ms for g in body] == [pauses.sentence] * (len(body) - 1) + [
        pauses.paragraph
    ]
    assert groups[0].lead_in_ms == pauses.lead_in and groups[-1].pause_after_ms == pauses.tail


def test_a_paragraph_without_sentence_ends_is_cut_too() -> None:
    """One 3,000-character sentence of clauses (or a table without full stops): cut between
    its clauses, so what is mastered at once stays small whatever the paragraph."""
    from letteraudio.render.plan import LONGEST_PARAGRAPH

    clause = "the river ran past the mill and the baker counted his loaves"
    paragraph = "; ".join([clause] * 48) + "."  # about 3,000 characters, one sentence
    script = build_script(f"{paragraph}\n", 600, Pauses())
    parts = split_paragraphs(script.segments, script.pauses)
    assert [s for p in parts for s in p.segments] == script.segments
    assert len(parts) >= 2
    longest = max(sum(len(s.text) for s in p.segments) for p in parts)
    # A piece that would take a paragraph past the longest starts the next one.
    assert longest <= LONGEST_PARAGRAPH * PARAGRAPH_CHARS


def test_cache_info_and_clear(short_article: Path, tmp_path: Path, _test_cache: Path) -> None:
    # Piper: it also keeps its voice prepared for this machine in the cache.
    render_in_process(short_article, tmp_path / "episode.mp3", "-e", "piper")
    clips = len(list((_test_cache / "clips").glob("*/*.clip")))
    chunks = len(list((_test_cache / "chunks").glob("*/*.chunk")))
    assert (clips, chunks) == (4, 4)  # the title and three one-sentence paragraphs
    info = subprocess.run(
        [sys.executable, "-m", "letteraudio", "cache", "info"], capture_output=True, text=True
    )
    assert "4 spoken sentences, 4 encoded paragraphs, 1 prepared voice;" in info.stdout
    cleared = subprocess.run(
        [sys.executable, "-m", "letteraudio", "cache", "clear"], capture_output=True, text=True
    )
    assert cleared.stdout.startswith("Removed 9 entries from ")
    assert not [p for p in _test_cache.rglob("*") if p.is_file()]
    # Everything is made again when needed: the voice included.
    assert render_in_process(short_article, tmp_path / "again.mp3", "-e", "piper") != []
    # One voice: its graph up to the decoder, and the decoder (a graph of its own).
    parts = sorted(p.name for p in (_test_cache / "models").glob("*.onnx"))
    stems = sorted(name.split("-")[0] for name in parts)
    assert len(stems) == 2 and stems[1] == f"{stems[0]}.decoder"


def test_a_damaged_prepared_voice_is_made_again(
    short_article: Path, tmp_path: Path, _test_cache: Path
) -> None:
    first, second = tmp_path / "first.mp3", tmp_path / "second.mp3"
    render_in_process(short_article, first, "-e", "piper", "--deterministic")
    parts = sorted((_test_cache / "models").glob("*.onnx"))  # the voice and its decoder
    sizes = [part.stat().st_size for part in parts]
    for part in parts:
        part.write_bytes(b"not a model")
    for folder in ("clips", "chunks"):
        for entry in (_test_cache / folder).glob("*/*"):
            entry.unlink()
    render_in_process(short_article, second, "-e", "piper", "--deterministic")
    assert len(parts) == 2 and [part.stat().st_size for part in parts] == sizes  # rebuilt
    assert first.read_bytes() == second.read_bytes()
