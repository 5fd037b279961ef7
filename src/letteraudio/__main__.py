"""Allow ``python -m letteraudio``."""

from letteraudio.cli import main

main()
