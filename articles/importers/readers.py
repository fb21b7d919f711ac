"""File formats: seeds-style and plain .txt, .json, .jsonl, .html, and folders or .zip of these."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import charset_normalizer

from .cleaning import clean_text
from .types import ImportProblem, ParsedArticle

TEXT_SUFFIXES = {".txt", ".text", ""}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm"}
ZIP_SUFFIXES = {".zip"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES | ZIP_SUFFIXES
SUPPORTED_LABEL = ".txt, .json, .jsonl, .html, .zip"

# When detection finds several encodings equally likely, prefer the common Western ones.
_PREFERRED_ENCODINGS = ["cp1252", "latin_1", "iso8859_15", "utf_16", "cp1251", "gb18030", "shift_jis"]
_COHERENCE_NOISE = 0.05
_SURROGATE = re.compile("[\ud800-\udfff]")

Result = ParsedArticle | ImportProblem
logger = logging.getLogger(__name__)

# A JSON article record's fields and the names each may go by, first found wins: the one
# list of aliases (the .json/.jsonl readers; the API's article input should take its
# field names from here too).
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "articleBody"),
    "published_on": ("date", "published", "published_on", "published_at", "datePublished"),
    "outlet": ("source", "outlet", "publisher", "site_name"),
    "title": ("title", "headline"),
    "url": ("url", "link"),
    "external_id": ("external_id", "id", "guid"),
    "dateline": ("dateline",),
}


@dataclass(frozen=True)
class ImportLimits:
    max_file_bytes: int = 5 * 1024 * 1024
    max_zip_bytes: int = 200 * 1024 * 1024
    max_zip_members: int = 5000


_TOO_DEEP = "JSON nested too deeply to be an article"


class _Problem(Exception):
    """Raised inside a reader for a problem that costs only the current file or record."""


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def iter_path_files(paths: Iterable[Path | str], limits: ImportLimits) -> Iterator[tuple[str, bytes] | ImportProblem]:
    """The files under `paths` (files or folders, walked in name order) as (name, bytes)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            root = path.resolve()
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            for file in files:
                name = f"{path.name}/{file.relative_to(path).as_posix()}"
                if not file.resolve().is_relative_to(root):  # a link to /etc/passwd is not an article
                    yield ImportProblem(name, "refused: a symbolic link that leads out of the folder")
                    continue
                yield from _read_path(file, name, limits)
        elif path.is_file():
            yield from _read_path(path, path.name, limits)
        else:
            yield ImportProblem(str(raw), "no such file or folder")


def _read_path(path: Path, name: str, limits: ImportLimits) -> Iterator[tuple[str, bytes] | ImportProblem]:
    size = path.stat().st_size
    limit = limits.max_zip_bytes if path.suffix.lower() in ZIP_SUFFIXES else limits.max_file_bytes
    if size > limit:
        yield ImportProblem(name, f"file is {_size(size)}, over the {_size(limit)} limit")
        return
    try:
        yield name, path.read_bytes()
    except OSError as exc:
        yield ImportProblem(name, f"cannot read the file: {exc.strerror or exc}")


def parse_file(name: str, data: bytes, limits: ImportLimits | None = None) -> list[Result]:
    """Parse one file into articles; every problem is returned, never raised.

    Even one this module did not foresee: it costs the file, not the batch (and is logged).
    """
    try:
        return _parse_file(name, data, limits or ImportLimits())
    except Exception:
        logger.exception("could not read %s", name)
        return [ImportProblem(name, "could not read this file (an internal error, logged)")]


def _parse_file(name: str, data: bytes, limits: ImportLimits) -> list[Result]:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return [ImportProblem(name, f"unsupported file type '{suffix}' (supported: {SUPPORTED_LABEL})")]
    if suffix in ZIP_SUFFIXES:
        return _parse_zip(name, data, limits)
    if len(data) > limits.max_file_bytes:
        return [ImportProblem(name, f"file is {_size(len(data))}, over the {_size(limits.max_file_bytes)} limit")]
    try:
        text, encoding = decode(data)
    except _Problem as exc:
        return [ImportProblem(name, str(exc))]
    notes = [f"decoded as {encoding}"] if encoding not in ("utf_8", "utf_8_sig") else []
    stem = PurePosixPath(name).stem
    if suffix in JSON_SUFFIXES:
        results = _parse_json(name, stem, text)
    elif suffix in JSONL_SUFFIXES:
        results = _parse_jsonl(name, stem, text)
    elif suffix in HTML_SUFFIXES:
        results = [_guard(name, lambda: _parse_html(name, stem, text))]
    else:
        results = [_guard(name, lambda: _build(name, stem, text))]
    for result in results:
        if isinstance(result, ParsedArticle):
            result.notes.extend(notes)
    return results


def decode(data: bytes) -> tuple[str, str]:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 by BOM, else a detected encoding."""
    if not data.strip():
        raise _Problem("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf_16"
        except UnicodeDecodeError as exc:
            raise _Problem("not valid UTF-16 text despite its byte-order mark") from exc
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if b"\x00" in data:
        raise _Problem("binary file, not text (it holds NUL bytes)")
    try:
        return data.decode("utf-8-sig"), "utf_8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:65536]:
        raise _Problem("binary file, not text")
    matches = list(charset_normalizer.from_bytes(data[: 1024 * 1024]))
    if not matches:
        raise _Problem("binary file, or text in an encoding that could not be detected")
    # The least chaotic; among those, the ones about as coherent as the most coherent (a language
    # model's few hundredths are noise: Latin-1 Icelandic scored cp1258 0.52, cp1252 0.50, and
    # cp1258 turned "Þórður" into "̃órđur"), the common Western encodings first.
    chaos = min(round(m.chaos, 3) for m in matches)
    calm = [m for m in matches if round(m.chaos, 3) == chaos]
    coherence = max(m.coherence for m in calm)
    best = min(
        (m for m in calm if m.coherence >= coherence - _COHERENCE_NOISE),
        key=lambda m: (
            _PREFERRED_ENCODINGS.index(m.encoding) if m.encoding in _PREFERRED_ENCODINGS else 99,
            -round(m.coherence, 3),
        ),
    )
    if best.chaos > 0.3:
        raise _Problem("binary file, or text in an encoding that could not be detected")
    return data.decode(best.encoding, errors="replace"), best.encoding


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a byte-order mark, told by its zero bytes: text in a Latin script has a
    zero high byte in most characters, on odd offsets (little-endian) or even ones (big-endian),
    and almost none on the others. None if the data does not look like that, or does not decode."""
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even, odd = data[0::2].count(0), data[1::2].count(0)
    for zeros, others, encoding in ((odd, even, "utf_16_le"), (even, odd, "utf_16_be")):
        if zeros >= 0.3 * half and others <= 0.01 * half:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return (text, encoding) if "\x00" not in text else None
    return None


def _guard(source: str, build: Any) -> Result:
    try:
        result: Result = build()
    except _Problem as exc:
        return ImportProblem(source, str(exc))
    return result


def _parse_json(name: str, stem: str, text: str) -> list[Result]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [ImportProblem(name, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]
    except RecursionError:
        return [ImportProblem(name, _TOO_DEEP)]
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        return [_guard(name, lambda: _from_record(name, stem, data))]
    if isinstance(data, list):
        return [
            _guard(f"{name}[{i}]", lambda record=record, i=i: _from_record(f"{name}[{i}]", f"{stem}-{i}", record))
            for i, record in enumerate(data)
        ]
    return [ImportProblem(name, 'JSON must be an article object, a list of them, or {"articles": [...]}')]


def _parse_jsonl(name: str, stem: str, text: str) -> list[Result]:
    results: list[Result] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        source = f"{name}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            results.append(ImportProblem(source, f"line {lineno}: invalid JSON ({exc.msg}, column {exc.colno})"))
            continue
        except RecursionError:
            results.append(ImportProblem(source, f"line {lineno}: {_TOO_DEEP}"))
            continue
        results.append(_guard(source, lambda r=record, s=source, n=lineno: _from_record(s, f"{stem}-{n}", r)))
    if not results:
        results.append(ImportProblem(name, "empty file"))
    return results


def _field(record: dict[str, Any], *names: str) -> Any:
    for key in names:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


def _text_field(record: dict[str, Any], *names: str) -> str:
    value = _field(record, *names)
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("name") or ""
    if not isinstance(value, str):
        raise _Problem(f"field '{names[0]}' must be text, not {type(value).__name__}")
    return value.strip()


def _from_record(source: str, default_id: str, record: Any) -> ParsedArticle:
    if not isinstance(record, dict):
        raise _Problem(f"an article must be a JSON object, not {type(record).__name__}")
    text = _text_field(record, *RECORD_FIELDS["text"])
    if not text:
        raise _Problem('no article text: give it as "text" or "body"')
    published_raw = _field(record, *RECORD_FIELDS["published_on"])
    notes: list[str] = []
    published = None
    if published_raw is not None:
        published = parse_date(published_raw)
        if published is None:
            notes.append(f"could not read the date {published_raw!r}; left empty")
    external_id = _field(record, *RECORD_FIELDS["external_id"])
    article = _build(
        source,
        str(external_id) if external_id is not None else default_id,
        text,
        title=_text_field(record, *RECORD_FIELDS["title"]),
        outlet=_text_field(record, *RECORD_FIELDS["outlet"]) or None,
        published_on=published,
        url=_text_field(record, *RECORD_FIELDS["url"]),
        dateline=_text_field(record, *RECORD_FIELDS["dateline"]),
    )
    article.notes.extend(notes)
    return article


def parse_date(value: Any) -> date | None:
    """An ISO date or datetime (or a datetime's date part) as a date; None if unreadable."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _parse_html(name: str, stem: str, html: str) -> ParsedArticle:
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
    text = getattr(doc, "text", None) or ""
    if not text.strip():
        raise _Problem("no article text found in the HTML")
    # trafilatura gives one paragraph per line; the cleaner reads blank-line-separated paragraphs.
    text = "\n\n".join(line for line in text.splitlines() if line.strip())
    title = (getattr(doc, "title", None) or "").strip()
    if title and text.startswith(title):
        text = text[len(title) :].lstrip()
    return _build(
        name,
        stem,
        text,
        original_text=html,
        title=title,
        outlet=(getattr(doc, "sitename", None) or "").strip() or None,
        published_on=parse_date(getattr(doc, "date", None)),
        url=(getattr(doc, "url", None) or "").strip(),
    )


def _build(
    source: str,
    external_id: str,
    text: str,
    *,
    original_text: str | None = None,
    title: str = "",
    outlet: str | None = None,
    published_on: date | None = None,
    url: str = "",
    dateline: str = "",
) -> ParsedArticle:
    values = (text, title, outlet or "", url, dateline, external_id, original_text or "")
    if any("\x00" in value for value in values):
        # A JSON "\u0000" escape decodes to NUL, which no database text column can store.
        raise _Problem("the article holds NUL characters, which cannot be stored; remove them")
    if any(_SURROGATE.search(value) for value in values):
        # A JSON "\ud800" escape alone decodes to half a character, which is not text (nor UTF-8).
        raise _Problem("the article holds a lone UTF-16 surrogate (such as \\ud800), which is not text; fix the file")
    cleaned = clean_text(text, outlet=outlet, published_on=published_on, dateline=dateline)
    if not cleaned.body.strip():
        raise _Problem("no article text left after removing boilerplate")
    original = text if original_text is None else original_text
    fingerprint = json.dumps(
        {"text": original, "title": title, "outlet": outlet, "date": str(published_on), "url": url},
        sort_keys=True,
    )
    return ParsedArticle(
        source=source,
        external_id=external_id[:255],
        original_text=original,
        body=cleaned.body,
        title=title[:500],
        dateline=cleaned.dateline[:200],
        published_on=cleaned.published_on,
        outlet=cleaned.outlet,
        outlet_inferred_from=cleaned.outlet_inferred_from,
        url=url[:2000],
        embeds=cleaned.embeds,
        removed=cleaned.removed,
        content_hash=hashlib.sha256(fingerprint.encode("utf-8")).hexdigest(),
    )


def is_archive(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in ZIP_SUFFIXES


def zip_members(name: str, data: bytes, limits: ImportLimits) -> Iterator[tuple[str, bytes] | ImportProblem]:
    """The files of a zip archive as (name in the upload, bytes), in the archive's order, and a
    problem for each member refused: a path out of the archive, a link, a nested archive, a file
    or an archive over its limit (then the rest is not read). Operating-system litter is left out.

    `_parse_zip` parses each member as a file of its own; a background import (articles/services)
    stores them one by one, so that a large archive is imported in parts."""
    empty = True
    for member in _zip_entries(name, data, limits):
        empty = False
        yield member
    if empty:
        yield ImportProblem(name, "the archive holds no files")


def _zip_entries(name: str, data: bytes, limits: ImportLimits) -> Iterator[tuple[str, bytes] | ImportProblem]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        yield ImportProblem(name, "not a valid zip archive")
        return
    total = 0
    members = [info for info in archive.infolist() if not info.is_dir()]
    for count, info in enumerate(members, start=1):
        source = f"{name}/{info.filename}"
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if info.filename.startswith(("/", "\\")) or ":" in path.parts[0] or ".." in path.parts:
            yield ImportProblem(source, "refused: the path tries to escape the archive")
            continue
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            yield ImportProblem(source, "refused: symbolic links are not imported")
            continue
        if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
            continue  # operating-system litter (.DS_Store, __MACOSX/), not articles
        if count > limits.max_zip_members:
            yield ImportProblem(name, f"archive has more than {limits.max_zip_members} files; the rest were not read")
            break
        if path.suffix.lower() in ZIP_SUFFIXES:
            yield ImportProblem(source, "nested zip archives are not imported; unpack it first")
            continue
        if info.file_size > limits.max_file_bytes:
            limit = _size(limits.max_file_bytes)
            yield ImportProblem(source, f"file is {_size(info.file_size)}, over the {limit} limit")
            continue
        total += info.file_size
        if total > limits.max_zip_bytes:
            limit = _size(limits.max_zip_bytes)
            yield ImportProblem(name, f"archive unpacks to more than {limit}; the rest were not read")
            break
        try:
            with archive.open(info) as member:
                content = member.read(limits.max_file_bytes + 1)  # do not trust the declared size
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
            yield ImportProblem(source, f"cannot read this member of the archive: {exc}")
            continue
        yield source, content


def _parse_zip(name: str, data: bytes, limits: ImportLimits) -> list[Result]:
    results: list[Result] = []
    for member in zip_members(name, data, limits):
        results.extend([member] if isinstance(member, ImportProblem) else parse_file(*member, limits))
    return results
