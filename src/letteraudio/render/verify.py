"""``render --verify``: each sentence heard right after it is spoken, in the paragraph step
(so the local map and a Dask worker alike do it), with the speech check's recognizer
(:mod:`letteraudio.speech`, the ``align`` extra, English only).

A sentence whose audio does not say its spoken text is spoken once more, differently,
when its engine can (an engine's optional ``synthesize_variant(text, attempt)``: hibari
another noise seed, Piper a slightly slower pace, both the same every run); the better of
the two is kept, and a sentence still failing is reported, never dropped. An engine
without variants would only say the same again: it is not asked.

The re-spoken clip has its own cache key (the engine's identity with ``variant``), and
the paragraph of a verifying render its own key too (see
:func:`letteraudio.render.paragraph.paragraph_key`), with the verdicts kept beside it: a
verified render never takes an unverified paragraph, nor the other way round.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from letteraudio.render.model import Disagreement, Verdict, Verification
from letteraudio.render.speak import Spoken, Voices, speak_one
from letteraudio.speech import Sentence
from letteraudio.text.segment import Segment
from letteraudio.values import Span

if TYPE_CHECKING:
    from letteraudio.engines import Engine
    from letteraudio.speech import Checker

VARIANT = 1
"""The attempt a re-spoken sentence is (its engine's ``synthesize_variant``)."""
_local = threading.local()


def verify_sentences(
    voices: Voices, voiced: Sequence[Spoken]
) -> tuple[list[Spoken], tuple[Verdict | None, ...]]:
    """Each sentence heard; one that fails spoken again once (when its engine varies) and
    the better kept. The clips to master, and each one's verdict (None: silent)."""
    kept, verdicts = [], []
    for spoken in voiced:
        chosen, verdict = verify_one(voices, spoken)
        kept.append(chosen)
        verdicts.append(verdict)
    return kept, tuple(verdicts)


def verify_one(voices: Voices, spoken: Spoken) -> tuple[Spoken, Verdict | None]:
    """One sentence: heard, spoken again if it fails and its engine can vary, the better kept."""
    if not len(spoken.clip.samples):
        return spoken, None
    checker = _checker()
    first = _hear(checker, spoken)
    if first.passed:
        return spoken, _verdict(first)
    again = _respeak(voices, spoken)
    if again is None:
        return spoken, _verdict(first, heard=checker.recognize(spoken.clip))
    second = _hear(checker, again)
    best, heard = (again, second) if second.badness < first.badness else (spoken, first)
    said = "" if heard.passed else checker.recognize(best.clip)
    return best, _verdict(heard, respoken=True, heard=said)


def _hear(checker: Checker, spoken: Spoken) -> Sentence:
    score, aligned, phones = checker.score(spoken.clip, spoken.segment.text)
    return Sentence(0, 0, spoken.segment.text, score, aligned, phones)


def _verdict(sentence: Sentence, respoken: bool = False, heard: str = "") -> Verdict:
    return Verdict(round(sentence.score, 4), sentence.aligned, sentence.passed, respoken, heard)


def _respeak(voices: Voices, spoken: Spoken) -> Spoken | None:
    """The sentence spoken again by the engine that spoke it, differently (through the
    cache, under its own key); None when that engine cannot vary."""
    engine: Engine | None = voices.engine
    if spoken.speaker != voices.engine.name:
        engine = voices.fallback
    variant = getattr(engine, "synthesize_variant", None)
    if engine is None or not callable(variant):
        return None
    clip, key = speak_one(engine, spoken.segment.text, voices.cache, VARIANT)
    return replace(spoken, clip=clip, key=key)


def _checker() -> Checker:
    """This thread's recognizer (its decoders are not shared between threads)."""
    checker: Checker | None = getattr(_local, "checker", None)
    if checker is None:
        from letteraudio.speech import Checker

        checker = _local.checker = Checker()
    return checker


def verification(
    segments: Sequence[Segment],
    spans: Sequence[Span | None],
    verdicts: Sequence[Verdict | None],
) -> Verification:
    """An episode's verdicts summed up: sentences heard, spoken again, still failing (with
    where they start in the episode, what they should say and what was heard)."""
    heard = [(s, span, v) for s, span, v in zip(segments, spans, verdicts, strict=True)
             if v is not None]  # fmt: skip
    failing = tuple(
        Disagreement(span.start_ms if span else 0, segment.text, v.heard, v.score, v.aligned,
                     v.respoken)
        for segment, span, v in heard if not v.passed
    )  # fmt: skip
    return Verification(len(heard), sum(v.respoken for _, _, v in heard), failing)
