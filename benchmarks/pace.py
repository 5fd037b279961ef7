"""A voice's pace and what it costs in intelligibility, at given ``--speed`` values.

For each text and speed: the render's speaking rate as ``benchmarks/voices.py`` measures
it (spoken words per minute of the episode, lead-in and tail left out, the pauses between
sentences in; ``letteraudio render ARTICLE -e ENGINE --deterministic --speed S``), and
the word error rate of pocketsphinx on each segment's clip against the spoken script
(the same sentences at every speed). Needs pocketsphinx (``pip install pocketsphinx``).

Usage, from the repository root::

    .venv/bin/python benchmarks/pace.py --engine piper --speed 1 --speed 1.3 \\
        --text benchmarks/voices_text.md --text ../shared/seed/letter.txt
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from voices import LETTERAUDIO, decoded_seconds, script_texts, word_error_rate


def measure(engine_name: str, article: Path, speed: float, work: Path) -> dict[str, object]:
    from letteraudio.engines import EngineSettings, create_engine
    from letteraudio.text.segment import Pauses

    texts, plan = script_texts(article)
    words = sum(len(text.split()) for text in texts)
    lead_tail = (Pauses().lead_in + int(plan["tail_ms"])) / 1000  # type: ignore[call-overload]
    engine = create_engine(engine_name, EngineSettings(deterministic=True, speed=speed))
    clips = [engine.synthesize(text) for text in texts]
    rate = clips[0].sample_rate
    mp3 = work / f"{article.stem}-{engine_name}-{speed}.mp3"
    subprocess.run(
        [LETTERAUDIO, "render", str(article), "-e", engine_name, "--deterministic",
         "--speed", str(speed), "-q", "-o", str(mp3)],
        check=True,
    )  # fmt: skip
    seconds = decoded_seconds(mp3)
    return {
        "text": article.name,
        "engine": engine_name,
        "speed": speed,
        "words": words,
        "episode s": round(seconds, 2),
        "speech s": round(sum(len(c.samples) for c in clips) / rate, 2),
        "words per minute": round(words / ((seconds - lead_tail) / 60), 1),
        "WER": round(word_error_rate([c.samples for c in clips], rate, texts), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="piper")
    parser.add_argument("--speed", type=float, action="append")
    parser.add_argument("--text", type=Path, action="append", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["LETTERAUDIO_CACHE_DIR"] = str(Path(folder) / "cache")
        for article in args.text:
            for speed in args.speed or [1.0]:
                print(json.dumps(measure(args.engine, article, speed, Path(folder))), flush=True)


if __name__ == "__main__":
    main()
