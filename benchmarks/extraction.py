"""How well letteraudio takes the article out of a saved web page.

Scored on the 181 pages of ``../shared/web-bench/`` (ScrapingHub's article extraction
benchmark) with that benchmark's own rule, as its README describes it: tokens are runs of
word characters, a text's shingles are its 4-token windows (counted as a multiset); per
page TP, FP and FN are divided by their sum; precision is the mean over pages with
TP + FP > 0 of TP / (TP + FP) (1 when FP = FN = 0), recall the mean over pages with
TP + FN > 0 of TP / (TP + FN), F1 = 2PR / (P + R) of those means.

What is scored is the written text letteraudio would speak after the title (the
subtitle and every body block, before any normalization for speech), against the
page's ``articleBody``. Compared, on the same pages in the same run:

- ``letteraudio``: ``parse_html`` as ``render`` uses it (trafilatura, then letteraudio's
  own parser when trafilatura returns nothing usable);
- ``trafilatura``: ``trafilatura.extract`` alone, comments off, plain text;
- ``own parser``: letteraudio's own parser alone (the fallback; before issue 13 the
  only reader).

It also prints the pages where each gets nothing, the seconds per page (CPU time of
this process), and how a page nested 20,000 elements deep compares with a flat page
of the same size. The pages are never copied into the project.

Usage, from the repository root::

    .venv/bin/python benchmarks/extraction.py [--pages N] [--worst 10]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "web-bench"
_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter[str]:
    tokens = _TOKEN.findall(text or "")
    return Counter(" ".join(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


def match(truth: str, predicted: str) -> tuple[float, float, float]:
    """(TP, FP, FN) of one page, divided by their sum."""
    expected, got = shingles(truth), shingles(predicted)
    expected.pop("", None)
    got.pop("", None)
    tp = sum((expected & got).values())
    fp = sum((got - expected).values())
    fn = sum((expected - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score(pages: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(F1, precision, recall) over pages, by the benchmark's rule."""

    def ratio(tp: float, other: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else tp / (tp + other)

    precisions = [ratio(tp, fp, fp, fn) for tp, fp, fn in pages if tp + fp > 0]
    recalls = [ratio(tp, fn, fp, fn) for tp, fp, fn in pages if tp + fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def letteraudio_text(html: str) -> str:
    from letteraudio.text.html import parse_html

    return _spoken(parse_html(html))


def own_parser_text(html: str) -> str:
    from letteraudio.text.html import parse_html_own

    return _spoken(parse_html_own(html))


def trafilatura_text(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def _spoken(document: object) -> str:
    subtitle = getattr(document, "subtitle", None)
    paragraphs = getattr(document, "paragraphs", ())
    return "\n\n".join([subtitle, *paragraphs] if subtitle else paragraphs)


EXTRACTORS: dict[str, Callable[[str], str]] = {
    "letteraudio": letteraudio_text,
    "trafilatura": trafilatura_text,
    "own parser": own_parser_text,
}


def load(limit: int | None) -> list[tuple[str, str, str]]:
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        data = gzip.decompress((BENCH / "html" / f"{key}.html.gz").read_bytes())
        pages.append((key, data.decode("utf-8"), truth[key].get("articleBody") or ""))
    return pages


def deep_page_ratio() -> tuple[float, float, int]:
    """Seconds for a page 20,000 elements deep and for a flat page of the same size,
    and how many of the deep page's words came out."""
    from letteraudio.text.html import parse_html

    words = " ".join(f"word{i}" for i in range(400))
    deep = (
        "<html><body><article><p>" + words + "</p>" + "<div>" * 20_000 + "<p>" + words
        + "</p>" + "</div>" * 20_000 + "</article></body></html>"
    )  # fmt: skip
    flat = (
        "<html><body><article><p>" + words + "</p>" + "<div></div>" * 20_000 + "<p>"
        + words + "</p></article></body></html>"
    )  # fmt: skip
    times = {"deep": 0.0, "flat": 0.0}
    kept = 0
    for _ in range(3):
        for name, page in (("deep", deep), ("flat", flat)):
            started = time.process_time()
            document = parse_html(page)
            times[name] += time.process_time() - started
            if name == "deep":
                kept = sum(len(p.split()) for p in document.paragraphs)
    return times["deep"] / 3, times["flat"] / 3, kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, help="only the first N pages")
    parser.add_argument("--worst", type=int, default=0, help="list letteraudio's N worst pages")
    parser.add_argument("--only", choices=sorted(EXTRACTORS), action="append")
    args = parser.parse_args()
    if not (BENCH / "ground-truth.json").exists():
        print(f"no benchmark at {BENCH}", file=sys.stderr)
        return 1
    pages = load(args.pages)
    names = args.only or list(EXTRACTORS)
    for name in names:  # import and warm each extractor outside the timing
        EXTRACTORS[name](pages[0][1])
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    empty: dict[str, list[str]] = {name: [] for name in names}
    seconds = dict.fromkeys(names, 0.0)
    for key, html, truth in pages:
        for name in names:  # in turns, so a busy neighbour slows each alike
            started = time.process_time()
            text = EXTRACTORS[name](html)
            seconds[name] += time.process_time() - started
            results[name].append(match(truth, text))
            if not _TOKEN.search(text):
                empty[name].append(key)
    print(f"{len(pages)} pages of {BENCH}")
    print(f"{'extractor':<12} {'F1':>6} {'precision':>9} {'recall':>7} {'empty':>6} {'s/page':>7}")
    for name in names:
        f1, precision, recall = score(results[name])
        print(
            f"{name:<12} {f1:6.3f} {precision:9.3f} {recall:7.3f} {len(empty[name]):6d} "
            f"{seconds[name] / len(pages):7.3f}"
        )
    for name in names:
        if empty[name]:
            print(f"{name} gets nothing from: {', '.join(k[:12] for k in empty[name])}")
    if args.worst and "letteraudio" in names:
        ranked = sorted(
            zip(pages, results["letteraudio"], strict=True), key=lambda item: item[1][0]
        )
        for (key, _, _), (tp, fp, fn) in ranked[: args.worst]:
            print(f"  {key[:16]}  TP {tp:.2f} FP {fp:.2f} FN {fn:.2f}")
    if "letteraudio" in names:
        deep, flat, kept = deep_page_ratio()
        print(
            f"20,000 levels deep: {deep:.2f} s, flat page of the same size: {flat:.2f} s "
            f"(ratio {deep / flat:.1f}); {kept} of 800 words kept"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
