"""Persisting the pipeline's conflicts: one disagreement is one conflict across re-runs, the pipeline's
changes are audited, what a person resolved stays resolved, and no article argues with itself.

The proposals are hand-made `claims.pipeline.types.Conflict`s (plain dataclasses), so each test says
exactly what the pipeline proposed; the persistence under test is `claims.persist.conflicts_persist`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Outlet, Story
from claims import persist as persistence
from claims import review
from claims.models import Claim, Conflict, Mention, MergeSuggestion, ReviewEvent
from claims.pipeline.types import Cluster, StoryAnalysis
from claims.pipeline.types import Conflict as Proposal
from claims.pipeline.types import MergeSuggestion as ProposedMerge
from factdesk.errors import StaleVersionError

pytestmark = pytest.mark.django_db

BODY = "The toll rose to 12 people on Monday.\n\nThe bridge was closed by the police."
SPANS = [(0, BODY.index(".") + 1), (BODY.index("The bridge"), len(BODY))]
# name -> (outlet, the article it copies)
ARTICLES = {
    "ap": ("AP", None),
    "reuters": ("Reuters", None),
    "bbc": ("BBC", None),
    "guardian": ("Guardian", None),
    "copy": ("Daily Copy", "ap"),  # a near-duplicate of AP's article
}


@dataclass
class Desk:
    story: Story
    mentions: dict[str, Mention]  # "ap1" is AP's first sentence, "bbc2" BBC's second, ...

    def __getitem__(self, name: str) -> Mention:
        return self.mentions[name]

    def name(self, mention_id: int) -> str:
        return next(n for n, m in self.mentions.items() if m.pk == mention_id)

    def claim(self, name: str) -> Claim:
        return Claim.objects.get(mentions=self.mentions[name])


@pytest.fixture
def desk(db: Any) -> Desk:
    story = Story.objects.create(name="Bridge", slug="bridge")
    articles: dict[str, Article] = {}
    mentions: dict[str, Mention] = {}
    for name, (outlet, copies) in ARTICLES.items():
        articles[name] = Article.objects.create(
            story=story,
            outlet=Outlet.objects.create(name=outlet, slug=outlet.lower().replace(" ", "-")),
            external_id=name,
            original_text=BODY,
            body=BODY,
            content_hash=name,
            processed_at=timezone.now(),
            duplicate_of=articles[copies] if copies else None,
        )
        for n, (start, end) in enumerate(SPANS, 1):
            claim = Claim.objects.create(story=story, text=f"{name} {n}")
            mentions[f"{name}{n}"] = Mention.objects.create(
                claim=claim, article=articles[name], start=start, end=end, text=BODY[start:end]
            )
    return Desk(story, mentions)


def key(m: Mention) -> tuple[int, int, int]:
    return (m.article_id, m.start, m.end)


def proposal(
    a: Iterable[Mention],
    b: Iterable[Mention],
    *,
    kind: str = "number",
    confidence: float = 0.9,
    factors: dict[str, float] | None = None,
    explanation: str = "They disagree.",
) -> Proposal:
    return Proposal(
        kind=kind,  # type: ignore[arg-type]
        severity="medium",
        explanation=explanation,
        side_a=tuple(key(m) for m in a),
        side_b=tuple(key(m) for m in b),
        confidence=confidence,
        factors=factors if factors is not None else {"base": 0.5, "same thing counted": 0.4},
    )


def persist(desk: Desk, *proposals: Proposal) -> dict[str, int]:
    by_key = {key(m): m for m in Mention.objects.filter(article__story=desk.story)}
    return persistence.conflicts_persist(story=desk.story, proposals=proposals, by_key=by_key)


def sides(desk: Desk, conflict: Conflict) -> tuple[set[str], set[str]]:
    rows = list(conflict.sides.values_list("side", "mention_id"))
    return (
        {desk.name(m) for side, m in rows if side == "a"},
        {desk.name(m) for side, m in rows if side == "b"},
    )


def state(conflict: Conflict) -> dict[str, Any]:
    """Everything about a conflict row and its sides."""
    row = Conflict.objects.filter(pk=conflict.pk).values().get()
    return {**row, "sides": sorted(conflict.sides.values_list("side", "mention_id"))}


# --- re-runs ----------------------------------------------------------------------------------------


def test_proposing_the_same_conflict_again_changes_nothing_and_writes_no_event(desk: Desk) -> None:
    first = persist(desk, proposal([desk["ap1"]], [desk["bbc1"]]))
    assert first["conflicts_created"] == 1
    conflict = Conflict.objects.get(story=desk.story)
    before = state(conflict)
    again = persist(desk, proposal([desk["ap1"]], [desk["bbc1"]], confidence=0.4, explanation="Other words."))
    assert (again["conflicts_created"], again["conflicts_extended"], again["conflicts_followed"]) == (0, 0, 0)
    assert state(conflict) == before  # not even the confidence: nothing new, nothing changes
    assert not ReviewEvent.objects.exists()


def test_new_evidence_joins_the_open_conflict_as_one_pipeline_event(desk: Desk) -> None:
    persist(desk, proposal([desk["ap1"]], [desk["bbc1"]], confidence=0.6))
    conflict = Conflict.objects.get(story=desk.story)

    stats = persist(
        desk,
        proposal(
            [desk["ap1"], desk["reuters1"]],
            [desk["bbc1"]],
            confidence=0.8,
            factors={"base": 0.3, "same thing counted": 0.6, "approximate amount": -0.1},
            explanation="AP and Reuters say 12; BBC says 15.",
        ),
    )

    assert (stats["conflicts_created"], stats["conflicts_extended"]) == (0, 1)
    assert Conflict.objects.filter(story=desk.story).count() == 1
    conflict.refresh_from_db()
    assert sides(desk, conflict) == ({"ap1", "reuters1"}, {"bbc1"})
    assert (conflict.version, conflict.confidence, conflict.explanation) == (
        2,
        0.8,
        "AP and Reuters say 12; BBC says 15.",
    )
    assert conflict.factors == {"base": 0.3, "same thing counted": 0.6, "approximate amount": -0.1}
    event = ReviewEvent.objects.get()
    assert (event.actor, event.action, event.conflict_id, event.story_id) == (
        None,
        ReviewEvent.Action.CONFLICT_EXTEND,
        conflict.pk,
        desk.story.pk,
    )
    assert event.payload == {"added_a": [desk["reuters1"].pk], "added_b": []}
    assert event.before["side_a"] == [desk["ap1"].pk]
    assert sorted(event.after["side_a"]) == sorted([desk["ap1"].pk, desk["reuters1"].pk])
    assert set(event.claims.all()) == {desk.claim("ap1"), desk.claim("reuters1"), desk.claim("bbc1")}
    assert str(event).startswith("pipeline added evidence to a conflict at ")

    # Proposed the other way round, new evidence still lands on its own side.
    persist(desk, proposal([desk["bbc1"], desk["guardian1"]], [desk["ap1"]]))
    conflict.refresh_from_db()
    assert sides(desk, conflict) == ({"ap1", "reuters1"}, {"bbc1", "guardian1"})
    assert conflict.version == 3 and ReviewEvent.objects.count() == 2
    assert desk.claim("guardian1").open_conflicts == 1


def test_proposals_for_one_disagreement_in_one_run_make_one_conflict(desk: Desk) -> None:
    stats = persist(
        desk,
        proposal([desk["ap1"]], [desk["bbc1"]], confidence=0.55, explanation="weaker"),
        proposal([desk["reuters1"], desk["ap1"]], [desk["bbc1"]], confidence=0.75, explanation="stronger"),
    )
    conflict = Conflict.objects.get(story=desk.story)
    assert stats["conflicts_created"] == 1
    assert sides(desk, conflict) == ({"ap1", "reuters1"}, {"bbc1"})
    assert (conflict.confidence, conflict.explanation, conflict.version) == (0.75, "stronger", 1)
    assert not ReviewEvent.objects.exists()  # nobody saw it before: no extension to audit


def test_a_reviewer_acting_on_a_conflict_the_pipeline_extended_is_told_so(
    desk: Desk, reviewer: User, client: Any
) -> None:
    persist(desk, proposal([desk["ap1"]], [desk["bbc1"]]))
    conflict = Conflict.objects.get(story=desk.story)
    persist(desk, proposal([desk["ap1"]], [desk["bbc1"], desk["guardian1"]]))
    with pytest.raises(StaleVersionError) as stale:
        review.conflict_resolve(conflict_id=conflict.pk, user=reviewer, version=1, resolution="both")
    assert "pipeline added evidence to a conflict at" in stale.value.message
    assert Conflict.objects.get(pk=conflict.pk).status == Conflict.Status.OPEN

    client.force_login(reviewer)
    page = client.get(reverse("claims:conflict_detail", args=[conflict.pk])).content.decode()
    assert "<strong>pipeline</strong> added evidence to a conflict" in page
    claim_page = client.get(reverse("claims:claim_detail", args=[desk.claim("guardian1").pk])).content.decode()
    assert "<strong>pipeline</strong> added evidence to a conflict" in claim_page
    assert f'(<a href="/conflicts/{conflict.pk}/">#{conflict.pk}</a>)' in claim_page


# --- what a person resolved --------------------------------------------------------------------------


def test_a_resolved_conflict_stays_resolved_and_new_evidence_opens_one_that_follows_it(
    desk: Desk, reviewer: User
) -> None:
    persist(desk, proposal([desk["ap1"]], [desk["bbc1"]]))
    resolved = Conflict.objects.get(story=desk.story)
    review.conflict_resolve(
        conflict_id=resolved.pk, user=reviewer, version=1, resolution="side_a", note="The ministry says 12"
    )
    decided = state(resolved)
    events = ReviewEvent.objects.count()

    # The same disagreement again brings nothing new: nothing happens.
    assert persist(desk, proposal([desk["ap1"]], [desk["bbc1"]]))["conflicts_followed"] == 0
    assert Conflict.objects.filter(story=desk.story).count() == 1

    # The Guardian joins BBC's side (proposed the other way round): a new open conflict re-raises it.
    stats = persist(desk, proposal([desk["bbc1"], desk["guardian1"]], [desk["ap1"]], confidence=0.7))
    assert (stats["conflicts_followed"], stats["conflicts_created"], stats["conflicts_extended"]) == (1, 0, 0)
    assert state(resolved) == decided  # status, resolution, note, sides and version as the person left them
    follow = Conflict.objects.get(follows=resolved)
    assert follow.status == Conflict.Status.OPEN and follow.confidence == 0.7
    assert sides(desk, follow) == ({"ap1"}, {"bbc1", "guardian1"})  # oriented as the conflict it follows
    assert follow.explanation == (
        f"Conflict #{resolved.pk} was resolved by rita on {timezone.now():%Y-%m-%d} as “Side A is right”; "
        "new evidence from Guardian raises it again. They disagree."
    )
    event = ReviewEvent.objects.get(action=ReviewEvent.Action.CONFLICT_FOLLOW)
    assert (event.actor, event.conflict_id) == (None, follow.pk)
    assert event.payload == {"follows": resolved.pk, "new_mention_ids": [desk["guardian1"].pk]}
    assert list(resolved.followed_by.all()) == [follow]
    assert desk.claim("guardian1").open_conflicts == 1 and desk.claim("ap1").open_conflicts == 1

    # A second re-run adds nothing more, whichever of the two it matches.
    persist(desk, proposal([desk["bbc1"], desk["guardian1"]], [desk["ap1"]], confidence=0.7))
    persist(desk, proposal([desk["ap1"]], [desk["bbc1"]]))
    assert Conflict.objects.filter(story=desk.story).count() == 2
    assert ReviewEvent.objects.count() == events + 1

    # More evidence joins the follow-up, which keeps saying what it re-raises.
    persist(desk, proposal([desk["ap1"]], [desk["bbc1"], desk["reuters1"]], explanation="Now three outlets."))
    follow.refresh_from_db()
    assert sides(desk, follow) == ({"ap1"}, {"bbc1", "guardian1", "reuters1"})
    assert follow.explanation.startswith(f"Conflict #{resolved.pk} was resolved by rita")
    assert "new evidence from Guardian and Reuters raises it again. Now three outlets." in follow.explanation
    assert state(resolved) == decided


# --- sources ---------------------------------------------------------------------------------------------


def test_an_article_or_a_copy_of_it_never_stands_on_both_sides(desk: Desk) -> None:
    # AP on both sides, and each side has another outlet: AP leaves both.
    persist(desk, proposal([desk["ap1"], desk["reuters1"]], [desk["ap2"], desk["bbc1"]]))
    number = Conflict.objects.get(story=desk.story, kind="number")
    assert sides(desk, number) == ({"reuters1"}, {"bbc1"})

    # AP against a copy of AP's own article: no conflict at all.
    stats = persist(desk, proposal([desk["ap1"]], [desk["copy1"]], kind="date"))
    assert stats["conflicts_same_source"] == 1
    assert not Conflict.objects.filter(story=desk.story, kind="date").exists()

    # AP's is the only voice on one side: it stays there, and leaves the side others also hold.
    persist(desk, proposal([desk["ap1"], desk["guardian1"]], [desk["ap2"]], kind="quote"))
    assert sides(desk, Conflict.objects.get(kind="quote")) == ({"guardian1"}, {"ap2"})

    # New evidence from a copy of an article on the other side is not added.
    persist(desk, proposal([desk["ap1"], desk["reuters2"]], [desk["bbc2"]], kind="certainty"))
    certainty = Conflict.objects.get(kind="certainty")
    stats = persist(desk, proposal([desk["reuters2"]], [desk["bbc2"], desk["copy2"]], kind="certainty"))
    assert stats["conflicts_extended"] == 0 and not ReviewEvent.objects.exists()
    assert sides(desk, certainty) == ({"ap1", "reuters2"}, {"bbc2"})

    roots = {a.pk: a.duplicate_of_id or a.pk for a in Article.objects.filter(story=desk.story)}
    for conflict in Conflict.objects.filter(story=desk.story):
        a, b = ({roots[m.article_id] for m in conflict.mentions.filter(conflict_sides__side=s)} for s in "ab")
        assert a and b and not a & b, conflict


# --- merge suggestions -----------------------------------------------------------------------------------


def analysis_with(desk: Desk, conflicts: list[Proposal], merges: list[tuple[str, str]]) -> StoryAnalysis:
    """The story stage's output: every claim as it is, these conflicts and merge suggestions."""
    clusters = tuple(
        Cluster(
            id=f"claim:{desk.claim(name).pk}",
            mentions=(key(m),),
            canonical=key(m),
            text=f"{name[:-1]} {name[-1]}",
            extends=desk.claim(name).pk,
            independent_sources=1,
            sources=(name,),
        )
        for name, m in desk.mentions.items()
    )
    suggestions = tuple(
        ProposedMerge(f"claim:{desk.claim(x).pk}", f"claim:{desk.claim(y).pk}", 0.8, "similar") for x, y in merges
    )
    return StoryAnalysis(clusters=clusters, suggestions=suggestions, conflicts=tuple(conflicts))


def suggestion(desk: Desk, x: str, y: str) -> MergeSuggestion | None:
    low, high = sorted((desk.claim(x).pk, desk.claim(y).pk))
    return MergeSuggestion.objects.filter(claim_a_id=low, claim_b_id=high).first()


def test_no_merge_suggestion_between_claims_on_opposite_sides_of_an_open_conflict(
    desk: Desk, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def suggest(x: str, y: str, status: str = MergeSuggestion.Status.OPEN) -> MergeSuggestion:
        low, high = sorted((desk.claim(x).pk, desk.claim(y).pk))
        return MergeSuggestion.objects.create(
            story=desk.story, claim_a_id=low, claim_b_id=high, score=0.7, status=status
        )

    suggest("ap1", "bbc1")  # open, from an earlier run
    suggest("ap1", "guardian1", status=MergeSuggestion.Status.REJECTED)  # a person decided this one
    conflict = proposal([desk["ap1"], desk["reuters1"]], [desk["bbc1"], desk["guardian1"]])
    merges = [("ap1", "bbc1"), ("ap1", "guardian1"), ("reuters1", "bbc1"), ("bbc1", "guardian1"), ("ap2", "bbc2")]
    analysis = analysis_with(desk, [conflict], merges)
    real = persistence._analysis  # the story's own index, with this analysis instead of its own

    def with_this_analysis(*args: Any, **kwargs: Any) -> Any:
        index, _, seen, _ = real(*args, **kwargs)
        return index, analysis, seen, "made up"

    monkeypatch.setattr(persistence, "_analysis", with_this_analysis)

    stats = persistence.story_analyse(story=desk.story)

    assert suggestion(desk, "ap1", "bbc1").status == MergeSuggestion.Status.WITHDRAWN  # type: ignore[union-attr]
    assert suggestion(desk, "ap1", "guardian1").status == MergeSuggestion.Status.REJECTED  # type: ignore[union-attr]
    assert suggestion(desk, "reuters1", "bbc1") is None  # they disagree: never suggested
    assert suggestion(desk, "bbc1", "guardian1").status == MergeSuggestion.Status.OPEN  # type: ignore[union-attr]
    assert suggestion(desk, "ap2", "bbc2").status == MergeSuggestion.Status.OPEN  # type: ignore[union-attr]
    assert (stats["suggestions_created"], stats["suggestions_withdrawn"]) == (2, 1)

    # Once a person resolved the conflict, the pipeline's proposals may stand again; a person's rejection stays.
    open_conflict = Conflict.objects.get(story=desk.story)
    review.conflict_resolve(
        conflict_id=open_conflict.pk, user=reviewer, version=open_conflict.version, resolution="both"
    )
    persistence.story_analyse(story=desk.story)
    assert suggestion(desk, "ap1", "bbc1").status == MergeSuggestion.Status.OPEN  # type: ignore[union-attr]
    assert suggestion(desk, "reuters1", "bbc1").status == MergeSuggestion.Status.OPEN  # type: ignore[union-attr]
    assert suggestion(desk, "ap1", "guardian1").status == MergeSuggestion.Status.REJECTED  # type: ignore[union-attr]


# --- confidence ------------------------------------------------------------------------------------------


def test_open_conflict_counts_leave_out_the_weak_ones(desk: Desk, settings: Any) -> None:
    persist(
        desk,
        proposal([desk["ap1"]], [desk["bbc1"]], confidence=0.3),
        proposal([desk["ap2"]], [desk["bbc2"]], confidence=0.7),
    )
    counts = lambda: {n: desk.claim(n).open_conflicts for n in ("ap1", "bbc1", "ap2", "bbc2")}  # noqa: E731
    assert counts() == {"ap1": 0, "bbc1": 0, "ap2": 1, "bbc2": 1}
    settings.FACTDESK_CONFLICT_MIN_CONFIDENCE = 0.2
    review.refresh_open_conflicts([desk.claim(n).pk for n in ("ap1", "bbc1", "ap2", "bbc2")])
    assert counts() == {"ap1": 1, "bbc1": 1, "ap2": 1, "bbc2": 1}


def test_confidence_is_stored_between_0_and_1_with_its_factors(desk: Desk) -> None:
    persist(
        desk,
        proposal([desk["ap1"]], [desk["bbc1"]], confidence=1.0000001, factors={"base": 0.3, "odd": float("nan")}),
        proposal([desk["ap2"]], [desk["bbc2"]], confidence=-0.2),
    )
    high, low = Conflict.objects.filter(story=desk.story).order_by("-confidence")
    assert (high.confidence, high.factors) == (1.0, {"base": 0.3})
    assert low.confidence == 0.0


def test_the_confidence_setting_comes_from_the_environment_and_a_bad_value_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from claims.pipeline.confidence import DEFAULT_MIN_CONFIDENCE
    from factdesk.settings.base import env_fraction

    assert settings.FACTDESK_CONFLICT_MIN_CONFIDENCE == DEFAULT_MIN_CONFIDENCE
    monkeypatch.delenv("FACTDESK_CONFLICT_MIN_CONFIDENCE", raising=False)
    assert env_fraction("FACTDESK_CONFLICT_MIN_CONFIDENCE", 0.5) == 0.5
    monkeypatch.setenv("FACTDESK_CONFLICT_MIN_CONFIDENCE", "0.65")
    assert env_fraction("FACTDESK_CONFLICT_MIN_CONFIDENCE", 0.5) == 0.65
    for bad in ("high", "1.5", "-0.1", "nan", ""):
        monkeypatch.setenv("FACTDESK_CONFLICT_MIN_CONFIDENCE", bad)
        with pytest.raises(ImproperlyConfigured, match="FACTDESK_CONFLICT_MIN_CONFIDENCE must be a number from 0 to 1"):
            env_fraction("FACTDESK_CONFLICT_MIN_CONFIDENCE", 0.5)
