"""Certainty on real news: does FactDesk notice when the outlet reports without asserting?

    python bench/certainty_eval.py               # precision and recall on the judged items, and the misses
    python bench/certainty_eval.py --show        # every judged item: expected and predicted
    python bench/certainty_eval.py --sample 50 --stratum cue   # items to judge, with their text

Reads ``../shared/dev-stories/`` (never copied into the project): the newswcl50 headlines and
the sentences of the newswcl50 articles and of Multi-News clusters 3,000 to 3,149 (sentence
units as the pipeline splits them). Skips, saying so, when the folder is absent.

An item is named by its document, its offsets (a headline by ``title``) and a short hash of
its text; ``bench/certainty_judgments.json`` holds no article text. ``label`` 1: the outlet
reports without asserting (a question, "a report says", "sources say", "X claims", a rumour,
a bare modal such as "could be eyeing", "reportedly", "it is unclear whether"); 0: the outlet
asserts it (a named person's "said" is an assertion that they said it). Strata: ``title``
(headlines), ``random`` (sentences drawn at random) and ``cue`` (sentences drawn from those
containing a broad net of words such as report, claim, source, could, may, rumour, "?" — chosen
before the cues were written, so that recall is not measured only on what is already caught).
Predicted positive: the certainty slot is not "asserted". ``set``: ``dev`` (149 items judged before
the cues were written and tuned on) or ``held-out`` (70 judged after, without looking at the
predictions).
"""

from __future__ import annotations

import argparse
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

from bench.speaker_eval import MULTINEWS, NEWSWCL, digest, documents  # noqa: E402
from claims.pipeline.certainty import assess_certainty  # noqa: E402
from claims.pipeline.sentences import split_sentences  # noqa: E402

JUDGMENTS = Path(__file__).with_name("certainty_judgments.json")
_NET = re.compile(
    r"\b(?:report\w*|claim\w*|source\w*|could|may|might|rumou?r\w*|alleg\w*|said to|believed|appear\w*|seem\w*|"
    r"suggest\w*|possibl\w*|likely|whether|unclear|eyeing|expected to)\b|\?",
    re.IGNORECASE,
)


def items() -> dict[str, tuple[str, str]]:
    """id -> (stratum source, text): headlines and sentence units."""
    out: dict[str, tuple[str, str]] = {}
    for folder in sorted(NEWSWCL.glob("event-*")):
        for path in sorted(folder.glob("*.json")):
            title = json.loads(path.read_text(encoding="utf-8")).get("title") or ""
            if title.strip():
                out[f"newswcl50/{folder.name}/{path.stem}#title"] = ("title", title.strip())
    for doc in documents():
        for s in split_sentences(doc.body):
            out[f"{doc.id}#{s.start}-{s.end}"] = ("sentence", s.text)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=0, metavar="N")
    parser.add_argument("--stratum", choices=("title", "random", "cue"), default="random")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args(argv)
    if not NEWSWCL.is_dir() or not MULTINEWS.exists():
        print(f"skipped: {NEWSWCL.parent} is absent (development data, not part of the project)")
        return 0
    judgments: list[dict[str, Any]] = json.loads(JUDGMENTS.read_text()) if JUDGMENTS.exists() else []
    pool = items()
    if args.sample:
        judged = {j["id"] for j in judgments}
        ids = [
            i
            for i, (kind, text) in pool.items()
            if i not in judged
            and (kind == "title") == (args.stratum == "title")
            and (args.stratum != "cue" or _NET.search(text))
            and 4 <= len(text.split()) <= 80
        ]
        random.Random(f"{args.seed}-{args.stratum}").shuffle(ids)
        for i in ids[: args.sample]:
            text = pool[i][1]
            c = assess_certainty(text)
            print(json.dumps({"id": i, "hash": digest(text), "stratum": args.stratum}))
            print(f"  predicted {c.level} ({c.cue})  | {' '.join(text.split())}\n")
        return 0
    counts: Counter[str] = Counter()
    by_stratum: dict[str, Counter[str]] = {}
    stale = 0
    for j in judgments:
        found = pool.get(j["id"])
        if found is None or digest(found[1]) != j["hash"]:
            stale += 1
            continue
        text = found[1]
        c = assess_certainty(text)
        pred = c.level != "asserted"
        gold = bool(j["label"])
        cell = ("t" if pred == gold else "f") + ("p" if pred else "n")
        counts[cell] += 1
        counts["hedged_" + cell] += c.level == "hedged"
        by_stratum.setdefault(f"{j['stratum']} ({j.get('set', 'dev')})", Counter())[cell] += 1
        if j.get("set", "dev") != "dev":
            counts["held_" + cell] += 1
        if args.show or pred != gold:
            mark = "ok " if pred == gold else "BAD"
            print(f"{mark} {j['id']} expected {int(gold)} got {c.level} ({c.cue})  | {' '.join(text.split())[:200]}")
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    print(f"\njudged: {len(judgments)}, stale: {stale}")
    for stratum, n in sorted(by_stratum.items()):
        print(f"  {stratum}: tp {n['tp']} fp {n['fp']} fn {n['fn']} tn {n['tn']}")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    hedged_p = (
        counts["hedged_tp"] / (counts["hedged_tp"] + counts["hedged_fp"]) if counts["hedged_tp"] else float("nan")
    )
    print(f"'hedged' right: {counts['hedged_tp']}/{counts['hedged_tp'] + counts['hedged_fp']} = {hedged_p:.2f}")
    print(
        f"reporting without asserting: precision {tp}/{tp + fp} = {precision:.2f}, recall {tp}/{tp + fn} = {recall:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
