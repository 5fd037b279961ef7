"""letteraudio: turn a written article or letter into one narrated MP3."""

from __future__ import annotations

from letteraudio.errors import (
    EngineUnavailable,
    InputError,
    LetterAudioError,
    NetworkError,
    OutputError,
    SynthesisError,
)

__version__ = "0.1.0"

__all__ = [
    "EngineUnavailable",
    "InputError",
    "LetterAudioError",
    "NetworkError",
    "OutputError",
    "SynthesisError",
    "__version__",
]
