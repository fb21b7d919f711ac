"""Stopping bin/demo stops every process it started, even when a second signal comes while it stops them.

Real processes: the demo itself, in a scratch var/ of its own (SQLite, the embedded Redis, a Celery
worker with beat, the web server). `timeout` relays a SIGTERM of its own after the one it got, and a
terminal may send two Ctrl-Cs: the second used to cut the clean-up short and leave the worker and
Redis running, their parent gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, wait_until

sys.path.insert(0, str(ROOT / "bin"))
from _launcher import free_port

pytestmark = pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists(), reason="needs the project's .venv")

# What the test session sets and the demo must not inherit: it runs on its own database and broker.
OUTSIDE = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "FACTDESK_STORY_INDEX_DIR", "CELERY_BROKER_URL")


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (children of children included), read from /proc."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    pending.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_second_signal_while_the_demo_stops_orphans_nothing(tmp_path: Path, signal_number: int) -> None:
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name not in OUTSIDE}
    log = tmp_path / "demo.log"
    with open(log, "wb") as out:
        demo = subprocess.Popen(
            [sys.executable, str(ROOT / "bin" / "demo"), "--port", str(port), "--var", str(tmp_path / "var")],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    started: set[int] = set()
    try:
        wait_until(lambda: b"FactDesk is running" in log.read_bytes() or demo.poll() is not None, timeout=180)
        assert demo.poll() is None, log.read_text()
        started = descendants(demo.pid)
        names = {Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ") for pid in started if alive(pid)}
        assert any(b"celery" in name for name in names) and any(b"redis-server" in name for name in names), names

        demo.send_signal(signal_number)
        # The second comes while the demo waits for its children to stop (the web server and the
        # worker take a moment each).
        wait_until(lambda: b"Stopping" in log.read_bytes(), timeout=10)
        time.sleep(0.3)
        demo.send_signal(signal_number)
        demo.wait(timeout=60)

        wait_until(lambda: not any(alive(pid) for pid in started), timeout=15)
        assert demo.returncode == 0, log.read_text()
        assert (tmp_path / "var" / "demo.sqlite3").exists()  # it kept to the var/ it was given
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
        for pid in started:
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
