"""Outlets on real news: does FactDesk find the outlet of an article that credits one?

    python bench/outlet_eval.py                # the share found, by form, and the misses
    python bench/outlet_eval.py --show 20      # also 20 documents found, with their credit in context
    python bench/outlet_eval.py --judge        # flagged spans not yet judged, with context, to judge

Reads ``../shared/dev-stories/`` (real articles; never copied into the project): every document
of ``multinews_test.jsonl`` (lower-cased in places, no outlets) and the newswcl50 articles with
their outlet field dropped. Skips, saying so, when the folder is absent.

Which documents carry a credit is decided here by three simple rules, written for this
benchmark and independent of the importers' patterns:

- dateline: within the first 1,500 characters, a parenthesised name of one to four words
  (letters, dots, "&", apostrophes, hyphens; no digits, no slash) followed by a dash or a colon:
  "Paris ( ap ) —", "WASHINGTON (Reuters) -", "(CNN) --";
- closing credit: the text ends with a dash and one to four such words: "... on Monday. — Reuters";
- byline: "By <one to four words>, <one to four words>" within the first 300 characters, the
  last word Press, News, Reuters, AP, AFP, Times, Post, Journal, Agency or Wire.

The rules also flag spans that no reader would call a credit ("the guard ( pictured ) — injured",
"( all times local ):"). Those were judged by hand: ``bench/outlet_judgments.json`` names each
by its document and a short hash of the span (no article text) with ``credit`` false, and such
a document is left out unless another rule flags it. Every distinct name the rules flagged on
the first run was looked at once; ``--judge`` lists the spans not judged yet.

Each document is read as FactDesk reads a file with no outlet given (``parse_file``); it counts
as found when the importer gives it an outlet, and as right when that outlet is the credited
one (the same letters, ignoring case, spaces and punctuation, or the same canonical name). The
outlets found in documents the rules see no credit in are counted too, by where they were found,
so that a rule the importer over-reads shows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from articles.importers import ParsedArticle, parse_file  # noqa: E402
from articles.importers.outlets import canonical_outlet  # noqa: E402

DEV = ROOT.parent / "shared" / "dev-stories"
NEWSWCL = DEV / "newswcl50"
MULTINEWS = DEV / "multinews_test.jsonl"
JUDGMENTS = Path(__file__).with_name("outlet_judgments.json")

_NAME = r"[A-Za-z][A-Za-z.&'’-]*(?:\s+[A-Za-z][A-Za-z.&'’-]*){0,3}"
DATELINE = re.compile(rf"\(\s*(?P<credit>{_NAME})\s*\)\s*(?:-{{1,2}}|—|–|_|:)")
CLOSING = re.compile(rf"(?:^|\n|[.!?”\"]\s+)[-—–]{{1,2}}\s*(?P<credit>{_NAME})\s*\.?\s*$")
BYLINE = re.compile(
    r"\bby\s+[A-Za-z.'’-]+(?:\s+[A-Za-z.'’-]+){0,3}\s*,\s*"
    r"(?P<credit>(?:[A-Za-z.&'’-]+\s+){0,3}(?:press|news|reuters|ap|afp|times|post|journal|agency|wire))\b",
    re.IGNORECASE,
)
DATELINE_WITHIN = 1500
BYLINE_WITHIN = 300


@dataclass
class Flag:
    rule: str
    credit: str
    start: int
    end: int


def digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def flags(text: str) -> list[Flag]:
    """Every span the three rules flag, in the order of the rules."""
    out = [Flag("dateline", m["credit"], m.start(), m.end()) for m in DATELINE.finditer(text[:DATELINE_WITHIN])]
    tail_from = max(0, len(text) - 80)
    m = CLOSING.search(text[tail_from:])
    if m:
        out.append(Flag("closing", m["credit"], tail_from + m.start("credit"), tail_from + m.end("credit")))
    out += [Flag("byline", m["credit"], m.start(), m.end()) for m in BYLINE.finditer(text[:BYLINE_WITHIN])]
    return out


def documents() -> Iterator[tuple[str, str, bytes]]:
    """(id, text the rules read, the file FactDesk reads): newswcl50 without outlets, then Multi-News."""
    for folder in sorted(NEWSWCL.glob("event-*"), key=lambda p: int(p.name.split("-")[1])):
        for path in sorted(folder.glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            record.pop("outlet", None)
            yield f"newswcl50/{folder.name}/{path.stem}", record.get("text", ""), json.dumps(record).encode()
    with MULTINEWS.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            for i, doc in enumerate(record["documents"]):
                body = doc.replace(" ||||| ", "\n\n")
                if body.strip():
                    yield f"multinews/{record['idx']}/d{i}", body, body.encode("utf-8")


def _letters(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def right(found: str, credit: str) -> bool:
    """The found outlet is the credited one: "( wspa and ap )" credits either."""
    parts = [credit, *re.split(r"\s+and\s+", credit)]
    return any(_letters(found) == _letters(p) or found == canonical_outlet(p) for p in parts)


def context(text: str, flag: Flag, width: int = 120) -> str:
    return (text[max(0, flag.start - width) : flag.start] + "⟦" + text[flag.start : flag.end] + "⟧").replace(
        "\n", " ¶ "
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=0, metavar="N", help="also print N documents found")
    parser.add_argument("--judge", action="store_true", help="print the flagged spans not judged yet")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    if not MULTINEWS.exists() or not NEWSWCL.is_dir():
        print(f"skipped: {DEV} is absent (development data, not part of the project)")
        return 0
    judged: dict[tuple[str, str], bool] = {
        (j["doc"], j["hash"]): j["credit"] for j in json.loads(JUDGMENTS.read_text(encoding="utf-8"))
    }
    started = time.perf_counter()
    total = carrying = found = correct = 0
    by_rule: Counter[str] = Counter()
    by_rule_found: Counter[str] = Counter()
    by_source: Counter[str] = Counter()
    by_source_found: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    wrong: list[str] = []
    shown = 0
    unjudged: Counter[str] = Counter()
    uncredited: Counter[str] = Counter()  # an outlet found where the rules see no credit
    for doc_id, text, data in documents():
        total += 1
        kept = []
        for flag in flags(text):
            verdict = judged.get((doc_id, digest(text[flag.start : flag.end])))
            if verdict is None and args.judge:
                unjudged[flag.credit.casefold()] += 1
                if unjudged[flag.credit.casefold()] <= 2:
                    print(json.dumps({"doc": doc_id, "hash": digest(text[flag.start : flag.end])}))
                    print("   ", context(text, flag))
            if verdict is not False:
                kept.append(flag)
        source = doc_id.split("/")[0]
        [parsed] = parse_file(f"{doc_id.replace('/', '_')}{'.json' if source == 'newswcl50' else '.txt'}", data)
        outlet = parsed.outlet if isinstance(parsed, ParsedArticle) else None
        if not kept:
            if outlet is not None:
                uncredited[f"{outlet} ({parsed.outlet_inferred_from})"] += 1  # type: ignore[union-attr]
            continue
        flag = kept[0]
        carrying += 1
        by_rule[flag.rule] += 1
        by_source[source] += 1
        if outlet is None:
            missed[flag.credit.casefold()] += 1
            if sum(missed.values()) <= 40:
                print(f"MISSED {doc_id} ({flag.rule}): {context(text, flag)}")
            continue
        found += 1
        by_rule_found[flag.rule] += 1
        by_source_found[source] += 1
        if any(right(outlet, f.credit) for f in kept):
            correct += 1
            if shown < args.show:
                shown += 1
                print(f"ok     {doc_id} ({flag.rule}) -> {outlet!r}: {context(text, flag, 60)}")
        else:
            wrong.append(f"{doc_id} ({flag.rule}) -> {outlet!r}: {context(text, flag, 80)}")
    for line in wrong[:40]:
        print("OTHER  " + line)
    seconds = time.perf_counter() - started
    share = found / carrying if carrying else float("nan")
    print(
        f"\ndocuments read: {total} in {seconds:.0f} s; carrying a credit: {carrying}; judged not a credit: "
        f"{sum(1 for v in judged.values() if not v)}"
    )
    for source in sorted(by_source):
        print(f"  {source}: {by_source_found[source]}/{by_source[source]}")
    print("  by rule: " + ", ".join(f"{r} {by_rule_found[r]}/{n}" for r, n in by_rule.most_common()))
    if missed:
        print("  missed credits: " + ", ".join(f"{c} {n}" for c, n in missed.most_common(25)))
    print(
        f"  an outlet found in {sum(uncredited.values())} documents the rules see no credit in: "
        + ", ".join(f"{o} {n}" for o, n in uncredited.most_common(12))
    )
    print(
        f"outlet found: {found}/{carrying} = {share:.3f}; the credited outlet: {correct}/{carrying} = "
        f"{correct / carrying if carrying else float('nan'):.3f}"
    )
    if args.json:
        figures: dict[str, Any] = {"carrying": carrying, "found": found, "right": correct, "share": share}
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
