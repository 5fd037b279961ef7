"""What a first run costs: install size and time, ``--help`` time, peak memory on long texts.

- Install: a fresh virtual environment, ``pip install .`` from pip's local cache (timed),
  then the size of its site-packages, in total and for the ten largest distributions
  (each distribution's files, as its RECORD lists them, measured on disk).
- ``letteraudio --help``: the median wall time of five runs in that environment.
- Peak RSS of a render (the process's own ``ru_maxrss``) with Piper and with hibari, on a
  short text (two lines), the same with one sentence of 97 characters (as much as one call
  of Piper's model speaks) and on long-clause texts written here: one 3,000-character
  paragraph of clauses joined by semicolons, and a 200-row table (one paragraph, rows
  without a full stop). Each peak is printed as a ratio of the short text's. The renders use
  the letteraudio this interpreter imports (``PYTHONPATH`` for a checkout), in turns
  (short, long, table, short, ...), each figure the median of its turns.

Usage, from the repository root::

    .venv/bin/python benchmarks/footprint.py              # install, help and memory
    .venv/bin/python benchmarks/footprint.py --no-install # memory only
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = (
    "river", "window", "morning", "garden", "letter", "station", "winter", "harbour",
    "kitchen", "market", "candle", "meadow", "bridge", "orchard", "lantern", "village",
    "teacher", "painter", "sailor", "baker", "quietly", "slowly", "gladly", "bright",
    "narrow", "golden", "patient", "careful", "distant", "gentle", "walked", "carried",
    "noticed", "folded", "mended", "counted", "painted", "opened", "followed", "answered",
)  # fmt: skip


LONGEST_CALL = (
    "The boats came in before the storm, and the harbour master counted every one of them at "
    "the wall."
)
"""97 characters: as much as one call of Piper's model speaks (``MODEL_CHARS``), the most
any text's peak should need beyond the short one's."""


def clauses(chars: int, rng: random.Random) -> str:
    """One paragraph, one sentence: clauses joined by semicolons, about ``chars`` long."""
    parts: list[str] = []
    while sum(len(p) + 2 for p in parts) < chars:
        words = rng.sample(WORDS, 6)
        parts.append(f"the {words[0]} {words[4]} the {words[1]} by the {words[2]} {words[3]}")
    return "A long morning; " + "; ".join(parts) + ".\n"


def table(rows: int, rng: random.Random) -> str:
    """A plain-text table: a header and ``rows`` rows, one paragraph, no full stop."""
    lines = ["Item | Place | Count | Colour"]
    for n in range(1, rows + 1):
        place, colour = rng.sample(WORDS, 2)
        lines.append(f"Item {n} | {place} | {rng.randint(1, 999)} | {colour}")
    return "\n".join(lines) + "\n"


def distributions(site: Path) -> dict[str, int]:
    """Bytes on disk per distribution, from the files each RECORD lists."""
    sizes: dict[str, int] = {}
    for record in site.glob("*.dist-info/RECORD"):
        name = record.parent.name.split("-")[0]
        total = 0
        for line in record.read_text(encoding="utf-8").splitlines():
            path = site / line.split(",")[0]
            if path.is_file():
                total += path.stat().st_blocks * 512
        sizes[name] = total
    return sizes


def du(path: Path) -> int:
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file())


def install(work: Path, extra: str = "") -> Path:
    venv = work / f"venv{extra}"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    start = time.perf_counter()
    subprocess.run([*pip, f"{ROOT}[{extra}]" if extra else str(ROOT)], check=True)
    took = time.perf_counter() - start
    site = next((venv / "lib").glob("python3*/site-packages"))
    sizes = distributions(site)
    print(f"pip install .{f'[{extra}]' if extra else ''} from the cache: {took:.1f} s", flush=True)
    tools = sum(sizes.get(name, 0) for name in ("pip", "setuptools"))
    print(f"site-packages: {du(site) / 1e6:.0f} MB ({(du(site) - tools) / 1e6:.0f} MB without pip)")
    ranked = sorted(sizes.items(), key=lambda kv: -kv[1])
    for rank, (name, size) in enumerate(ranked):
        if rank < 10 or size > 10e6:
            print(f"  {name:<28} {size / 1e6:7.1f} MB")
    return venv


def help_time(venv: Path) -> None:
    command = [str(venv / "bin" / "letteraudio"), "--help"]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    print(f"letteraudio --help: {statistics.median(times):.2f} s (median of 5)")


def peak_rss_mb(article: Path, engine: str, out: Path) -> float:
    """Peak RSS of one render in a process of its own (no cache: every sentence spoken)."""
    command = [
        sys.executable, "-m", "letteraudio", "render", str(article), "-e", engine,
        "-o", str(out), "--quiet", "--no-cache",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    assert process.stderr is not None
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()}")
    return usage.ru_maxrss / 1024


def memory(work: Path, turns: int, engines: list[str]) -> None:
    rng = random.Random(26)
    texts = {
        "short": "A short letter.\n\nIt has two lines, and this is the second one.\n",
        "100-char sentence": f"A short letter.\n\n{LONGEST_CALL}\n",
        "3000-char clauses": clauses(3000, rng),
        "200-row table": table(200, rng),
    }
    paths = {}
    for name, text in texts.items():
        paths[name] = work / f"{name.split()[0]}.txt"
        paths[name].write_text(text, encoding="utf-8")
    for engine in engines:
        peaks: dict[str, list[float]] = {name: [] for name in texts}
        for _ in range(turns):
            for name, path in paths.items():
                peaks[name].append(peak_rss_mb(path, engine, work / "out.mp3"))
        short = statistics.median(peaks["short"])
        for name in texts:
            peak = statistics.median(peaks[name])
            print(
                f"{engine:<7} {name:<18} peak RSS {peak:6.0f} MB  {peak / short:4.2f}x short",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-install", action="store_true", help="memory only")
    parser.add_argument("--no-memory", action="store_true", help="install and help only")
    parser.add_argument("--extra", action="append", default=[], help="also install .[EXTRA]")
    parser.add_argument("--turns", type=int, default=2, help="renders per text and engine")
    parser.add_argument("--engines", nargs="+", default=["piper", "hibari"])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="footprint-") as folder:
        work = Path(folder)
        if not options.no_install:
            help_time(install(work))
            for extra in options.extra:
                install(work, extra)
        if not options.no_memory:
            memory(work, options.turns, options.engines)


if __name__ == "__main__":
    main()
