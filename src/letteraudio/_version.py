"""letteraudio's version: in its own module, so that what records it (the render digest, the
web client's User-Agent) imports it without importing the package's names."""

__version__ = "0.1.0"
