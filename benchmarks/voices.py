"""Which bundled voice should be the default: Piper's joe or hibari's heart, measured.

For each text (the seed article and ``voices_text.md``, about 10 KB written for this
benchmark) and each voice, in turns (joe, heart, joe, heart, ...) so a noisy neighbour
slows both alike, this run measures:

- synthesis: a fresh process builds the engine and speaks every segment of the script
  (wall and CPU time, peak memory of the process);
- the render: ``letteraudio render ARTICLE -e ENGINE --deterministic --no-cache``
  (wall and CPU time, peak memory), and its MP3's speaking rate: spoken words per
  minute of the episode (lead-in and tail left out, the pauses between sentences in);
- intelligibility: pocketsphinx (an offline recognizer, with the English model in its
  wheel; a benchmark tool, not a dependency of letteraudio) transcribes each segment's
  clip, and the word error rate is counted against the spoken script;
- mastering headroom: the engine's own level (integrated loudness and true peak of the
  raw clips; their difference, the peak-to-loudness ratio, says how much limiting -16
  LUFS with peaks under -1 dBTP needs) and what the mastered MP3 measures.

The rule (issue 14): hibari becomes the default if its voice is at least as
intelligible as joe and at least twice as fast.

Usage, from the repository root (``pip install pocketsphinx`` first)::

    .venv/bin/python benchmarks/voices.py             # both texts, 2 rounds
    .venv/bin/python benchmarks/voices.py --rounds 1 --text benchmarks/voices_text.md
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "letter.txt"
OWN_TEXT = ROOT / "benchmarks" / "voices_text.md"
LETTERAUDIO = str(Path(sys.executable).parent / "letteraudio")
VOICES = {"joe (piper)": "piper", "heart (hibari)": "hibari"}

SYNTHESIS = r"""
import json, sys, time
import numpy as np
from letteraudio.engines import EngineSettings, create_engine
texts = json.load(open(sys.argv[2], encoding="utf-8"))
wall, cpu = time.perf_counter(), time.process_time()
engine = create_engine(sys.argv[1], EngineSettings(deterministic=True))
clips = [engine.synthesize(text) for text in texts]
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
np.savez(sys.argv[3], rate=clips[0].sample_rate, *[c.samples for c in clips])
print(json.dumps({"wall": wall, "cpu": cpu}))
"""


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    output: str


def run_measured(command: list[str]) -> Run:
    """Run a command to the end, reaped with ``wait4`` so its own usage is read: wall time,
    CPU time (user + system, with the processes it started and waited for), peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Read the output while it runs, then reap it ourselves.
    out = process.stdout.read() if process.stdout else b""
    err = process.stderr.read() if process.stderr else b""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{command} failed: {err.decode()[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.decode())


def script_texts(article: Path) -> tuple[list[str], dict[str, object]]:
    plan = json.loads(
        subprocess.run(
            [LETTERAUDIO, "script", str(article), "--json"], capture_output=True, check=True
        ).stdout
    )
    return [segment["text"] for segment in plan["segments"]], plan


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("\u2019", "'"))


def edit_distance(a: list[str], b: list[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, word in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (word != other)))  # fmt: skip
        previous = current
    return previous[-1]


def word_error_rate(clips: list[np.ndarray], rate: int, texts: list[str]) -> float:
    import soxr
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=16000, loglevel="FATAL")
    errors = total = 0
    for samples, text in zip(clips, texts, strict=True):
        reference = words_of(text)
        total += len(reference)
        if not len(samples):
            errors += len(reference)
            continue
        audio = soxr.resample(samples.astype(np.float32) / 32768, rate, 16000)
        pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        heard = words_of(hypothesis.hypstr if hypothesis else "")
        errors += edit_distance(reference, heard)
    return errors / max(total, 1)


def check_figures(mp3: Path) -> dict[str, str]:
    report = json.loads(
        subprocess.run(
            [LETTERAUDIO, "check", str(mp3), "--json"], capture_output=True, check=False
        ).stdout
    )
    return {c["check"]: c["value"] for c in report["checks"]}


def decoded_seconds(mp3: Path) -> float:
    value = check_figures(mp3)["duration"]
    return float(re.search(r"decoded ([\d.]+) s", value).group(1))  # type: ignore[union-attr]


def bench_text(article: Path, rounds: int, work: Path) -> list[dict[str, object]]:
    from letteraudio.audio.loudness import measure

    texts, plan = script_texts(article)
    spoken_words = sum(len(text.split()) for text in texts)
    texts_file = work / f"{article.stem}.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    synth: dict[str, list[Run]] = {name: [] for name in VOICES}
    render: dict[str, list[Run]] = {name: [] for name in VOICES}
    for turn in range(rounds):
        for name, engine in VOICES.items():
            clips = work / f"{article.stem}-{engine}.npz"
            synth[name].append(run_measured(
                [sys.executable, "-c", SYNTHESIS, engine, str(texts_file), str(clips)]
            ))  # fmt: skip
            mp3 = work / f"{article.stem}-{engine}.mp3"
            render[name].append(run_measured(
                [LETTERAUDIO, "render", str(article), "-e", engine, "--deterministic",
                 "--no-cache", "-q", "-o", str(mp3)]
            ))  # fmt: skip
            print(f"  {article.name} turn {turn + 1} {name}: synthesis "
                  f"{synth[name][-1].wall:.2f} s, render {render[name][-1].wall:.2f} s",
                  file=sys.stderr)  # fmt: skip
    from letteraudio.text.segment import Pauses

    lead_tail = (Pauses().lead_in + int(plan["tail_ms"])) / 1000  # type: ignore[call-overload]
    rows = []
    for name, engine in VOICES.items():
        saved = np.load(work / f"{article.stem}-{engine}.npz")
        rate = int(saved["rate"])
        clips = [saved[f"arr_{i}"] for i in range(len(texts))]
        raw = measure(np.concatenate(clips), rate)
        mp3 = work / f"{article.stem}-{engine}.mp3"
        figures = check_figures(mp3)
        seconds = decoded_seconds(mp3)
        audio_seconds = sum(len(c) for c in clips) / rate
        rows.append({
            "text": article.name,
            "voice": name,
            "synthesis wall s": statistics.median(r.wall for r in synth[name]),
            "synthesis CPU s": statistics.median(r.cpu for r in synth[name]),
            "synthesis peak MB": statistics.median(r.peak_mb for r in synth[name]),
            "real-time factor (CPU)": statistics.median(r.cpu for r in synth[name])
            / audio_seconds,
            "render wall s": statistics.median(r.wall for r in render[name]),
            "render CPU s": statistics.median(r.cpu for r in render[name]),
            "render peak MB": statistics.median(r.peak_mb for r in render[name]),
            "WER": word_error_rate(clips, rate, texts),
            "words per minute": spoken_words / ((seconds - lead_tail) / 60),
            "episode s": seconds,
            "raw LUFS": raw.integrated_lufs,
            "raw true peak dBTP": raw.true_peak_dbtp,
            "raw PLR dB": raw.true_peak_dbtp - raw.integrated_lufs,
            "MP3 loudness": figures["loudness"],
            "MP3 true peak": figures["true peak"],
        })  # fmt: skip
    return rows


def table(rows: list[dict[str, object]]) -> str:
    keys = list(rows[0])
    lines = ["| " + " | ".join(["figure", *(f"{r['text']} {r['voice']}" for r in rows)]) + " |"]
    lines.append("|" + "---|" * (len(rows) + 1))
    for key in keys[2:]:
        cells = [f"{r[key]:.3f}" if isinstance(r[key], float) else str(r[key]) for r in rows]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def decision(rows: list[dict[str, object]]) -> str:
    verdicts = []
    for text in dict.fromkeys(str(r["text"]) for r in rows):
        joe, heart = (next(r for r in rows if r["text"] == text and r["voice"] == v)
                      for v in VOICES)  # fmt: skip
        clearer = float(heart["WER"]) <= float(joe["WER"])  # type: ignore[arg-type]
        speedup = float(joe["synthesis CPU s"]) / float(heart["synthesis CPU s"])  # type: ignore[arg-type]
        verdicts.append(clearer and speedup >= 2)
        print(f"{text}: WER heart {heart['WER']:.3f} vs joe {joe['WER']:.3f} "
              f"({'as clear or clearer' if clearer else 'less clear'}); synthesis "
              f"{speedup:.1f}x faster in CPU time", file=sys.stderr)  # fmt: skip
    return "hibari (heart)" if all(verdicts) else "piper (joe)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--text", type=Path, action="append")
    args = parser.parse_args()
    texts = args.text or [t for t in (SEED, OWN_TEXT) if t.is_file()]
    with tempfile.TemporaryDirectory() as folder:
        os.environ["LETTERAUDIO_CACHE_DIR"] = str(Path(folder) / "cache")
        rows = [row for text in texts for row in bench_text(text, args.rounds, Path(folder))]
    print(table(rows))
    print(f"\nThe rule chooses: {decision(rows)}")


if __name__ == "__main__":
    main()
