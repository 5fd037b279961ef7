"""Real documents read whole, and what each of letteraudio's rules around trafilatura
costs or gains, language by language.

1. Over the project's document corpus (``tests/fixtures/documents``, written for the
   project: see ``tests/document_corpus.py``): for each document, its body words and
   how many are neither in a segment's written text nor listed as dropped (lost
   silently; must be 0).
2. Recall (and F1) of the article text, by the web bench's rule (see
   ``benchmarks/extraction.py``), per language: on the corpus's news pages (en, de, fr,
   es, pl, each with its text in ``news-LANG.body.txt``) and, with ``--web``, on the
   pages of ``../shared/web-bench`` grouped by the language their ``<html lang>``
   declares. Measured for trafilatura alone, for letteraudio as it reads, and for
   letteraudio with each of its rules switched off in turn; a rule is kept only when
   switching it off raises recall in no language (the last column says so).

"Not part of the article" only lists what is not spoken; it changes no spoken text,
so it has no recall of its own to measure.

Usage, from the repository root::

    .venv/bin/python benchmarks/documents.py [--web]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from document_corpus import DOCUMENTS, LANGUAGES, body_words, corpus, lost_silently  # noqa: E402
from extraction import BENCH, match, score, trafilatura_text  # noqa: E402

_LANG = re.compile(r"<html[^>]*\slang=[\"']?([A-Za-z]{2,3})", re.I)


def _reasons(*names: str) -> Callable[[], Any]:
    from letteraudio.text import webclutter

    return lambda: tuple(r for r in webclutter._REASONS if r[1] not in names)


RULES: dict[str, tuple[str, str, Callable[[], Any]]] = {
    # name: (module, attribute, what replaces it while the rule is off)
    "related links": ("webclutter", "_REASONS", _reasons("related links")),
    "reading time": ("webclutter", "_REASONS", _reasons("reading time")),
    "tag list": ("webclutter", "_REASONS", _reasons("tag list")),
    "author box": ("webclutter", "_REASONS", _reasons("author box")),
    "own container": ("html", "_article_root", lambda: lambda soup: soup.body or soup),
    "clutter classes": ("html", "_CLUTTER_CLASS", lambda: re.compile(r"(?!)")),
    "headings, terms back": ("html", "_restored", lambda: lambda blocks, own: blocks),
    "badges, contents, tables": ("html", "_remove_furniture", lambda: lambda soup: []),
}


@contextmanager
def without(rule: str | None) -> Iterator[None]:
    """letteraudio with ``rule`` switched off (None: as it is)."""
    if rule is None:
        yield
        return
    import importlib

    module_name, attribute, replacement = RULES[rule]
    module = importlib.import_module(f"letteraudio.text.{module_name}")
    kept = getattr(module, attribute)
    setattr(module, attribute, replacement())
    try:
        yield
    finally:
        setattr(module, attribute, kept)


def letteraudio_text(html: str) -> str:
    from letteraudio.text.html import parse_html

    document = parse_html(html)
    blocks = [document.subtitle] if document.subtitle else []
    return "\n\n".join([*blocks, *document.paragraphs])


def news_pages() -> dict[str, list[tuple[str, str]]]:
    """{language: [(page, its article's text)]} of the corpus."""
    return {
        lang: [
            (
                (DOCUMENTS / f"news-{lang}.html").read_text(encoding="utf-8"),
                (DOCUMENTS / f"news-{lang}.body.txt").read_text(encoding="utf-8"),
            )
        ]
        for lang in LANGUAGES
    }


def web_pages() -> dict[str, list[tuple[str, str]]]:
    """{language: [(page, its article's text)]} of the web bench, by declared language."""
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    pages: dict[str, list[tuple[str, str]]] = {}
    for key in sorted(truth):
        html = gzip.decompress((BENCH / "html" / f"{key}.html.gz").read_bytes()).decode()
        found = _LANG.search(html[:5000])
        lang = found.group(1).lower() if found else "?"
        pages.setdefault(lang, []).append((html, truth[key].get("articleBody") or ""))
    return pages


def recall_table(title: str, pages: dict[str, list[tuple[str, str]]], least: int) -> None:
    languages = [lang for lang in sorted(pages) if len(pages[lang]) >= least]
    print(f"\n{title}: recall (F1) per language; pages: "
          + ", ".join(f"{lang} {len(pages[lang])}" for lang in languages))  # fmt: skip
    print(f"{'':<34}" + "".join(f"{lang:>14}" for lang in languages) + "   verdict")
    base: dict[str, float] = {}
    rows: list[tuple[str, Callable[[str], str], str | None]] = [
        ("trafilatura alone", trafilatura_text, None),
        ("letteraudio", letteraudio_text, None),
        *((f"  without {rule}", letteraudio_text, rule) for rule in RULES),
    ]
    for name, extract, rule in rows:
        cells, lower = [], []
        with without(rule):
            for lang in languages:
                f1, _, recall = score([match(truth, extract(html)) for html, truth in pages[lang]])
                cells.append(f"{recall:7.3f} ({f1:.3f})")
                if name == "letteraudio":
                    base[lang] = recall
                elif rule is not None and recall > base[lang] + 1e-9:
                    lower.append(lang)
        verdict = ""
        if rule is not None:
            verdict = f"rule costs recall in {', '.join(lower)}" if lower else "keep"
        print(f"{name:<34}" + "".join(f"{cell:>14}" for cell in cells) + f"   {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--web", action="store_true", help="also the web bench, by language")
    parser.add_argument("--least", type=int, default=3, help="web bench: fewest pages a language")
    args = parser.parse_args()
    print(f"{'document':<16} {'body words':>10} {'lost silently':>14}")
    total = 0
    for path in corpus():
        lost = lost_silently(path)
        total += len(lost)
        shown = f"  ({', '.join(sorted(lost)[:8])})" if lost else ""
        print(f"{path.name:<16} {len(body_words(path)):>10} {len(lost):>14}{shown}")
    print(f"{'all':<16} {'':>10} {total:>14}")
    recall_table("The corpus's news pages", news_pages(), 1)
    if args.web:
        if not (BENCH / "ground-truth.json").exists():
            print(f"no web bench at {BENCH}", file=sys.stderr)
            return 1
        recall_table("The web bench", web_pages(), args.least)
    return 0


if __name__ == "__main__":
    sys.exit(main())
