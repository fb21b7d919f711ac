"""Command line: ``python -m claims.pipeline extract [--model MODEL] FILE...``, ``score-pairs FILE.tsv``
and ``train-checkworthiness LABELLED.tsv --out MODEL``. No database.

``extract`` reads files (.txt, .json, .jsonl, .html, folders and .zip) through the importers,
so it sees each article cleaned exactly as an upload would be, and prints one JSON line per
sentence unit; a file or record the importers refuse is reported on stderr (exit status 1).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from articles.importers import ImportProblem

from . import worthiness_model
from .align import MERGE_THRESHOLD, Alignment, overlap, pair_score
from .conflicts import find_conflicts
from .extract import extract_article
from .inputs import article_text_from_parsed, read_paths
from .similarity import TfidfBackend, content_terms, pair_cosine
from .types import ArticleText, Mention, to_jsonable

SENTENCE_PART_CHARS = 100_000


def read_articles(path: Path, sentences: bool = False) -> Iterator[ArticleText | ImportProblem]:
    """The articles in a file, folder or .zip, read and cleaned by the importers as on upload.

    With ``sentences`` the file is a list of sentences, one per line, read as they are (each
    line a paragraph): an evaluation set, not an article, so nothing is cleaned out of it.
    """
    if sentences:
        raw = path.read_text(encoding="utf-8", errors="replace")
        lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
        # In parts well under the article limit (MAX_BODY_CHARS), or a long list's end would be
        # cut off; cmd_extract shifts each part's offsets so that they stay the whole file's.
        part: list[str] = []
        size = 0
        for ln in lines:
            if part and size + len(ln) > SENTENCE_PART_CHARS:
                yield ArticleText(id=path.stem, body="\n\n".join(part))
                part, size = [], 0
            part.append(ln)
            size += len(ln) + 2
        yield ArticleText(id=path.stem, body="\n\n".join(part))
        return
    for parsed in read_paths([path]):
        if isinstance(parsed, ImportProblem):
            yield parsed
        else:
            yield article_text_from_parsed(parsed, parsed.external_id)


def _mention_json(m: Mention) -> dict[str, Any]:
    return {
        "article": m.article_id,
        "start": m.start,
        "end": m.end,
        "text": m.text,
        "is_candidate": m.is_candidate,
        "checkworthiness": m.checkworthiness,
        "features": dict(m.features),
        "reason": m.reason,
        "slots": to_jsonable(m.slots),
    }


def cmd_extract(args: argparse.Namespace) -> int:
    failed = False
    try:
        model = worthiness_model.load(Path(args.model)) if args.model else None
    except (OSError, worthiness_model.ModelFileError) as exc:
        print(exc, file=sys.stderr)
        return 2
    for name in args.files:
        shift = 0  # where a part of a sentence list starts in the whole list
        for art in read_articles(Path(name), sentences=args.sentences):
            if isinstance(art, ImportProblem):
                print(f"{art.source}: {art.message}", file=sys.stderr)
                failed = True
                continue
            ex = extract_article(art, model=model)
            for m in sorted(ex.mentions + ex.rejected, key=lambda m: m.start):
                print(
                    json.dumps(_mention_json(replace(m, start=m.start + shift, end=m.end + shift)), ensure_ascii=False)
                )
            for s in ex.skipped:
                print(
                    json.dumps(
                        {"article": s.article_id, "start": s.start + shift, "end": s.end + shift, "skipped": s.reason},
                        ensure_ascii=False,
                    )
                )
            if args.sentences:
                shift += len(art.body) + 2
    return 1 if failed else 0


def _read_pairs(path: Path) -> Iterator[tuple[str, str, str]]:
    for ln in path.read_text(encoding="utf-8").splitlines():
        parts = ln.split("\t")
        if len(parts) >= 3 and parts[1].strip() and parts[2].strip():
            yield parts[0], parts[1].strip(), parts[2].strip()


def _single(article_id: str, text: str, outlet: str) -> Mention:
    """The sentence as one mention (no splitting: the pair file gives sentences)."""
    ex = extract_article(ArticleText(id=article_id, body=text.replace("\n", " "), outlet=outlet))
    units = sorted(ex.mentions + ex.rejected, key=lambda m: m.start)
    if len(units) == 1:
        return units[0]
    if not units:
        from .types import Slots

        return Mention(article_id, 0, len(text), text, False, 0.0, {}, "empty", Slots(), outlet)
    from dataclasses import replace  # several sentences: keep one mention spanning them, merged slots

    from .types import Slots

    slots = Slots(
        quantities=tuple(q for u in units for q in u.slots.quantities),
        quotes=tuple(q for u in units for q in u.slots.quotes),
        attributions=tuple(a for u in units for a in u.slots.attributions),
        certainty=next(
            (u.slots.certainty for u in units if u.slots.certainty.level != "asserted"), units[0].slots.certainty
        ),
        dates=tuple(d for u in units for d in u.slots.dates),
    )
    first = max(units, key=lambda u: u.checkworthiness)
    return replace(
        first,
        start=units[0].start,
        end=units[-1].end,
        text=ex_text(units, text),
        slots=slots,
        is_candidate=any(u.is_candidate for u in units),
    )


def ex_text(units: list[Mention], body: str) -> str:
    return body.replace("\n", " ")[units[0].start : units[-1].end]


def cmd_score_pairs(args: argparse.Namespace) -> int:
    rows = list(_read_pairs(Path(args.file)))
    pairs = [(pid, _single(f"{pid}:a", a, "A"), _single(f"{pid}:b", b, "B")) for pid, a, b in rows]
    texts = [m.text for _, a, b in pairs for m in (a, b)]
    x = TfidfBackend().vectors(texts) if texts else None
    terms = [set(content_terms(t)) for t in texts]
    from .align import _idf

    idf = _idf(terms)
    from collections import Counter

    df = dict(Counter(t for s in terms for t in s))
    import numpy as np

    cos: Any = pair_cosine(x, np.arange(0, len(texts), 2), np.arange(1, len(texts), 2)) if texts else []
    for n, (pid, ma, mb) in enumerate(pairs):
        score = pair_score(float(cos[n]), overlap(terms[2 * n], terms[2 * n + 1], idf), ma, mb)
        same = score >= MERGE_THRESHOLD
        clusters = [[ma.key, mb.key]] if same else [[ma.key], [mb.key]]
        al = Alignment(
            mentions=[ma, mb],
            clusters=clusters,
            extends=[None] * len(clusters),
            suggestions=[],
            cluster_of={k: ci for ci, c in enumerate(clusters) for k in c},
            vectors=None,
            pair_scores={} if same else {(0, 1): score},
            idf=idf,
            df=df,
        )
        ids = [f"c{i}" for i in range(len(clusters))]
        arts = {
            ma.article_id: ArticleText(ma.article_id, ma.text, outlet="A"),
            mb.article_id: ArticleText(mb.article_id, mb.text, outlet="B"),
        }
        conflicts = find_conflicts(al, ids, arts)
        if not same:  # different claims may still disagree on numbers/quotes/certainty; keep those only
            conflicts = [c for c in conflicts if c.kind in ("quote", "certainty", "number")]
        c = conflicts[0] if conflicts else None
        print(
            json.dumps(
                {
                    "id": pid,
                    "score": round(score, 4),
                    "same_claim": same,
                    "conflict": None
                    if c is None
                    else {"kind": c.kind, "severity": c.severity, "explanation": c.explanation},
                },
                ensure_ascii=False,
            )
        )
    return 0


def cmd_train_checkworthiness(args: argparse.Namespace) -> int:
    try:
        pairs = worthiness_model.read_labelled(Path(args.file))
        model = worthiness_model.train_checkworthiness(pairs)
    except (worthiness_model.LabelledFileError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    worthiness_model.save(model, Path(args.out))
    print(
        f"trained on {model.trained_on} sentences ({model.positives} check-worthy); C={model.c}, "
        f"threshold {model.threshold}; "
        f"cross-validated F1 {model.f1_cv}; wrote {args.out}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m claims.pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract", help="print one JSON line per sentence")
    p.add_argument("files", nargs="+")
    p.add_argument("--sentences", action="store_true", help="input files hold one sentence per line")
    p.add_argument("--model", help="a check-worthiness model from train-checkworthiness")
    p.set_defaults(func=cmd_extract)
    p = sub.add_parser(
        "train-checkworthiness",
        help="train a check-worthiness model from sentence<TAB>1|0 lines (or id<TAB>text<TAB>Yes|No with a header)",
    )
    p.add_argument("file")
    p.add_argument("--out", required=True, help="where to write the model")
    p.set_defaults(func=cmd_train_checkworthiness)
    p = sub.add_parser("score-pairs", help="score id<TAB>sentence a<TAB>sentence b lines")
    p.add_argument("file")
    p.set_defaults(func=cmd_score_pairs)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # output piped into head & co.
        return 0


if __name__ == "__main__":
    sys.exit(main())
