"""The MP3 frame walker for the audio modules; it lives in :mod:`letteraudio.mp3frames`,
where the engines reach it too without importing ``audio/``."""

from letteraudio.mp3frames import FrameHeader, StreamInfo, audio_end, id3v2_size, parse_header, walk

__all__ = ["FrameHeader", "StreamInfo", "audio_end", "id3v2_size", "parse_header", "walk"]
