"""How well, and how fast, letteraudio reads text: sentence boundaries, normalization, and
the time to prepare a 100 KB article.

Prints, from this one run on this machine:

- the English Golden Rules passed (of 48) by letteraudio's splitter and by pySBD alone;
- the normalization table's pass rate, row by row (``tests/reading_cases.py``);
- the CPU time to prepare a 100 KB article (text -> segments, ``build_script``) with this
  checkout and with an earlier revision (``--before``, default ``main``), in alternating
  turns, each the median of its turns; pySBD's own time on the same text; and the time for
  a few long, odd paragraphs.

The article is made here from texts the project owns (the table's sentences, the Golden
Rules, ``examples/``), shuffled with a fixed seed.

Usage, from the repository root after ``pip install -e '.[test]'``::

    .venv/bin/python benchmarks/reading.py
    .venv/bin/python benchmarks/reading.py --before main --turns 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from golden_rules import GOLDEN_RULES  # noqa: E402
from reading_cases import TABLE  # noqa: E402

ARTICLE_BYTES = 100_000
MAX_CHARS = 500  # Piper's segment limit

PATHOLOGICAL = {
    '50 KB of "U.S. "': "U.S. " * 10_000,
    '30 KB of "1. "': "1. " * 10_000,
    "60 KB quotation of short sentences": '"' + "This is it. " * 5_000 + '"',
}

_TIMER = """
import sys, time
from letteraudio.render.plan import build_script
from letteraudio.text.segment import Pauses
text = open(sys.argv[1], encoding="utf-8").read()
build_script("Warm up. It has 12 rooms.", {limit}, Pauses())
start = time.process_time()
script = build_script(text, {limit}, Pauses())
print(time.process_time() - start, len(script.segments))
"""


def article(size: int = ARTICLE_BYTES) -> str:
    """About ``size`` bytes of paragraphs of five sentences, from the project's own texts."""
    pool = [written for cases in TABLE.values() for written, _ in cases]
    pool += [text for text, _ in GOLDEN_RULES]
    for example in sorted((ROOT / "examples").glob("*.txt")):
        pool += [line for line in example.read_text(encoding="utf-8").splitlines() if line]
    rng = random.Random(12)
    paragraphs: list[str] = []
    while sum(len(p.encode()) + 2 for p in paragraphs) < size:
        paragraphs.append(" ".join(rng.choice(pool) for _ in range(5)))
    return "Reading Bench\n\n" + "\n\n".join(paragraphs) + "\n"


def golden() -> tuple[int, list[int], int]:
    """(letteraudio's passes, its failing rule numbers, pySBD's passes)."""
    import pysbd

    from letteraudio.text.segment import sentences

    segmenter = pysbd.Segmenter(language="en", clean=False)
    ours = [n for n, (text, want) in enumerate(GOLDEN_RULES, 1) if sentences(text) == want]
    theirs = sum(
        [s.strip() for s in segmenter.segment(text)] == want for text, want in GOLDEN_RULES
    )
    failed = [n for n in range(1, len(GOLDEN_RULES) + 1) if n not in ours]
    return len(ours), failed, theirs


def table_rows() -> list[tuple[str, int, int]]:
    from letteraudio.text.normalize import normalize_text

    return [
        (row, sum(normalize_text(w) == said for w, said in cases), len(cases))
        for row, cases in TABLE.items()
    ]


def _source_of(revision: str, into: Path) -> Path:
    """The ``src`` folder of ``revision``, exported with git archive."""
    archive = into / "src.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), revision, "src"],
                   check=True)  # fmt: skip
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _timed(source: Path, text_file: Path) -> tuple[float, int]:
    """CPU seconds to prepare the article with the code in ``source`` (a process of its own)."""
    code = _TIMER.format(limit=MAX_CHARS)
    environment = {"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code, str(text_file)], capture_output=True,
                          text=True, check=True, env=environment)  # fmt: skip
    seconds, segments = done.stdout.split()
    return float(seconds), int(segments)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--before", default="main", help="revision to compare with (git)")
    options.add_argument("--turns", type=int, default=3, help="turns of each (alternating)")
    given = options.parse_args()

    passed, failed, pysbd_passed = golden()
    print(f"Golden Rules (of {len(GOLDEN_RULES)}): letteraudio {passed}, pySBD {pysbd_passed}"
          + (f"; letteraudio fails {failed}" if failed else ""))  # fmt: skip
    print("\nNormalization table (tests/reading_cases.py):")
    for row, good, total in table_rows():
        print(f"  {row:<28} {good:>2}/{total:<2} {100 * good / total:5.1f} %")

    text = article()
    with tempfile.TemporaryDirectory() as folder:
        text_file = Path(folder) / "article.txt"
        text_file.write_text(text, encoding="utf-8")
        before = _source_of(given.before, Path(folder))
        after = ROOT / "src"
        turns: dict[str, list[float]] = {"before": [], "after": []}
        counts: dict[str, int] = {}
        for _ in range(given.turns):
            for name, source in (("before", before), ("after", after)):
                seconds, counts[name] = _timed(source, text_file)
                turns[name].append(seconds)
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False)
    start = time.process_time()
    for paragraph in text.split("\n\n"):
        segmenter.segment(paragraph)
    pysbd_seconds = time.process_time() - start
    size = len(text.encode())
    print(f"\nPrepare a {size / 1000:.0f} KB article (text -> segments), CPU seconds, median of "
          f"{given.turns} alternating turns:")  # fmt: skip
    for name in ("before", "after"):
        label = f"{name} ({given.before})" if name == "before" else "after (this checkout)"
        print(f"  {label:<24} {statistics.median(turns[name]):6.2f} s  "
              f"{counts[name]:>5} segments")  # fmt: skip
    ratio = statistics.median(turns["after"]) / max(statistics.median(turns["before"]), 1e-9)
    print(f"  after / before           {ratio:6.2f}")
    print(f"  pySBD alone, same text   {pysbd_seconds:6.2f} s")
    print("\nOne long paragraph (pySBD's time grows faster than the text; it gets windows):")
    from letteraudio.text.segment import sentences

    for name, paragraph in PATHOLOGICAL.items():
        start = time.process_time()
        sentences(paragraph)
        print(f"  {name:<34} {time.process_time() - start:6.2f} s")


if __name__ == "__main__":
    main()
