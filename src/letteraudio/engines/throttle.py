"""A concurrency limit for network engines that backs off when the server says "slow down".

At most ``limit`` requests are in flight. An answer of 429 (Too Many Requests)
halves what is allowed (never below one); every ``limit`` successes in a row add
one back, up to ``limit``: additive increase, multiplicative decrease, as TCP
does, with a slow climb back (from 1 to 4 takes 12 successes).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator


class AdaptiveLimit:
    """Thread-safe: shared by every worker of one engine."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self.allowed = self.limit
        self.active = 0
        self._successes = 0
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the allowed places for the duration of a request."""
        with self._changed:
            while self.active >= self.allowed:
                self._changed.wait()
            self.active += 1
        try:
            yield
        finally:
            with self._changed:
                self.active -= 1
                self._changed.notify_all()

    def throttled(self) -> None:
        """The server asked us to slow down."""
        with self._changed:
            self.allowed = max(1, self.allowed // 2)
            self._successes = 0

    def succeeded(self) -> None:
        """A request went through."""
        with self._changed:
            self._successes += 1
            if self._successes >= self.limit and self.allowed < self.limit:
                self.allowed += 1
                self._successes = 0
                self._changed.notify_all()
