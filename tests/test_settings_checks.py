"""Settings that would deliver tasks twice are refused at start, with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_settings(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **overrides}
    return subprocess.run(
        [sys.executable, "-c", "import factdesk.settings.base"], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"CELERY_BROKER_VISIBILITY_TIMEOUT": "70"}, "must be above CELERY_TASK_TIME_LIMIT (75)"),
        ({"FACTDESK_TASK_RETRY_MAX_SECONDS": "80"}, "FACTDESK_TASK_RETRY_MAX_SECONDS (80) with its random quarter"),
    ],
)
def test_a_setting_that_would_deliver_a_task_twice_is_refused(overrides: dict[str, str], message: str) -> None:
    done = load_settings(**overrides)
    assert done.returncode != 0 and "ImproperlyConfigured" in done.stderr and message in done.stderr


def test_the_defaults_load() -> None:
    done = load_settings()
    assert done.returncode == 0, done.stderr
