"""Celery workers: N generated stories processed by 1 and by 2 worker processes on real Redis.

    python3 bin/bench workers [-- --stories 8 --articles 25 --repeat 5 --workers 1 2]
    python3 bin/bench workers -- --full-length --articles 30 --repeat 3

``--full-length``: the stories are the ten NewsWCL50 events, each of ARTICLES full-length articles
(its five outlets' articles, then rewrites of them), when the development data is beside the
project; it then also reports issue 15's import -> every article processed with two workers (the
end-to-end phase, median of the rounds; target under 10 s for 300 articles).

Needs the launcher's PostgreSQL and Redis (DATABASE_URL, REDIS_URL, DJANGO_SETTINGS_MODULE=
factdesk.settings.bench, migrated). Each round, for W workers:
1. starts W `celery worker --pool=solo` processes (one process each, so a worker's memory is that
   process's), each in its own process group, and waits until all W answer a ping;
2. warms them up on a small story (first use loads pysbd, dateparser, scikit-learn: not what a
   long-running worker pays per story);
3. times two phases, each importing the same N generated stories (new story names) through
   `articles.services.articles_import`, which queues the real pipeline on commit (extract per
   article, then one story analysis per run); a phase ends when every PipelineRun has succeeded
   or failed (polled every 0.2 s), and fails loudly on a failed run or a time-out:
   - workers only (the target figure: N stories processed by the workers): the stories are
     imported in one transaction before the clock starts; its commit queues every run at once,
     and this process only sleep-polls;
   - end to end (reported beside it): the clock starts just before the first import; each import
     queues its run as it commits, so the workers start while this process goes on importing on
     the same 2 cores, which caps the ratio (the diagnosis computes that ceiling);
4. meanwhile samples every worker's RSS (children included) every 0.1 s in a background thread,
   and measures the CPU time of the workers, PostgreSQL, Redis, this process and the machine;
5. stops the workers (SIGTERM to the group, SIGKILL after a grace period) and checks that no task
   is left in Redis.
Rounds alternate 1, 2, 1, 2, ... workers. The speedup is the median over rounds of the ratio within a
round: its two phases run back to back, so the shared machine's slow spells (its single-process
speed varied 2x between runs here) mostly hit both. The table shows, per worker count, the fastest
phase that no other process disturbed (used over 0.25 cores). The files are generated before any clock.

Prints a table and the evidence on where the time goes, and writes bench/results/workers.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factdesk.settings.bench")

import django  # noqa: E402
import psutil  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402

from articles.models import Article  # noqa: E402
from articles.services import articles_import, story_get_or_create  # noqa: E402
from bench.corpus import full_length_story_files, story_files  # noqa: E402
from claims.models import PipelineRun  # noqa: E402
from factdesk.celery import app  # noqa: E402

DONE_STATES = (PipelineRun.State.SUCCEEDED, PipelineRun.State.FAILED)
TARGET_SPEEDUP = 1.6
TARGET_RSS_MB = 400
TARGET_FULL_LENGTH_S = 10.0  # issue 15: 300 full-length articles imported and processed, two workers
MODES = ("streamed", "queued")
LABELS = {"streamed": "end to end", "queued": "workers only"}
QUIET_CORES = 0.25  # machine load (cores) above which another process is competing
MB = 2**20


class BenchError(RuntimeError):
    pass


# --- processes ------------------------------------------------------------------------------------


def _tree(pid: int) -> list[psutil.Process]:
    try:
        p = psutil.Process(pid)
        return [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_rss(pid: int) -> int:
    total = 0
    for p in _tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def tree_cpu(pid: int | None) -> float:
    """CPU seconds of a process, its live children and the children it has reaped (cutime/cstime)."""
    if pid is None:
        return 0.0
    total = 0.0
    for i, p in enumerate(_tree(pid)):
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
        if i == 0:
            total += t.children_user + t.children_system
    return total


def listener_pid(port: int | str | None) -> int | None:
    """The pid of the process listening on this loopback port (the launcher's server)."""
    port = int(port) if port else None
    if not port:
        return None
    try:
        for c in psutil.net_connections(kind="tcp"):
            if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid:
                return c.pid
    except psutil.AccessDenied:
        return None
    return None


class Worker:
    def __init__(self, index: int, logdir: Path) -> None:
        self.name = f"bench{index}@{platform.node()}"
        self.log_path = logdir / f"worker-{index}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "factdesk",
                "worker",
                "--pool=solo",
                "-n",
                f"bench{index}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
        self.pid = self.process.pid
        self.peak_rss = 0
        self.last_rss = 0

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 20) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.process.wait(timeout)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                print(f"  {self.name} did not stop in {timeout:.0f}s; killing it", flush=True)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


class RssSampler(threading.Thread):
    """Every `interval` s, each worker's RSS (children included); keeps the peak per worker."""

    def __init__(self, workers: list[Worker], interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.workers, self.interval = workers, interval
        self.halt = threading.Event()
        self.samples = 0

    def run(self) -> None:
        while not self.halt.is_set():
            for w in self.workers:
                rss = tree_rss(w.pid)
                w.last_rss = rss
                w.peak_rss = max(w.peak_rss, rss)
            self.samples += 1
            self.halt.wait(self.interval)

    def stop(self) -> None:
        self.halt.set()
        self.join()


def wait_for_workers(workers: list[Worker], timeout: float = 90) -> None:
    names = {w.name for w in workers}
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while True:
        for w in workers:
            if w.process.poll() is not None:
                raise BenchError(f"worker {w.name} exited with {w.process.returncode}:\n{w.log_tail()}")
        replies = app.control.ping(destination=sorted(names - seen), timeout=1.0) if names - seen else []
        for reply in replies:
            seen.update(reply)
        if seen >= names:
            return
        if time.monotonic() > deadline:
            raise BenchError(f"workers {sorted(names - seen)} did not answer a ping within {timeout:.0f}s")


def task_counts(workers: list[Worker]) -> dict[str, dict[str, int]]:
    stats = app.control.inspect(destination=[w.name for w in workers], timeout=2.0).stats() or {}
    return {name: dict(s.get("total", {})) for name, s in stats.items()}


# --- Redis ----------------------------------------------------------------------------------------


def redis_client() -> Any:
    import redis

    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def queue_lengths(r: Any) -> dict[str, int]:
    """Messages waiting in the default queue (and its priority lists) and delivered but unacked."""
    waiting = sum(r.llen(k) for k in r.scan_iter("celery*") if r.type(k) == b"list")
    return {"waiting": waiting, "unacked": r.hlen("unacked")}


def wait_queue_empty(r: Any, timeout: float = 10) -> dict[str, int]:
    """Runs end inside their last task; the ack (acks_late) follows a moment later."""
    deadline = time.monotonic() + timeout
    while True:
        q = queue_lengths(r)
        if (q["waiting"] == 0 and q["unacked"] == 0) or time.monotonic() > deadline:
            return q
        time.sleep(0.2)


# --- one round ------------------------------------------------------------------------------------


def wait_runs(run_ids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        pending = PipelineRun.objects.filter(pk__in=run_ids).exclude(state__in=DONE_STATES).count()
        if pending == 0:
            return
        if time.monotonic() > deadline:
            states = dict(
                (r.pk, f"{r.state} {r.progress_done}/{r.progress_total}")
                for r in PipelineRun.objects.filter(pk__in=run_ids).exclude(state__in=DONE_STATES)
            )
            raise BenchError(f"timed out after {timeout:.0f}s: {pending} run(s) not done: {states}")
        time.sleep(0.2)


def import_stories(tag: str, stories: list[tuple[str, list[tuple[str, bytes]]]]) -> tuple[list[int], float, int]:
    """Import each story; returns the PipelineRun ids created, the seconds spent importing, and
    how many articles were imported (a generated exact copy of an earlier article is skipped)."""
    run_ids: list[int] = []
    spent = 0.0
    imported = 0
    for name, files in stories:
        t0 = time.perf_counter()
        story, _ = story_get_or_create(name=f"{name} {tag}")
        batch = articles_import(story=story, files=files)
        spent += time.perf_counter() - t0
        errors = [e for e in batch.report if e["status"] == "error"]
        if errors or not batch.imported_count:
            raise BenchError(f"story {story.name}: imported {batch.imported_count} of {len(files)}: {errors[:3]}")
        imported += batch.imported_count
        ids = list(PipelineRun.objects.filter(import_batch=batch).values_list("pk", flat=True))
        if not ids:
            raise BenchError(f"story {story.name}: the import queued no pipeline run")
        run_ids += ids
    return run_ids, spent, imported


def check_runs(run_ids: list[int]) -> list[PipelineRun]:
    runs = list(PipelineRun.objects.filter(pk__in=run_ids).order_by("pk"))
    failed = [r for r in runs if r.state == PipelineRun.State.FAILED]
    if failed:
        detail = "; ".join(f"run {r.pk} ({r.story}): {r.errors[:2]}" for r in failed)
        raise BenchError(f"{len(failed)} pipeline run(s) failed: {detail}")
    return runs


def cpu_snapshot(workers: list[Worker], pg_pid: int | None, redis_pid: int | None) -> dict[str, Any]:
    me = psutil.Process().cpu_times()
    return {
        "t": time.perf_counter(),
        "workers": {w.name: tree_cpu(w.pid) for w in workers},
        "postgres": tree_cpu(pg_pid),
        "redis": tree_cpu(redis_pid),
        "bench": me.user + me.system,
        "system": psutil.cpu_times(),
    }


def cpu_usage(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Cores used over the window by each party (1.0 = one core busy the whole time)."""
    wall = b["t"] - a["t"]
    sa, sb = a["system"], b["system"]
    busy = lambda s: s.user + s.nice + s.system + s.irq + s.softirq + getattr(s, "steal", 0.0)  # noqa: E731
    workers = {n: (b["workers"][n] - a["workers"][n]) / wall for n in a["workers"]}
    out = {
        "workers": {n: round(v, 3) for n, v in workers.items()},
        "workers_total": round(sum(workers.values()), 3),
        "postgres": round((b["postgres"] - a["postgres"]) / wall, 3),
        "redis": round((b["redis"] - a["redis"]) / wall, 3),
        "bench_process": round((b["bench"] - a["bench"]) / wall, 3),
        "machine_busy": round((busy(sb) - busy(sa)) / wall, 3),
        "cores": psutil.cpu_count(),
    }
    known = out["workers_total"] + out["postgres"] + out["redis"] + out["bench_process"]
    out["other"] = round(max(out["machine_busy"] - known, 0.0), 3)
    return out


def pg_counters() -> dict[str, int]:
    """Connections opened (sessions) and transactions committed in the database so far."""
    with connection.cursor() as c:
        c.execute("SELECT sessions, xact_commit FROM pg_stat_database WHERE datname = current_database()")
        sessions, commits = c.fetchone()
    return {"sessions": int(sessions), "commits": int(commits)}


def lock_waiters() -> int:
    """Backends of this database waiting on a lock now (a row lock: Story, PipelineRun, Article)."""
    with connection.cursor() as c:
        c.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(c.fetchone()[0])


def wait_runs_sampling(run_ids: list[int], timeout: float) -> dict[str, int]:
    """wait_runs, also counting the polls at which a worker's query was waiting on a lock."""
    deadline = time.monotonic() + timeout
    polls = waits = 0
    while True:
        pending = PipelineRun.objects.filter(pk__in=run_ids).exclude(state__in=DONE_STATES).count()
        if pending == 0:
            return {"polls": polls, "polls_with_lock_wait": waits}
        polls += 1
        waits += lock_waiters() > 0
        if time.monotonic() > deadline:
            wait_runs(run_ids, 0)  # raises with the runs' states
        time.sleep(0.2)


def wait_for_quiet(max_wait: float, threshold: float) -> float:
    """Wait (up to max_wait s) until the machine is nearly idle; returns the last load seen, in cores.

    Called when our workers, PostgreSQL and Redis are idle: whatever is busy then is someone else's.
    """
    deadline = time.monotonic() + max_wait
    busy = lambda s: s.user + s.nice + s.system + s.irq + s.softirq + getattr(s, "steal", 0.0)  # noqa: E731
    while True:
        a, t = psutil.cpu_times(), time.perf_counter()
        time.sleep(1.0)
        load = (busy(psutil.cpu_times()) - busy(a)) / (time.perf_counter() - t)
        if load <= threshold or time.monotonic() > deadline:
            return round(load, 3)


def timed_phase(
    mode: str,
    workers: list[Worker],
    pids: tuple[int | None, int | None],
    stories: list[tuple[str, list[tuple[str, bytes]]]],
    tag: str,
    args: Any,
) -> dict:
    """Import the stories and time them until every run is done.

    "streamed": the clock starts just before the first import; each import queues its run as it
    commits, so the workers start while this process goes on importing (as uploads arrive).
    "queued": all the stories are imported in one transaction first, so their runs are queued
    together when it commits; the clock starts just before the commit: only the workers' work.
    """
    counts_before = task_counts(workers)
    load_before = wait_for_quiet(args.quiet_wait, QUIET_CORES)
    connection.close()  # a fresh connection, opened now rather than inside the window
    pg_a = pg_counters()
    if mode == "streamed":
        cpu_a = cpu_snapshot(workers, *pids)
        started = time.perf_counter()
        run_ids, import_seconds, n_articles = import_stories(tag, stories)
        imported = time.perf_counter()
    else:
        with transaction.atomic():
            run_ids, import_seconds, n_articles = import_stories(tag, stories)
            cpu_a = cpu_snapshot(workers, *pids)
            started = imported = time.perf_counter()
        import_seconds = 0.0  # outside the window
    locks = wait_runs_sampling(run_ids, args.timeout)
    elapsed = time.perf_counter() - started
    cpu_b = cpu_snapshot(workers, *pids)
    pg_b = pg_counters()
    runs = check_runs(run_ids)
    queue = wait_queue_empty(redis_client())
    if queue["waiting"] or queue["unacked"]:
        raise BenchError(f"tasks left in Redis after the {mode} phase: {queue}")
    counts_after = task_counts(workers)

    extract_s = sum(run.timings.get("extract_seconds", 0.0) for run in runs)
    analyse_s = sum(run.timings.get("analyse_seconds", 0.0) for run in runs)
    tasks = {
        name: {
            k.rsplit(".", 1)[-1]: v - counts_before.get(name, {}).get(k, 0)
            for k, v in totals.items()
            if v - counts_before.get(name, {}).get(k, 0)
        }
        for name, totals in counts_after.items()
    }
    n_tasks = sum(sum(t.values()) for t in tasks.values())
    # The tail: after the last extraction only story stages are left, at most one per story.
    last_extract = Article.objects.filter(story_id__in=[r.story_id for r in runs]).aggregate(t=Max("processed_at"))["t"]
    last_finish = max(run.finished_at for run in runs if run.finished_at is not None)
    return {
        "mode": mode,
        "workers": len(workers),
        "stories": len(stories),
        "articles": n_articles,
        "seconds": round(elapsed, 3),
        "articles_per_s": round(n_articles / elapsed, 2),
        "stories_per_s": round(len(stories) / elapsed, 3),
        "imports_done_at_s": round(imported - started, 3),
        "import_seconds": round(import_seconds, 3),
        "analyse_tail_seconds": round((last_finish - last_extract).total_seconds(), 3),
        "stage_seconds": {
            "extract_total": round(extract_s, 3),
            "analyse_total": round(analyse_s, 3),
            "extract_per_article_ms": round(1000 * extract_s / n_articles, 2),
            "analyse_per_story_ms": round(1000 * analyse_s / len(runs), 1),
        },
        "tasks": n_tasks,
        "tasks_per_worker": tasks,
        "postgres": {
            "connections_opened": pg_b["sessions"] - pg_a["sessions"],
            "connections_per_task": round((pg_b["sessions"] - pg_a["sessions"]) / max(n_tasks, 1), 2),
            "commits_per_article": round((pg_b["commits"] - pg_a["commits"]) / n_articles, 1),
            "polls": locks["polls"],
            "polls_with_a_lock_wait": locks["polls_with_lock_wait"],
        },
        "cpu_cores_used": cpu_usage(cpu_a, cpu_b),
        "machine_load_before_cores": load_before,
        "queue_after": queue,
    }


def run_round(n_workers: int, stories: list[tuple[str, list[tuple[str, bytes]]]], args: Any, logdir: Path) -> dict:
    before = queue_lengths(redis_client())
    if before["waiting"] or before["unacked"]:
        raise BenchError(f"the Redis queue is not empty before the round: {before}")
    tag = f"w{n_workers}-{uuid.uuid4().hex[:6]}"
    workers = [Worker(i + 1, logdir) for i in range(n_workers)]
    sampler = RssSampler(workers)
    sampler.start()
    pids = (
        listener_pid(settings.DATABASES["default"].get("PORT")),
        listener_pid(urlparse(settings.CELERY_BROKER_URL).port),
    )
    try:
        t0 = time.perf_counter()
        wait_for_workers(workers)
        startup = time.perf_counter() - t0
        # Warm-up: a small story per worker, so that every worker has run both kinds of task
        # (first use loads pysbd, dateparser, scikit-learn: not what a long-running worker pays).
        warm_ids, _, _ = import_stories(
            tag, [(f"warm-up {i}", story_files(max(4, 3 * n_workers), 900 + i)) for i in range(n_workers)]
        )
        wait_runs(warm_ids, args.timeout)
        check_runs(warm_ids)
        rss_idle = {w.name: round(w.last_rss / MB, 1) for w in workers}
        phases = {mode: timed_phase(mode, workers, pids, stories, f"{tag}-{mode}", args) for mode in MODES}
    except BaseException:
        for w in workers:
            tail = w.log_tail(15)
            if tail:
                print(f"--- {w.name} log ({w.log_path}) ---\n{tail}", file=sys.stderr)
        raise
    finally:
        sampler.stop()
        for w in workers:
            w.stop()
    return {
        "workers": n_workers,
        **phases,
        "worker_startup_seconds": round(startup, 2),
        "peak_rss_mb": {w.name: round(w.peak_rss / MB, 1) for w in workers},
        "rss_after_warmup_mb": rss_idle,
        "rss_samples": sampler.samples,
    }


def _calibration_child(articles: list[Any], barrier: Any, results: Any) -> None:
    from claims.pipeline import extract_article

    for a in articles[:5]:  # warm up
        extract_article(a)
    barrier.wait()
    t0 = time.perf_counter()
    for a in articles:
        extract_article(a)
    results.put(time.perf_counter() - t0)


def machine_scaling(tries: int = 3) -> dict[str, float]:
    """The machine's own 2-process speedup on pure CPU work (extraction, no database): the best
    the workers could hope for here. Best of a few tries, as other processes may interfere."""
    import multiprocessing

    from bench.corpus import generate_story

    articles = generate_story(40, seed=7)
    ctx = multiprocessing.get_context("fork")

    def run(n: int) -> float:
        barrier, results = ctx.Barrier(n), ctx.Queue()
        procs = [ctx.Process(target=_calibration_child, args=(articles, barrier, results)) for _ in range(n)]
        for p in procs:
            p.start()
        times = [results.get(timeout=120) for _ in procs]
        for p in procs:
            p.join()
        return max(times)

    connection.close()  # no database connection shared with the forked children
    best = {"one_process_s": float("inf"), "two_processes_s": float("inf"), "speedup": 0.0}
    for _ in range(tries):
        one, two = run(1), run(2)
        if 2 * one / two > best["speedup"]:
            best = {
                "one_process_s": round(one, 3),
                "two_processes_s": round(two, 3),
                "speedup": round(2 * one / two, 2),
            }
    return best


def paired_speedups(rounds: list[dict], mode: str) -> list[float]:
    """Per round, the 2-worker phase's throughput over the 1-worker phase's."""
    by_round: dict[int, dict[int, float]] = {}
    for rd in rounds:
        by_round.setdefault(rd["repeat"], {})[rd["workers"]] = rd[mode]["articles_per_s"]
    return [round(r[2] / r[1], 2) for _, r in sorted(by_round.items()) if 1 in r and 2 in r]


def best_phase(rounds: list[dict], workers: int, mode: str) -> dict:
    """The fastest phase among those no other process disturbed (of all, if every one was)."""
    phases = [rd[mode] for rd in rounds if rd["workers"] == workers]
    clean = [ph for ph in phases if ph["cpu_cores_used"]["other"] <= QUIET_CORES]
    return max(clean or phases, key=lambda ph: ph["articles_per_s"])


def per_article_ms(phase: dict, party: str) -> float:
    return 1000 * phase["cpu_cores_used"][party] * phase["seconds"] / phase["articles"]


def diagnose(one: dict, two: dict, q1: dict, q2: dict, scaling: dict[str, float]) -> list[str]:
    """Where the time goes, and why 2 workers are not 2x: figures from the phases themselves."""
    c1, c2 = one["cpu_cores_used"], two["cpu_cores_used"]
    cores = c1["cores"]
    ours1 = c1["workers_total"] + c1["postgres"] + c1["redis"] + c1["bench_process"]
    ceiling = cores / ours1 if ours1 else float("inf")
    s1, s2 = one["stage_seconds"], two["stage_seconds"]
    pg1 = q1["postgres"]  # workers only: no import transactions of this process in the count
    notes = [
        f"CPU ceiling: per article, 1 worker spent {per_article_ms(one, 'workers_total'):.1f} ms of worker CPU, "
        f"{per_article_ms(one, 'postgres'):.1f} ms of PostgreSQL CPU and {per_article_ms(one, 'bench_process'):.1f} ms "
        f"importing (this process) in {1000 * one['seconds'] / one['articles']:.1f} ms of wall time: {ours1:.2f} of "
        f"{cores} cores busy. A worker waits for PostgreSQL at every query (worker + PostgreSQL = "
        f"{c1['workers_total'] + c1['postgres']:.2f} cores), so one worker never fills a core, and the same work on "
        f"{cores} cores cannot go faster than {ceiling:.2f}x. With 2 workers {c2['machine_busy']:.2f} cores were busy "
        f"(workers {c2['workers_total']:.2f}, PostgreSQL {c2['postgres']:.2f}, this process {c2['bench_process']:.2f}, "
        f"other processes {c2['other']:.2f}); for comparison, 2 processes of pure extraction run "
        f"{scaling['speedup']:.2f}x as fast as 1 here"
        f"{' (measured while other processes competed)' if scaling['speedup'] < 1.8 else ''}.",
        f"Workers only (all runs queued before the clock, this process idle): 1 worker {q1['articles_per_s']:.1f} "
        f"articles/s, 2 workers {q2['articles_per_s']:.1f}: {q2['articles_per_s'] / q1['articles_per_s']:.2f}x; "
        f"the {per_article_ms(one, 'bench_process'):.1f} ms/article of importing in the same window is what the "
        "end-to-end figure pays on top.",
    ]
    if pg1["connections_per_task"] >= 0.5:
        notes.append(
            f"PostgreSQL connections: {pg1['connections_opened']} opened for {q1['tasks']} tasks (1 worker). Celery's Django "
            "fixup closes every database connection before and after each task (celery/fixups/django.py "
            "close_database; CONN_MAX_AGE is not consulted unless CELERY_DB_REUSE_MAX is set), so each task starts a "
            f"new PostgreSQL backend; and {pg1['commits_per_article']} transactions per article (this process's "
            "polls included)."
        )
    else:
        notes.append(
            f"PostgreSQL connections: {pg1['connections_opened']} opened for {q1['tasks']} tasks (1 worker: reused); "
            f"{pg1['commits_per_article']} transactions per article (this process's polls included)."
        )
    notes += [
        f"CPU contention, not a lock: extraction took {s1['extract_per_article_ms']:.1f} ms per article with 1 worker "
        f"and {s2['extract_per_article_ms']:.1f} ms with 2, the story stage {s1['analyse_per_story_ms']:.0f} vs "
        f"{s2['analyse_per_story_ms']:.0f} ms per story; a worker waited on a row lock at "
        f"{two['postgres']['polls_with_a_lock_wait']} of {two['postgres']['polls']} polls (each story has one run, so "
        "the select_for_update on Story in story_analyse never waits here).",
        f"Balance: tasks per worker {two['tasks_per_worker']}; the story stages after the last extraction took "
        f"{two['analyse_tail_seconds']:.2f} s (1 worker: {one['analyse_tail_seconds']:.2f} s); the imports, which feed "
        f"the queue, ended at {two['imports_done_at_s']:.2f} s of {two['seconds']:.2f} s (1 worker: "
        f"{one['imports_done_at_s']:.2f} of {one['seconds']:.2f} s).",
    ]
    noisy = [ph for ph in (one, two, q1, q2) if ph["cpu_cores_used"]["other"] > QUIET_CORES]
    if noisy:
        notes.append(
            "Noise: other processes on the machine used "
            + ", ".join(f"{ph['cpu_cores_used']['other']:.2f}" for ph in (one, two, q1, q2))
            + " cores during the phases shown (1 and 2 workers, end to end; then workers only): these figures are "
            "not clean; run again on a quiet machine."
        )
    return notes


# --- main -----------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", type=int, default=8)
    ap.add_argument("--articles", type=int, default=25, help="articles per story")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument(
        "--repeat", type=int, default=5, help="rounds, each one phase per worker count; the median ratio counts"
    )
    ap.add_argument("--timeout", type=float, default=180, help="seconds to wait for a phase's runs")
    ap.add_argument("--quiet-wait", type=float, default=5, help="seconds to wait for a quiet machine before a phase")
    ap.add_argument(
        "--full-length",
        action="store_true",
        help="the NewsWCL50 events as stories of ARTICLES full-length articles each (their five articles, then "
        "rewrites: bench/corpus.py) instead of generated stories; --stories is then the ten events",
    )
    args, _ = ap.parse_known_args()
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("the workers benchmark needs PostgreSQL and Redis: run it with `python3 bin/bench workers`")

    # Generated before any clock: the same stories for every worker count (distinct names per round).
    if args.full_length:
        stories = full_length_story_files(args.articles, seed=100) or []
        if not stories:
            print("workers --full-length: skipped (../shared/dev-stories/newswcl50 is absent)")
            return 0
        args.stories = len(stories)
    else:
        stories = [
            (f"bench workers story {i + 1}", story_files(args.articles, seed=100 + i)) for i in range(args.stories)
        ]
    n_articles = sum(len(files) for _, files in stories)
    logdir = Path(tempfile.mkdtemp(prefix="factdesk-bench-workers-"))
    print(
        f"{args.stories} {'NewsWCL50 events' if args.full_length else 'stories'} x {args.articles} "
        f"{'full-length ' if args.full_length else ''}articles through `celery worker --pool=solo` on Redis; "
        f"{args.repeat} round(s), each 1 then 2 workers back to back;\nthe speedup is the median of the rounds' "
        f"ratios; the table shows the fastest undisturbed phases. {psutil.cpu_count()} cores, shared by the workers with PostgreSQL, Redis and this "
        "process.\n  end to end: the clock starts before the first import; this process imports "
        "(as uploads would), then only sleep-polls the database every 0.2 s\n  workers only: the stories are "
        "imported in one transaction before the clock, whose commit queues every run at once (the target figure)\n"
        f"Worker logs (kept if something fails): {logdir}",
        flush=True,
    )
    scaling = machine_scaling()
    print(
        f"  the machine itself: 2 processes extracting (no database) are {scaling['speedup']:.2f}x as fast as 1"
        + (" (other processes were competing)" if scaling["speedup"] < 1.8 else ""),
        flush=True,
    )
    rounds = []
    try:
        for rep in range(args.repeat):
            for w in args.workers:
                rd = run_round(w, stories, args, logdir)
                rd["repeat"] = rep + 1
                rounds.append(rd)
                print(f"  round {rep + 1}, {w} worker(s): " + "; ".join(_brief(rd[m]) for m in MODES), flush=True)
    except BenchError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    shutil.rmtree(logdir, ignore_errors=True)

    best = {m: {w: best_phase(rounds, w, m) for w in args.workers} for m in MODES}
    peaks = {w: max(max(rd["peak_rss_mb"].values()) for rd in rounds if rd["workers"] == w) for w in args.workers}
    print(
        f"\n  {'':<13}{'workers':>7}{'seconds':>9}{'articles/s':>12}{'stories/s':>11}{'extract ms/a':>14}"
        f"{'analyse ms/s':>14}{'cores: wkr':>12}{'pg':>6}{'bench':>7}{'other':>7}{'pg conn/task':>14}"
    )
    for m in MODES:
        for w, ph in best[m].items():
            c = ph["cpu_cores_used"]
            print(
                f"  {LABELS[m]:<13}{w:>7}{ph['seconds']:>9.2f}{ph['articles_per_s']:>12.1f}{ph['stories_per_s']:>11.2f}"
                f"{ph['stage_seconds']['extract_per_article_ms']:>14.1f}"
                f"{ph['stage_seconds']['analyse_per_story_ms']:>14.0f}{c['workers_total']:>12.2f}{c['postgres']:>6.2f}"
                f"{c['bench_process']:>7.2f}{c['other']:>7.2f}{ph['postgres']['connections_per_task']:>14.2f}"
            )
    # The target figure: the median over rounds of (2 workers / 1 worker) within a round. The two
    # phases of a round run back to back, so a slow spell of the shared machine (its own 2-process
    # speedup and single-process speed both vary over minutes) mostly hits both; the ratio of the
    # best phases, reported beside it, pairs phases from different moments.
    paired = {m: paired_speedups(rounds, m) for m in MODES}
    speedups = {m: round(statistics.median(paired[m]), 2) if paired[m] else None for m in MODES}
    best_speedups = {
        m: round(best[m][2]["articles_per_s"] / best[m][1]["articles_per_s"], 2)
        if {1, 2} <= set(args.workers)
        else None
        for m in MODES
    }
    speedup = speedups["queued"]
    peak = max(peaks.values())
    print(f"\n  peak RSS of a worker process (MB, any round, warm-up included): {peaks}")
    diagnosis: list[str] = []
    if speedup is not None:
        print(
            f"  throughput, 2 workers / 1 worker, median of the rounds: {speedup:.2f}x workers only (target >= "
            f"{TARGET_SPEEDUP}), {speedups['streamed']:.2f}x end to end\n"
            f"    per round, end to end {paired['streamed']}, workers only {paired['queued']}; "
            f"best phases: {best_speedups['streamed']:.2f}x and {best_speedups['queued']:.2f}x"
        )
        diagnosis = diagnose(best["streamed"][1], best["streamed"][2], best["queued"][1], best["queued"][2], scaling)
        print(f"\n  {'Why the target is missed' if speedup < TARGET_SPEEDUP else 'Why 2 workers are not 2x'}:")
        for note in diagnosis:
            print(f"  - {note}")
    targets = []
    if speedup is not None:
        targets.append(
            {
                "figure": "2 workers / 1 worker throughput (median of rounds)",
                "value": speedup,
                "target": f">= {TARGET_SPEEDUP}",
                "ok": speedup >= TARGET_SPEEDUP,
            }
        )
    targets.append(
        {"figure": "worker peak memory (MB)", "value": peak, "target": f"< {TARGET_RSS_MB}", "ok": peak < TARGET_RSS_MB}
    )
    if args.full_length and 2 in args.workers:
        # issue 15: import -> every article processed, full-length articles, two workers (end to end)
        seconds = statistics.median(rd["streamed"]["seconds"] for rd in rounds if rd["workers"] == 2)
        print(
            f"  import -> every article processed, {n_articles} full-length articles, 2 workers, end to end: "
            f"{seconds:.2f} s (median of {args.repeat} rounds; target < {TARGET_FULL_LENGTH_S:g} s)"
        )
        targets.append(
            {
                "figure": f"import -> every article processed, {n_articles} full-length articles, 2 workers (s)",
                "value": round(seconds, 2),
                "target": f"< {TARGET_FULL_LENGTH_S:g}",
                "ok": seconds < TARGET_FULL_LENGTH_S,
            }
        )
    out = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cores": psutil.cpu_count()},
        "setup": {
            "stories": args.stories,
            "articles_per_story": args.articles,
            "corpus": "NewsWCL50 events and rewrites" if args.full_length else "generated from seeds/",
            "repeat": args.repeat,
            "pool": "solo",
            "prefetch_multiplier": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
            "note": f"{psutil.cpu_count()} cores shared by the workers, PostgreSQL, Redis and the benchmark process. "
            "queued (workers only, the target): the stories are imported in one transaction before the clock and "
            "its commit queues every run; streamed (end to end): the clock starts before the first import, the "
            "benchmark process imports and then sleep-polls every 0.2 s. Workers warmed up on a small story "
            "first. The speedup is the median over rounds of the ratio within a round (its two phases run back "
            "to back); the table's phases are the fastest that other processes did not disturb.",
        },
        "machine_two_process_speedup": scaling,
        "articles_per_s": {m: {str(w): ph["articles_per_s"] for w, ph in best[m].items()} for m in MODES},
        "stories_per_s": {m: {str(w): ph["stories_per_s"] for w, ph in best[m].items()} for m in MODES},
        "speedup": speedups,
        "speedup_per_round": paired,
        "speedup_of_best_phases": best_speedups,
        "peak_rss_mb": {str(w): v for w, v in peaks.items()},
        "best": {m: {str(w): ph for w, ph in best[m].items()} for m in MODES},
        "rounds": rounds,
        "diagnosis": diagnosis,
        "targets": targets,
    }
    path = ROOT / "bench" / "results" / "workers.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2, default=str))
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0


def _brief(ph: dict) -> str:
    c = ph["cpu_cores_used"]
    flag = "" if c["other"] <= QUIET_CORES else ", disturbed"
    return (
        f"{LABELS[ph['mode']]} {ph['seconds']:.2f} s, {ph['articles_per_s']:.1f} articles/s (cores: workers "
        f"{c['workers_total']:.2f}, pg {c['postgres']:.2f}, bench {c['bench_process']:.2f}, other {c['other']:.2f}{flag})"
    )


if __name__ == "__main__":
    sys.exit(main())
