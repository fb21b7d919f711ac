"""Faults: how long a story's processing takes to recover from a killed worker, Redis stopped,
PostgreSQL unreachable and a lost queue, and that nothing is lost or done twice.

    python3 bench/faults.py [--articles 50] [--quick] [--outage 10] [--only baseline kill ...]

Standalone, not under bin/bench: it stops and restarts its own servers. Like bin/bench it creates
.venv (requirements-dev.txt) and starts PostgreSQL and Redis on free loopback ports (bin/_launcher.py
`Servers`); Redis is then restarted at once with the demo's persistence (append-only file, fsync
every second: `start_redis(persistent=True)`), so that it can be stopped and started again. Every
scenario gets fresh processes: 2 Celery workers (prefork, one process each, each in its own process
group, loglevel INFO) and a `celery beat` (the periodic sweep, as production runs it), with the
benchmark settings. The workers reach PostgreSQL through a TCP relay in this process that can be
switched off (new connections closed at once, open ones cut), as tests/test_worker_outage.py does;
this process reads the database directly. The workers are warmed up on a small generated story,
then each scenario imports the same story of N articles through `articles.services.articles_import`
(which queues its run on commit) and polls its PipelineRun every 0.1 s; times come from the run's
`finished_at`:

1. baseline: import -> run succeeded;
2. kill: at a third of the run, worker 1 is SIGKILLed (process group) while it runs a task; worker 2
   stays up. Seconds from the kill to succeeded (the task comes back after the visibility timeout);
3. redis: at a third, Redis is stopped (SIGTERM) for --outage s and started again on its
   append-only file. Seconds from Redis back to succeeded; messages before and after;
4. postgres: at a third, the relay is switched off for --outage s. Seconds from back to succeeded;
   the workers must still be alive;
5. sweep: at a third, the run's queued messages are deleted from Redis (the queue's lists, as a
   Redis restarted without persistence loses them). Only the sweep (claims.tasks.sweep ->
   runs.run_recover, sent by beat) can finish the run: seconds to succeeded, split into the wait for
   the sweep and its re-queued work. This scenario runs the sweep every --sweep-interval s with
   --sweep-stale s (production: 60 s and 300 s, which would only lengthen the wait by that much).

Each faulted run is checked against the baseline: every article processed, the same mentions per
article and the same number of claims (nothing lost, nothing twice), and how many extraction tasks
were delivered. --quick: fewer articles and the tests' short time limits (visibility timeout 21 s
above a 20 s hard limit) instead of production's 90 s above 75 s. Prints a table and writes
bench/results/faults.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bin"))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _launcher import (  # noqa: E402
    VENV,
    Servers,
    ensure_server_packages,
    ensure_venv,
    say,
    start_redis,
    stop,
)

DEV_STORIES = ROOT.parent / "shared" / "dev-stories"
SCENARIOS = ("baseline", "kill", "redis", "postgres", "sweep")
TITLES = {
    "baseline": "baseline (no fault)",
    "kill": "worker SIGKILLed, 1 left",
    "redis": "Redis stopped, restarted",
    "postgres": "PostgreSQL unreachable",
    "sweep": "queue lost, sweep",
}
TARGET_RECOVERY_S = 120  # issue 11: recovery within 2 minutes of a fault ending
QUICK_LIMITS = {
    "CELERY_TASK_TIME_LIMIT": "20",
    "CELERY_TASK_SOFT_TIME_LIMIT": "15",
    "CELERY_BROKER_VISIBILITY_TIMEOUT": "21",
}
EXTRACT_RECEIVED = re.compile(r"Task claims\.tasks\.extract_article\[[0-9a-f-]{36}\] received")
TASK_RE = re.compile(r"Task (\S+)\[([0-9a-f-]{36})\] (received|succeeded|retry|raised|failed|ignored|rejected)")


class BenchError(RuntimeError):
    pass


# --- the corpus -----------------------------------------------------------------------------------


def corpus(n: int) -> tuple[str, list[tuple[str, bytes]]]:
    """N article files: the dev stories' real articles when the folder is there, else generated from seeds/."""
    wcl = DEV_STORIES / "newswcl50"
    if not wcl.is_dir():
        from bench.corpus import story_files

        return f"{n} articles generated from seeds/ (no {DEV_STORIES})", story_files(n, seed=11)
    events = sorted(wcl.glob("event-*"), key=lambda p: int(p.name.split("-")[1]))
    files = [(f"{e.name}-{p.name}", p.read_bytes()) for e in events for p in sorted(e.glob("*.json"))]
    label = f"{min(n, len(files))} real articles from {len(events)} NewsWCL50 events (5 US outlets each)"
    multinews = DEV_STORIES / "multinews_test.jsonl"
    if len(files) < n and multinews.exists():
        extra = 0
        with multinews.open(encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                for j, doc in enumerate(record["documents"]):
                    if len(doc) >= 1500 and len(files) < n:
                        files.append((f"multinews-{record['idx']}-{j}.json", json.dumps({"text": doc}).encode()))
                        extra += 1
                if len(files) >= n:
                    break
        label += f" + {extra} Multi-News documents"
    return f"{label}, in one story (../shared/dev-stories)", files[:n]


# --- processes ------------------------------------------------------------------------------------


class Relay:
    """127.0.0.1:port -> target, with a switch: off, new connections are closed at once and open ones cut."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.up = target, True
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def switch(self, up: bool) -> None:
        self.up = up
        if not up:
            with self.lock:
                cut, self.open = self.open, []
            for s in cut:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.server.close()
        self.switch(False)


class Proc:
    """A celery process in its own process group, logging to a file whose task lines we read."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name, self.log_path = name, log_path
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "factdesk", *args],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.offset = 0

    def alive(self) -> bool:
        return self.process.poll() is None

    def text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def mark(self) -> None:
        """Task lines from now on are the measured scenario's (not the warm-up's)."""
        self.offset = len(self.text())

    def since_mark(self) -> str:
        return self.text()[self.offset :]

    def tasks(self) -> dict[str, tuple[str, set[str]]]:
        """Since the mark: task id -> (task name, what the log says happened to it)."""
        seen: dict[str, tuple[str, set[str]]] = {}
        for name, task_id, event in TASK_RE.findall(self.since_mark()):
            seen.setdefault(task_id, (name, set()))[1].add(event)
        return seen

    def in_flight(self) -> list[str]:
        """Names of the tasks received and not yet finished (one at most: prefetch 1, acks late)."""
        return [name for name, events in self.tasks().values() if events == {"received"}]

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)  # the whole group, as the OOM killer or a lost host would
        self.process.wait(10)

    def stop(self) -> None:
        stop(self.process, self.name, timeout=20)
        self._log.close()


class Cluster:
    """Two workers and beat for one scenario, stopped together."""

    def __init__(self, label: str, env: dict[str, str], logdir: Path, workers: int) -> None:
        host = socket.gethostname()
        self.workers = [
            Proc(
                f"faults{i}@{host}",
                [
                    "worker",
                    "--concurrency=1",
                    "-n",
                    f"faults{i}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=INFO",
                ],
                env,
                logdir / f"{label}-worker-{i}.log",
            )
            for i in range(1, workers + 1)
        ]
        self.beat = Proc(
            "beat",
            ["beat", "--loglevel=INFO", "--schedule", str(logdir / f"{label}-beat-schedule")],
            env,
            logdir / f"{label}-beat.log",
        )
        self.procs = [*self.workers, self.beat]

    def wait_ready(self, timeout: float = 90) -> None:
        """Every worker has logged that it is ready (read from its log: a broadcast ping through this
        process's pooled broker connection could hang after the Redis restart)."""
        deadline = time.monotonic() + timeout
        while not all(f"{w.name} ready." in w.text() for w in self.workers):
            for p in self.procs:
                if not p.alive():
                    raise BenchError(f"{p.name} exited with {p.process.returncode}:\n{p.text()[-3000:]}")
            if time.monotonic() > deadline:
                raise BenchError(f"the workers did not say they were ready within {timeout:.0f}s")
            time.sleep(0.2)

    def stop(self) -> None:
        for p in self.procs:
            p.stop()


# --- runs -----------------------------------------------------------------------------------------


def import_story(name: str, files: list[tuple[str, bytes]]) -> tuple[Any, float]:
    """Import the files into a new story; returns its run and the wall time the import started."""
    from articles.services import articles_import, story_get_or_create
    from claims.models import PipelineRun

    started = time.time()
    story, _ = story_get_or_create(name=name)
    batch = articles_import(story=story, files=files)
    errors = [e for e in batch.report if e["status"] == "error"]
    if errors:
        raise BenchError(f"{name}: {len(errors)} file(s) not imported: {errors[:3]}")
    return PipelineRun.objects.get(import_batch=batch), started


def wait_progress(run: Any, done: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        run.refresh_from_db()
        if run.progress_done >= done or run.state in ("succeeded", "failed"):
            return
        if time.monotonic() > deadline:
            raise BenchError(f"run {run.pk} reached only {run.progress_done}/{run.progress_total} in {timeout:.0f}s")
        time.sleep(0.05)


def wait_finished(run: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state in ("succeeded", "failed"):
            return True
        time.sleep(0.1)
    return False


def outcome(run: Any) -> dict[str, Any]:
    """What the run left in the database: processed articles, mentions per article, claims."""
    from django.db.models import Count

    from articles.models import Article
    from claims.models import Claim, Mention

    articles = Article.objects.filter(story_id=run.story_id)
    per_article = dict(
        Mention.objects.filter(article__story_id=run.story_id)
        .values_list("article__external_id")
        .annotate(n=Count("pk"))
        .values_list("article__external_id", "n")
    )
    return {
        "articles": articles.count(),
        "processed": articles.filter(processed_at__isnull=False).count(),
        "mentions": sum(per_article.values()),
        "mentions_per_article": {a: per_article.get(a, 0) for a in articles.values_list("external_id", flat=True)},
        "claims": Claim.objects.filter(story_id=run.story_id).count(),
    }


def run_notes(run: Any) -> list[str]:
    """The run's notes about faults: waiting for the queue, transient failures, the sweep's re-queues."""
    return [
        f"{e['stage']}: {e['reason']}" for e in run.errors if e.get("transient") or e.get("stage") in ("sweep", "queue")
    ]


# --- the scenarios --------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, servers: Servers, redis_binary: str, relay: Relay, logdir: Path):
        self.args, self.servers, self.redis_binary, self.relay, self.logdir = args, servers, redis_binary, relay, logdir
        self.redis_port = int(servers.env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
        self.label, self.files = corpus(args.articles)
        self.baseline: dict[str, Any] | None = None
        self.stamp = time.strftime("%H%M%S")

    def worker_env(self, scenario: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.relay.port}/factdesk",
            "LOG_LEVEL": "INFO",
        }
        if self.args.quick:
            env.update(QUICK_LIMITS)
        if scenario == "sweep":
            env["FACTDESK_SWEEP_INTERVAL_SECONDS"] = str(self.args.sweep_interval)
            env["FACTDESK_SWEEP_STALE_SECONDS"] = str(self.args.sweep_stale)
        return env

    def redis(self) -> Any:
        from bench.workers import redis_client

        return redis_client()

    def scenario(self, name: str) -> dict[str, Any]:
        from bench.corpus import story_files

        cluster = Cluster(name, self.worker_env(name), self.logdir, self.args.workers)
        try:
            cluster.wait_ready()
            warm, _ = import_story(f"Faults warm-up {name} {self.stamp}", story_files(6, seed=97))
            if not wait_finished(warm, 120) or warm.state != "succeeded":
                raise BenchError(f"warm-up run {warm.pk}: {warm.state} {warm.errors[:3]}")
            for p in cluster.procs:
                p.mark()
            return self.measure(name, cluster)
        finally:
            cluster.stop()
            self.clean_queue()

    def clean_queue(self) -> dict[str, int]:
        """Empty what a scenario left in Redis (a task whose ack a fault lost) so the next starts clean."""
        from bench.workers import queue_lengths

        r = self.redis()
        left = queue_lengths(r)
        for key in [*r.scan_iter("celery*"), b"unacked", b"unacked_index"]:
            if key == b"unacked" or key == b"unacked_index" or r.type(key) == b"list":
                r.delete(key)
        return left

    def measure(self, name: str, cluster: Cluster) -> dict[str, Any]:
        args = self.args
        run, started = import_story(f"Faults {name} {self.stamp}", self.files)
        total = run.progress_total
        result: dict[str, Any] = {"scenario": name, "run": run.pk}
        fault_at = fault_end = None
        if name != "baseline":
            wait_progress(run, max(1, (total - 1) // 3), args.timeout)
            result["fault_at_progress"] = f"{run.progress_done}/{total}"
            fault_at = time.time()
            if name == "kill":
                doomed = cluster.workers[0]
                deadline = time.monotonic() + 30
                while not doomed.in_flight() and time.monotonic() < deadline:
                    time.sleep(0.005)
                fault_at = time.time()
                doomed.kill()
                fault_end = fault_at
                result["in_flight_at_kill"] = doomed.in_flight()
            elif name == "redis":
                from bench.workers import queue_lengths

                result["redis_before_stop"] = queue_lengths(self.redis())
                stop(self.servers.redis, "redis")
                fault_at = time.time()
                time.sleep(args.outage)
                self.servers.redis = start_redis(
                    self.redis_binary, self.redis_port, self.servers.scratch, persistent=True
                )
                fault_end = time.time()
                result["redis_after_restart"] = queue_lengths(self.redis())
            elif name == "postgres":
                self.relay.switch(up=False)
                fault_at = time.time()
                time.sleep(args.outage)
                self.relay.switch(up=True)
                fault_end = time.time()
            elif name == "sweep":
                r = self.redis()
                lists = [k for k in r.scan_iter("celery*") if r.type(k) == b"list"]
                result["messages_deleted"] = sum(r.llen(k) for k in lists)
                if lists:
                    r.delete(*lists)
                fault_at = fault_end = time.time()
            run.refresh_from_db()
            result["mid_run"] = run.state not in ("succeeded", "failed")
        finished = wait_finished(run, args.timeout)
        run.refresh_from_db()
        result["state"] = run.state if finished else f"{run.state} {run.progress_done}/{total} (timed out)"
        result["ok"] = finished and run.state == "succeeded"
        if run.finished_at is not None and finished:
            end = run.finished_at.timestamp()
            result["import_to_succeeded_s"] = round(end - started, 2)
            if fault_end is not None:
                result["fault_seconds"] = round(fault_end - (fault_at or fault_end), 1)
                result["recovery_s"] = round(end - fault_end, 2)
        if name == "sweep":
            sweeps = [e["at"] for e in run.errors if e.get("stage") == "sweep" and e.get("at")]
            if sweeps and fault_end is not None:
                from django.utils.dateparse import parse_datetime

                requeued = parse_datetime(sweeps[0])
                if requeued is not None:
                    result["fault_to_sweep_s"] = round(requeued.timestamp() - fault_end, 2)
                    if "recovery_s" in result:
                        result["sweep_to_succeeded_s"] = round(result["recovery_s"] - result["fault_to_sweep_s"], 2)
        result["notes"] = run_notes(run)
        result.update(outcome(run))
        result["extract_deliveries"] = sum(len(EXTRACT_RECEIVED.findall(w.since_mark())) for w in cluster.workers)
        result["retries_logged"] = sum(w.since_mark().count("] retry: ") for w in cluster.workers)
        result["workers_alive"] = sum(w.alive() for w in cluster.workers)
        result["beat_alive"] = cluster.beat.alive()
        result["unrecoverable"] = sum(w.text().count("Unrecoverable error") for w in cluster.workers)
        result["left_in_redis"] = self.clean_queue_counts()
        return result

    def clean_queue_counts(self) -> dict[str, int]:
        from bench.workers import queue_lengths

        time.sleep(1)  # the last ack follows the run's end
        return queue_lengths(self.redis())


# --- report ---------------------------------------------------------------------------------------


def check(result: dict[str, Any], baseline: dict[str, Any] | None) -> list[str]:
    """What is wrong with a run compared with the baseline (empty: nothing lost, nothing twice)."""
    problems = []
    if not result["ok"]:
        problems.append(f"run ended {result['state']}")
    if result["processed"] != result["articles"]:
        problems.append(f"{result['articles'] - result['processed']} article(s) stranded")
    if baseline is not None:
        if result["mentions_per_article"] != baseline["mentions_per_article"]:
            diff = [
                a for a, n in baseline["mentions_per_article"].items() if result["mentions_per_article"].get(a) != n
            ]
            problems.append(f"mentions differ from the baseline's on {len(diff)} article(s): {diff[:5]}")
        if result["claims"] != baseline["claims"]:
            problems.append(f"claims {result['claims']} != baseline's {baseline['claims']}")
    if result["workers_alive"] < (1 if result["scenario"] == "kill" else 2) or not result["beat_alive"]:
        problems.append(f"only {result['workers_alive']} worker(s) alive, beat alive: {result['beat_alive']}")
    if result["unrecoverable"]:
        problems.append("a worker logged 'Unrecoverable error'")
    if result.get("mid_run") is False:
        problems.append("the run ended before the fault (use more articles)")
    return problems


def fmt(value: Any, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def report(results: list[dict[str, Any]], bench: Bench, settings_note: str) -> None:
    base = next((r for r in results if r["scenario"] == "baseline"), None)
    base_s = base.get("import_to_succeeded_s") if base else None
    print(f"\nFaults during a story's processing: {bench.label}.")
    print(f"  {settings_note}")
    print(
        f"\n  {'scenario':<27}{'fault at':>9}{'fault s':>9}{'recovered s':>13}{'import->done s':>16}{'x base':>8}"
        f"{'processed':>11}{'claims':>8}{'mentions':>10}{'extract tasks':>15}{'  ok'}"
    )
    for r in results:
        ratio = r["import_to_succeeded_s"] / base_s if base_s and r.get("import_to_succeeded_s") else None
        same = "" if base is None or r is base else ("=" if r["claims"] == base["claims"] else "!")
        same_m = (
            ""
            if base is None or r is base
            else ("=" if r["mentions_per_article"] == base["mentions_per_article"] else "!")
        )
        print(
            f"  {TITLES[r['scenario']]:<27}{r.get('fault_at_progress', '-'):>9}{fmt(r.get('fault_seconds')):>9}"
            f"{fmt(r.get('recovery_s')):>13}{fmt(r.get('import_to_succeeded_s')):>16}{fmt(ratio, '.2f'):>8}"
            f"{r['processed']:>6}/{r['articles']:<4}{r['claims']:>7}{same:1}{r['mentions']:>9}{same_m:1}"
            f"{r['extract_deliveries']:>10} rcvd  {'OK' if not r['problems'] else 'NO'}"
        )
    print("\n  recovered s: from the end of the fault (the kill, Redis answering again, the relay on again, the")
    print("  queue deleted) to the run's finished_at. x base: import->done over the baseline's. '=': same claims /")
    print("  mentions per article as the baseline. extract tasks: extractions the workers received (a retry or a")
    print("  redelivery counts again; each article is extracted once: its mentions equal the baseline's).")
    print()
    for r in results:
        lines = []
        name = r["scenario"]
        if name == "kill":
            lines.append(f"in flight on the killed worker: {r.get('in_flight_at_kill') or 'nothing'}")
        if name == "redis":
            lines.append(
                f"Redis before the stop {r.get('redis_before_stop')}, after the restart {r.get('redis_after_restart')}"
            )
        if name == "sweep":
            lines.append(
                f"{r.get('messages_deleted')} queued message(s) deleted; sweep re-queued after {fmt(r.get('fault_to_sweep_s'))} s, "
                f"then succeeded {fmt(r.get('sweep_to_succeeded_s'))} s later"
            )
        if r.get("retries_logged"):
            lines.append(f"task retries logged: {r['retries_logged']}")
        if r.get("notes"):
            lines.append("run notes: " + " | ".join(n[:150] for n in r["notes"][:4]))
        if r["left_in_redis"] != {"waiting": 0, "unacked": 0}:
            lines.append(f"left in Redis after the run: {r['left_in_redis']} (tasks of the finished run; purged)")
        lines.append(f"workers alive {r['workers_alive']}, beat alive {r['beat_alive']}")
        lines += [f"PROBLEM: {p}" for p in r["problems"]]
        print(f"  {name}: " + "; ".join(lines))
    recov = [(r["scenario"], r.get("recovery_s")) for r in results if r["scenario"] != "baseline"]
    print("\n  Targets (issue 11): 0 stranded, 0 lost, recovery within 2 minutes of a fault ending")
    for name, seconds in recov:
        ok = seconds is not None and seconds <= TARGET_RECOVERY_S
        print(
            f"    {'OK    ' if ok else 'MISSED'} {name:<9} recovered in {fmt(seconds)} s (target <= {TARGET_RECOVERY_S})"
        )
    stranded = sum(r["articles"] - r["processed"] for r in results)
    lost = sum(1 for r in results if r["problems"])
    print(f"    {'OK    ' if stranded == 0 else 'MISSED'} stranded articles: {stranded}")
    print(f"    {'OK    ' if lost == 0 else 'MISSED'} scenarios with something lost, doubled or failed: {lost}")


# --- main -----------------------------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--articles", type=int, default=None, help="articles in the story (50; --quick 20)")
    ap.add_argument("--quick", action="store_true", help="20 articles, the tests' short time limits (visibility 21 s)")
    ap.add_argument("--outage", type=float, default=10.0, help="seconds Redis and PostgreSQL stay away")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sweep-interval", type=float, default=10.0, help="the sweep scenario's beat interval (s)")
    ap.add_argument("--sweep-stale", type=float, default=30.0, help="the sweep scenario's stale deadline (s)")
    ap.add_argument("--timeout", type=float, default=400.0, help="longest wait for one run (s)")
    ap.add_argument("--only", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    args = ap.parse_args(argv)
    if args.articles is None:
        args.articles = 20 if args.quick else 50
    if "baseline" not in args.only:
        args.only.insert(0, "baseline")  # the others are checked against it
    return args


def main(argv: list[str]) -> int:
    if Path(sys.prefix).resolve() != VENV.resolve():
        python = ensure_venv("requirements-dev.txt")
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *argv])
    args = parse(argv)
    pg_ctl, redis_binary = ensure_server_packages()
    with Servers(pg_ctl, redis_binary, prefix="factdesk-faults-") as servers:
        port = int(servers.env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
        stop(servers.redis, "redis")  # again with the demo's persistence, to survive a restart
        servers.redis = start_redis(redis_binary, port, servers.scratch, persistent=True)
        os.environ.update(servers.env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "factdesk.settings.bench"
        os.environ["PYTHONPATH"] = str(ROOT)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
        import django

        django.setup()
        from django.conf import settings

        database = settings.DATABASES["default"]
        relay = Relay((database["HOST"], int(database["PORT"])))
        logdir = Path(tempfile.mkdtemp(prefix="factdesk-faults-logs-"))
        bench = Bench(args, servers, redis_binary, relay, logdir)
        limits = (
            QUICK_LIMITS
            if args.quick
            else {
                "CELERY_TASK_TIME_LIMIT": str(settings.CELERY_TASK_TIME_LIMIT),
                "CELERY_BROKER_VISIBILITY_TIMEOUT": str(settings.CELERY_BROKER_VISIBILITY_TIMEOUT),
            }
        )
        note = (
            f"{args.workers} Celery workers (prefork, 1 process each) + beat on {platform.node()} "
            f"({os.cpu_count()} cores, shared with PostgreSQL, Redis, this process and its relay); hard time limit "
            f"{limits['CELERY_TASK_TIME_LIMIT']} s, visibility timeout {limits['CELERY_BROKER_VISIBILITY_TIMEOUT']} s"
            f"{' (--quick: the tests limits)' if args.quick else ' (production defaults)'}, retry floor "
            f"{settings.FACTDESK_TASK_RETRY_FLOOR_SECONDS:g} s; sweep every {settings.FACTDESK_SWEEP_INTERVAL_SECONDS:g} s, "
            f"stale after {settings.FACTDESK_SWEEP_STALE_SECONDS:g} s (sweep scenario: every {args.sweep_interval:g} s, "
            f"stale after {args.sweep_stale:g} s); Redis append-only (fsync every second); outages {args.outage:g} s"
        )
        say(f"Faults benchmark: {bench.label}; logs in {logdir}")
        results: list[dict[str, Any]] = []
        started = time.monotonic()
        try:
            for name in args.only:
                say(f"Scenario: {name}")
                t0 = time.monotonic()
                try:
                    result = bench.scenario(name)
                except BenchError as exc:
                    print(f"  FAILED: {exc}", file=sys.stderr, flush=True)
                    continue
                if name == "baseline":
                    bench.baseline = result
                result["problems"] = check(result, bench.baseline if name != "baseline" else None)
                results.append(result)
                say(
                    f"{name}: {result['state']}, recovered in {fmt(result.get('recovery_s'))} s, import->done "
                    f"{fmt(result.get('import_to_succeeded_s'))} s ({time.monotonic() - t0:.0f} s with start and warm-up)"
                )
        finally:
            relay.close()
        report(results, bench, note)
        print(f"\n  total {time.monotonic() - started:.0f} s; worker logs: {logdir}")
        out = {
            "machine": {"python": platform.python_version(), "platform": platform.platform(), "cores": os.cpu_count()},
            "setup": {"corpus": bench.label, "articles": args.articles, "quick": args.quick, "note": note},
            "results": [{k: v for k, v in r.items() if k != "mentions_per_article"} for r in results],
            "targets": [
                {
                    "figure": f"recovery after fault: {r['scenario']} (s)",
                    "value": r.get("recovery_s"),
                    "target": f"<= {TARGET_RECOVERY_S}",
                    "ok": r.get("recovery_s") is not None
                    and r["recovery_s"] <= TARGET_RECOVERY_S
                    and not r["problems"],
                }
                for r in results
                if r["scenario"] != "baseline"
            ],
        }
        path = ROOT / "bench" / "results" / "faults.json"
        path.write_text(json.dumps(out, indent=2, default=str))
        print(f"wrote {path.relative_to(ROOT)}")
        failed = len(results) < len(args.only) or any(r["problems"] for r in results)
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
