"""Paragraph tasks on a Dask cluster (``pip install 'letteraudio[dask]'``).

This process stays the client: it reads and plans each article, looks in its own cache
and submits only the paragraphs it lacks, keyed by their cache key, so a paragraph that
several articles share is spoken once. A window of tasks is kept in flight across
articles (paragraphs are the unit, so one long book spreads over every worker); each
result is joined into its article in order, written, and dropped, so memory stays flat
however many articles there are.

Each worker builds its engines once per process (:func:`letteraudio.render_paragraph`'s
own; :class:`VoicePlugin` sets the worker up, and Dask sets plugins up again on a worker
that restarts) and loads a voice on its first sentence. A task that
raises is retried ``task_retries`` times and then fails its article only; a task on a
worker that dies is run again elsewhere by Dask. On connecting, the nodes are checked to
render as this machine would (:mod:`letteraudio.render.maps.nodes`).

Dask actors are not used: they lose their state for good when a worker dies.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from letteraudio.errors import InputError, LetterAudioError, SynthesisError
from letteraudio.render.maps.nodes import ClusterError as ClusterError
from letteraudio.render.maps.nodes import check_nodes
from letteraudio.render.model import Part, Plan, RenderedParagraph, Task
from letteraudio.render.paragraph import (
    Engines,
    build_voices,
    cached_paragraph,
    render_paragraph,
    store,
    task_key,
)
from letteraudio.settings import Settings

try:
    import distributed
except ImportError:  # pragma: no cover - the core install has no Dask
    raise InputError(
        "--scheduler and --local-cluster need Dask: pip install 'letteraudio[dask]'"
    ) from None

PLUGIN = "letteraudio-voices"
CONNECT_SECONDS = 10
"""How long to wait for the scheduler, and then for a first worker."""
LOGGERS = ("distributed", "distributed.client", "distributed.gc", "tornado", "tornado.application")
"""Dask's loggers, with the ones its logging configuration gives a level of their own."""


class VoicePlugin(distributed.WorkerPlugin):
    """Sets each worker process up for paragraph tasks: the command line's heap settings,
    Ctrl-C left to the client for workers it started, and the cache to speak through.

    Dask sets plugins up again on every worker that joins or restarts. The engines are
    built once per process by :func:`letteraudio.render_paragraph` itself (its cache of
    engines by spec), so a restarted worker builds its own; the voice model loads on the
    first sentence a worker speaks."""

    name = PLUGIN

    def __init__(self, cache_dir: str | None, use_cache: bool, local: bool = False) -> None:
        self.cache_dir = cache_dir
        """The cache to use; None: each worker's own default cache folder."""
        self.use_cache = use_cache
        self.local = local
        """Workers this render started: Ctrl-C is the client's to handle, not theirs."""

    def setup(self, worker: Any) -> None:
        from letteraudio.memory import limit_heap_growth

        # The heap settings of the command line: a flat heap, and no Dask nanny's
        # MALLOC_TRIM_THRESHOLD_=65536, which made paragraphs cost 1.8x the CPU (measured).
        limit_heap_growth()
        if self.local:  # a terminal's Ctrl-C reaches the whole process group
            with contextlib.suppress(ValueError):  # not the worker's main thread
                signal.signal(signal.SIGINT, signal.SIG_IGN)

    def cache(self) -> Path | None:
        """The folder this worker caches what it speaks in (None: nowhere)."""
        from letteraudio.cache import default_cache_dir

        if not self.use_cache:
            return None
        return Path(self.cache_dir) if self.cache_dir else default_cache_dir()


def speak_paragraph(task: Task) -> tuple[RenderedParagraph, tuple[str, ...]]:
    """Run on a worker: the paragraph spoken, mastered and encoded through the worker's
    cache, and its notes."""
    plugin: Any = distributed.get_worker().plugins[PLUGIN]
    part = render_paragraph(replace(task, cache_dir=plugin.cache()))
    return part.rendered, part.notes


# --- the map ----------------------------------------------------------------------------


@dataclass
class _Article:
    """An article whose paragraphs are being submitted and gathered, in order."""

    item: Any
    planned: Plan | None
    keys: list[str] = field(default_factory=list)
    hits: list[bool] = field(default_factory=list)
    """Whether each task's encoded paragraph is in the client's cache."""
    futures: list[Any] = field(default_factory=list)
    submitted: int = 0
    """Tasks looked at for submission (hits are skipped)."""

    @property
    def waiting(self) -> bool:
        return self.planned is not None and self.submitted < len(self.planned.tasks)


class ClusterMap:
    """Paragraph tasks on a Dask cluster (a :class:`letteraudio.render.maps.PartsMap`);
    the engines built here only give cache keys and identities, they never speak."""

    def __init__(
        self, client: Any, cluster: Any, settings: Settings, levels: Mapping[str, int]
    ) -> None:
        self.engines = Engines()
        self.client = client
        self.cluster = cluster
        self.retries = settings.task_retries
        self.window = 4
        """Tasks kept in flight: twice the workers' threads and two more, enough to keep
        every thread busy while results come back in order, few enough that memory stays
        flat (see :meth:`_resize`)."""
        self._resize()
        self._in_flight: dict[str, tuple[Any, int]] = {}
        """Cache key -> (future, how many articles wait for it)."""
        self._order = 0
        self._levels = dict(levels)
        """Dask's log levels before :func:`_quiet_dask`, restored on close."""

    @classmethod
    def connect(cls, settings: Settings) -> ClusterMap:
        """Connect to ``settings.scheduler``, or start ``settings.local_cluster`` worker
        processes on 127.0.0.1; check the nodes agree; set up the workers' plugin."""
        if settings.scheduler and settings.local_cluster:
            raise InputError("give --scheduler or --local-cluster, not both")
        if settings.scheduler:
            _check_address(settings.scheduler)
        for voice in (settings.voice, settings.fallback):  # this machine's own error first
            if voice is not None:
                build_voices(voice, None)
        levels = _quiet_dask()
        cluster = None
        where = settings.scheduler or "a local cluster"
        try:
            if settings.local_cluster:
                cluster = distributed.LocalCluster(
                    n_workers=settings.local_cluster, threads_per_worker=1, processes=True,
                    host="127.0.0.1", dashboard_address=None, silence_logs=logging.CRITICAL,
                    # No dashboard, but the scheduler serves its HTTP routes all the same:
                    # by default on every interface at port 8787 (and a warning on stderr
                    # when that port is taken). Loopback, a free port.
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                )  # fmt: skip
                client = distributed.Client(cluster, set_as_default=False)
            else:
                client = distributed.Client(
                    settings.scheduler, timeout=CONNECT_SECONDS, set_as_default=False
                )
        except Exception as error:  # noqa: BLE001 - whatever connecting raises
            if cluster is not None:
                _close(None, cluster)
            _restore(levels)
            if settings.local_cluster:
                raise ClusterError(
                    f"cannot start a local cluster ({error}); from a Python script, start "
                    'it under `if __name__ == "__main__":` (its workers import the script)'
                ) from None
            raise ClusterError(f"cannot reach the Dask scheduler at {where}: {error}") from None
        try:
            try:
                client.wait_for_workers(1, timeout=CONNECT_SECONDS)
            except (TimeoutError, OSError):
                raise ClusterError(
                    f"the Dask scheduler at {where} has no workers (waited {CONNECT_SECONDS} "
                    "s): start some with `dask worker ADDRESS`"
                ) from None
            check_nodes(client, settings)
            local = cluster is not None
            cache = str(settings.cache_dir) if local and settings.cache_dir else None
            client.register_plugin(VoicePlugin(cache, settings.cache_dir is not None, local))
            return cls(client, cluster, settings, levels)
        except BaseException:
            _close(client, cluster)
            _restore(levels)
            raise

    def __enter__(self) -> ClusterMap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def identity(self, planned: Plan) -> Mapping[str, object]:
        return self.engines.identity(planned.tasks[0])

    def close(self) -> None:
        self.engines.clear()
        for future, _ in self._in_flight.values():
            future.release()
        self._in_flight.clear()
        if self.cluster is None:  # a cluster of the user's: leave nothing of ours on it
            with contextlib.suppress(Exception):
                self.client.unregister_worker_plugin(PLUGIN)
        _close(self.client, self.cluster)
        _restore(self._levels)

    def _resize(self) -> None:
        """The window, from the threads the cluster has now (workers may still join)."""
        with contextlib.suppress(Exception):
            threads = sum(self.client.nthreads().values()) or 1
            self.window = max(4, 2 * threads + 2)

    def parts(self, planned: Plan) -> Iterator[Part]:
        for _, parts in self.run([planned], lambda item: item):
            if parts is not None:
                yield from parts

    def run(
        self, items: Iterable[Any], plan_of: Callable[[Any], Plan | None]
    ) -> Iterator[tuple[Any, Iterator[Part] | None]]:
        """Each item with the parts of its plan, in order, while the paragraphs of the
        next items are already on the cluster."""
        source = iter(items)
        pending: deque[_Article] = deque()
        done = False

        def top_up(at_least_one: bool = False) -> None:
            """Submit tasks in order, up to the window (at least one more when asked);
            plan further items while there is room, and always when none is pending."""
            nonlocal done
            while at_least_one or len(self._in_flight) < self.window or not pending:
                waiting = next((a for a in pending if a.waiting), None)
                if waiting is not None:
                    self._submit_next(waiting)
                    at_least_one = False
                    continue
                if done or (pending and len(pending) > self.window):
                    return
                item = next(source, _NO_MORE)
                if item is _NO_MORE:
                    done = True
                    return
                pending.append(self._article(item, plan_of(item)))
                if len(pending) == 1:
                    self._resize()

        while True:
            top_up()
            if not pending:
                return
            article = pending[0]  # it stays first while its own tasks are submitted
            try:
                if article.planned is None:
                    yield article.item, None
                else:
                    gathered = self._gathered(article, top_up)
                    try:
                        yield article.item, gathered
                    finally:
                        gathered.close()
            finally:
                self._forget(article)  # whether its join read every part or none
                pending.popleft()

    def _article(self, item: Any, planned: Plan | None) -> _Article:
        article = _Article(item, planned)
        if planned is not None:
            voices, _ = self.engines(planned.tasks[0])
            identity = voices.engine.identity()
            article.keys = [task_key(task, identity) for task in planned.tasks]
            cache = voices.cache  # whether it is there; read only when its turn comes
            article.hits = [cache is not None and cache.has_chunk(key) for key in article.keys]
            article.futures = [None] * len(planned.tasks)
        return article

    def _submit_next(self, article: _Article) -> None:
        """Submit the article's next task that is not in the cache."""
        assert article.planned is not None
        number = article.submitted
        if not article.hits[number]:
            self._submit(article, number)
        article.submitted += 1

    def _submit(self, article: _Article, number: int) -> None:
        assert article.planned is not None
        key = article.keys[number]
        if key in self._in_flight:  # the same paragraph, in another article: spoken once
            future, waiting = self._in_flight[key]
            self._in_flight[key] = (future, waiting + 1)
        else:
            task = replace(article.planned.tasks[number], cache_dir=None, jobs=1)
            self._order += 1
            if self._order % 100 == 0:
                self._resize()
            future = self.client.submit(speak_paragraph, task, key=f"letteraudio-{key}",
                                        retries=self.retries, priority=-self._order)  # fmt: skip
            self._in_flight[key] = (future, 1)
        article.futures[number] = future

    def _release(self, key: str) -> None:
        future, waiting = self._in_flight.pop(key)
        if waiting > 1:
            self._in_flight[key] = (future, waiting - 1)
        else:
            future.release()

    def _forget(self, article: _Article) -> None:
        """Release what the article still holds on the cluster."""
        for number, future in enumerate(article.futures):
            if future is not None and future is not _TAKEN:
                self._release(article.keys[number])
        article.futures = [_TAKEN] * len(article.futures)
        article.submitted = len(article.futures)

    def _gathered(self, article: _Article, top_up: Callable[[bool], None]) -> Generator[Part]:
        assert article.planned is not None
        voices, notes = self.engines(article.planned.tasks[0])
        identity = voices.engine.identity()
        for number, task in enumerate(article.planned.tasks):
            rendered = cached_paragraph(voices.cache, article.keys[number]) if (
                article.hits[number]) else None  # fmt: skip
            if rendered is None:
                if article.hits[number]:  # gone from the cache since: speak it after all
                    article.hits[number] = False
                    if number < article.submitted:
                        self._submit(article, number)
                while article.futures[number] is None:
                    before = article.submitted
                    top_up(True)
                    if article.submitted == before:
                        raise SynthesisError(f"paragraph {number + 1} could not be submitted")
                top_up(False)
                rendered, told = _result(article.futures[number], task)
                notes = tuple(dict.fromkeys((*notes, *told)))
                self._release(article.keys[number])
                article.futures[number] = _TAKEN
                store(voices.cache, article.keys[number], rendered)
            yield Part(task.index, rendered, identity, notes)


_NO_MORE: Any = object()
"""The end of the items."""
_TAKEN: Any = object()
"""In place of a future whose result was taken (or released): nothing more to wait for."""


def _result(future: Any, task: Task) -> tuple[RenderedParagraph, tuple[str, ...]]:
    """A task's result; its failure as the article's one-line error."""
    where = f"paragraph {task.index + 1}"
    try:
        rendered, notes = future.result()
    except LetterAudioError:
        raise
    except distributed.KilledWorker as error:
        raise SynthesisError(
            f"{where}: the workers running it died ({error}); see the workers' logs"
        ) from None
    except Exception as error:  # noqa: BLE001 - a task raised something else
        raise SynthesisError(
            f"{where} failed on a worker: {type(error).__name__}: {error}"
        ) from None
    return rendered, tuple(notes)


def _check_address(address: str) -> None:
    """Refuse an address Dask could not use (bad input), and fail at once, not after
    Dask's retries, when nothing listens at a tcp:// or tls:// address."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme == "inproc":  # a scheduler in this process (notebooks, tests)
        from distributed.comm.addressing import parse_address
        from distributed.comm.inproc import global_manager

        try:
            listening = global_manager.get_listener_for(parse_address(address)[1]) is not None
        except ValueError:  # another process's, or no address at all
            listening = False
        if not listening:
            raise InputError(f"--scheduler {address}: no scheduler of this process is there "
                             "(inproc:// is for one in the same Python process); give an "
                             "address like tcp://HOST:8786")  # fmt: skip
        return
    wrong = InputError(f"--scheduler {address}: give an address like tcp://HOST:8786")
    try:
        port = parts.port or 8786
    except ValueError:
        raise wrong from None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname:
        raise wrong
    if parts.scheme == "tls" and not distributed.Security().get_connection_args("client").get(
        "ssl_context"
    ):
        raise InputError(f"--scheduler {address}: tls:// needs Dask's TLS settings "
                         "(distributed.comm.tls in Dask's configuration)")  # fmt: skip
    where = f"{parts.scheme}://{parts.hostname}:{port}"
    try:
        connection = socket.create_connection((parts.hostname, port), timeout=CONNECT_SECONDS)
    except OSError as error:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {where}: {error.strerror or error}"
        ) from None
    with connection:  # a Dask scheduler greets first; a dashboard or web server waits
        if parts.scheme == "tcp" and not _greets(connection):
            raise ClusterError(
                f"{where} does not answer as a Dask scheduler (nothing in {CONNECT_SECONDS} s; "
                "the dashboard's port, 8787, is not the scheduler's)"
            )
    _handshake(address, where)


def _handshake(address: str, where: str) -> None:
    """Exchange Dask's greeting, on a connection of its own, before a client is made: a
    server that speaks something else fails here in one line, not in the client, which
    would leave a traceback and wait 20 s to close."""
    import asyncio

    from distributed.comm.core import connect

    async def greet() -> None:
        arguments = distributed.Security().get_connection_args("client")
        comm = await connect(address, timeout=CONNECT_SECONDS, **arguments)
        await comm.close()

    try:
        asyncio.run(greet())
    except Exception as error:  # noqa: BLE001 - whatever the bytes made Dask raise
        raise ClusterError(
            f"{where} does not answer as a Dask scheduler ({type(error).__name__}: "
            f"{' '.join(str(error).split())[:120]})"
        ) from None


def _greets(connection: Any) -> bool:
    connection.settimeout(CONNECT_SECONDS)
    try:
        return bool(connection.recv(1))
    except OSError:  # TimeoutError included
        return False


def _close(client: Any, cluster: Any) -> None:
    if client is not None:
        with contextlib.suppress(Exception):
            client.close()
    if cluster is not None:
        with contextlib.suppress(Exception):
            cluster.close()


def _quiet_dask() -> dict[str, int]:
    """Dask's own log lines (a worker restarted, a connection closed, and the tracebacks
    Dask and tornado log when Ctrl-C lands inside one of Dask's waits) stay out of the
    output while letteraudio uses it; the errors that matter reach the user as
    letteraudio's own, one line each. Returns the levels to restore."""
    levels = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.setLevel(logging.CRITICAL)
    return levels


def _restore(levels: Mapping[str, int]) -> None:
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
