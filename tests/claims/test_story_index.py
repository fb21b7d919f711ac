"""The story stage's kept index on the database (claims/story_cache.py): a run that adds articles
does the new work only and gives what a full run with the kept statistics gives; whatever the
index no longer describes (a reviewer's merge, a damaged file, other code) costs a full run and
nothing else."""

from __future__ import annotations

import functools
import pickle
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from articles.models import Article, Story
from articles.services import articles_import, story_get_or_create
from claims import persist, review, story_cache
from claims.models import Claim, Conflict, Mention, MergeSuggestion, PipelineRun
from claims.pipeline import incremental
from claims.pipeline.story import analyse_story

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_broker")]


@pytest.fixture(autouse=True)
def index_dir(settings: Any, tmp_path: Path) -> Path:
    settings.FACTDESK_STORY_INDEX_DIR = str(tmp_path / "indexes")
    return tmp_path / "indexes"


def import_and_process(story: Story, paths: list[Path], *, full: bool = False) -> None:
    if paths:
        articles_import(story=story, files=[(p.name, p.read_bytes()) for p in paths])
    args = [str(story.pk), *(["--full"] if full else [])]
    call_command("process_story", *args, stdout=StringIO(), stderr=StringIO())


def last_stage(story: Story) -> str:
    return PipelineRun.objects.filter(story=story).order_by("pk").last().stats["story_stage"]


def claim_groups(story: Story) -> dict[int, set[tuple[int, int, int]]]:
    groups: dict[int, set[tuple[int, int, int]]] = {}
    for claim_id, article_id, start, end in Mention.objects.filter(article__story=story).values_list(
        "claim_id", "article_id", "start", "end"
    ):
        groups.setdefault(claim_id, set()).add((article_id, start, end))
    return groups


def test_a_run_adding_an_article_is_incremental_and_gives_the_full_runs_result(
    seed_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The statistics are kept however much the story grows here (five articles are few; the
    # growth rule is tested in tests/pipeline/test_incremental.py).
    monkeypatch.setattr(incremental, "REFRESH_GROWTH", 100.0)
    story, _ = story_get_or_create(name="Embassy")
    import_and_process(story, seed_files[:-1])
    assert last_stage(story) == "full: no index kept for this story yet"

    # What a full run would give, with the claims as they are now and the statistics kept.
    articles_import(story=story, files=[(seed_files[-1].name, seed_files[-1].read_bytes())])
    for article in Article.objects.filter(story=story, processed_at__isnull=True):
        persist.article_extract(article=article)
    texts = {a.pk: persist.article_text(a) for a in Article.objects.filter(story=story).select_related("outlet")}
    rows = list(Mention.objects.filter(article__story=story))
    extractions = persist._extractions(texts, rows)
    fixed: dict[int, list[tuple[int, int, int]]] = {}
    for m in rows:
        if m.claim_id is not None:
            fixed.setdefault(m.claim_id, []).append((m.article_id, m.start, m.end))
    kept, why = story_cache.load(story)
    assert kept is not None, why
    expected = analyse_story(extractions, list(texts.values()), fixed=fixed, stats=kept.stats)

    analysed: list[Any] = []
    write = persist._persist
    monkeypatch.setattr(
        persist, "_persist", lambda story, analysis, *rest: analysed.append(analysis) or write(story, analysis, *rest)
    )
    stats = persist.story_analyse(story=story)
    assert stats["story_stage"] == "incremental"
    assert analysed == [expected]
    new_mentions = {k for c in expected.clusters for k in c.mentions} - {k for keys in fixed.values() for k in keys}
    assert new_mentions and all(m.claim_id for m in Mention.objects.filter(article__story=story))
    # The claims stored are the analysis's, and the index now names them by their rows.
    assert sorted(map(sorted, claim_groups(story).values())) == sorted(sorted(c.mentions) for c in expected.clusters)
    again, why = story_cache.load(story)
    assert again is not None and again.disagreement(claim_groups(story), texts.values()) is None


def story_state(story: Story) -> dict[str, Any]:
    """The story's claims, conflicts and merge suggestions, by what they say (not their row ids)."""
    names = dict(Article.objects.filter(story=story).values_list("pk", "external_id"))
    mentions = {
        pk: (names[article], start, end)
        for pk, article, start, end in Mention.objects.filter(article__story=story).values_list(
            "pk", "article_id", "start", "end"
        )
    }
    claims = {}
    for claim in Claim.objects.filter(story=story).prefetch_related("mentions"):
        claims[claim.pk] = (
            tuple(sorted(mentions[m.pk] for m in claim.mentions.all())),
            mentions.get(claim.canonical_mention_id),
            claim.text, claim.status, claim.checkworthiness, claim.features, claim.slots,
            claim.independent_sources, tuple(claim.sources), claim.open_conflicts,
        )  # fmt: skip
    conflicts = sorted(
        (
            c.kind,
            c.status,
            c.severity,
            c.explanation,
            c.confidence,
            tuple(sorted((s.side, mentions[s.mention_id]) for s in c.sides.all())),
        )
        for c in Conflict.objects.filter(story=story).prefetch_related("sides")
    )
    suggestions = sorted(
        (tuple(sorted((claims[s.claim_a_id][0], claims[s.claim_b_id][0]))), s.status, s.score)
        for s in MergeSuggestion.objects.filter(story=story)
    )
    return {"claims": sorted(claims.values()), "conflicts": conflicts, "suggestions": suggestions}


def test_a_run_from_the_kept_index_writes_what_comparing_every_claim_writes(
    seed_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept index spares reading and writing the claims and conflicts its last run wrote as they
    are; a twin story whose runs forget what was written (every claim read and compared, every
    proposed conflict matched again) ends the same."""
    monkeypatch.setattr(incremental, "REFRESH_GROWTH", 100.0)
    spared, _ = story_get_or_create(name="Spared")
    twin, _ = story_get_or_create(name="Twin")
    load = story_cache.load

    def load_forgetting_the_twins_writes(story: Story) -> tuple[Any, str]:
        index, why = load(story)
        if index is not None and story.pk == twin.pk:
            index.kept = {}
        return index, why

    monkeypatch.setattr(story_cache, "load", load_forgetting_the_twins_writes)
    for files in (seed_files[:3], seed_files[3:4], seed_files[4:], []):
        for story in (spared, twin):
            import_and_process(story, files)
        assert story_state(spared) == story_state(twin)
    runs = {
        story.pk: [
            r.stats for r in PipelineRun.objects.filter(story=story, stats__has_key="story_stage").order_by("pk")
        ]
        for story in (spared, twin)
    }
    assert [r["story_stage"] for r in runs[spared.pk][1:]] == ["incremental"] * 3
    assert [r["story_stage"] for r in runs[twin.pk][1:]] == ["incremental"] * 3
    # The spared runs did skip claims and conflicts; the twin's compared every one.
    assert all(r["claims_as_written"] > 0 and r["conflicts_proposed_again"] > 0 for r in runs[spared.pk][1:])
    assert all(r["claims_as_written"] == r["conflicts_proposed_again"] == 0 for r in runs[twin.pk])
    # Nothing new: the twin read every claim and found each as the pipeline words it (what
    # ``_persist`` makes of the index's mentions equals what was stored); the spared run read none.
    assert runs[twin.pk][-1]["claims_reworded"] == 0
    assert runs[spared.pk][-1]["claims_as_written"] == Claim.objects.filter(story=spared).count()
    assert story_state(spared)["conflicts"]


def test_a_reviewers_merge_makes_the_next_run_full_and_stands(
    seed_files: list[Path], reviewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(incremental, "REFRESH_GROWTH", 100.0)
    story, _ = story_get_or_create(name="Embassy")
    import_and_process(story, seed_files[:-1])
    survivor, other = Claim.objects.filter(story=story).order_by("pk")[:2]
    moved = set(other.mentions.values_list("pk", flat=True))
    review.claims_merge(
        survivor_id=survivor.pk,
        other_ids=[other.pk],
        user=reviewer,
        versions={survivor.pk: survivor.version, other.pk: other.version},
    )
    import_and_process(story, seed_files[-1:])
    stage = last_stage(story)
    assert stage.startswith("full: claims changed since the last run: ") and {str(survivor.pk), str(other.pk)} <= set(
        stage.split(": ")[-1].split(", ")
    ), stage
    other.refresh_from_db()
    assert (other.status, other.merged_into_id) == (Claim.Status.MERGED, survivor.pk)
    assert moved <= set(survivor.mentions.values_list("pk", flat=True))
    # The full run's index describes the merged story: the next run may add to it.
    texts = {a.pk: persist.article_text(a) for a in Article.objects.filter(story=story).select_related("outlet")}
    kept, _ = story_cache.load(story)
    assert kept is not None and kept.disagreement(claim_groups(story), texts.values()) is None


@pytest.mark.parametrize("damage", ["garbage", "truncated", "log truncated", "log gone", "other code", "other story"])
def test_an_index_that_cannot_be_used_costs_a_full_run_and_nothing_else(
    seed_files: list[Path], index_dir: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    monkeypatch.setattr(incremental, "REFRESH_GROWTH", 100.0)
    story, _ = story_get_or_create(name="Embassy")
    import_and_process(story, seed_files[:-1])
    (path,) = index_dir.glob("story-*.pickle")
    story_cache.forget()  # as a worker that did not write it reads it
    if damage == "garbage":
        path.write_bytes(b"not a pickle at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "log truncated":
        log = path.with_suffix(".log")
        log.write_bytes(log.read_bytes()[: log.stat().st_size // 2])
    elif damage == "log gone":
        path.with_suffix(".log").unlink()
    elif damage == "other code":
        monkeypatch.setattr(story_cache, "code_version", lambda: "someone-elses")
    else:  # a story deleted and made again under the same number would have another creation time
        Story.objects.filter(pk=story.pk).update(created_at=story.created_at.replace(year=2001))
        story.refresh_from_db()
    before = claim_groups(story)

    import_and_process(story, seed_files[-1:])
    stage = last_stage(story)
    assert stage.startswith("full: the kept index"), stage
    assert PipelineRun.objects.filter(story=story).order_by("pk").last().state == "succeeded"
    after = claim_groups(story)
    assert all(before[c] <= after[c] for c in before)  # no claim lost a mention
    # The run kept a good index again: the next run uses it.
    import_and_process(story, [])
    assert last_stage(story) == "incremental"


def test_process_story_full_analyses_afresh_and_changes_no_claim(seed_files: list[Path]) -> None:
    story, _ = story_get_or_create(name="Embassy")
    import_and_process(story, seed_files)
    before = claim_groups(story)
    import_and_process(story, [], full=True)
    assert last_stage(story) == "full: a full run was asked for"
    assert claim_groups(story) == before


def test_a_deleted_story_leaves_no_index(seed_files: list[Path], index_dir: Path) -> None:
    story, _ = story_get_or_create(name="Embassy")
    import_and_process(story, seed_files[:2])
    assert list(index_dir.glob("story-*.pickle"))
    Mention.objects.filter(article__story=story).update(claim=None)  # a story's claims protect it
    Claim.objects.filter(story=story).delete()
    story.delete()
    assert not list(index_dir.glob("story-*.pickle"))


def test_no_index_directory_keeps_nothing(seed_files: list[Path], settings: Any) -> None:
    settings.FACTDESK_STORY_INDEX_DIR = ""
    story, _ = story_get_or_create(name="Embassy")
    import_and_process(story, seed_files[:2])
    import_and_process(story, seed_files[2:3])
    assert last_stage(story) == "full: no index is kept (FACTDESK_STORY_INDEX_DIR is empty)"


def test_an_index_that_cannot_be_written_costs_the_run_nothing(
    seed_files: list[Path], settings: Any, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    settings.FACTDESK_STORY_INDEX_DIR = str(blocked / "indexes")
    story, _ = story_get_or_create(name="Embassy")
    import_and_process(story, seed_files[:2])
    run = PipelineRun.objects.filter(story=story).order_by("pk").last()
    assert run.state == "succeeded" and Claim.objects.filter(story=story).exists()
    import_and_process(story, seed_files[2:3])
    assert last_stage(story) == "full: no index kept for this story yet"


def test_a_run_with_nothing_new_does_not_query_claim_by_claim(processed_story: Story) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    claims = Claim.objects.filter(story=processed_story).count()
    with CaptureQueriesContext(connection) as queries:
        stats = persist.story_analyse(story=processed_story)
    assert stats["story_stage"] == "incremental"
    assert len(queries) < claims / 2, [q["sql"][:120] for q in queries.captured_queries]


def kept_story(seed_files: list[Path], index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Story, Path]:
    """A story of three seed articles processed, the statistics kept however it grows, and its index file."""
    monkeypatch.setattr(incremental, "REFRESH_GROWTH", 100.0)
    story, _ = story_get_or_create(name="Embassy")
    import_and_process(story, seed_files[:3])
    (path,) = index_dir.glob("story-*.pickle")
    return story, path


def header(path: Path) -> dict[str, Any]:
    """The first pickle of a kept file: the index's header, or the log's."""
    with path.open("rb") as fh:
        return pickle.load(fh)


def test_the_process_that_kept_an_index_runs_on_from_memory_while_the_file_holds_it(
    seed_files: list[Path], index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story, path = kept_story(seed_files, index_dir, monkeypatch)
    # The file's index damaged behind its header: only the index held in memory can be used.
    header_end = len(pickle.dumps(header(path)))
    path.write_bytes(path.read_bytes()[:header_end] + b"damaged")
    import_and_process(story, seed_files[3:4])
    assert last_stage(story) == "incremental"
    # That run kept a new index (and file); another worker's newer file is read instead of it.
    newer = path.read_bytes()
    import_and_process(story, [], full=True)  # lets go of the held index and writes a newer file
    assert path.read_bytes() != newer
    story_cache.forget()
    import_and_process(story, seed_files[4:])
    assert last_stage(story) == "incremental"
    # A held index whose file was replaced is not used: the file decides.
    path.write_bytes(newer)
    import_and_process(story, [])
    assert last_stage(story).startswith("full: ")


def test_the_log_is_added_to_and_written_afresh_after_a_full_run(
    seed_files: list[Path], index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story, path = kept_story(seed_files, index_dir, monkeypatch)
    log = path.with_suffix(".log")
    first, first_size, records = header(log), log.stat().st_size, header(path)["log"]["records"]
    import_and_process(story, seed_files[3:4])
    assert last_stage(story) == "incremental"
    assert header(log) == first and log.stat().st_size > first_size  # added to, not rewritten
    assert header(path)["log"] == {"token": first["token"], "records": records + 1, "length": log.stat().st_size}
    # What a run that died while adding left past the recorded end is not read, and is cut off.
    with log.open("ab") as fh:
        fh.write(b"half a pickle")
    story_cache.forget()  # read from the files, as another worker would
    import_and_process(story, [])
    assert last_stage(story) == "incremental"
    assert header(path)["log"]["length"] == log.stat().st_size
    import_and_process(story, [], full=True)
    assert header(log) != first  # written afresh: a full run's statistics are new, its mentions in its own order
    assert header(path)["log"]["records"] == 1
    story_cache.forget()
    import_and_process(story, seed_files[4:])
    assert last_stage(story) == "incremental"


def test_an_index_saved_by_a_run_that_does_not_commit_is_not_kept(
    seed_files: list[Path], index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is saved inside the stage's transaction; should the transaction then fail (the
    commit, or anything after the save), the index describes writes that were rolled back (new
    wording it would call written) and is removed: the next run is a full one."""
    story, path = kept_story(seed_files, index_dir, monkeypatch)
    articles_import(story=story, files=[(p.name, p.read_bytes()) for p in seed_files[3:4]])
    for article in Article.objects.filter(story=story, processed_at__isnull=True):
        persist.article_extract(article=article)
    claims_before = set(Claim.objects.filter(story=story).values_list("pk", "text", "independent_sources"))
    timer = persist._lap

    def failing_after_the_save(parts: dict[str, float], started: float) -> Any:
        lap = timer(parts, started)

        def each(name: str) -> None:
            lap(name)
            if name == "keep":
                raise RuntimeError("the commit failed")

        return each

    monkeypatch.setattr(persist, "_lap", failing_after_the_save)
    with pytest.raises(RuntimeError, match="the commit failed"):
        persist.story_analyse(story=story)
    assert not path.exists() and not path.with_suffix(".log").exists()
    assert set(Claim.objects.filter(story=story).values_list("pk", "text", "independent_sources")) == claims_before

    monkeypatch.setattr(persist, "_lap", timer)
    assert persist.story_analyse(story=story)["story_stage"] == "full: no index kept for this story yet"
    assert path.exists()


def test_the_claims_opposed_in_open_conflicts_are_kept_and_read_again_where_they_change(
    seed_files: list[Path], index_dir: Path, monkeypatch: pytest.MonkeyPatch, reviewer: Any
) -> None:
    """A run reads the sides only of the conflicts it wrote and of those open again since the last
    run; what it keeps is what reading every open conflict gives. A conflict a reviewer resolved
    no longer blocks a merge suggestion between its sides' claims; reopened, it blocks it again."""
    story, _ = kept_story(seed_files, index_dir, monkeypatch)

    def kept() -> dict[int, frozenset[tuple[int, int]]]:
        index, _ = story_cache.load(story)
        assert index is not None
        return index.kept["opposing"]

    def every_open_conflict() -> dict[int, frozenset[tuple[int, int]]]:
        return persist._OpposingClaims(story, None, ()).of_conflict

    import_and_process(story, seed_files[3:])
    assert last_stage(story) == "incremental"
    assert kept() == every_open_conflict()
    conflict_id, pairs = next((c, p) for c, p in kept().items() if p)
    low, high = min(pairs)
    suggestion = MergeSuggestion.objects.create(story=story, claim_a_id=low, claim_b_id=high, score=0.7)

    def resolved_or_reopened(action: Any) -> str:
        action(conflict_id=conflict_id, user=reviewer, version=Conflict.objects.get(pk=conflict_id).version)
        import_and_process(story, [])
        assert last_stage(story) == "incremental"
        assert kept() == every_open_conflict()
        suggestion.refresh_from_db()
        return suggestion.status

    resolve = functools.partial(review.conflict_resolve, resolution="both")
    assert resolved_or_reopened(resolve) == MergeSuggestion.Status.OPEN
    assert conflict_id not in kept()
    assert resolved_or_reopened(review.conflict_reopen) == MergeSuggestion.Status.WITHDRAWN
    assert conflict_id in kept()


@pytest.mark.parametrize("change", ["mention moved", "claim merged", "outlet renamed", "article gone"])
def test_the_held_index_is_checked_again_when_anything_but_new_articles_changed(
    seed_files: list[Path], change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run from the index this process holds skips checking it against every claim and
    article when the rows are those its last run left but for new ones; any other change is
    caught, whoever made it (here straight in the database), and costs a full run."""
    monkeypatch.setattr(incremental, "REFRESH_GROWTH", 100.0)
    story, _ = story_get_or_create(name="Embassy")
    import_and_process(story, seed_files[:-2])
    import_and_process(story, seed_files[-2:-1])
    assert last_stage(story) == "incremental"  # from the held index, its rows as it left them
    first, second = Claim.objects.filter(story=story).order_by("pk")[:2]
    article = Article.objects.filter(story=story, outlet__isnull=False).order_by("pk").first()
    if change == "mention moved":
        Mention.objects.filter(pk=first.mentions.order_by("pk").first().pk).update(claim=second)
    elif change == "claim merged":
        Claim.objects.filter(pk=first.pk).update(status=Claim.Status.MERGED, merged_into=second)
    elif change == "outlet renamed":
        type(article.outlet).objects.filter(pk=article.outlet_id).update(name="Renamed Outlet")
    else:
        article.delete()
    import_and_process(story, seed_files[-1:])
    assert last_stage(story).startswith("full: "), change


def test_claims_read_a_few_at_a_time_are_written_as_all_at_once(
    seed_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stage reads the claims it may write so many at a time (a full run's would all weigh at
    once): a story whose runs read them two at a time ends as one whose runs read them at once."""
    at_once, _ = story_get_or_create(name="At once")
    by_two, _ = story_get_or_create(name="By two")
    for files, full in ((seed_files[:3], False), (seed_files[3:], False), ([], True)):
        import_and_process(at_once, files, full=full)
        with monkeypatch.context() as m:
            m.setattr(persist, "_CLAIMS_READ", 2)
            import_and_process(by_two, files, full=full)
        assert story_state(by_two) == story_state(at_once)
    assert story_state(at_once)["claims"]
