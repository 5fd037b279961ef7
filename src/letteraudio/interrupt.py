"""Ctrl-C and SIGTERM for a process that runs letteraudio: unwind the work, then say so.

The handlers set :data:`INTERRUPTED` and raise KeyboardInterrupt, so ``finally`` blocks
remove temporary files on the way out. The exception can land anywhere, inside a
lock's release or a thread pool's shutdown too, and surface as another error there
(``RuntimeError: cannot release un-acquired lock``, seen once in CI); the flag tells
the command line that such an error is the interruption, to be reported as one.
"""

from __future__ import annotations

import signal
import threading

INTERRUPTED = threading.Event()
"""Set once the process has been asked to stop (SIGINT or SIGTERM)."""

MESSAGE = "nothing was written."
"""What an interrupted command reports when it has no more to say."""


def install_handlers() -> None:
    """Take SIGTERM, and SIGINT unless the process was started with it ignored."""
    signal.signal(signal.SIGTERM, _stop)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _stop)


def _stop(signum: int, frame: object) -> None:
    INTERRUPTED.set()
    raise KeyboardInterrupt
