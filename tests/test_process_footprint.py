"""What a web or worker process loads: the libraries only some tasks need are imported where they
are used (scikit-learn for the desk model, 68 MB; datasketch with the parts of SciPy it loads for
near-duplicate detection at import, 39 MB), so that the story stage's worker stays small
(issue 15.4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LOAD = """
import os, sys
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "factdesk.settings.base"
import django
django.setup()
import claims.tasks, claims.persist, claims.desk, claims.views, articles.services, factdesk.urls
print(" ".join(sorted({{m.split(".")[0] for m in sys.modules}} & {{"sklearn", "datasketch"}})))
"""


def test_loading_the_app_imports_neither_scikit_learn_nor_datasketch() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOAD.format(root=str(ROOT))], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
