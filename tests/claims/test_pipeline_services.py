"""The claim pipeline on the database: persistence, idempotence, increments, and people's decisions."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, Story
from articles.services import articles_import, story_get_or_create
from claims import persist
from claims.models import Claim, Conflict, Mention, MergeSuggestion, PipelineRun, ReviewEvent
from claims.selectors import story_export

# These tests drive the stages in the foreground; nothing is sent to the worker.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_broker")]


def import_files(story: Story, paths: list[Path]) -> None:
    articles_import(story=story, files=[(p.name, p.read_bytes()) for p in paths])


def process(story: Story) -> str:
    out = StringIO()
    call_command("process_story", str(story.pk), stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot(story: Story) -> dict[str, Any]:
    return {
        "claims": sorted(Claim.objects.filter(story=story).values_list("id", "text", "status")),
        "mentions": sorted(Mention.objects.filter(article__story=story).values_list("id", "claim_id")),
        "conflicts": sorted(
            Conflict.objects.filter(story=story).values_list("id", "key", "status", "version", "confidence")
        ),
        "conflict_sides": sorted(
            Conflict.objects.filter(story=story).values_list("id", "sides__side", "sides__mention_id")
        ),
        "suggestions": sorted(
            MergeSuggestion.objects.filter(story=story).values_list("id", "claim_a_id", "claim_b_id", "status")
        ),
        "events": ReviewEvent.objects.filter(story=story).count(),
    }


def same_disagreement(x: Conflict, y: Conflict) -> bool:
    """Two conflicts of one kind that share mentions on both sides (either way round)."""
    xa, xb, ya, yb = (set(c.sides.filter(side=s).values_list("mention_id", flat=True)) for c in (x, y) for s in "ab")
    return x.kind == y.kind and bool((xa & ya and xb & yb) or (xa & yb and xb & ya))


def test_process_story_creates_claims_with_mentions_inside_the_bodies(processed_story: Story) -> None:
    run = processed_story.pipeline_runs.order_by("-id").first()
    assert run.state == PipelineRun.State.SUCCEEDED
    assert run.progress_done == run.progress_total
    claims = Claim.objects.filter(story=processed_story)
    assert claims.exists()
    assert not Mention.objects.filter(article__story=processed_story, claim__isnull=True).exists()
    for mention in Mention.objects.filter(article__story=processed_story).select_related("article"):
        assert mention.article.body[mention.start : mention.end] == mention.text
    assert Conflict.objects.filter(story=processed_story).exists()


def test_seven_armored_vehicles_is_one_claim_with_two_mentions(processed_story: Story) -> None:
    claims = {
        m.claim_id
        for m in Mention.objects.filter(article__story=processed_story, text__contains="Seven armored vehicles")
    }
    assert len(claims) == 1
    assert Claim.objects.get(pk=claims.pop()).mentions.count() == 2


def test_rerunning_the_pipeline_adds_nothing(processed_story: Story) -> None:
    before = snapshot(processed_story)
    process(processed_story)
    persist.story_analyse(story=processed_story)
    assert snapshot(processed_story) == before


def test_an_added_article_joins_existing_claims(seed_files: list[Path]) -> None:
    story, _ = story_get_or_create(name="Embassy")
    import_files(story, [p for p in seed_files if not p.name.startswith("002")])
    process(story)
    before = {c.pk: c.text for c in Claim.objects.filter(story=story)}
    vehicles = Mention.objects.get(article__story=story, text__startswith="Seven armored vehicles")
    import_files(story, [p for p in seed_files if p.name.startswith("002")])
    process(story)
    # Every earlier claim is still there, and the new article's mention joined the old claim.
    assert set(before) <= set(Claim.objects.filter(story=story).values_list("pk", flat=True))
    added = Mention.objects.get(article__external_id__startswith="002", text__startswith="Seven armored vehicles")
    assert added.claim_id == vehicles.claim_id


def test_an_added_article_never_duplicates_an_open_conflict(seed_files: list[Path]) -> None:
    story, _ = story_get_or_create(name="Embassy")
    import_files(story, [p for p in seed_files if not p.name.startswith("002")])
    process(story)
    before = set(Conflict.objects.filter(story=story, status=Conflict.Status.OPEN).values_list("pk", flat=True))
    assert before
    import_files(story, [p for p in seed_files if p.name.startswith("002")])
    process(story)
    opened = list(Conflict.objects.filter(story=story, status=Conflict.Status.OPEN).order_by("id"))
    assert before <= {c.pk for c in opened}  # the earlier conflicts are still the open ones
    for i, x in enumerate(opened):
        for y in opened[i + 1 :]:
            assert not same_disagreement(x, y), (x.pk, y.pk)
    # Whatever the new article added to an earlier conflict is the pipeline's audited event.
    for event in ReviewEvent.objects.filter(story=story):
        assert (event.actor, event.action, event.conflict_id in before) == (None, "conflict_extend", True)


def test_one_more_article_joins_the_open_conflicts_instead_of_copying_them(processed_story: Story) -> None:
    """The issue's report: one uploaded article turned the seed story's open conflicts into near-copies."""
    opened_before = set(Conflict.objects.filter(story=processed_story, status="open").values_list("pk", flat=True))
    record = {
        "external_id": "extra-wire",
        "source": "Reuters",
        "date": "2019-12-31",
        "title": "Militia supporters storm US embassy in Baghdad",
        "text": (
            "Dozens of Iraqi Shiite militia supporters broke into the US embassy compound in Baghdad on Tuesday, "
            "smashing a main door and setting fire to a reception area.\n\n"
            "A photographer at the scene saw flames rising from inside the compound and at least three US "
            "soldiers on the roof of the main embassy building.\n\n"
            "Hundreds of angry protesters, some in militia uniforms, set up tents outside the embassy.\n\n"
            "The US ambassador to Iraq was not evacuated and remained in the compound throughout, "
            "a State Department official said."
        ),
    }
    articles_import(story=processed_story, files=[("extra.json", json.dumps([record]).encode())])
    process(processed_story)
    opened = list(Conflict.objects.filter(story=processed_story, status="open").order_by("id"))
    assert opened_before <= {c.pk for c in opened}
    for i, x in enumerate(opened):
        for y in opened[i + 1 :]:
            assert not same_disagreement(x, y), (x.explanation, y.explanation)
    extra = Mention.objects.filter(article__external_id="extra-wire")
    assert extra.filter(claim__isnull=False).exists()
    events = list(ReviewEvent.objects.filter(story=processed_story))
    assert events  # the article's evidence joined earlier conflicts (else this tests nothing)
    for event in events:
        assert (event.actor, event.action) == (None, "conflict_extend")
        assert set(event.payload["added_a"] + event.payload["added_b"]) <= set(extra.values_list("pk", flat=True))


def test_no_conflict_has_one_article_or_its_copies_on_both_sides(processed_story: Story) -> None:
    parent = dict(Article.objects.filter(story=processed_story).values_list("pk", "duplicate_of_id"))

    def root(article: int) -> int:
        while parent.get(article):
            article = parent[article]
        return article

    conflicts = Conflict.objects.filter(story=processed_story)
    assert conflicts.exists()
    for conflict in conflicts:
        a, b = ({root(m.article_id) for m in conflict.mentions.filter(conflict_sides__side=s)} for s in "ab")
        assert a and b and not a & b, conflict.explanation


def test_people_decisions_survive_a_new_article_and_a_rerun(seed_files: list[Path], reviewer: Any) -> None:
    story, _ = story_get_or_create(name="Embassy")
    import_files(story, [p for p in seed_files if not p.name.startswith("002")])
    process(story)
    vehicles = Mention.objects.get(article__story=story, text__startswith="Seven armored vehicles").claim
    # A person confirms the claim and rewords it, and resolves every open conflict.
    Claim.objects.filter(pk=vehicles.pk).update(
        status=Claim.Status.CONFIRMED, text="Edited by a reviewer", reviewed_at=timezone.now(), reviewed_by=reviewer
    )
    resolved = list(Conflict.objects.filter(story=story).values_list("pk", flat=True))
    Conflict.objects.filter(pk__in=resolved).update(status=Conflict.Status.RESOLVED)

    import_files(story, [p for p in seed_files if p.name.startswith("002")])
    process(story)

    vehicles.refresh_from_db()
    assert (vehicles.status, vehicles.text) == (Claim.Status.CONFIRMED, "Edited by a reviewer")
    assert vehicles.mentions.count() == 2  # the new evidence is attached
    assert set(Conflict.objects.filter(pk__in=resolved).values_list("status", flat=True)) <= {Conflict.Status.RESOLVED}
    # New disagreements arrive as new open conflicts.
    assert Conflict.objects.filter(story=story, status=Conflict.Status.OPEN).exclude(pk__in=resolved).exists()


def test_export_story_document(processed_story: Story) -> None:
    out = StringIO()
    call_command("export_story", processed_story.slug, stdout=out)
    document = json.loads(out.getvalue())
    assert document == json.loads(json.dumps(story_export(processed_story)))
    assert set(document) == {"story", "articles", "claims", "conflicts", "merge_suggestions"}
    bodies = {a["id"]: a["body"] for a in document["articles"]}
    assert len(bodies) == 5
    for claim in document["claims"]:
        assert {"id", "text", "status", "checkworthiness", "independent_sources", "mentions", "slots"} <= set(claim)
        for mention in claim["mentions"]:
            assert bodies[mention["article_id"]][mention["start"] : mention["end"]] == mention["text"]
    mention_claim = {m["id"]: c["id"] for c in document["claims"] for m in c["mentions"]}
    for conflict in document["conflicts"]:
        assert len(conflict["sides"]) == 2
        for side in conflict["sides"]:
            assert side["mention_ids"]
            assert side["claim_ids"] == sorted({mention_claim[m] for m in side["mention_ids"]})


def test_bad_articles_are_skipped_with_a_reason_and_the_run_finishes(seed_files: list[Path]) -> None:
    story, _ = story_get_or_create(name="Odd input")
    records = [
        {"external_id": "numbers", "text": "1 2 3 4 5 6 7 8 9 10\n\n11 12 13 14 15 16"},
        {"external_id": "quotes", "text": '“ ” “ ” " " “ ”\n\n" " "'},
        {
            "external_id": "arabic",
            "text": "اقتحم متظاهرون السفارة الأمريكية في بغداد يوم الثلاثاء وأضرموا النار في منطقة الاستقبال.",
        },
        {"external_id": "huge", "text": ("The council said 12 bridges were closed on Monday. " * 40 + "\n\n") * 1000},
    ]
    articles_import(story=story, files=[("odd.json", json.dumps(records).encode())])
    import_files(story, seed_files[:1])
    process(story)
    run = story.pipeline_runs.order_by("-id").first()
    assert run.state == PipelineRun.State.SUCCEEDED
    skipped = {Article.objects.get(pk=e["article_id"]).external_id for e in run.errors}
    assert {"numbers", "quotes", "arabic"} <= skipped
    assert all(e["reason"] for e in run.errors)
    assert Claim.objects.filter(story=story, mentions__article__external_id__startswith="000").exists()


def test_extraction_failure_marks_the_run_failed_and_the_story_stage_still_runs(
    seed_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from claims import tasks

    story, _ = story_get_or_create(name="Failing")
    import_files(story, seed_files[:2])
    run = story.pipeline_runs.get()
    first, second = run.article_ids
    queued: list[int] = []
    monkeypatch.setattr(tasks.analyse_story, "delay", lambda run_id: queued.append(run_id))
    real_extract = persist.article_extract

    def extract(*, article: Article, run_id: int | None = None) -> int:
        if article.pk == first:
            raise ValueError("cannot read this article")
        return real_extract(article=article, run_id=run_id)

    monkeypatch.setattr(persist, "article_extract", extract)
    tasks.extract_article.apply(args=(run.pk, first))
    tasks.extract_article.apply(args=(run.pk, second))
    assert queued == [run.pk]  # the failed article does not hold the story stage back
    tasks.analyse_story.apply(args=(run.pk,))
    run.refresh_from_db()
    assert run.state == PipelineRun.State.FAILED
    [error] = [e for e in run.errors if e.get("fatal")]
    assert error["article_id"] == first and "cannot read this article" in error["reason"]
    assert Claim.objects.filter(story=story).exists()


def test_a_decision_made_while_the_story_stage_runs_is_not_overwritten(
    processed_story: Story, reviewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claims import review

    claim = (
        Mention.objects.filter(article__story=processed_story, text__startswith="Seven armored vehicles").first().claim
    )
    Claim.objects.filter(pk=claim.pk).update(text="Wording the pipeline will want to replace")
    real = persist._analysis

    def analyse_while_a_reviewer_acts(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)  # the stage has read the claims; now a person acts
        loaded = Claim.objects.get(pk=claim.pk).version
        edited = review.claim_edit(claim_id=claim.pk, user=reviewer, version=loaded, text="The reviewer's wording")
        review.claim_confirm(claim_id=claim.pk, user=reviewer, version=edited.version)
        return result

    monkeypatch.setattr(persist, "_analysis", analyse_while_a_reviewer_acts)
    persist.story_analyse(story=processed_story)
    claim.refresh_from_db()
    assert (claim.text, claim.status) == ("The reviewer's wording", Claim.Status.CONFIRMED)


def test_a_claims_reasons_add_up_to_its_checkworthiness(processed_story: Story) -> None:
    """The claim page shows the contributions of its best mention, whose score is the claim's."""
    claims = list(Claim.objects.filter(story=processed_story).prefetch_related("mentions"))
    assert any(len(c.mentions.all()) > 1 for c in claims)
    for claim in claims:
        assert abs(sum(claim.features.values()) - claim.checkworthiness) < 0.002, (claim.text, claim.features)
        assert claim.checkworthiness == max(m.checkworthiness for m in claim.mentions.all())


def test_mentions_are_stored_as_bulk_create_stores_them_and_a_span_there_is_kept(seed_files: list[Path]) -> None:
    """persist.mentions_insert (PostgreSQL: one JSON document through jsonb_to_recordset) against
    Django's bulk_create of the same rows, column by column; a span already stored is left alone."""
    from django.db import connection

    from claims.pipeline import extract_article

    assert connection.vendor == "postgresql"  # the path under test; other databases use bulk_create
    story, _ = story_get_or_create(name="Insert paths")
    import_files(story, seed_files[:2])
    first, second = Article.objects.filter(story=story).select_related("outlet").order_by("pk")
    rows = {}
    for article in (first, second):
        extraction = extract_article(persist.article_text(article))
        rows[article.pk] = [persist.mention_row(article.pk, m) for m in extraction.mentions]
    assert len(rows[first.pk]) > 5 and len(rows[second.pk]) > 5
    persist.mentions_insert(rows[first.pk])
    Mention.objects.bulk_create([Mention(**row) for row in rows[second.pk]])
    columns = ("start", "end", "text", "checkworthiness", "features", "slots", "certainty", "claim_id")

    def stored(article: Article) -> list[tuple[Any, ...]]:
        return list(Mention.objects.filter(article=article).order_by("start").values_list(*columns))

    def expected(article: Article) -> list[tuple[Any, ...]]:
        return sorted((*(row[c] for c in columns[:-1]), None) for row in rows[article.pk])

    assert stored(first) == expected(first)
    assert stored(second) == expected(second)
    assert all(m.created_at is not None for m in Mention.objects.filter(article=first))
    # a span already there keeps what it has; a new span is added
    again = [{**row, "text": "changed"} for row in rows[first.pk]]
    again.append({**again[0], "start": 100_000, "end": 100_010, "text": "new"})
    persist.mentions_insert(again)
    assert [row for row in stored(first) if row[0] != 100_000] == expected(first)
    assert [row[2] for row in stored(first) if row[0] == 100_000] == ["new"]
