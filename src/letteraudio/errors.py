"""The exceptions letteraudio raises: one root, a few specific children.

The library raises them; only the CLI turns them into messages and exit codes.
"""

from __future__ import annotations


class LetterAudioError(Exception):
    """Root of every error letteraudio raises on purpose."""


class InputError(LetterAudioError):
    """The article or an option cannot be used (missing, unreadable, empty, invalid)."""


class EngineUnavailable(LetterAudioError):
    """An engine cannot be used here: unknown name, missing package, bad voice."""


class NetworkError(LetterAudioError):
    """An online engine cannot reach its service at all (no network, no name resolution)."""


class SynthesisError(LetterAudioError):
    """An engine failed to speak one segment; the message names the segment."""


class OutputError(LetterAudioError):
    """The MP3 could not be encoded or written."""
