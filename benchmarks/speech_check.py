"""How well ``check --speech`` separates clean sentences from broken ones (issue 27).

For each bundled voice and text (the seed article and ``voices_text.md``), every segment
of the script is spoken (``--deterministic``) and checked as ``check --speech`` checks
a sentence (:class:`letteraudio.speech.Checker`): clean, and broken on purpose in three
ways: another sentence's audio in its place (seven further on), its first half only (up to
the middle of its speech), its audio reversed. It prints the share of clean sentences
flagged (goal: at most 1 in 50), the share of each kind of broken sentence caught (goal:
all) and those missed, the worst clean scores, and the check's CPU time per minute of
audio. Needs the ``align`` extra.

Usage, from the repository root::

    .venv/bin/python benchmarks/speech_check.py
    .venv/bin/python benchmarks/speech_check.py --voice hibari --text benchmarks/voices_text.md
    .venv/bin/python benchmarks/speech_check.py --text benchmarks/short_lines.txt

``short_lines.txt`` holds 64 headings, titles and short lines of one to four words, each
its own paragraph (spoken alone): the sentences whose few phones make the check hardest.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "letter.txt"
OWN_TEXT = ROOT / "benchmarks" / "voices_text.md"
LETTERAUDIO = str(Path(sys.executable).parent / "letteraudio")


def script_texts(article: Path) -> list[str]:
    plan = json.loads(
        subprocess.run(
            [LETTERAUDIO, "script", str(article), "--json"], capture_output=True, check=True
        ).stdout
    )
    return [segment["text"] for segment in plan["segments"] if segment["text"].strip()]


def middle(clip: Any) -> int:
    """The sample half-way through the clip's speech (from its first sound above 5 % of
    its loudest to its last): what comes before it, and only that, is kept when a sentence
    is truncated, so the cut always takes away speech, never only the trailing quiet."""
    import numpy as np

    level = np.convolve(np.abs(clip.samples.astype(np.float32)), np.ones(240) / 240, "same")
    loud = np.flatnonzero(level > 0.05 * level.max())
    return int(loud[0] + loud[-1]) // 2 if len(loud) else len(clip.samples) // 2


def bench(engine_name: str, article: Path) -> None:
    from letteraudio.engines import EngineSettings, create_engine
    from letteraudio.speech import Checker, Sentence
    from letteraudio.values import Clip

    texts = script_texts(article)
    engine = create_engine(engine_name, EngineSettings(deterministic=True))
    clips = [engine.synthesize(text) for text in texts]
    checker = Checker()
    broken = {
        "swapped": lambda i: clips[(i + 7) % len(clips)],
        "truncated": lambda i: Clip(clips[i].samples[: middle(clips[i])], clips[i].sample_rate),
        "reversed": lambda i: Clip(clips[i].samples[::-1].copy(), clips[i].sample_rate),
    }
    cpu = time.process_time()
    clean = [
        Sentence(0, 0, text, *checker.score(clip, text))
        for clip, text in zip(clips, texts, strict=True)
    ]
    cpu = time.process_time() - cpu
    minutes = sum(len(c.samples) / c.sample_rate for c in clips) / 60
    flagged = [s for s in clean if not s.passed]
    line = (
        f"{article.name:16} {engine_name:7} {len(clean):3d} sentences, {minutes:4.1f} min: "
        f"clean flagged {len(flagged)}/{len(clean)} ({100 * len(flagged) / len(clean):.1f} %)"
    )
    missed = []
    for kind, make in broken.items():
        checked = [Sentence(0, 0, t, *checker.score(make(i), t)) for i, t in enumerate(texts)]
        caught = sum(not s.passed for s in checked)
        line += f"; {kind} caught {caught}/{len(checked)}"
        missed += [(kind, s) for s in checked if s.passed]
    print(line + f"; check {cpu / minutes:.1f} s CPU per audio minute", flush=True)
    for kind, s in missed:
        print(f"    missed {kind}: {s.score:.2f} phones={s.phones}: {s.expected[:70]}")
    worst = sorted(clean, key=lambda s: -s.badness)[:3]
    for s in worst:
        print(
            f"    worst clean: {s.score:.2f} aligned={s.aligned} phones={s.phones}: "
            f"{s.expected[:70]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voice", action="append", choices=["hibari", "piper"])
    parser.add_argument("--text", type=Path, action="append")
    args = parser.parse_args()
    for article in args.text or [SEED, OWN_TEXT]:
        for engine in args.voice or ["hibari", "piper"]:
            bench(engine, article)


if __name__ == "__main__":
    main()
