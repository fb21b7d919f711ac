"""Exports of a story's claims for people and machines outside FactDesk.

- `claims_csv`: the claims as CSV lines, for a spreadsheet, streamed row by row.
- `claim_reviews`: schema.org ClaimReview JSON-LD for the claims the desk has confirmed with a verdict.

Plain functions over the ORM (no views, no DRF): the API wraps them. Each runs a fixed number of
queries whatever the number of claims.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Min
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import Story
from factdesk.errors import ApplicationError

from .models import Claim, Mention, Verdict

LIST_SEPARATOR = "; "

# A spreadsheet reads a cell that starts with one of these as a formula or a DDE call (OWASP,
# "CSV Injection"), also behind characters nobody sees (zero-width spaces, a byte-order mark).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "|", "\t", "\r", "\n")
_INVISIBLE = re.compile(r"^[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e]+")
# A spreadsheet that splits on another separator (";" in many locales) starts a cell after it.
_AFTER_SEPARATOR = re.compile(r"([,;\t\"][\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e]*)(?=[=+\-@|])")

# The desk's verdicts on a 1 (worst) to 4 (best) truthfulness scale; see `claim_reviews`.
RATING_WORST = 1
RATING_BEST = 4
RATING_VALUES: dict[str, int | None] = {
    Verdict.ACCURATE: 4,
    Verdict.MISLEADING: 2,
    Verdict.INACCURATE: 1,
    Verdict.UNVERIFIABLE: None,
}


# --- CSV -------------------------------------------------------------------------------------------


def safe_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading formula character, visible or behind
    invisible ones, gets an apostrophe, and so does one right after a separator ("died;=1+1"
    becomes "died;'=1+1"), which a spreadsheet splitting on ";" or "\t" would start a cell
    with. Every cell is quoted besides.

    Applied to text fields only; numbers and dates formatted here never start with one of them.
    """
    value = _AFTER_SEPARATOR.sub(r"\1'", value)
    if _INVISIBLE.sub("", value).startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _iso(value: date | datetime | None) -> str:
    return value.isoformat() if value else ""


def _listed(values: Iterable[Any]) -> str:
    return safe_cell(LIST_SEPARATOR.join(str(v) for v in values))


# The CSV, column by column: its header, the claim value it is read from (None: the outlets,
# read by a second query) and how a cell is written. The one list of the CSV's columns.
CSV_FIELDS: tuple[tuple[str, str | None, Callable[[Any], str]], ...] = (
    ("id", "pk", str),
    ("status", "status", safe_cell),
    ("text", "text", safe_cell),
    ("checkworthiness", "checkworthiness", "{:.4f}".format),
    ("independent_sources", "independent_sources", str),
    ("sources", "sources", lambda sources: _listed(sources or [])),
    ("mention_count", "mention_count", str),
    ("outlets", None, lambda outlets: _listed(sorted(outlets, key=lambda name: (name.casefold(), name)))),
    ("open_conflicts", "open_conflicts", str),
    ("first_published_on", "first_published_on", _iso),
    ("verdict", "verdict", lambda verdict: safe_cell(verdict or "")),
    ("rejection_reason", "rejection_reason", safe_cell),
    ("reviewed_by", "reviewed_by__username", lambda username: safe_cell(username or "")),
    ("reviewed_at", "reviewed_at", _iso),
)
CSV_COLUMNS = tuple(name for name, _, _ in CSV_FIELDS)
_CSV_VALUES = tuple(value for _, value, _ in CSV_FIELDS if value is not None)


def _claim_statuses(statuses: Iterable[str] | None) -> list[str]:
    if not statuses:
        return [s for s in Claim.Status.values if s != Claim.Status.MERGED]
    wanted = list(dict.fromkeys(statuses))
    unknown = [s for s in wanted if s not in Claim.Status.values]
    if unknown:
        raise ApplicationError(
            f"Unknown claim status {unknown[0]!r}; use one of {', '.join(Claim.Status.values)}.", code="invalid"
        )
    return wanted


def claims_csv(story: Story, *, statuses: Iterable[str] | None = None) -> Iterator[str]:
    """The story's claims as CSV, one string per line (header first), for a StreamingHttpResponse.

    `statuses` selects claims by status; by default every claim but merged ones (a merged claim's
    mentions and notes live on the claim it was merged into). An unknown status raises an
    ApplicationError (a 400) before anything is read. Claims come in id order; `sources` and `outlets` (the distinct
    outlets of the claim's mentions, alphabetical) are joined with "; "; `verdict`, `reviewed_by`
    and `reviewed_at` are the claim's decision (the verdict given when confirming it, empty for
    none); dates and times are ISO 8601.

    Text cells that start with =, +, -, @, a tab or a carriage return are prefixed with an
    apostrophe, so a spreadsheet shows them instead of running them as formulas.

    Two queries in all, both streamed in chunks (claims with their counts, then the distinct
    (claim, outlet) pairs in claim order, merged as they arrive), so memory stays flat for a
    story of any size.
    """
    wanted = _claim_statuses(statuses)
    claims = (
        Claim.objects.filter(story=story, status__in=wanted)
        .annotate(
            mention_count=Count("mentions"),
            first_published_on=Min("mentions__article__published_on"),
        )
        .order_by("pk")
        .values_list(*_CSV_VALUES)
    )
    outlet_pairs = (
        Mention.objects.filter(claim__story=story, claim__status__in=wanted, article__outlet__isnull=False)
        .values_list("claim_id", "article__outlet__name")
        .distinct()
        .order_by("claim_id")
    )
    return _csv_lines(claims, outlet_pairs)


def _csv_lines(claims: Any, outlet_pairs: Any) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)

    def line(row: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate(0)
        writer.writerow(row)
        return buffer.getvalue()

    yield line(CSV_COLUMNS)
    pairs = iter(outlet_pairs.iterator(chunk_size=2000))
    pending = next(pairs, None)
    for values in claims.iterator(chunk_size=2000):
        row = dict(zip(_CSV_VALUES, values, strict=True))
        pk = row["pk"]
        # Both queries are in claim order: take this claim's outlets off the front of the pairs.
        outlets: set[str] = set()
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:
                outlets.add(pending[1])
            pending = next(pairs, None)
        yield line([write(outlets if value is None else row[value]) for _, value, write in CSV_FIELDS])


# --- ClaimReview JSON-LD ---------------------------------------------------------------------------


def _organization(name: str) -> dict[str, str]:
    return {"@type": "Organization", "name": name}


def _appearance_order(article: dict[str, Any]) -> tuple[bool, date, int]:
    """Earliest article first; undated ones after the dated, then by id."""
    published_on = article["published_on"]
    return (published_on is None, published_on or date.min, article["id"])


def _rating(label: str) -> dict[str, Any]:
    rating: dict[str, Any] = {"@type": "Rating"}
    value = RATING_VALUES.get(label)
    if value is not None:
        rating.update({"ratingValue": value, "bestRating": RATING_BEST, "worstRating": RATING_WORST})
    labels = dict(Verdict.choices)
    rating["alternateName"] = str(labels.get(label, label.replace("_", " ").capitalize()))
    return rating


def claim_reviews(story: Story, *, base_url: str, publisher_name: str = "FactDesk") -> list[dict[str, Any]]:
    """schema.org ClaimReview items (JSON-LD) for the story's confirmed claims that have a verdict.

    A claim's verdict is part of its decision: given when it was confirmed (Claim.verdict); claims
    confirmed without one (the desk verified only that they were made), and claims in any other
    status, are left out; a label on a note is not a verdict. In id order, each item has:
    - `url`: `base_url` + "/claims/<id>/"; `claimReviewed`: the claim's wording as reviewed;
    - `datePublished`: the date (in the site's time zone) of the decision (`reviewed_at`);
    - `author`: the publishing organisation, `publisher_name`;
    - `itemReviewed`: the Claim, with `appearance` (one CreativeWork per article that mentions it,
      earliest first, undated articles last, then by article id; `url`, `headline` and `author`
      each left out when the article has none), `author` the outlet of the first appearance and
      `datePublished` its date (each left out when unknown);
    - `reviewRating`, on a 1 (worst) to 4 (best) truthfulness scale, always with the label's name
      as `alternateName` (the text Google shows, and the one rating property it requires):

          verdict        ratingValue  alternateName
          accurate       4            Accurate
          misleading     2            Misleading
          inaccurate     1            Inaccurate
          unverifiable   (none)       Unverifiable

      Accurate and inaccurate are the ends of the scale. Misleading (true in its parts, but it
      leaves a false impression) is nearer false than true, so 2; 3 stays free for a future
      "mostly accurate" label without renumbering the others. Unverifiable is not a point on
      the truth scale: any number would tell a machine reader the claim is partly true or
      partly false, so its rating has no `ratingValue` (and no `bestRating`/`worstRating`,
      which only describe a numeric value) and says what it is in `alternateName`.

    Two queries whatever the number of claims: the rated claims, then their mentions' articles.
    """
    root = base_url.rstrip("/")
    claims = list(
        Claim.objects.filter(story=story, status=Claim.Status.CONFIRMED)
        .exclude(verdict="")
        # Set by every confirm (claims/review.py); a row confirmed by hand falls back to its last change.
        .annotate(decided_at=Coalesce("reviewed_at", "updated_at"))
        .order_by("pk")
        .values_list("pk", "text", "verdict", "decided_at")
    )
    if not claims:
        return []
    articles_of: dict[int, dict[int, dict[str, Any]]] = {pk: {} for pk, *_ in claims}
    # By story and status rather than an IN list of ids, which a big story would make too long;
    # mentions of confirmed claims without a verdict are skipped below.
    mentions = (
        Mention.objects.filter(claim__story=story, claim__status=Claim.Status.CONFIRMED)
        .values_list(
            "claim_id",
            "article_id",
            "article__published_on",
            "article__url",
            "article__title",
            "article__outlet__name",
        )
        .order_by("claim_id", "article_id")
    )
    for claim_id, article_id, published_on, url, title, outlet in mentions:
        if claim_id not in articles_of:
            continue
        articles_of[claim_id][article_id] = {
            "id": article_id,
            "published_on": published_on,
            "url": url,
            "title": title,
            "outlet": outlet,
        }

    items = []
    for pk, text, verdict, decided_at in claims:
        articles = sorted(articles_of[pk].values(), key=_appearance_order)
        item_reviewed: dict[str, Any] = {"@type": "Claim"}
        if articles:
            first = articles[0]
            if first["outlet"]:
                item_reviewed["author"] = _organization(first["outlet"])
            if first["published_on"]:
                item_reviewed["datePublished"] = first["published_on"].isoformat()
        item_reviewed["appearance"] = [_appearance(article) for article in articles]
        items.append(
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "url": f"{root}/claims/{pk}/",
                "claimReviewed": text,
                "datePublished": _local_date(decided_at).isoformat(),
                "author": _organization(publisher_name),
                "reviewRating": _rating(verdict),
                "itemReviewed": item_reviewed,
            }
        )
    return items


def _appearance(article: dict[str, Any]) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if article["url"]:
        work["url"] = article["url"]
    if article["title"]:
        work["headline"] = article["title"]
    if article["outlet"]:
        work["author"] = _organization(article["outlet"])
    return work


def _local_date(moment: datetime) -> date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
