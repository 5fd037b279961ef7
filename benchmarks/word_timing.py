"""How well each voice's word times match its audio, and what timing words costs (issue 27).

For each text (the seed article and ``voices_text.md``) and each voice that times words,
this run renders ``letteraudio render ARTICLE -e ENGINE --deterministic --no-cache``,
decodes the MP3 and finds its pauses (at least 150 ms under -45 dBFS, in 10 ms frames).
Where a pause ends the speech resumes: that is a measured word onset. The word that
follows the pause in the episode JSON (the first whose middle is after the pause's
middle) has a start time; the error is the difference. It prints the median and 95th
percentile of the absolute errors, and their count.

The cost is synthesis CPU time with and without word times (a fresh process each, in
turns, the same segments; without: hibari's graph left unpatched, Piper's alignments
off, espeak's clips not aligned), per minute of audio. espeak's words are found by the
aligner (pocketsphinx, the ``align`` extra: install it first).

Usage, from the repository root::

    .venv/bin/python benchmarks/word_timing.py            # both texts, both voices
    .venv/bin/python benchmarks/word_timing.py --text benchmarks/voices_text.md --rounds 1
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "letter.txt"
OWN_TEXT = ROOT / "benchmarks" / "voices_text.md"
LETTERAUDIO = str(Path(sys.executable).parent / "letteraudio")
VOICES = {"heart (hibari)": "hibari", "joe (piper)": "piper", "espeak (aligned)": "espeak"}
RATE = 16_000
FRAME_MS = 10
PAUSE_S = 0.150
QUIET_DB = -45.0

SYNTHESIS = r"""
import json, sys, time
from letteraudio.engines import EngineSettings, create_engine
import letteraudio.engines.hibari as hibari
texts = json.load(open(sys.argv[2], encoding="utf-8"))
timed = sys.argv[3] == "timed"
if not timed:
    hibari.timed_model = lambda model: model
engine = create_engine(sys.argv[1], EngineSettings(deterministic=True))
if sys.argv[1] == "piper":
    engine.aligned = timed
cpu = time.process_time()
clips = [engine.synthesize(text) for text in texts]
if sys.argv[1] == "espeak" and timed:  # words found in the audio (the align extra)
    from dataclasses import replace
    from letteraudio.engines.align import align
    clips = [replace(c, words=align(c, t)) for c, t in zip(clips, texts)]
cpu = time.process_time() - cpu
seconds = sum(len(c.samples) / c.sample_rate for c in clips)
words = sum(c.words is not None for c in clips)
print(json.dumps({"cpu": cpu, "seconds": seconds, "timed": words}))
"""


def decode(path: Path) -> np.ndarray:
    out = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            f"{RATE}",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(out, dtype=np.int16).astype(np.float64) / 32768.0


def pauses(samples: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) in seconds of the stretches of at least PAUSE_S under QUIET_DB."""
    frame = RATE * FRAME_MS // 1000
    count = len(samples) // frame
    rms = np.sqrt(np.mean(samples[: count * frame].reshape(count, frame) ** 2, axis=1))
    quiet = 20 * np.log10(np.maximum(rms, 1e-10)) < QUIET_DB
    runs, start = [], None
    for i, is_quiet in enumerate([*quiet, False]):
        if is_quiet and start is None:
            start = i
        elif not is_quiet and start is not None:
            if (i - start) * FRAME_MS / 1000 >= PAUSE_S and i < count:
                runs.append((start * FRAME_MS / 1000, i * FRAME_MS / 1000))
            start = None
    return runs


def onset_errors(mp3: Path) -> list[float]:
    """Word start minus measured onset (s), for each pause followed by a timed word."""
    info = json.loads(mp3.with_suffix(".episode.json").read_text(encoding="utf-8"))
    words = [
        (w["start_ms"] / 1000, w["end_ms"] / 1000, cue["start_ms"] / 1000, cue["end_ms"] / 1000)
        for cue in info["cues"]
        for w in cue.get("words", [])
        if w["end_ms"] > w["start_ms"]
    ]
    errors = []
    for start, end in pauses(decode(mp3)):
        middle = (start + end) / 2
        after = [w for w in words if (w[0] + w[1]) / 2 > middle]
        # only where the speech that resumes is a timed sentence's (not one the aligner
        # could not follow, which keeps sentence timing and is counted apart)
        if after and after[0][2] - PAUSE_S <= end <= after[0][3]:
            errors.append(after[0][0] - end)
    return errors


def coverage(mp3: Path) -> tuple[int, int]:
    """(sentences with word times, sentences)."""
    info = json.loads(mp3.with_suffix(".episode.json").read_text(encoding="utf-8"))
    return sum(bool(cue.get("words")) for cue in info["cues"]), len(info["cues"])


def script_texts(article: Path) -> list[str]:
    plan = json.loads(
        subprocess.run(
            [LETTERAUDIO, "script", str(article), "--json"], capture_output=True, check=True
        ).stdout
    )
    return [segment["text"] for segment in plan["segments"]]


def bench(article: Path, rounds: int, work: Path, voices: list[str] | None) -> None:
    texts = work / f"{article.stem}.json"
    texts.write_text(json.dumps(script_texts(article)), encoding="utf-8")
    for name, engine in VOICES.items():
        if voices and engine not in voices:
            continue
        out = work / f"{article.stem}-{engine}.mp3"
        subprocess.run(
            [LETTERAUDIO, "render", str(article), "-o", str(out), "-q", "-e", engine,
             "--deterministic", "--no-cache"],
            check=True,
        )  # fmt: skip
        errors = [abs(e) for e in onset_errors(out)]
        timed, cues = coverage(out)
        costs = {"timed": [], "plain": []}
        seconds = 0.0
        for _ in range(rounds):
            for kind in costs:
                result = subprocess.run(
                    [sys.executable, "-c", SYNTHESIS, engine, str(texts), kind],
                    capture_output=True,
                    check=True,
                    text=True,
                )
                figures = json.loads(result.stdout)
                costs[kind].append(figures["cpu"])
                seconds = figures["seconds"]
        added = statistics.median(costs["timed"]) - statistics.median(costs["plain"])
        p95 = float(np.percentile(errors, 95)) if errors else float("nan")
        print(
            f"{article.name:18} {name:16} {timed}/{cues} sentences word-timed; "
            f"onsets {len(errors):4d}: "
            f"median {1000 * statistics.median(errors):5.1f} ms, p95 {1000 * p95:6.1f} ms; "
            f"word timing adds {added / (seconds / 60):+.3f} s CPU per audio minute "
            f"(synthesis {statistics.median(costs['plain']):.2f} -> "
            f"{statistics.median(costs['timed']):.2f} s for {seconds / 60:.1f} min)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--text", type=Path, action="append", help="default: seed and own text")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--voice", action="append", choices=list(VOICES.values()))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        for article in args.text or [SEED, OWN_TEXT]:
            bench(article, args.rounds, Path(work), args.voice)


if __name__ == "__main__":
    main()
