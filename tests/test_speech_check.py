"""``check --speech``: a clean render passes; audio that does not say the script fails.

Real renders with the default voice, decoded and recognized by pocketsphinx (the
``align`` extra). The broken sentences are made on purpose from the clean audio:
another sentence's audio in its place, its first half only, its audio reversed.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile
from audio_probe import require_recognizer
from test_publish import invoke, render

from letteraudio.engines import EngineSettings, create_engine
from letteraudio.publish.episode import EpisodeInfo
from letteraudio.speech import Checker, Sentence, SpeechReport, check_speech, decode
from letteraudio.values import Clip

HARBOUR = (
    "The fishing boats came back to the harbour before the storm arrived.\n\n"
    "Everyone in the village helped to tie the ropes along the old stone wall.\n\n"
    "By midnight the wind had turned, and the sea was calm again under the moon.\n"
)
MOUNTAIN = (
    "Our train climbed slowly through the forest toward the snowy mountain pass.\n\n"
    "A conductor with a red cap walked along the carriages selling hot coffee.\n\n"
    "When we reached the top, the whole valley was shining in the morning light.\n"
)


@pytest.fixture(scope="module")
def episodes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    require_recognizer()
    folder = tmp_path_factory.mktemp("speech")
    made = []
    for name, text in (("harbour", HARBOUR), ("mountain", MOUNTAIN)):
        article = folder / f"{name}.txt"
        article.write_text(text, encoding="utf-8")
        render(article, folder / f"{name}.mp3", "--deterministic")
        made.append(folder / f"{name}.mp3")
    return made[0], made[1]


def cues_of(mp3: Path) -> list[tuple[int, int, str]]:
    episode = mp3.with_suffix(".episode.json")
    info = EpisodeInfo.from_json(episode.read_text(encoding="utf-8"), episode)
    return [(c.start_ms, c.end_ms, c.spoken or c.text) for c in info.cues]


def verdicts(mp3: Path) -> SpeechReport:
    """What ``check --speech`` decides of an episode: each cue of its episode file heard
    in its language, as the command hears them. Left out: the words a free recognizer
    makes of the worst few sentences (over a second each), which the command only shows;
    a sentence passes or fails on its score alone. The command itself is run above."""
    episode = mp3.with_suffix(".episode.json")
    info = EpisodeInfo.from_json(episode.read_text(encoding="utf-8"), episode)
    return check_speech(mp3, cues_of(mp3), info.language, show=0)


def test_a_clean_render_passes(episodes: tuple[Path, Path]) -> None:
    harbour, _ = episodes
    result = invoke("check", "--speech", str(harbour))
    assert result.exit_code == 0, result.output
    assert "3 of 3 sentences say the script" in result.output
    article = harbour.with_suffix(".txt")
    assert invoke("check", "--speech", str(harbour), "--text", str(article)).exit_code == 0


def test_another_articles_audio_fails_naming_its_sentences(
    episodes: tuple[Path, Path], tmp_path: Path
) -> None:
    harbour, mountain = episodes
    impostor = tmp_path / "harbour.mp3"
    shutil.copy(mountain, impostor)  # the mountain's audio under the harbour's script
    shutil.copy(harbour.with_suffix(".episode.json"), tmp_path / "harbour.episode.json")
    result = invoke("check", "--speech", str(impostor))
    assert result.exit_code == 1, result.output
    assert "0 of 3 sentences" in result.output
    assert "FAIL" in result.output and "tie the ropes along the old stone wall" in result.output
    report = json.loads(invoke("check", "--speech", str(impostor), "--json").output)
    assert report["passed"] is False and len(report["sentences"]) == 3


def test_a_swapped_truncated_or_reversed_sentence_is_caught(
    episodes: tuple[Path, Path], tmp_path: Path
) -> None:
    harbour, mountain = episodes
    samples, rate = decode(harbour)
    other, _ = decode(mountain)
    cues = cues_of(harbour)
    (a0, a1, _), (b0, b1, _), (c0, c1, _) = ((s * rate // 1000, e * rate // 1000, t)
                                             for s, e, t in cues)  # fmt: skip
    for broken, which in (
        ("swapped", 0),  # the first sentence's audio is the mountain's first
        ("truncated", 1),  # the second sentence stops half-way (the rest silent)
        ("reversed", 2),  # the third sentence played backwards
    ):
        audio = samples.copy()
        if broken == "swapped":
            m0, m1, _ = cues_of(mountain)[0]
            piece = other[m0 * rate // 1000 : m1 * rate // 1000][: a1 - a0]
            audio[a0:a1] = 0
            audio[a0 : a0 + len(piece)] = piece
        elif broken == "truncated":
            audio[(b0 + b1) // 2 : b1] = 0
        else:
            audio[c0:c1] = audio[c0:c1][::-1]
        path = tmp_path / f"{broken}.wav"
        soundfile.write(str(path), audio, rate, subtype="PCM_16")
        # the verdicts only: what the recognizer hears in words (``show``) is for people
        report = check_speech(path, cues, "en", show=0)
        assert [s.passed for s in report.sentences] == [i != which for i in range(3)], (
            broken, report.sentences)  # fmt: skip


SHORT = {
    # sentence: how it is broken (another's audio: that sentence's)
    "Salt and bread": ("swapped", "Counting the boats"),
    "She said nothing.": ("swapped", "The old harbour."),
    "Nobody came.": ("truncated", ""),
    "Under the bridge.": ("truncated", ""),
    "Late in June.": ("truncated", ""),
    "The morning tide": ("truncated", ""),
    "A letter arrives": ("truncated", ""),
    "Nobody knew why.": ("reversed", ""),
}


def test_short_sentences_swapped_truncated_or_reversed_are_caught() -> None:
    """Two to four words, spoken alone as ``benchmarks/speech_check.py`` speaks them and
    broken as it breaks them (another sentence's audio, the first half of the samples, the
    audio reversed). Each of these broken ones passed before the aligner's path had to
    place every word and fit the sound (its score per frame, :data:`letteraudio.speech.FIT`):
    it had ended early, or squeezed the words into what was left, within the phone error
    limit, which is loose for a few phones."""
    require_recognizer()
    engine = create_engine("hibari", EngineSettings(deterministic=True))
    texts = [*SHORT, *{other for _, other in SHORT.values() if other}]
    clips = {text: engine.synthesize(text) for text in texts}
    checker = Checker()

    def passes(clip: Clip, text: str) -> bool:
        return Sentence(0, 0, text, *checker.score(clip, text)).passed

    for text, (broken, other) in SHORT.items():
        clip = clips[text]
        assert passes(clip, text), text  # clean
        samples = clip.samples
        if broken == "swapped":
            samples = clips[other].samples
        elif broken == "truncated":
            samples = samples[: len(samples) // 2]
        else:
            samples = samples[::-1].copy()
        assert not passes(Clip(samples, clip.sample_rate), text), (text, broken)


SHORT_DOCUMENT = (
    "# Morning at the Harbour\n\n## Arrival\n\nThe boats came in before the town woke up.\n\n"
    "## Next year\n\nWe will come back in the spring.\n"
)


def test_short_clean_headings_pass(tmp_path: Path) -> None:
    """A Markdown render's title and headings, heard in the episode: "Next year" failed at
    a score of 1.00 (heard "next year": the phone recognizer, weighing its phone bigrams as
    heavily as words, heard one phone), "Arrival" at 1.00, the title passed here but not
    under ``render --verify``."""
    require_recognizer()
    article = tmp_path / "short.md"
    article.write_text(SHORT_DOCUMENT, encoding="utf-8")
    render(article, tmp_path / "short.mp3", "--deterministic")
    report = verdicts(tmp_path / "short.mp3")
    assert report.passed, report.lines()
    assert "5 of 5 sentences say the script" in report.lines()[0]


def test_a_sentence_is_heard_the_same_whatever_was_heard_before() -> None:
    """The recognizer's cepstral mean carried over from one utterance to the next, so the
    same clip scored differently after other sentences (``render --verify`` and ``check
    --speech`` hear different sentences before it)."""
    require_recognizer()
    engine = create_engine("hibari", EngineSettings(deterministic=True))
    clips = {t: engine.synthesize(t) for t in ("Next year", "Arrival", "Morning at the Harbour")}
    checker = Checker()
    first = {text: checker.score(clip, text) for text, clip in clips.items()}
    for text, clip in reversed(clips.items()):
        assert checker.score(clip, text) == first[text], text
        assert Sentence(0, 0, text, *first[text]).passed, (text, first[text])


def test_a_language_without_a_model_is_skipped_with_a_note(
    episodes: tuple[Path, Path], tmp_path: Path
) -> None:
    harbour, _ = episodes
    copy = tmp_path / "hafen.mp3"
    shutil.copy(harbour, copy)
    info = json.loads(harbour.with_suffix(".episode.json").read_text(encoding="utf-8"))
    info["language"] = "de"
    (tmp_path / "hafen.episode.json").write_text(json.dumps(info), encoding="utf-8")
    result = invoke("check", "--speech", str(copy))
    assert result.exit_code == 0
    assert "no model for de: speech check skipped" in result.output


def test_without_the_recognizer_it_says_how_to_install_it(
    episodes: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    harbour, _ = episodes
    monkeypatch.setitem(sys.modules, "pocketsphinx", None)  # as if not installed
    result = invoke("check", "--speech", str(harbour))
    assert result.exit_code == 2
    assert "pip install 'letteraudio[align]'" in result.output
    assert "Traceback" not in result.output


def test_bad_input_is_one_line(episodes: tuple[Path, Path], tmp_path: Path) -> None:
    harbour, _ = episodes
    alone = tmp_path / "alone.mp3"
    shutil.copy(harbour, alone)
    result = invoke("check", "--speech", str(alone))
    assert result.exit_code == 2 and "no alone.episode.json beside it" in result.output
    longer = tmp_path / "longer.txt"
    longer.write_text(HARBOUR + "\nOne more sentence that the episode never said.\n")
    result = invoke("check", "--speech", str(harbour), "--text", str(longer))
    assert result.exit_code == 2 and "not the article this episode" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not np.array_equal(decode(harbour)[0][:100], np.ones(100))
