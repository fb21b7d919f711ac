"""Conflict precision and recall on real multi-outlet news, against hand judgments.

    python bench/conflict_eval.py                 # score every judged event, print the table
    python bench/conflict_eval.py --dump DIR      # also write each event's proposed conflicts as JSON
    python bench/conflict_eval.py --events 0 3    # some events only
    python bench/conflict_eval.py --multinews 200 # also 200 Multi-News clusters (no outlets)
    python bench/conflict_eval.py --only-multinews --multinews 1500 --multinews-pairs  # two-document clusters

Reads ``../shared/dev-stories/newswcl50/event-N/`` (real articles; never copied into the
project) through the real importers, links near-duplicates as the import does, runs the pure
pipeline (no database) and compares the proposed conflicts with ``bench/conflict_judgments.json``.
Skips, saying so, when the folder is absent.

A judgment names a disagreement by its event, its kind and a short quotation from one
mention on each side ("article": the file's stem, e.g. "LL"). A proposed conflict matches a
judgment when some mention on one side contains one quotation and some mention on the other
side contains the other, so judgments survive changes to sentence splitting and grouping.
Verdicts: ``real`` (a desk would want to settle it), ``different`` (different facts compared),
``trivial`` (the same fact in harmless variants), ``unclear``. ``missed: true`` marks a real
disagreement found by reading the articles that the pipeline did not propose when judged.

Precision = real / judged among the conflicts shown by default (confidence at or above
``FACTDESK_CONFLICT_MIN_CONFIDENCE``'s default); recall = real disagreements matched by a shown
conflict / all real disagreements judged. Unjudged conflicts are listed so they can be judged.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from articles import neardup  # noqa: E402
from articles.importers import ParsedArticle, parse_file  # noqa: E402
from claims.pipeline import analyse_story, extract_article  # noqa: E402
from claims.pipeline.confidence import DEFAULT_MIN_CONFIDENCE  # noqa: E402
from claims.pipeline.types import ArticleText, Conflict, Mention  # noqa: E402

DEV_DIR = ROOT.parent / "shared" / "dev-stories" / "newswcl50"
MULTINEWS = ROOT.parent / "shared" / "dev-stories" / "multinews_test.jsonl"
JUDGMENTS = Path(__file__).with_name("conflict_judgments.json")


def load_event(folder: Path) -> list[ArticleText]:
    """An event's articles as the app sees them: importer-cleaned, near-duplicates linked."""
    articles: list[ArticleText] = []
    for path in sorted(folder.glob("*.json")):
        for parsed in parse_file(path.name, path.read_bytes()):
            if isinstance(parsed, ParsedArticle):
                articles.append(
                    ArticleText(
                        id=path.stem,
                        body=parsed.body,
                        published_on=parsed.published_on,
                        outlet=parsed.outlet,
                        label=f"{parsed.outlet or 'unnamed outlet'} ({path.stem})",
                    )
                )
    return _link_copies(articles)


def multinews_events(count: int, offset: int = 0, documents: int = 3) -> list[tuple[str, list[ArticleText]]]:
    """Clusters of the Multi-News test split with at least three documents, in file order
    (``documents=2``: the clusters of exactly two documents instead, a second sample).

    The documents have no outlets: each is named by its position ("d0", "d1", ...).
    """
    out: list[tuple[str, list[ArticleText]]] = []
    seen = 0
    with MULTINEWS.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            n = record.get("num_documents", 0)
            if n < 3 if documents >= 3 else n != documents:
                continue
            seen += 1
            if seen <= offset:
                continue
            docs = [d.replace(" ||||| ", "\n\n") for d in record["documents"]]
            articles = [
                ArticleText(id=f"d{i}", body=body, outlet=f"document {i}", label=f"document {i}")
                for i, body in enumerate(docs)
                if body.strip()
            ]
            out.append((f"multinews-{record['idx']}", _link_copies(articles)))
            if len(out) >= count:
                break
    return out


def _link_copies(articles: list[ArticleText]) -> list[ArticleText]:
    docs = [neardup.Doc(i, a.body, neardup.signature(a.body)) for i, a in enumerate(articles)]
    copies = {m.other_id: m.id for m in neardup.find_matches(docs, [])}
    return [
        ArticleText(**{**a.__dict__, "duplicate_of": articles[copies[i]].id if i in copies else None})
        for i, a in enumerate(articles)
    ]


def analyse_articles(articles: list[ArticleText]) -> tuple[list[Conflict], dict[tuple, Mention]]:
    extractions = [extract_article(a) for a in articles]
    analysis = analyse_story(extractions, articles)
    by_key = {m.key: m for ex in extractions for m in ex.mentions}
    return list(analysis.conflicts), by_key


def _side_texts(keys: tuple, by_key: dict[tuple, Mention]) -> list[tuple[str, str]]:
    return [(str(k[0]), by_key[k].text) for k in keys if k in by_key]


def matches(judgment: dict[str, Any], conflict: Conflict, by_key: dict[tuple, Mention]) -> bool:
    a, b = _side_texts(conflict.side_a, by_key), _side_texts(conflict.side_b, by_key)

    def has(side: list[tuple[str, str]], ref: dict[str, str]) -> bool:
        return any(art == ref["article"] and ref["quote"] in text for art, text in side)

    ja, jb = judgment["a"], judgment["b"]
    return (has(a, ja) and has(b, jb)) or (has(a, jb) and has(b, ja))


def conflict_json(c: Conflict, by_key: dict[tuple, Mention]) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "severity": c.severity,
        "confidence": c.confidence,
        "explanation": c.explanation,
        "side_a": [{"article": a, "text": t} for a, t in _side_texts(c.side_a, by_key)],
        "side_b": [{"article": a, "text": t} for a, t in _side_texts(c.side_b, by_key)],
        "factors": dict(c.factors),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", nargs="*", type=int, help="event numbers (default: all)")
    parser.add_argument("--dump", type=Path, help="write each event's conflicts to DIR/event-N.json")
    parser.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--multinews",
        type=int,
        default=0,
        metavar="N",
        help="also score the first N Multi-News clusters (3+ documents)",
    )
    parser.add_argument("--multinews-offset", type=int, default=0, metavar="K", help="skip the first K such clusters")
    parser.add_argument("--only-multinews", action="store_true", help="skip the newswcl50 events")
    parser.add_argument(
        "--multinews-pairs",
        action="store_true",
        help="take the Multi-News clusters of exactly two documents instead (a sample apart from the 3+ ones)",
    )
    args = parser.parse_args(argv)
    if not DEV_DIR.is_dir():
        print(f"skipped: {DEV_DIR} is absent (development data, not part of the project)")
        return 0
    judgments = json.loads(JUDGMENTS.read_text()) if JUDGMENTS.exists() else []
    folders = sorted(DEV_DIR.glob("event-*"), key=lambda p: int(p.name.split("-")[1]))
    if args.events:
        folders = [f for f in folders if int(f.name.split("-")[1]) in args.events]
    events: list[tuple[str, list[ArticleText]]] = (
        [] if args.only_multinews else [(f.name, load_event(f)) for f in folders]
    )
    if args.multinews and MULTINEWS.exists():
        events += multinews_events(args.multinews, args.multinews_offset, 2 if args.multinews_pairs else 3)
    totals = {"shown": 0, "hidden": 0, "real": 0, "judged": 0, "unjudged": 0, "real_found": 0, "real_all": 0}
    verdicts_shown: dict[str, int] = {}
    scored: list[tuple[float, str | None]] = []  # every conflict's confidence and verdict
    rows = []
    for event, articles in events:
        conflicts, by_key = analyse_articles(articles)
        event_judgments = [j for j in judgments if j["event"] == event]
        shown = [c for c in conflicts if c.confidence >= args.min_confidence]
        found_real: set[int] = set()
        real = judged = unjudged = 0
        dump = []
        for c in conflicts:
            hits = [i for i, j in enumerate(event_judgments) if matches(j, c, by_key)]
            verdict = None
            if hits:
                verdicts = [event_judgments[i]["verdict"] for i in hits]
                verdict = "real" if "real" in verdicts else verdicts[0]
            scored.append((c.confidence, verdict))
            visible = c.confidence >= args.min_confidence
            if visible:
                if verdict is None:
                    unjudged += 1
                else:
                    judged += 1
                    real += verdict == "real"
                    verdicts_shown[verdict] = verdicts_shown.get(verdict, 0) + 1
                    found_real |= {i for i in hits if event_judgments[i]["verdict"] == "real"}
            dump.append({**conflict_json(c, by_key), "verdict": verdict, "shown": visible})
        real_all = sum(j["verdict"] == "real" for j in event_judgments)
        rows.append((event, len(shown), len(conflicts) - len(shown), judged, real, unjudged, len(found_real), real_all))
        for k, v in zip(
            ("shown", "hidden", "judged", "real", "unjudged", "real_found", "real_all"), rows[-1][1:], strict=True
        ):
            totals[k] += v
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            (args.dump / f"{event}.json").write_text(json.dumps(dump, indent=1, ensure_ascii=False))
    print(f"{'event':<10}{'shown':>7}{'hidden':>8}{'judged':>8}{'real':>6}{'unjudged':>10}{'recall':>12}")
    for event, n_shown, hidden, judged, real, unjudged, found, real_all in rows:
        if event.startswith("multinews") and not (n_shown or hidden or real_all):
            continue
        print(f"{event:<10}{n_shown:>7}{hidden:>8}{judged:>8}{real:>6}{unjudged:>10}{f'{found}/{real_all}':>12}")
    precision = totals["real"] / totals["judged"] if totals["judged"] else float("nan")
    recall = totals["real_found"] / totals["real_all"] if totals["real_all"] else float("nan")
    print(
        f"\nshown by default (confidence >= {args.min_confidence}): {totals['shown']}, hidden: {totals['hidden']}; "
        f"judged {totals['judged']}, unjudged {totals['unjudged']}"
    )
    print(f"verdicts of the shown conflicts: {verdicts_shown}")
    print(f"precision (real / judged, shown): {totals['real']}/{totals['judged']} = {precision:.2f}")
    print(
        f"recall (real disagreements found / judged real): {totals['real_found']}/{totals['real_all']} = {recall:.2f}"
    )
    print("\nprecision if the threshold were ... (real / judged, unjudged):")
    for threshold in (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7):
        above = [v for c, v in scored if c >= threshold]
        judged_above = [v for v in above if v is not None]
        real_above = sum(v == "real" for v in judged_above)
        share = f"{real_above / len(judged_above):.2f}" if judged_above else "—"
        print(
            f"  {threshold:.2f}: {real_above}/{len(judged_above)} = {share}, {len(above) - len(judged_above)} unjudged"
        )
    if args.json:
        args.json.write_text(json.dumps({**totals, "precision": precision, "recall": recall}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
