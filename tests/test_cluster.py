"""Paragraph tasks on a real Dask cluster started by each test (``letteraudio[dask]``).

The same bytes as a local render, from threads in this process (``processes=False``) and
from worker processes; a worker killed mid-render; retries; only cache misses submitted;
nodes whose versions differ refused."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip("distributed", reason="the test extra brings Dask")

from audio_probe import require_recognizer  # noqa: E402
from signals import interruptible  # noqa: E402

import letteraudio as la  # noqa: E402
from letteraudio.render.batch import FAILED, RENDERED, narrate_many  # noqa: E402
from letteraudio.render.maps.dask import ClusterError, ClusterMap  # noqa: E402

PARAGRAPHS = [f"Paragraph {n} says its number, {n}, and then it stops." for n in range(1, 9)]
ARTICLE = "A Count of Paragraphs\n\n" + "\n\n".join(PARAGRAPHS) + "\n"


class SeenTasks(distributed.diagnostics.plugin.SchedulerPlugin):
    """Every task key the scheduler started running (on the scheduler, in this process)."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        if finish == "processing":
            self.keys.append(str(key))


@pytest.fixture
def threads_cluster() -> Iterator[tuple[Any, SeenTasks]]:
    """Two worker threads in this process, and what its scheduler saw."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        seen = SeenTasks()
        cluster.scheduler.add_plugin(seen, name="seen-tasks")
        yield cluster, seen


@pytest.fixture
def processes_cluster() -> Iterator[Any]:
    """Two worker processes on 127.0.0.1, as `dask worker` would run them."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        yield cluster


def render(settings: la.Settings, text: str, target: Path, **progress: Any) -> la.Episode:
    return la.narrate(la.Article.read(text), settings, target, **progress)


def test_threads_give_the_bytes_of_a_local_render_and_only_misses_are_submitted(
    tone_installed: None, tmp_path: Path, threads_cluster: tuple[Any, SeenTasks]
) -> None:
    cluster, seen = threads_cluster
    plain = la.Settings.load(engine="tone", find=False, no_cache=True)  # nothing for workers
    local = render(plain, ARTICLE, tmp_path / "local.mp3")
    on_cluster = la.Settings.load(
        engine="tone", find=False, scheduler=cluster.scheduler_address,
        cache_dir=tmp_path / "client-cache",
    )  # fmt: skip
    remote = render(on_cluster, ARTICLE, tmp_path / "remote.mp3")
    assert remote.path.read_bytes() == local.path.read_bytes()
    assert (tmp_path / "remote.vtt").read_text() == (tmp_path / "local.vtt").read_text()
    guid = json.loads((tmp_path / "local.episode.json").read_text())["guid"]
    assert json.loads((tmp_path / "remote.episode.json").read_text())["guid"] == guid
    assert len(seen.keys) == 1 + len(PARAGRAPHS)  # the title and each paragraph

    seen.keys.clear()  # one paragraph edited: one task
    edited = ARTICLE.replace("5, and then it stops", "5, and then it ends")
    render(on_cluster, edited, tmp_path / "edited.mp3")
    assert len(seen.keys) == 1
    seen.keys.clear()  # nothing edited: nothing submitted
    again = render(on_cluster, ARTICLE, tmp_path / "again.mp3")
    assert seen.keys == [] and again.path.read_bytes() == local.path.read_bytes()


def test_verify_on_workers_gives_the_bytes_and_the_report_of_a_local_render(
    tone_installed: None, tmp_path: Path, threads_cluster: tuple[Any, SeenTasks]
) -> None:
    """--verify hears the sentences where they are spoken: tones, never words, are spoken
    again and reported alike on the workers and here."""
    require_recognizer()
    cluster, _ = threads_cluster
    text = "Tones\n\nNo words at all.\n"
    plain = la.Settings.load(engine="tone", find=False, no_cache=True, verify=True)
    local = render(plain, text, tmp_path / "local.mp3")
    remote = render(replace(plain, scheduler=cluster.scheduler_address), text,
                    tmp_path / "remote.mp3")  # fmt: skip
    assert remote.path.read_bytes() == local.path.read_bytes()
    assert remote.verification == local.verification
    assert local.verification is not None and local.verification.respoken == 2
    assert [f.expected for f in local.verification.failing] == ["Tones", "No words at all."]


@pytest.mark.slow
def test_threads_with_the_bundled_voice_give_the_bytes_of_a_local_render(
    tmp_path: Path, threads_cluster: tuple[Any, SeenTasks]
) -> None:
    cluster, seen = threads_cluster
    text = "The Night Ferry\n\nThe ferry left at nine.\n\nA child counted the waves.\n"
    voice = la.Voice(deterministic=True)  # the default engine and its bundled voice
    local = render(la.Settings.load(voice=voice, no_cache=True, find=False), text,
                   tmp_path / "local.mp3")  # fmt: skip
    on_cluster = la.Settings.load(voice=voice, no_cache=True, find=False,
                                  scheduler=cluster.scheduler_address)  # fmt: skip
    remote = render(on_cluster, text, tmp_path / "remote.mp3")
    assert len(seen.keys) == 3
    assert remote.path.read_bytes() == local.path.read_bytes()


def test_a_paragraph_shared_by_articles_is_spoken_once(
    tone_installed: None, tmp_path: Path, threads_cluster: tuple[Any, SeenTasks]
) -> None:
    cluster, seen = threads_cluster
    shared = "This paragraph is in every letter of the batch."
    for number in range(1, 4):
        (tmp_path / f"letter{number}.txt").write_text(
            f"Letter {number}\n\n{shared}\n\nOnly letter {number} says this.\n", encoding="utf-8"
        )
    settings = la.Settings.load(engine="tone", find=False, scheduler=cluster.scheduler_address,
                                no_cache=True)  # fmt: skip
    sources = sorted(tmp_path.glob("letter*.txt"))
    outcomes = list(narrate_many(sources, settings, tmp_path / "site"))
    assert [o.status for o in outcomes] == [RENDERED] * 3
    # three titles, three own paragraphs, the shared one once (all in flight together)
    assert len(seen.keys) == 7, seen.keys
    plain = la.Settings.load(engine="tone", find=False)
    alone = la.narrate(la.Article.read(str(sources[2])), plain, tmp_path / "alone.mp3")
    assert (tmp_path / "site" / "letter3.mp3").read_bytes() == alone.path.read_bytes()


def test_articles_that_fail_before_their_first_part_hold_nothing_on_the_cluster(
    tone_installed: None,
    tmp_path: Path,
    threads_cluster: tuple[Any, SeenTasks],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each of these fails in its join before reading a part (the disk refuses the
    temporary file beside its MP3; names too long are refused before any task now): their
    tasks must not stay in the window, or the batch would stop there without a word about
    the rest."""
    import errno
    import tempfile

    real = tempfile.mkstemp

    def full_for_some(*args: Any, **kwargs: Any) -> Any:
        if str(kwargs.get("prefix", "")).startswith((".0-full", ".1-full", ".2-full")):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", full_for_some)
    cluster, _ = threads_cluster
    sources = []
    for number in range(3):
        path = tmp_path / f"{number}-full.txt"
        paragraphs = "\n\n".join(f"Paragraph {p} of {number}." for p in range(3))
        path.write_text(f"Long {number}\n\n{paragraphs}\n", encoding="utf-8")
        sources.append(path)
    for number in range(5):
        path = tmp_path / f"z{number}.txt"
        path.write_text(f"Short {number}\n\nA name that is fine.\n", encoding="utf-8")
        sources.append(path)
    settings = la.Settings.load(engine="tone", find=False, no_cache=True,
                                scheduler=cluster.scheduler_address)  # fmt: skip
    outcomes = list(narrate_many(sources, settings, tmp_path / "site"))
    assert [o.status for o in outcomes] == [FAILED] * 3 + [RENDERED] * 5, outcomes
    assert len(list((tmp_path / "site").glob("z*.mp3"))) == 5


def test_a_failing_task_is_retried_then_fails_only_its_article(
    tone_installed: None,
    tmp_path: Path,
    threads_cluster: tuple[Any, SeenTasks],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cluster, seen = threads_cluster
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("LETTERAUDIO_TONE_MARKS", str(marks))
    (tmp_path / "a.txt").write_text("First\n\nA Hiccup at first.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Second\n\nThis is Unsayable.\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Third\n\nAll fine.\n", encoding="utf-8")
    sources = [tmp_path / name for name in ("a.txt", "b.txt", "c.txt")]

    def batch(retries: int, site: str) -> list[Any]:
        settings = la.Settings.load(
            engine="tone-trouble", find=False, no_cache=True,
            scheduler=cluster.scheduler_address, task_retries=retries,
        )  # fmt: skip
        return list(narrate_many(sources, settings, tmp_path / site))

    retried = batch(2, "site")  # the hiccup is retried and passes; Unsayable fails 3 times
    assert [o.status for o in retried] == [RENDERED, FAILED, RENDERED]
    assert "cannot say" in str(retried[1].error)
    assert sorted(p.name for p in (tmp_path / "site").glob("*.mp3")) == ["a.mp3", "c.mp3"]
    unsayable = [key for key in seen.keys if seen.keys.count(key) == 3]
    assert len(set(unsayable)) == 1  # 1 attempt + 2 retries

    for mark in marks.iterdir():
        mark.unlink()
    once = batch(0, "site0")  # no retries: the hiccup now fails its article too
    assert [o.status for o in once] == [FAILED, FAILED, RENDERED]
    assert "hiccup at the first attempt" in str(once[0].error)


@pytest.mark.slow
def test_worker_processes_with_the_bundled_voice_give_the_bytes_of_the_cli(
    tmp_path: Path,
) -> None:
    """The command line's own --local-cluster 2 against its local render; Dask's default
    HTTP port (8787) is taken meanwhile, as a user's own Dask may hold it: nothing said."""
    import socket

    taken = socket.socket()
    with contextlib.suppress(OSError):  # already taken by someone else: just as good
        taken.bind(("127.0.0.1", 8787))
        taken.listen()
    (tmp_path / "ferry.txt").write_text(
        "The Night Ferry\n\nThe ferry left at nine.\n\nA child counted the waves.\n",
        encoding="utf-8",
    )
    outputs = {}
    for name, extra in (("local", []), ("cluster", ["--local-cluster", "2"])):
        done = subprocess.run(
            [sys.executable, "-m", "letteraudio", "render", "ferry.txt", "-o", f"{name}.mp3",
             "--deterministic", "--no-cache", "-q", *extra],
            cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stderr == "", done.stderr  # Dask's own log lines stay out of it
        outputs[name] = (tmp_path / f"{name}.mp3").read_bytes()
    taken.close()
    assert outputs["cluster"] == outputs["local"]


@pytest.mark.slow
def test_a_worker_killed_mid_render_still_gives_the_complete_identical_file(
    tone_installed: None,
    tmp_path: Path,
    processes_cluster: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LETTERAUDIO_TONE_DELAY", "0.3")  # the workers inherit it
    text = "Killed Mid Render\n\n" + "\n\n".join(f"Part {n} of the story." for n in range(16))
    plain = la.Settings.load(engine="tone", find=False)  # same tones, no delay, no cluster
    expected = render(plain, text, tmp_path / "expected.mp3").path.read_bytes()

    with distributed.Client(processes_cluster, set_as_default=False) as watcher:
        pids = watcher.run(os.getpid)
        killed: list[int] = []

        def kill_one(done: int, total: int, segment: object) -> None:
            if done == 3 and not killed:  # parts are coming back; others are in flight
                killed.append(next(iter(pids.values())))
                os.kill(killed[0], signal.SIGKILL)

        settings = la.Settings.load(engine="tone-trouble", find=False, no_cache=True,
                                    scheduler=processes_cluster.scheduler_address)  # fmt: skip
        episode = render(settings, text, tmp_path / "cluster.mp3", progress=kill_one)
        assert killed, "the render ended before a worker was killed"
        assert episode.path.read_bytes() == expected
        deadline = time.monotonic() + 60
        while len(watcher.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert killed[0] not in watcher.run(os.getpid).values()  # the nanny started another


@pytest.mark.slow
def test_ctrl_c_stops_a_local_cluster_batch_in_one_line(tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal sends it: the workers of
    --local-cluster ignore it, the client says what it had finished, nothing else."""
    import psutil

    (tmp_path / "a.txt").write_text("First\n\nOne short paragraph.\n", encoding="utf-8")
    for name in ("b", "c"):
        text = f"{name.upper()}\n\n" + "\n\n".join(f"Part {n} goes on." for n in range(25))
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "LETTERAUDIO_TONE_DELAY": "0.3"}
    tone = Path(__file__).parent / "fixtures" / "tone_engine"
    dist = tmp_path / "dist"
    (info := dist / "letteraudio_tone-0.1.0.dist-info").mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: letteraudio-tone\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[letteraudio.engines]\ntone-trouble = letteraudio_tone:TroubleToneEngine\n"
    )
    env["PYTHONPATH"] = os.pathsep.join([str(tone), str(dist), env["PYTHONPATH"]])
    process = subprocess.Popen(
        [sys.executable, "-m", "letteraudio", "render", "a.txt", "b.txt", "c.txt", "-o", "site",
         "-e", "tone-trouble", "--local-cluster", "2", "-q"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=interruptible,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (tmp_path / "site" / "a.mp3").exists() and process.poll() is None:
        assert time.monotonic() < deadline, "the first article never came"
        time.sleep(0.1)
    assert len(psutil.Process(process.pid).children()) >= 2  # the workers are running
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, (stdout, stderr)
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and re.fullmatch(
        r"Interrupted: [12] of 3 articles done \(their files are written\); nothing of the one "
        r"being written is left\.", lines[0]
    ), stderr  # fmt: skip
    assert not (tmp_path / "site" / "c.mp3").exists()
    assert not [p for p in (tmp_path / "site").iterdir() if p.name.startswith(".")]


def test_a_worker_with_other_versions_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real `dask worker` process that sees another lameenc version (a distribution's
    metadata earlier on its path) than this machine."""
    import importlib.metadata

    fake = tmp_path / "site"
    (info := fake / "lameenc-0.0.1.dist-info").mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lameenc\nVersion: 0.0.1\n")
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp://",
                                  host="127.0.0.1", dashboard_address=None) as cluster:  # fmt: skip
        address = cluster.scheduler_address
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fake), *sys.path])}
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1",
             "--nthreads", "1", "--no-dashboard"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            with distributed.Client(address, set_as_default=False) as waiting:
                waiting.wait_for_workers(1, timeout=120)  # a new process, on a busy machine
            with pytest.raises(ClusterError) as refused:
                ClusterMap.connect(la.Settings.load(find=False, scheduler=address))
            here = importlib.metadata.version("lameenc")
            assert str(refused.value) == (
                f"lameenc {here} here but 0.0.1 on worker {_only_worker(address)}: install "
                "the same versions on every node"
            )
        finally:
            worker.terminate()
            worker.wait(30)


def _only_worker(address: str) -> str:
    with distributed.Client(address, set_as_default=False) as client:
        return str(next(iter(client.scheduler_info()["workers"])))


def test_a_local_cluster_asked_for_here_wins_over_a_scheduler_from_the_environment() -> None:
    environ = {"LETTERAUDIO_SCHEDULER": "tcp://10.0.0.5:8786"}
    assert la.Settings.load(find=False, environ=environ).scheduler == "tcp://10.0.0.5:8786"
    here = la.Settings.load(find=False, environ=environ, local_cluster=2)
    assert (here.scheduler, here.local_cluster) == (None, 2)
    both = la.Settings.load(find=False, scheduler="tcp://10.0.0.5:8786", local_cluster=2)
    with pytest.raises(la.InputError, match="give --scheduler or --local-cluster, not both"):
        ClusterMap.connect(both)


def test_cluster_errors_are_one_line_with_the_exit_code(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Hello there.\n", encoding="utf-8")

    def run(*args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
        code = f"import sys; {prelude}from letteraudio.cli import main; main()"
        return subprocess.run([sys.executable, "-c", code, "render", "a.txt", *args],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120,
                              check=False)  # fmt: skip

    def said(result: subprocess.CompletedProcess[str], address: str) -> str:
        """The error after the first line, which says the scheduler is used."""
        first, *rest = result.stderr.splitlines()
        assert first.startswith(f"Note: paragraph tasks go to the Dask scheduler at {address} ")
        return "\n".join(rest) + "\n"

    refused = run("--scheduler", "tcp://127.0.0.1:9")  # nothing listens on the discard port
    assert refused.returncode == 1
    error = said(refused, "tcp://127.0.0.1:9")
    assert error.startswith("Error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert len(error.splitlines()) == 1
    both = run("--scheduler", "tcp://127.0.0.1:9", "--local-cluster", "2")
    assert (both.returncode, said(both, "tcp://127.0.0.1:9")) == (
        2,
        "Error: give --scheduler or --local-cluster, not both\n",
    )
    for address in ("nonsense", "http://127.0.0.1:8786", "tcp://127.0.0.1:port"):
        malformed = run("--scheduler", address)
        assert (malformed.returncode, said(malformed, address)) == (
            2,
            f"Error: --scheduler {address}: give an address like tcp://HOST:8786\n",
        )
    voiceless = run("--voice", "nobody-speaks-this", "--local-cluster", "1")
    assert voiceless.returncode == 2 and len(voiceless.stderr.splitlines()) == 1
    assert "nobody-speaks-this" in voiceless.stderr and "worker" not in voiceless.stderr
    without = run("--local-cluster", "2", prelude="sys.modules['distributed'] = None; ")
    assert (without.returncode, without.stderr) == (
        2,
        "Error: --scheduler and --local-cluster need Dask: pip install 'letteraudio[dask]'\n",
    )
    assert not (tmp_path / "output").exists()


def test_dask_logs_nothing_while_letteraudio_uses_it_and_its_levels_come_back() -> None:
    """Dask's logging configuration gives tornado.application a level of its own (ERROR):
    quieting "tornado" alone let a traceback through when Ctrl-C landed in a Dask wait."""
    import logging

    from letteraudio.render.maps.dask import _quiet_dask, _restore

    before = {name: logging.getLogger(name).level for name in ("tornado.application",
              "distributed", "distributed.client")}  # fmt: skip
    levels = _quiet_dask()
    try:
        for name in ("tornado.application", "distributed.worker", "distributed.client"):
            assert logging.getLogger(name).getEffectiveLevel() == logging.CRITICAL, name
    finally:
        _restore(levels)
    assert {name: logging.getLogger(name).level for name in before} == before
