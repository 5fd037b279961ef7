"""``render --verify``: each sentence heard after it is spoken, a failing one spoken again
once, what still fails reported in the summary and the episode file, never silently.

Real renders (the bundled voice; the tone fixture engine, whose tones no recognizer hears
as words) and the real recognizer (pocketsphinx, the ``align`` extra).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from audio_probe import require_recognizer
from test_publish import invoke
from test_speech_check import verdicts

import letteraudio as la

HARBOUR = (
    "The fishing boats came back to the harbour before the storm arrived.\n\n"
    "Everyone in the village helped to tie the ropes along the old stone wall.\n"
)
TONES = "The boats came back at noon.\n"


def verify_of(mp3: Path) -> object:
    episode = json.loads(mp3.with_suffix(".episode.json").read_text(encoding="utf-8"))
    return episode.get("verify")


def test_a_clean_render_is_heard_whole_and_the_same_each_run(tmp_path: Path) -> None:
    require_recognizer()
    article = tmp_path / "harbour.txt"
    article.write_text(HARBOUR, encoding="utf-8")
    first, second = tmp_path / "first.mp3", tmp_path / "second.mp3"
    options = ["--verify", "--deterministic", "--no-cache"]
    result = invoke("render", str(article), "-o", str(first), *options)
    assert result.exit_code == 0, result.output
    assert "verify: 2 sentences checked, 0 re-spoken, all say their text" in result.output
    assert verify_of(first) == {"checked": 2, "respoken": 0, "failing": []}
    assert invoke("render", str(article), "-o", str(second), "-q", *options).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_short_headings_and_a_title_are_heard_as_said(tmp_path: Path) -> None:
    """The example's title, "Morning at the Harbour", and a Markdown article's headings
    ("Arrival", "Next year"): clean, each still disagreed after being spoken again (the
    phone recognizer heard a few phones where there were many), while ``check --speech``
    passed the title on the same audio."""
    require_recognizer()
    example = Path(__file__).resolve().parents[1] / "examples" / "morning-harbour.txt"
    article = tmp_path / "short.md"
    article.write_text(
        "# Arrival\n\nThe boats came in before the town woke up.\n\n## Next year\n\n"
        "We will come back in the spring.\n",
        encoding="utf-8",
    )
    for source in (example, article):
        mp3 = tmp_path / f"{source.stem}.mp3"
        result = invoke("render", str(source), "-o", str(mp3), "--verify", "--deterministic")
        assert result.exit_code == 0, result.output
        assert "all say their text" in result.output, result.output
        report = verdicts(mp3)  # what check --speech decides
        assert report.passed, report.lines()


def test_tones_are_spoken_again_and_reported_by_sentence(
    tone_installed: None, tmp_path: Path
) -> None:
    require_recognizer()
    article = la.Article(TONES)
    cache = tmp_path / "cache"
    settings = la.Settings.load(engine="tone", verify=True, cache_dir=str(cache), find=False)
    episode = la.narrate(article, settings, tmp_path / "tones.mp3")
    heard = episode.verification
    assert heard is not None and (heard.checked, heard.respoken) == (1, 1)
    [failing] = heard.failing
    assert failing.expected == "The boats came back at noon." and failing.respoken
    [line] = episode.notes  # a note: shown even with --quiet
    assert not any("verify" in text for text in episode.to_text(1.0))
    assert line.startswith("verify: 1 sentence checked, 1 re-spoken, 1 still disagrees: 0:00 "
                           "expected 'The boats came back at noon.' heard ")  # fmt: skip
    [entry] = verify_of(episode.path)["failing"]  # type: ignore[index]
    assert entry["expected"] == "The boats came back at noon." and entry["time"] == "0:00"
    assert entry["respoken"] is True and entry["aligned"] is False and entry["score"] > 0.5

    # from the cache: the same bytes and the same report; an unverified render of the same
    # article never takes the verified paragraph (nor its second take), nor the other way
    again = la.narrate(article, settings, tmp_path / "again.mp3")
    assert again.path.read_bytes() == episode.path.read_bytes()
    assert again.verification == heard
    plain = la.narrate(article, replace(settings, verify=False), tmp_path / "plain.mp3")
    fresh = la.narrate(article, replace(settings, verify=False, cache_dir=None),
                       tmp_path / "fresh.mp3")  # fmt: skip
    assert plain.verification is None and verify_of(plain.path) is None
    assert plain.path.read_bytes() == fresh.path.read_bytes()


def test_a_paragraph_task_verifies_where_it_runs(tone_installed: None) -> None:
    """What a Dask worker runs (``render_paragraph``) hears its sentences too."""
    require_recognizer()
    settings = la.Settings.load(engine="tone", verify=True, no_cache=True, find=False)
    planned = la.plan(la.Article(TONES), settings)
    [task] = planned.tasks
    assert task.verify
    rendered = la.render_paragraph(task).rendered
    [verdict] = rendered.verdicts
    assert verdict is not None and not verdict.passed and verdict.respoken
    assert la.render_paragraph(replace(task, verify=False)).rendered.verdicts == ()


def test_a_language_without_a_model_is_rendered_unheard_with_a_note(
    tone_installed: None, tmp_path: Path
) -> None:
    require_recognizer()
    article = tmp_path / "bateaux.txt"
    article.write_text("Les bateaux sont rentrés à midi.\n", encoding="utf-8")
    out = tmp_path / "bateaux.mp3"
    result = invoke("render", str(article), "-o", str(out), "--engine", "tone", "--lang", "fr",
                    "--verify", "--no-cache")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Note: the recognizer has no model for fr: --verify skipped" in result.output
    assert "verify:" not in result.output and verify_of(out) is None


def test_without_the_recognizer_it_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "harbour.txt"
    article.write_text(HARBOUR, encoding="utf-8")
    monkeypatch.setitem(sys.modules, "pocketsphinx", None)  # as if not installed
    for more in ([], [str(article)]):  # one article, and a batch
        result = invoke("render", str(article), *more, "-o", str(tmp_path / "out/"), "--verify")
        assert result.exit_code == 2, result.output
        assert result.output.strip().splitlines() == [
            "Error: the speech check needs pocketsphinx: pip install 'letteraudio[align]'"
        ]
    assert not (tmp_path / "out").exists()


def test_a_batch_names_the_article_with_sentences_not_heard_right(
    tone_installed: None, tmp_path: Path
) -> None:
    require_recognizer()
    from letteraudio.render.batch import RENDERED, narrate_many, summary

    source = tmp_path / "tones.txt"
    source.write_text(TONES, encoding="utf-8")
    settings = la.Settings.load(engine="tone", verify=True, no_cache=True, find=False)
    outcomes = list(narrate_many([source], settings, tmp_path / "site"))
    assert [o.status for o in outcomes] == [RENDERED]
    rows, _ = summary(outcomes, 1.0)
    assert rows[1][-1].endswith("tones.mp3 (1 sentence not heard right: see its episode file)")


def test_the_bundled_voice_says_a_sentence_again_differently_and_the_same_each_time() -> None:
    """What --verify asks of an engine with randomness: another take, reproducible."""
    from letteraudio.engines.hibari import HibariEngine

    engine = la.Voice(deterministic=True).build()
    assert isinstance(engine, HibariEngine)
    text = "The boats came back at noon."
    first, again = engine.synthesize_variant(text, 1), engine.synthesize_variant(text, 1)
    assert first.samples.tobytes() == again.samples.tobytes()
    assert first.samples.tobytes() != engine.synthesize(text).samples.tobytes()
