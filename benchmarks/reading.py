"""How well, and how fast, letteraudio reads text: sentence boundaries, normalization, and
the time to prepare a 100 KB article.

Prints, from this one run on this machine:

- the English Golden Rules passed (of 48) by letteraudio's splitter and by pySBD alone;
- the normalization table's pass rate, row by row (``tests/reading_cases.py``);
- the dev set in ``../shared/tn-bench`` when it is there (skipped with a message when
  not): the share of its Wikipedia sentences read acceptably (of those its reference
  normalizer changed, and of all) by the lenient rule of its README, the named variant
  classes with their counts, the share of spoken sentences that still hold a digit or a
  symbol a voice would read its own way, the sentences with a doubled word, and the 95
  short cases;
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
import collections
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from golden_rules import GOLDEN_RULES  # noqa: E402
from reading_cases import TABLE  # noqa: E402

TN_BENCH = Path(os.environ.get("TN_BENCH", ROOT.parent / "shared" / "tn-bench"))
ARTICLE_BYTES = 100_000
MAX_CHARS = 500  # Piper's segment limit

PATHOLOGICAL = {
    '50 KB of "U.S. "': "U.S. " * 10_000,
    '30 KB of "1. "': "1. " * 10_000,
    "60 KB quotation of short sentences": '"' + "This is it. " * 5_000 + '"',
}

_TIMER = """
import sys, time
try:
    from letteraudio.render.plan import build_script
except ImportError:  # a revision from before the render package
    from letteraudio.pipeline import build_script
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


# --- the dev set (../shared/tn-bench) ---------------------------------------------------

LEFT_FOR_THE_VOICE = re.compile(r"[\d#%&=+/<>@^~|]")
"""What a voice would read its own way: a digit or one of these symbols."""
_MONTH_NAMES = ("january|february|march|april|may|june|july|august|september|october|"
                "november|december")  # fmt: skip
_NUMBER_WORD = (
    r"(?:zero|o|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion)"
)


def untokenized(text: str) -> str:
    """A tn-bench sentence as an article would have it (its README): no space before
    punctuation or after an opening bracket or quote; two back-quotes are a quote mark,
    opening and closing in turn."""
    quotes = iter(range(text.count("``")))
    text = re.sub(r"\s?``\s?", lambda m: ' "' if next(quotes) % 2 == 0 else '" ', text)
    text = re.sub(r"\b(https?) : //", r"\1://", text.strip())
    text = re.sub(r" (?=[,.;:!?)\]%])", "", text)
    text = re.sub(r"(?<=[(\[$#]) ", "", text)
    return re.sub(r" (?=n't\b|'s\b)", "", text)


def lenient(text: str) -> str:
    """The README's rule: lower case, hyphens as spaces, no punctuation, runs of single
    letters joined ("p m" = "pm"; before "and" goes, so "a t m and a t r" stays two
    words), no "and", "oh" = "o", white space collapsed."""
    words = re.sub(r"[^\w\s]", "", text.lower().replace("-", " ")).split()
    joined: list[str] = []
    single = False
    for word in words:
        if len(word) == 1 and single:
            joined[-1] += word
        else:
            joined.append(word)
        single = len(word) == 1
    return " ".join("o" if w == "oh" else w for w in joined if w != "and")


_US_SPELLING = (
    (r"our(?=(?:s|ed|ing|ite|ites|able|ably|ful|less|er|ers|hood|hoods)?$)", "or"),
    (r"(?<=[^e])is(?=(?:e|es|ed|ing|er|ers|ation|ations|ational)$)", "iz"),
    (r"ys(?=(?:e|es|ed|ing)$)", "yz"), (r"(?<=[^aeiou])re(?=s?$)", "er"),
    (r"(?<=[^aeiou])red$", "ered"), (r"ll(?=(?:ed|ing|er|ers)$)", "l"),
    (r"ogue(?=s?$)", "og"), (r"ence(?=s?$)", "ense"), (r"ae", "e"), (r"oe", "e"),
    (r"mme(?=s?$)", "m"), (r"^okay$", "ok"),
)  # fmt: skip


def _spelling(written: str, reference: str) -> str:
    """Kestrel's British-to-American spelling changes (colour -> color; "etcetera"):
    not reading at all, so the written spelling is put back in its answer."""
    reference = reference.replace("etcetera", "et cetera").replace("hash tag", "hashtag")
    back = {}
    for word in set(lenient(written).split()):
        us = word
        for british, american in _US_SPELLING:
            us = re.sub(british, american, us)
        if us != word:
            back[us] = word
    return re.sub(r"[A-Za-z]+", lambda m: back.get(m.group(0).lower(), m.group(0)), reference)


def _month_first(written: str, reference: str) -> str:
    """A date written month first or in figures (``2008-09-30``, ``Jan. 5``) is read
    month first in the US ("September thirtieth"), where Kestrel says "the thirtieth of
    September"; one written day first (``30 September``) keeps Kestrel's order."""
    if re.search(r"\d(?:st|nd|rd|th)?\s+(?:of\s+)?(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|"
                 r"nov|dec)", written):  # fmt: skip
        return reference
    return re.sub(rf"\bthe ((?:\w+ )?\w+(?:st|nd|rd|th)) of ({_MONTH_NAMES})\b", r"\2 \1",
                  reference)  # fmt: skip


def _ranges(written: str, reference: str) -> str:
    """A range of figures (``25 - 26``, ``p. 323-333``) is read "twenty-five to
    twenty-six"; Kestrel often leaves the dash, which says nothing."""
    if not re.search(r"\d\s?[-\u2013]\s?\d", written):
        return reference
    return re.sub(rf"\b({_NUMBER_WORD}) (?:-|minus) (?={_NUMBER_WORD}\b)", r"\1 to ", reference)


def _pages(written: str, reference: str) -> str:
    """``p. 56`` and ``pp.`` are "page fifty-six" and "pages"; Kestrel spells "p" and
    "p p"."""
    if not re.search(r"\bpp?\.?\s?\d|\bpp\.", written):
        return reference
    reference = re.sub(r"\bp p\b|\bpp\b", "pages", reference)
    reference = re.sub(rf"\bp\.? (?=(?:{_NUMBER_WORD} )+(?:to|-) {_NUMBER_WORD})", "pages ",
                       reference)  # fmt: skip
    return re.sub(rf"\bp\.? (?={_NUMBER_WORD})", "page ", reference)


def _article_before_letters(written: str, reference: str) -> str:
    """Scoring, not reading: where Kestrel spells an initialism after "a" ("a c b e"),
    the lenient rule would join the article to its letters ("acbe")."""

    def joined(match: re.Match[str]) -> str:
        return f"{match.group(1)} {match.group(2).replace(' ', '')}"

    return re.sub(r"\b([Aa]) ((?:[a-z] )+[a-z])\b", joined, reference)


def _domain_words(written: str, reference: str) -> str:
    """A web address's name is said as written ("datocapital dot com"); Kestrel cuts it
    into words ("dato capital")."""
    for name in re.findall(r"\b([A-Za-z]{4,})\.(?:com|org|net|edu|gov|co|tv)\b", written):
        spaced = r"\s?".join(re.escape(c) for c in name.lower())
        reference = re.sub(rf"\b{spaced}\b", name.lower(), reference, flags=re.IGNORECASE)
    return reference


def _catalogue(written: str, reference: str) -> str:
    """A catalogue or serial number (``ISBN 1931599203``, ``PMID 10667370``) is read
    figure by figure; Kestrel reads some as one large number ("one billion nine
    hundred ...")."""
    from letteraudio.text.numbers import cardinal, digits

    found = re.findall(r"\b(?:ISBN|ISSN|PMID|JSTOR|OCLC|LCCN|PIN|ASIN)[\s:]*(\d{5,})\b", written)
    for figure in found:
        reference = reference.replace(cardinal(figure).replace("-", " "), digits(figure))
    return reference


def _zero(written: str, reference: str) -> str:
    """A 0 among figures read one by one (a code, an ISBN) is "zero" in careful US
    narration, where Kestrel says "o"."""
    if "0" not in written:
        return reference
    return re.sub(r"\b(?:o|oh)\b", "zero", reference)


def _letters_plural(written: str, reference: str) -> str:
    """Letters with a plural or possessive ("D V D's"): the letters as one word with its
    s, as the lenient rule joins them elsewhere."""
    return re.sub(r"\b((?:[a-z] )+[a-z])'s\b", lambda m: m.group(1).replace(" ", "") + "s",
                  reference)  # fmt: skip


def _lists() -> dict[str, dict[str, Any]]:
    """letteraudio's abbreviation lists (an earlier revision, scored with ``--before``,
    may have fewer of them)."""
    from letteraudio.text import abbreviations

    names = ("ABBREVIATIONS", "AFTER_A_NAME", "BEFORE_A_NAME", "BEFORE_A_NUMBER", "BEFORE_A_YEAR",
             "STATES")  # fmt: skip
    return {name: dict(getattr(abbreviations, name, {})) for name in names}


def _in_full(written: str, reference: str) -> str:
    """An abbreviation from letteraudio's lists (``Co.``, ``Lt.``, ``Ft.``, ``Rep.``, ``Ltd``,
    a state after a city) is said in full, where Kestrel leaves it as written or spells
    its letters."""
    lists = _lists()
    for short, said in lists["BEFORE_A_YEAR"].items():  # "c. 1400": circa, only before a year
        if re.search(rf"(?<![\w.]){re.escape(short)}\s?\d{{3,4}}", written):
            pattern = rf"\b{re.escape(short.rstrip('.'))}\.? (?={_NUMBER_WORD})"
            reference = re.sub(pattern, f"{said} ", reference)
    table = {
        **lists["ABBREVIATIONS"],
        **lists["AFTER_A_NAME"],
        **lists["BEFORE_A_NAME"],
        **lists["STATES"],
    }
    for written_form, said in table.items():
        if re.search(rf"(?<![\w.]){re.escape(written_form)}", written):
            short = written_form.rstrip(".").lower()
            spelled = " ".join(short.replace(".", ""))
            pattern = rf"\b(?:{re.escape(short)}|{re.escape(spelled)})\b"
            reference = re.sub(pattern, said.lower(), reference, flags=re.IGNORECASE)
    return reference


def _per_one(written: str, reference: str) -> str:
    """ "per square kilometer": the unit after "per" is singular (Kestrel says "per square
    kilometers")."""
    return re.sub(r"\bper (square |cubic )?(\w+?)s\b", r"per \1\2", reference)


def _twenty_ten(written: str, reference: str) -> str:
    """A year from 2010 on is "twenty thirteen" in US speech as often as "two thousand
    thirteen"."""
    if not re.search(r"(?<!\d)20[1-9]\d(?!\d)", written):
        return reference
    return re.sub(r"\btwo thousand (?=(?:ten|eleven|twelve|\w+teen|twenty|thirty|forty|fifty|"
                  r"sixty|seventy|eighty|ninety)\b)", "twenty ", reference)  # fmt: skip


def _unspaced_reference(written: str, reference: str) -> str:
    """A reference written against its figure (``p.267``, ``c.1400``, ``d.1934``) is a
    page, circa or died with its number; Kestrel reads it as a decimal ("p point two six
    seven")."""
    from letteraudio.text.numbers import cardinal, year

    lists = _lists()
    before_number, before_year = lists["BEFORE_A_NUMBER"], lists["BEFORE_A_YEAR"]

    for short, figure in re.findall(r"(?<![\w.])(pp?|c|ca|b|d)\.(\d+)\b", written):
        said = [d if d != "zero" else "o" for d in _digit_words(figure)]
        if f"{short}." in before_year and len(figure) == 4:
            spoken = f"{before_year[short + '.']} {year(figure)}"
        elif f"{short}." in before_number:
            spoken = f"{before_number[short + '.'][0]} {cardinal(figure)}"
        else:
            continue
        pattern = r"\b" + r"\s?".join(short) + r"\.? point " + " ".join(said) + r"\b"
        reference = re.sub(pattern, spoken.replace("-", " "), reference)
    return reference


def _digit_words(figure: str) -> list[str]:
    from letteraudio.text.numbers import digits

    return digits(figure).split()


def _minus(written: str, reference: str) -> str:
    """A negative number is "minus five" as often as "negative five" in US speech."""
    return re.sub(r"\bnegative (?=\w)", "minus ", reference)


def _zip_code(written: str, reference: str) -> str:
    """A ZIP code (``ZIP code 26278``) is read figure by figure; Kestrel reads it as one
    large number ("twenty six thousand ...")."""
    from letteraudio.text.numbers import cardinal, digits

    for figure in re.findall(
        r"\b(?:ZIP|[Zz]ip|[Pp]ostal)(?: [Cc]ode)?(?: is|:)? (\d{5})\b", written
    ):
        reference = reference.replace(cardinal(figure).replace("-", " "), digits(figure))
    return reference


def _attributive_unit(written: str, reference: str) -> str:
    """An amount or a measure between "a" and its noun (``a $133,000 grant``, ``a 5 km
    race``) takes its unit in the singular: "a ... dollar grant"; Kestrel says "dollars
    grant"."""
    if not re.search(r"\b[Aa]n? (?:US|A|C)?[$\u00a3\u20ac]?[\d.,]+\s?[A-Za-z]*\.? [a-z]", written):
        return reference
    units = r"dollar|pound|euro|rupee|\w*meter|\w*gram|ounce|mile|liter|foot|inch|acre|ton|watt"
    return re.sub(rf"\b({units})s (?=[a-z])", r"\1 ", reference)


VARIANTS: dict[str, Callable[[str, str], str]] = {
    "US month-first dates": _month_first,
    "ranges said with 'to'": _ranges,
    "page and pages": _pages,
    "minus for negative": _minus,
    "a reference against its figure (p.267)": _unspaced_reference,
    "twenty ten for two thousand ten": _twenty_ten,
    "catalogue numbers figure by figure": _catalogue,
    "zero, not oh, in figures": _zero,
    "letters with a plural": _letters_plural,
    "a web address's name as written": _domain_words,
    "the article a before spelled letters (scoring)": _article_before_letters,
    "abbreviations said in full": _in_full,
    "a singular unit after per": _per_one,
    "a singular unit before its noun (a $5 fee)": _attributive_unit,
    "ZIP codes figure by figure": _zip_code,
    "spelling (Kestrel's British to US)": _spelling,
}
"""Where a US narrator reads it otherwise than Kestrel: each applied by rule to Kestrel's
answer (the lenient form is compared after it), and counted where it was needed."""


def judged(written: str, spoken: str, reference: str) -> tuple[bool, list[str]]:
    """(read acceptably, the variant classes it needed)."""
    said = lenient(spoken)
    if said == lenient(reference):
        return True, []
    used = []
    for name, variant in VARIANTS.items():
        changed = variant(written, reference)
        if lenient(changed) != lenient(reference):
            used.append(name)
            reference = changed
    return lenient(reference) == said, used


_NUMBER_WORDS = re.compile(
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|\w+ty|"
    r"hundred|thousand|million|billion|first|second|third|\w+th|point|oh|o)(?:-\w+)?$"
)


def _doubled(written: str, spoken: str) -> bool:
    """The same word twice in a row in the spoken text, where the written text has no
    such pair; figures read one by one ("four point four four") are not doubled words."""

    def pairs(text: str) -> set[str]:
        words = re.findall(r"[a-z'-]+", text.lower())
        return {a for a, b in itertools.pairwise(words) if a == b}

    return any(not _NUMBER_WORDS.match(word) for word in pairs(spoken) - pairs(written))


def speak_sentence(text: str) -> str:
    """What the voice gets for a sentence as an article holds it: cut by the splitter,
    each piece normalized."""
    from letteraudio.text.normalize import normalize_text
    from letteraudio.text.segment import spoken_pieces

    return " ".join(said for _, said, _ in spoken_pieces(text, 100_000, normalize_text))


def tn_bench(folder: Path = TN_BENCH, show: int = 0) -> dict[str, object] | None:
    """The dev set's figures, or None when it is absent."""
    sentences_file, cases_file = folder / "googletn.jsonl", folder / "wetext_cases.jsonl"
    if not sentences_file.exists():
        return None
    rows = [json.loads(line) for line in sentences_file.read_text(encoding="utf-8").splitlines()]
    variants: collections.Counter[str] = collections.Counter()
    changed = good = good_changed = holding = doubled = 0
    wrong: list[tuple[str, str, str]] = []
    for row in rows:
        written, reference = untokenized(row["text"]), untokenized(row["gt_normalized"])
        spoken = speak_sentence(written)
        ok, used = judged(written, spoken, reference)
        is_changed = row["text"] != row["gt_normalized"]
        changed += is_changed
        good += ok
        good_changed += ok and is_changed
        variants.update(used if ok else [])
        holding += bool(LEFT_FOR_THE_VOICE.search(spoken))
        doubled += _doubled(written, spoken)
        if not ok:
            wrong.append((written, spoken, reference))
    short = [json.loads(line) for line in cases_file.read_text(encoding="utf-8").splitlines()]
    short_good = 0
    for case in short:
        ok, used = judged(case["written"], speak_sentence(case["written"]), case["spoken"])
        short_good += ok
    return {"sentences": len(rows), "changed": changed, "good": good,
            "good_changed": good_changed, "variants": variants, "holding": holding,
            "doubled": doubled, "short": len(short), "short_good": short_good,
            "wrong": wrong[:show]}  # fmt: skip


def print_tn_bench(show: int = 0) -> None:
    found = tn_bench(show=show)
    if found is None:
        print(f"\nDev set: skipped ({TN_BENCH} is absent).")
        return
    n, changed = int(found["sentences"]), int(found["changed"])  # type: ignore[call-overload]
    print(f"\nDev set ({TN_BENCH.name}: {n} Wikipedia sentences, {changed} changed by Kestrel):")
    print(f"  changed sentences read acceptably  {100 * found['good_changed'] / changed:5.1f} %"  # type: ignore[operator]
          f"  ({found['good_changed']}/{changed})")  # fmt: skip
    print(f"  all sentences read acceptably      {100 * found['good'] / n:5.1f} %"  # type: ignore[operator]
          f"  ({found['good']}/{n})")  # fmt: skip
    print(f"  spoken holding a digit or symbol   {100 * found['holding'] / n:5.2f} %"  # type: ignore[operator]
          f"  ({found['holding']}/{n})")  # fmt: skip
    print(f"  spoken with a doubled word         {found['doubled']}")
    print(f"  short cases (wetext)               {found['short_good']}/{found['short']}")
    print("  variant classes (sentences that needed each):")
    for name, count in sorted(found["variants"].items(), key=lambda v: -v[1]):  # type: ignore[attr-defined]
        print(f"    {name:<48} {count:>4}")
    for written, spoken, reference in found["wrong"]:  # type: ignore[attr-defined]
        print(f"\n  written  {written}\n  said     {spoken}\n  Kestrel  {reference}")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--before", default="main", help="revision to compare with (git)")
    options.add_argument("--turns", type=int, default=3, help="turns of each (alternating)")
    options.add_argument("--show", type=int, default=0, help="dev-set sentences read wrong to show")
    options.add_argument("--dev-only", action="store_true", help="only the dev set")
    given = options.parse_args()
    print_tn_bench(given.show)
    if given.dev_only:
        return

    passed, failed, pysbd_passed = golden()
    print(f"Golden Rules (of {len(GOLDEN_RULES)}): letteraudio {passed}, pySBD {pysbd_passed}"
          + (f"; letteraudio fails {failed}" if failed else ""))  # fmt: skip
    print("\nNormalization table (tests/reading_cases.py):")
    for row, good, total in table_rows():
        print(f"  {row:<42} {good:>2}/{total:<2} {100 * good / total:5.1f} %")

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
