"""Stand-in for the importer: turn a seeds/*.txt file into an ArticleText.

Only for tests and the bench; the real importer lives elsewhere.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from claims.pipeline.types import ArticleText, Embed

SEED_DIR = Path(__file__).resolve().parents[2] / "seeds"

# Outlet metadata the importer would supply from the feed (not derivable from the text alone).
SEED_OUTLETS = {
    "000": "agencies",
    "001": "Associated Press",
    "002": "Associated Press",
    "003": "Business Insider",
    "004": "PA Media",
}

_DATE_LINE = re.compile(r"^ ?date (\d{4}-\d{2}-\d{2})\s*(.*)$")
_DATELINE = re.compile(r"^(?:AP|AFP|Reuters|PA)\s*,\s*[A-Z ]+$")
_BOILER = re.compile(
    r"^\s*(?:advertisement|agencies|PA Media|-?\s*Visit .*homepage for more stories\.?)\s*$", re.IGNORECASE
)
_CAPTION = re.compile(r"\([A-Z][\w .'-]+/AP\)\s*$")
_SIGNATURE = re.compile(r"^— (?P<author>.+?) \(@(?P<handle>\w+)\) (?P<date>[A-Z][a-z]+ \d{1,2}, \d{4})\s*$")


def _clean_lines(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        if _BOILER.match(line) or _CAPTION.search(line) or _DATELINE.match(line.strip()):
            continue
        out.append(line)
    return out


def load_seed(path: Path, article_id: int | str | None = None) -> ArticleText:
    raw = path.read_text(encoding="utf-8")
    lines = raw.split("\n")
    published = None
    m = _DATE_LINE.match(lines[0]) if lines else None
    if m:
        published = date.fromisoformat(m.group(1))
        rest = m.group(2).strip()
        lines[0] = rest
    lines = _clean_lines(lines)
    text = "\n".join(lines)
    # Paragraphs: blank-line separated, or one per line when the file has no blank lines.
    if "\n\n" in text:
        paras = [" ".join(p.split("\n")).strip() for p in re.split(r"\n\s*\n", text)]
    else:
        paras = [ln.strip() for ln in text.split("\n")]
    paras = [p.lstrip("- ").strip() for p in paras if p.strip()]
    # Social posts: the line(s) just before a "— Name (@handle) Month D, YYYY" signature.
    # The line right above is the post; shorter lines above it (headers such as
    # "PRESSTV EXCLUSIVE:") belong to it too.
    is_post = [False] * len(paras)
    posts: dict[int, tuple[str, str, date]] = {}
    for i, p in enumerate(paras):
        sig = _SIGNATURE.match(p)
        if not sig or i == 0:
            continue
        k = i - 1
        while (
            k - 1 >= 0 and not is_post[k - 1] and len(paras[k - 1].split()) < 8 and not _SIGNATURE.match(paras[k - 1])
        ):
            k -= 1
        for j in range(k, i):
            is_post[j] = True
        posted = datetime.strptime(sig.group("date"), "%B %d, %Y").date()
        posts[k] = (sig.group("author").replace("🔻", "").strip(), sig.group("handle"), posted)
        is_post[i] = True
    body_parts: list[str] = []
    embeds: list[Embed] = []
    offset = 0
    i = 0
    while i < len(paras):
        if i in posts:
            author, handle, posted = posts[i]
            j = i
            while j < len(paras) and is_post[j] and not _SIGNATURE.match(paras[j]):
                j += 1
            post = " ".join(paras[i:j])
            prefix = f"{author} (@{handle}) posted on {posted:%B} {posted.day}, {posted.year}: “"
            part = prefix + post + "”"
            embeds.append(Embed(offset + len(prefix), offset + len(prefix) + len(post), author, handle, posted))
            i = j + 1
        elif is_post[i]:
            i += 1
            continue
        else:
            part = paras[i]
            i += 1
        body_parts.append(part)
        offset += len(part) + 2
    aid = article_id if article_id is not None else int(path.name[:3])
    outlet = SEED_OUTLETS.get(path.name[:3])
    return ArticleText(
        id=aid, body="\n\n".join(body_parts), published_on=published, outlet=outlet, embeds=tuple(embeds)
    )


def load_seeds() -> list[ArticleText]:
    return [load_seed(p) for p in sorted(SEED_DIR.glob("*.txt"))]
