"""Many articles and long texts: this machine's threads against a Dask cluster, and what a
larger cluster would reach.

In one run, alternating the two (local, cluster, local, cluster, ...), with the bundled
voice (``--deterministic``, no cache):

- a batch of 20 short articles and one 100 KB text, rendered with local threads and on a
  two-process ``LocalCluster`` (one thread each, 127.0.0.1: what ``--local-cluster 2``
  starts): wall time, the client's own CPU time and peak memory (the workers' CPU too);
- the overhead of going through Dask, from Dask's own task stream: per task, the time
  spent moving and unpacking data, and the time a worker thread sat idle between two
  tasks while the render was not done, against the time spent computing;
- from the measured task times, the makespan of a cluster of 1, 4, 16 and 64 two-core
  workers for a 500 KB book and for 1,000 articles (a simulation; its assumptions are
  printed with it), and the efficiency against perfect scaling.

Usage, from the repository root after ``pip install -e '.[test]'`` (the test extra
brings Dask)::

    .venv/bin/python benchmarks/scale.py              # about 10 minutes here
    .venv/bin/python benchmarks/scale.py --quick      # smaller texts, one turn
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import generated_article  # noqa: E402

SLOWDOWN_HERE = 0.6
"""Two busy processes on this machine each run at about 0.6x a dedicated core (FACTS.md):
a task measured on the two-process cluster here takes this share of that time on a core
of its own."""
THREADS_PER_NODE = 2
WORKERS = (1, 4, 16, 64)


# --- one render, in a process of its own (so its CPU and memory are its own) -----------


def drive(mode: str, sources: list[str], out: str, report: str) -> None:
    """Render ``sources`` into ``out`` with local threads or a fresh LocalCluster of two
    worker processes; write wall time, CPU, peak memory and the task stream as JSON."""
    import letteraudio as la
    from letteraudio.memory import limit_heap_growth
    from letteraudio.render.batch import narrate_many

    limit_heap_growth()  # as the command line does
    started = time.perf_counter()
    stream: list[dict[str, Any]] = []
    received: list[float] = []
    main_thread = time.thread_time()
    given: dict[str, Any] = {"voice": la.Voice(deterministic=True), "no_cache": True}
    if mode == "local":
        settings = la.Settings.load(find=False, **given)
        outcomes = list(narrate_many(sources, settings, out))
    else:
        import distributed

        import letteraudio.render.maps.dask as cluster_map

        asked = cluster_map._result

        def timed(future: Any, task: Any) -> Any:  # how long a finished result takes to get
            ready, before = future.done(), time.perf_counter()
            result = asked(future, task)
            if ready:
                received.append(time.perf_counter() - before)
            return result

        cluster_map._result = timed
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None,
        ) as cluster, distributed.Client(cluster, set_as_default=False) as client:  # fmt: skip
            settings = la.Settings.load(find=False, scheduler=cluster.scheduler_address, **given)
            with distributed.get_task_stream(client=client) as ts:
                outcomes = list(narrate_many(sources, settings, out))
            stream = [
                {"key": str(t["key"]), "worker": t["worker"], "thread": t.get("thread"),
                 "startstops": [dict(s) for s in t["startstops"]]}
                for t in ts.data if str(t["key"]).startswith("letteraudio-")
            ]  # fmt: skip
    wall = time.perf_counter() - started
    main_thread = time.thread_time() - main_thread
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    failed = [o.source for o in outcomes if o.status != "rendered"]
    if failed:
        raise SystemExit(f"not rendered: {failed}")
    result = {
        "wall": wall,
        "client_cpu": own.ru_utime + own.ru_stime,
        "client_main_cpu": main_thread,
        "client_peak_mb": own.ru_maxrss / 1024,
        "workers_cpu": children.ru_utime + children.ru_stime,
        "audio_seconds": sum(o.episode.duration for o in outcomes if o.episode),
        "stream": stream,
        "received": received,
        "articles": len(sources),
        "started": time.time() - wall,
    }
    Path(report).write_text(json.dumps(result), encoding="utf-8")


def measured(mode: str, sources: list[Path], work: Path, name: str) -> dict[str, Any]:
    out = work / f"{name}-{mode}-{time.monotonic_ns()}"
    report = out.with_suffix(".json")
    command = [sys.executable, __file__, "--drive", mode, "--out", str(out), "--report",
               str(report), *map(str, sources)]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return dict(json.loads(report.read_text(encoding="utf-8")))


# --- what Dask costs --------------------------------------------------------------------


def compute_times(stream: list[dict[str, Any]]) -> list[float]:
    """Each task's compute time (s), in the order the tasks started."""
    tasks = []
    for task in stream:
        compute = [s for s in task["startstops"] if s["action"] == "compute"]
        if compute:
            tasks.append((compute[0]["start"], sum(s["stop"] - s["start"] for s in compute)))
    return [seconds for _, seconds in sorted(tasks)]


def dask_overhead(stream: list[dict[str, Any]]) -> dict[str, float]:
    """Transfer and unpacking time, and the idle gaps of each worker thread between its
    first and last task, each against the compute time."""
    compute = moving = idle = 0.0
    by_thread: dict[tuple[str, Any], list[tuple[float, float]]] = {}
    for task in stream:
        for part in task["startstops"]:
            length = part["stop"] - part["start"]
            if part["action"] == "compute":
                compute += length
                by_thread.setdefault((task["worker"], task["thread"]), []).append(
                    (part["start"], part["stop"])
                )
            else:  # transfer, deserialize, disk-read...
                moving += length
    for intervals in by_thread.values():
        intervals.sort()
        idle += sum(max(0.0, b[0] - a[1]) for a, b in itertools.pairwise(intervals))
    tasks = max(1, len(stream))
    return {
        "compute": compute,
        "moving": moving,
        "idle": idle,
        "per_task_s": (moving + idle) / tasks,
        "ratio": (moving + idle) / compute if compute else float("nan"),
    }


def delivery(run: dict[str, Any]) -> float:
    """The mean time the client took to get a result that was ready when it asked for
    it: the transfer from the worker and unpickling (about 0.5 MB a paragraph)."""
    return statistics.mean(run["received"]) if run["received"] else float("nan")


# --- a larger cluster, simulated --------------------------------------------------------


def makespan(
    durations: list[float], nodes: int, per_task: float, client_per_task: float,
    startup: float, article_every: int = 0, client_per_article: float = 0.0,
    delivery_s: float = 0.0,
) -> float:  # fmt: skip
    """List scheduling as the client does it: tasks in order to the first free worker
    thread, at most ``window`` in flight (twice the threads, plus two), results taken in
    order by one client that spends ``client_per_task`` on each (join, write) and
    ``client_per_article`` once every ``article_every`` tasks (plan, tags, sidecars)."""
    threads = nodes * THREADS_PER_NODE
    window = 2 * threads + 2
    free = [startup] * threads
    heapq.heapify(free)
    finished: list[float] = []
    consumed: list[float] = []
    client = startup
    for number, seconds in enumerate(durations):
        ready = consumed[number - window] if number >= window else startup
        start = max(heapq.heappop(free), ready)
        end = start + per_task + seconds
        heapq.heappush(free, end)
        finished.append(end)
        client = max(client, end + delivery_s) + client_per_task
        if article_every and number % article_every == 0:
            client += client_per_article
        consumed.append(client)
    return client


def simulate(
    name: str, durations: list[float], per_task: float, client_per_task: float, startup: float,
    article_every: int = 0, client_per_article: float = 0.0, delivery_s: float = 0.0,
) -> list[str]:  # fmt: skip
    work = sum(durations)
    lines = [f"{name}: {len(durations):,} tasks, {work / 3600:.2f} h of task time on one core"]
    for nodes in WORKERS:
        span = makespan(durations, nodes, per_task, client_per_task, startup, article_every,
                        client_per_article, delivery_s)  # fmt: skip
        ideal = work / (nodes * THREADS_PER_NODE)
        lines.append(f"  {nodes:>3} workers x {THREADS_PER_NODE} cores: makespan "
                     f"{span / 60:8.1f} min, perfect {ideal / 60:8.1f} min, efficiency "
                     f"{ideal / span:6.1%}")  # fmt: skip
    return lines


# --- the run ------------------------------------------------------------------------------


def write_articles(folder: Path, count: int, kilobytes: float) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"article-{number + 1:02}.txt"
        path.write_text(generated_article(kilobytes, seed=1000 + number), encoding="utf-8")
        paths.append(path)
    return paths


def row(label: str, runs: list[dict[str, Any]]) -> str:
    wall = statistics.median(r["wall"] for r in runs)
    cpu = statistics.median(r["client_cpu"] for r in runs)
    peak = max(r["client_peak_mb"] for r in runs)
    workers = statistics.median(r["workers_cpu"] for r in runs)
    return (f"  {label:<28} wall {wall:7.1f} s   client CPU {cpu:6.1f} s   client peak "
            f"{peak:5.0f} MB   children CPU {workers:6.1f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small texts, one turn")
    parser.add_argument("--rounds", type=int, default=2, help="turns of the batch (default 2)")
    parser.add_argument("--drive", choices=("local", "cluster"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    parser.add_argument("sources", nargs="*", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.drive:
        drive(arguments.drive, arguments.sources, arguments.out, arguments.report)
        return
    quick = arguments.quick
    rounds = 1 if quick else arguments.rounds
    with tempfile.TemporaryDirectory(prefix="letteraudio-scale-") as folder:
        work = Path(folder)
        batch = write_articles(work / "batch", 20 if not quick else 4, 1.0 if not quick else 0.4)
        long_kb = 100 if not quick else 10
        book = work / "long" / f"text-{long_kb}kb.txt"
        book.parent.mkdir()
        book.write_text(generated_article(long_kb, seed=long_kb), encoding="utf-8")

        print(f"load average before: {os.getloadavg()[0]:.1f}")
        results: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for name, sources, turns in (("batch", batch, rounds), ("long", [book], 1)):
            runs: dict[str, list[dict[str, Any]]] = {"local": [], "cluster": []}
            for _ in range(turns):
                for mode in ("local", "cluster"):
                    runs[mode].append(measured(mode, sources, work, name))
            results[name] = runs
        tiny = write_articles(work / "tiny", 1, 0.3)  # the client's fixed cost, for the model
        results["tiny"] = {"cluster": [measured("cluster", tiny, work, "tiny")]}
        print(f"load average after: {os.getloadavg()[0]:.1f}")

    print(f"\nRenders (bundled voice, --deterministic, no cache; medians of {rounds} turns "
          "for the batch, 1 for the long text):")  # fmt: skip
    for name, label in (("batch", f"{len(batch)} articles of ~1 KB"), ("long", f"{long_kb} KB")):
        local, cluster = results[name]["local"], results[name]["cluster"]
        audio = local[0]["audio_seconds"] / 60
        print(f" {label}: {audio:.1f} min of audio")
        print(row("local threads", local))
        print(row("LocalCluster, 2 processes", cluster))
        ratio = statistics.median(r["wall"] for r in cluster) / statistics.median(
            r["wall"] for r in local
        )
        print(f"  cluster wall / local wall: {ratio:.3f} ({ratio - 1:+.1%}; target <= +10 %)")
        cost = dask_overhead([t for r in cluster for t in r["stream"]])
        print(f"  Dask per task: {cost['per_task_s'] * 1000:.1f} ms of moving data and idle "
              f"worker threads ({cost['moving']:.2f} s moving, {cost['idle']:.2f} s idle) for "
              f"{cost['compute']:.1f} s of compute: {cost['ratio']:.1%}")  # fmt: skip

    long_run = results["long"]["cluster"][0]
    long_tasks = [t * SLOWDOWN_HERE for t in compute_times(long_run["stream"])]
    batch_run = results["batch"]["cluster"][0]
    batch_tasks = [t * SLOWDOWN_HERE for t in compute_times(batch_run["stream"])]
    cost = dask_overhead(long_run["stream"] + batch_run["stream"])
    # The client's CPU as fixed + per article + per task, from three runs: a tiny article,
    # the long text (one article, many tasks) and the batch (many articles).
    tiny_run = results["tiny"]["cluster"][0]
    n0, n1, n2 = (len(r["stream"]) for r in (tiny_run, batch_run, long_run))

    def per_task_and_article(cpu: str) -> tuple[float, float]:
        task = (long_run[cpu] - tiny_run[cpu]) / max(1, n2 - n0)
        article = (batch_run[cpu] - tiny_run[cpu] - task * (n1 - n0)) / (len(batch) - 1)
        return max(0.0, task), max(0.0, article)

    client_per_task, client_per_article = per_task_and_article("client_cpu")
    main_per_task, main_per_article = per_task_and_article("client_main_cpu")
    print(f"  client CPU per task {client_per_task * 1000:.1f} ms, per article "
          f"{client_per_article * 1000:.0f} ms (the whole client process, with the scheduler "
          f"and Dask's communication threads); its main thread alone {main_per_task * 1000:.1f}"
          f" ms and {main_per_article * 1000:.0f} ms")  # fmt: skip
    delivered = statistics.mean(delivery(r) for r in (long_run, batch_run))
    print(f"  a finished result takes the client {delivered * 1000:.1f} ms to get (transfer "
          "and unpickling), on average")  # fmt: skip
    first = min(s["start"] for t in long_run["stream"] for s in t["startstops"])
    startup = first - long_run["started"]
    repeat_book = max(1, round(500 / long_kb))
    repeat_articles = max(1, round(1000 / len(batch)))
    per_task = cost["per_task_s"]
    print("\nSimulated clusters (from the task times measured above):")
    print(f"  assumptions: each worker has {THREADS_PER_NODE} dedicated cores, one task per "
          f"core; a task takes {SLOWDOWN_HERE:g}x its time measured here (two processes "
          "shared about 1.2 cores); tasks go in order to the first free core with at most "
          "2 x cores + 2 in flight, as the client submits them; each task also holds its "
          f"core {per_task * 1000:.1f} ms longer (measured: idle worker threads) and reaches "
          f"the client {delivered * 1000:.0f} ms after it ends (measured); one client takes "
          "results in order and spends on each task and each article the CPU measured "
          "above (its CPU in three runs, as fixed + per article + per task): the whole "
          "client process's (a scheduler inside it, as --local-cluster has), or its main "
          "thread's alone (a scheduler on its own machine); the batch's articles have the same "
          f"number of tasks; the cluster is ready after {startup:.1f} s (measured: start to "
          "first task, voice loaded); no worker fails; the network moves a paragraph "
          "(~0.5 MB) within that overhead, as on loopback.")  # fmt: skip
    every = max(1, round(len(batch_tasks) / len(batch)))
    for label, task_cpu, article_cpu in (
        ("client process", client_per_task, client_per_article),
        ("client main thread", main_per_task, main_per_article),
    ):
        print(f"  with the {label}'s CPU per task:")
        for line in simulate(f"a {repeat_book * long_kb} KB book ({long_kb} KB measured, x"
                             f"{repeat_book})", long_tasks * repeat_book, per_task, task_cpu,
                             startup, 0, 0.0, delivered):  # fmt: skip
            print("    " + line)
        for line in simulate(f"{repeat_articles * len(batch):,} articles ({len(batch)} "
                             f"measured, x{repeat_articles})", batch_tasks * repeat_articles,
                             per_task, task_cpu, startup, every, article_cpu,
                             delivered):  # fmt: skip
            print("    " + line)


if __name__ == "__main__":
    main()
