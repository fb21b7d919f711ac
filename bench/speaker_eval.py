"""Quotation speakers on real news, against hand judgments.

    python bench/speaker_eval.py                 # accuracy on the judged quotations, and the misses
    python bench/speaker_eval.py --show          # every judged quotation: expected and predicted speaker
    python bench/speaker_eval.py --sample 40     # quotations to judge (not yet judged), with context

Reads ``../shared/dev-stories/`` (real articles; never copied into the project): the newswcl50
articles through the real importer, and the documents of Multi-News clusters 3,000 to 3,149
(the conflict benchmark uses the first 2,574; their names are lower-cased). Skips,
saying so, when the folder is absent.

Quotations are found here independently of the pipeline (a pair of quotation marks in one
paragraph around at least four words), so a quotation the pipeline misses counts as wrong.
A judgment names one by its document, its offsets in the body and a short hash of its text
(``bench/speaker_judgments.json`` holds no article text): ``speaker`` is who said it as a
desk would write it (the full name when the article gives one, else the description), or
null when the text does not say (such quotations are left out of the accuracy). The
pipeline's speaker is right when its key (``quotes.speaker_key``: the surname of a person,
the head of a description, the canonical name of an outlet) is the expected one's, or when
it is one of the judgment's ``accept`` forms. ``set``: ``dev`` (the first 185, judged before the
speaker work and tuned on) or ``held-out`` (30 newswcl50 quotations judged after it, for an honest
figure).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from articles.importers import ParsedArticle, parse_file  # noqa: E402
from claims.pipeline import extract_article  # noqa: E402
from claims.pipeline.quotes import speaker_key  # noqa: E402
from claims.pipeline.types import ArticleText, Quote  # noqa: E402

DEV = ROOT.parent / "shared" / "dev-stories"
NEWSWCL = DEV / "newswcl50"
MULTINEWS = DEV / "multinews_test.jsonl"
JUDGMENTS = Path(__file__).with_name("speaker_judgments.json")
MULTINEWS_FROM = 3000  # clusters before this are the conflict benchmark's
MULTINEWS_CLUSTERS = 150

_QUOTED = re.compile(r"“([^“”\n]+)”|\"([^\"\n]+)\"")


def digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def documents() -> list[ArticleText]:
    """The documents quotations are drawn from, with stable ids."""
    docs: list[ArticleText] = []
    for folder in sorted(NEWSWCL.glob("event-*"), key=lambda p: int(p.name.split("-")[1])):
        for path in sorted(folder.glob("*.json")):
            for parsed in parse_file(path.name, path.read_bytes()):
                if isinstance(parsed, ParsedArticle):
                    docs.append(
                        ArticleText(
                            id=f"newswcl50/{folder.name}/{path.stem}",
                            body=parsed.body,
                            published_on=parsed.published_on,
                            outlet=parsed.outlet,
                        )
                    )
    if MULTINEWS.exists():
        with MULTINEWS.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                if n < MULTINEWS_FROM:
                    continue
                if n >= MULTINEWS_FROM + MULTINEWS_CLUSTERS:
                    break
                record = json.loads(line)
                for i, doc in enumerate(record["documents"]):
                    body = doc.replace(" ||||| ", "\n\n")
                    if body.strip():
                        docs.append(ArticleText(id=f"multinews/{record['idx']}/d{i}", body=body))
    return docs


def quotations(doc: ArticleText) -> list[tuple[int, int]]:
    """Spans (body offsets) of the quotations of at least four words."""
    out = []
    for m in _QUOTED.finditer(doc.body):
        g = 1 if m.group(1) is not None else 2
        if len(m.group(g).split()) >= 4:
            out.append((m.start(g), m.end(g)))
    return out


def predicted(doc: ArticleText) -> list[Quote]:
    ex = extract_article(doc)
    return [q for m in (*ex.mentions, *ex.rejected) for q in m.slots.quotes]


def prediction_for(quotes: list[Quote], start: int, end: int) -> Quote | None:
    best, overlap = None, 0
    for q in quotes:
        o = min(q.end, end) - max(q.start, start)
        if o > overlap:
            best, overlap = q, o
    return best


def correct(judgment: dict[str, Any], pred: str | None) -> bool:
    if not pred:
        return False
    key = speaker_key(pred)
    return any(pred == ok or key == speaker_key(ok) for ok in (judgment["speaker"], *judgment.get("accept", ())))


def context(doc: ArticleText, start: int, end: int, width: int = 320) -> str:
    body = doc.body
    return (body[max(0, start - width) : start] + "⟦" + body[start:end] + "⟧" + body[end : end + 160]).replace(
        "\n", " ¶ "
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="print N unjudged quotations to judge")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--source", choices=("newswcl50", "multinews", "any"), default="any")
    parser.add_argument("--show", action="store_true", help="print every judged quotation")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    if not NEWSWCL.is_dir():
        print(f"skipped: {NEWSWCL} is absent (development data, not part of the project)")
        return 0
    judgments: list[dict[str, Any]] = json.loads(JUDGMENTS.read_text()) if JUDGMENTS.exists() else []
    docs = {str(d.id): d for d in documents()}
    if args.sample:
        judged = {(j["doc"], j["start"]) for j in judgments}
        pool = [
            (doc_id, s, e)
            for doc_id, d in docs.items()
            if args.source == "any" or doc_id.startswith(args.source)
            for s, e in quotations(d)
            if (doc_id, s) not in judged
        ]
        random.Random(args.seed).shuffle(pool)
        cache: dict[str, list[Quote]] = {}
        for doc_id, s, e in pool[: args.sample]:
            d = docs[doc_id]
            quotes = cache.setdefault(doc_id, predicted(d))
            q = prediction_for(quotes, s, e)
            print(
                json.dumps({"doc": doc_id, "start": s, "end": e, "hash": digest(d.body[s:e])}),
                f"\n  predicted: {q.speaker if q else None!r} ({q.how if q else 'not found'})",
            )
            print("  " + context(d, s, e) + "\n")
        return 0
    cache = {}
    scored = right = unlabelled = stale = 0
    by_how: Counter[str] = Counter()
    by_how_right: Counter[str] = Counter()
    by_source: Counter[str] = Counter()
    by_source_right: Counter[str] = Counter()
    for j in judgments:
        found = docs.get(j["doc"])
        if found is None or digest(found.body[j["start"] : j["end"]]) != j["hash"]:
            stale += 1
            continue
        d = found
        if j["speaker"] is None:
            unlabelled += 1
            continue
        quotes = cache.setdefault(j["doc"], predicted(d))
        q = prediction_for(quotes, j["start"], j["end"])
        pred = q.speaker if q else None
        ok = correct(j, pred)
        scored += 1
        right += ok
        how = q.how if q else "not found"
        by_how[how] += 1
        by_how_right[how] += ok
        source = j["doc"].split("/")[0] + ("" if j.get("set", "dev") == "dev" else f" ({j['set']})")
        by_source[source] += 1
        by_source_right[source] += ok
        if args.show or not ok:
            mark = "ok " if ok else "BAD"
            print(f"{mark} {j['doc']}:{j['start']}  expected {j['speaker']!r}  got {pred!r} ({how})")
            if not ok:
                print("    " + context(d, j["start"], j["end"], 200))
    accuracy = right / scored if scored else float("nan")
    print(f"\njudged quotations: {len(judgments)}; no speaker in the text: {unlabelled}; stale: {stale}")
    for source in sorted(by_source):
        print(
            f"  {source}: {by_source_right[source]}/{by_source[source]} = {by_source_right[source] / by_source[source]:.2f}"
        )
    print("  by how the pipeline found it: " + ", ".join(f"{h} {by_how_right[h]}/{n}" for h, n in by_how.most_common()))
    print(f"speaker accuracy (attributed quotations): {right}/{scored} = {accuracy:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"scored": scored, "right": right, "accuracy": accuracy}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
