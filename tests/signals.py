"""Children that can be interrupted, whatever the test runner's own signal settings."""

from __future__ import annotations

import signal


def interruptible() -> None:
    """``preexec_fn`` for a child that must take SIGINT like a terminal's Ctrl-C.

    A shell starting a job in the background (``.ci/run &``, nohup, some CI runners)
    ignores SIGINT, children inherit that, and Python then never raises
    KeyboardInterrupt; a test of what Ctrl-C does would test nothing.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
