"""Each story's ``StoryIndex`` kept between runs of the story stage, in files of its own.

The index is what the last run computed (claims/pipeline/incremental.py); with it, a run that
adds a few articles does the new work only. It is a cache and never the truth: the claims and
conflicts are in the database, every run checks the index against them (``disagreement``), and
anything that does not fit (a reviewer merged or split claims, an article changed, the file is
missing, unreadable, written by other pipeline code or for another story) costs a full run,
nothing else. The files are written by the app itself under ``FACTDESK_STORY_INDEX_DIR``, a
directory nobody else writes (they are pickles); an empty setting keeps no index. What does not
change between full runs (the statistics, and the mentions and articles, which never change once
stored) is kept in the story's log (``story-N.log``), to which each run adds a record of what it
added, so that a run does not write it all again (``StoryIndex.dump_log``). The process
that wrote an index also holds it in memory until its next run of the story takes it, so that a
worker running the same story again does not read back what it just wrote.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import secrets
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from articles.models import Story

from .pipeline.incremental import StoryIndex, StoryLog

logger = logging.getLogger(__name__)

PIPELINE_DIR = Path(__file__).resolve().parent / "pipeline"


@cache
def code_version() -> str:
    """A digest of the pipeline's source: an index written by other code is not read."""
    digest = hashlib.sha256()
    for path in sorted(PIPELINE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PIPELINE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _directory() -> Path | None:
    configured = getattr(settings, "FACTDESK_STORY_INDEX_DIR", "")
    return Path(configured) if configured else None


def _path(story: Story) -> Path | None:
    directory = _directory()
    return directory / f"story-{story.pk}.pickle" if directory else None


def _identity(story: Story) -> dict[str, Any]:
    return {"story": story.pk, "created": story.created_at.isoformat(), "code": code_version()}


# The index this process kept last, with its file's token, while no run has taken it: the next
# run of that story in this process takes it instead of reading the file back (0.3 s on 3,000
# documents), provided the file still holds it (another worker may have written a newer one).
# A run takes it out whatever happens, so a run that fails leaves none.
_held: tuple[Path, str, StoryIndex] | None = None


def load(story: Story) -> tuple[StoryIndex | None, str]:
    """The story's kept index, or None and why there is none."""
    global _held
    held, _held = _held, None
    path = _path(story)
    if path is None:
        return None, "no index is kept (FACTDESK_STORY_INDEX_DIR is empty)"
    try:
        with path.open("rb") as fh:
            header = pickle.load(fh)
            if not isinstance(header, dict) or {k: header.get(k) for k in ("story", "created", "code")} != _identity(
                story
            ):
                return None, "the kept index is for other pipeline code or another story"
            if held is not None and held[0] == path and held[1] == header.get("token"):
                return held[2], ""
            del held  # not kept alive while the file's index is read
            return StoryIndex.load(fh, _load_log(path, header["log"])), ""
    except (FileNotFoundError, NotADirectoryError):
        return None, "no index kept for this story yet"
    except Exception as exc:  # a damaged or foreign file costs a full run, never the run
        logger.warning("story %s: the kept index was not read: %r", story.pk, exc)
        return None, f"the kept index could not be read ({type(exc).__name__})"


def _log_path(path: Path) -> Path:
    return path.with_suffix(".log")


def _load_log(path: Path, kept: dict[str, Any]) -> StoryLog:
    """The log an index file counts on: its first ``records`` records (a run that died while
    adding to it left more), in the log file it names."""
    try:
        fh = _log_path(path).open("rb")
    except FileNotFoundError as exc:
        raise ValueError("the log is missing") from exc
    with fh:
        if pickle.load(fh) != {"token": kept["token"]}:
            raise ValueError("the log is not the one this index was kept with")
        log = StoryIndex.load_log(fh, kept["records"])
        if fh.tell() > kept["length"]:
            raise ValueError("the log does not end where its index says")
    return log


def _save_log(path: Path, index: StoryIndex) -> dict[str, Any]:
    """Add to the index's log what it lacks (at its end), or write it afresh (after a full run,
    whose mentions come in another order and whose statistics are new, or when it does not
    fit); returns what the index file records of it."""
    log_path = _log_path(path)
    kept = index.log_file
    if not index.refreshed and kept is not None:
        try:
            with log_path.open("r+b") as fh:
                # (a shorter file than it records is damaged: written afresh)
                if pickle.load(fh) == {"token": kept["token"]} and os.fstat(fh.fileno()).st_size >= kept["length"]:
                    fh.seek(kept["length"])
                    fh.truncate()  # what a run that died while adding left
                    index.dump_log(fh, fresh=False)
                    return {"token": kept["token"], "records": kept["records"] + 1, "length": fh.tell()}
        except (FileNotFoundError, pickle.UnpicklingError, EOFError):
            pass  # written afresh below
    token = secrets.token_hex(8)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{log_path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({"token": token}, fh)
            index.dump_log(fh, fresh=True)
            length = fh.tell()
        os.replace(name, log_path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return {"token": token, "records": 1, "length": length}


def forget() -> None:
    """Let go of the index this process kept last (before a run that will not use it)."""
    global _held
    _held = None


def save(story: Story, index: StoryIndex) -> bool:
    """Keep ``index`` for the story's next run: written whole or not at all (a temporary file,
    then renamed), then only the ``FACTDESK_STORY_INDEX_KEEP`` most recent files are kept.
    A failure to write (a full disk) is logged and costs the next run a full one, not this run."""
    global _held
    path = _path(story)
    if path is None:
        return False
    temporary: Path | None = None
    token = secrets.token_hex(8)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # The log first: the index file, renamed last, says how much of it is its.
        index.log_file = _save_log(path, index)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        temporary = Path(name)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({**_identity(story), "token": token, "log": index.log_file}, fh)
            index.dump(fh)
        os.replace(temporary, path)
        _held = (path, token, index)
        _prune(path.parent, keep=settings.FACTDESK_STORY_INDEX_KEEP)
    except Exception:
        logger.warning("story %s: its index was not kept", story.pk, exc_info=True)
        index.log_file = None  # written afresh next time
        for stale in (temporary, path):  # an older index would only be refused next time
            try:
                if stale is not None:
                    stale.unlink(missing_ok=True)
            except OSError:
                pass
        return False
    return True


def discard(story: Story) -> None:
    forget()
    path = _path(story)
    try:
        if path is not None:
            path.unlink(missing_ok=True)
            _log_path(path).unlink(missing_ok=True)
    except OSError:
        logger.warning("story %s: its index could not be removed", story.pk, exc_info=True)


def _prune(directory: Path, keep: int) -> None:
    """The ``keep`` most recently written indexes stay; so do temporary files of the last hour
    (a run may be writing one), older ones are what a killed run left."""
    now = time.time()
    aged: list[tuple[float, Path]] = []
    for path in directory.iterdir():
        try:
            modified = path.stat().st_mtime
        except FileNotFoundError:  # another worker pruned it
            continue
        if path.name.startswith(".story-") and now - modified > 3600:
            path.unlink(missing_ok=True)
        elif path.name.startswith("story-") and path.suffix == ".pickle":
            aged.append((modified, path))
        elif path.name.startswith("story-") and path.suffix == ".mentions":
            path.unlink(missing_ok=True)  # what an earlier version kept beside an index: its log now
    for _, old in sorted(aged, reverse=True)[keep:]:
        old.unlink(missing_ok=True)
        _log_path(old).unlink(missing_ok=True)


def on_story_deleted(sender: Any, instance: Story, **kwargs: Any) -> None:
    discard(instance)
