"""The import service, command and upload page, on the database."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from articles.models import Article, ImportBatch, Outlet, Story
from articles.services import articles_import, story_get_or_create

pytestmark = pytest.mark.django_db


def files(paths: list[Path]) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in paths]


@pytest.fixture
def story() -> Story:
    return story_get_or_create(name="Embassy")[0]


def test_import_seeds_saves_articles_with_metadata(story: Story, seed_files: list[Path]) -> None:
    batch = articles_import(story=story, files=files(seed_files))
    assert (batch.imported_count, batch.skipped_count, batch.error_count) == (5, 0, 0)
    assert batch.status == ImportBatch.Status.DONE
    outlets = dict(story.articles.values_list("external_id", "outlet__name"))
    assert outlets == {
        "000_ec9ad3d51fc008de": "Agencies",
        "001_118e52dee55f708a": "Associated Press",
        "002_d3a917ba29528ce3": None,
        "003_503fafab11535e55": "Business Insider",
        "004_6262cfbec4e4a1f6": "PA Media",
    }
    article = story.articles.get(external_id="001_118e52dee55f708a")
    assert article.dateline == "AP, BAGHDAD"
    assert str(article.published_on) == "2020-01-01"
    assert article.original_text == seed_files[1].read_text()


def test_reimport_adds_nothing_and_reports_skipped(story: Story, seed_files: list[Path]) -> None:
    articles_import(story=story, files=files(seed_files))
    again = articles_import(story=story, files=files(seed_files))
    assert (again.imported_count, again.skipped_count) == (0, 5)
    assert {entry["status"] for entry in again.report} == {"skipped"}
    assert story.articles.count() == 5
    assert Outlet.objects.count() == 4


def test_same_file_in_another_story_is_imported_there(story: Story, seed_files: list[Path]) -> None:
    articles_import(story=story, files=files(seed_files[:1]))
    other = story_get_or_create(name="Other desk")[0]
    assert articles_import(story=other, files=files(seed_files[:1])).imported_count == 1


def test_near_duplicate_pair_is_linked_and_nothing_else(story: Story, seed_files: list[Path]) -> None:
    articles_import(story=story, files=files(seed_files))
    links = list(
        story.articles.filter(duplicate_of__isnull=False).values_list("external_id", "duplicate_of__external_id")
    )
    assert links == [("004_6262cfbec4e4a1f6", "000_ec9ad3d51fc008de")]
    copy = story.articles.get(external_id="004_6262cfbec4e4a1f6")
    assert 0.6 <= copy.duplicate_similarity <= 1.0


def test_near_duplicate_found_when_the_copy_arrives_in_a_later_batch(story: Story, seed_files: list[Path]) -> None:
    articles_import(story=story, files=files(seed_files[:4]))
    articles_import(story=story, files=files(seed_files[4:]))
    assert story.articles.get(external_id="004_6262cfbec4e4a1f6").duplicate_of.external_id == "000_ec9ad3d51fc008de"


def test_bad_files_are_reported_and_the_good_ones_still_import(story: Story, seed_files: list[Path]) -> None:
    batch = articles_import(
        story=story,
        files=[
            ("empty.txt", b""),
            ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256))),
            ("notes.docx", b"PK\x03\x04"),
            *files(seed_files[:2]),
            ("feed.jsonl", b'{"text": "A good record about the storm in the north."}\n{oops\n'),
        ],
    )
    by_source = {entry["source"]: entry for entry in batch.report}
    assert by_source["empty.txt"]["status"] == "error"
    assert "binary" in by_source["photo.txt"]["message"]
    assert "unsupported file type" in by_source["notes.docx"]["message"]
    assert by_source["feed.jsonl:2"]["status"] == "error"
    assert by_source["feed.jsonl:1"]["status"] == "imported"
    assert (batch.imported_count, batch.error_count) == (3, 4)
    assert story.articles.count() == 3


def test_a_record_that_fails_validation_leaves_nothing_behind(story: Story) -> None:
    record = {"text": "A report with a broken link field.", "source": "Brand New Outlet", "url": "not a url"}
    batch = articles_import(story=story, files=[("bad.json", json.dumps(record).encode())])
    [entry] = batch.report
    assert entry["status"] == "error" and "url" in entry["message"]
    assert not story.articles.exists()
    # The outlet was created inside the article's transaction and went with it.
    assert not Outlet.objects.filter(name="Brand New Outlet").exists()


def test_reviewer_cannot_import(story: Story, reviewer: Any, seed_files: list[Path]) -> None:
    with pytest.raises(PermissionDenied):
        articles_import(story=story, files=files(seed_files), user=reviewer)
    assert not story.articles.exists() and not ImportBatch.objects.exists()


def test_editor_can_import(story: Story, editor: Any, seed_files: list[Path]) -> None:
    batch = articles_import(story=story, files=files(seed_files[:1]), user=editor)
    assert batch.created_by == editor and batch.imported_count == 1


def test_import_command_creates_story_and_reports(seed_files: list[Path], capsys: Any) -> None:
    call_command("import_articles", str(seed_files[0].parent), "--story", "From the command line")
    out = capsys.readouterr().out
    assert "5 imported, 0 skipped, 0 errors" in out
    assert Story.objects.get(name="From the command line").articles.count() == 5


def test_import_command_fails_loudly_on_bad_files(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "good.txt").write_text("The bridge reopened on Monday after repairs, the council said.")
    (tmp_path / "bad.bin").write_bytes(b"\x00\x01")
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_articles", str(tmp_path), "--story", "Bridge")
    assert Story.objects.get(name="Bridge").articles.count() == 1


# --- the upload page ----------------------------------------------------------------------------


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_editor_uploads_several_files_and_sees_the_report(
    client: Client, editor: Any, story: Story, seed_files: list[Path]
) -> None:
    login(client, editor)
    with seed_files[0].open("rb") as a, seed_files[1].open("rb") as b:
        response = client.post(reverse("articles:story_upload", args=[story.slug]), {"files": [a, b]})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("articles:batch_detail", args=[batch.pk])
    assert batch.source == ImportBatch.Source.UPLOAD and batch.imported_count == 2
    page = client.get(response["Location"]).content.decode()
    assert seed_files[0].name in page and "2 imported" in page


def test_upload_page_shows_errors_per_file(client: Client, editor: Any, story: Story) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, editor)
    response = client.post(
        reverse("articles:story_upload", args=[story.slug]),
        {
            "files": [
                SimpleUploadedFile("x.exe", b"MZ\x00\x00"),
                SimpleUploadedFile("ok.txt", b"The power came back on Sunday, the utility said."),
            ]
        },
        follow=True,
    )
    page = response.content.decode()
    assert "unsupported file type" in page and "1 imported" in page


def test_reviewer_cannot_open_the_upload_page(client: Client, reviewer: Any, story: Story) -> None:
    login(client, reviewer)
    assert client.get(reverse("articles:story_upload", args=[story.slug])).status_code == 403
    assert client.post(reverse("articles:story_upload", args=[story.slug]), {}).status_code == 403


def test_anonymous_user_is_sent_to_login(client: Client, story: Story) -> None:
    for url in [
        reverse("articles:story_list"),
        story.get_absolute_url(),
        reverse("articles:story_upload", args=[story.slug]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


def test_article_page_shows_body_and_what_was_removed(
    client: Client, reviewer: Any, story: Story, seed_files: list[Path]
) -> None:
    articles_import(story=story, files=files(seed_files))
    article = story.articles.get(external_id__startswith="004")
    page = login(client, reviewer).get(article.get_absolute_url()).content.decode()
    assert "An Associated Press reporter at the scene" in page
    assert "Ali Abdul Hassan/AP" in page and "caption" in page  # listed as removed, not lost
    assert "Near-duplicate of" in page


def test_article_text_with_html_is_shown_as_text(client: Client, reviewer: Any, story: Story) -> None:
    record = {"text": "Officials said <script>alert('x')</script> nothing more about the fire."}
    articles_import(story=story, files=[("x.json", json.dumps(record).encode())])
    page = login(client, reviewer).get(Article.objects.get().get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_forbidden_page_says_why_in_the_app_layout(client: Client, reviewer: Any, story: Story) -> None:
    response = login(client, reviewer).get(reverse("articles:story_upload", args=[story.slug]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Only editors can import articles." in page and "FactDesk" in page


def test_story_list_shows_counts_and_progress_in_constant_queries(
    client: Client, reviewer: Any, seed_files: list[Path], django_assert_max_num_queries: Any
) -> None:
    from django.core.management import call_command

    for name in ["One", "Two", "Three"]:
        story = story_get_or_create(name=name)[0]
        articles_import(story=story, files=files(seed_files))
    call_command("process_story", "One", stdout=StringIO(), stderr=StringIO())
    login(client, reviewer)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("articles:story_list")).content.decode()
    assert page.count("<progress") == 3
    one = Story.objects.get(name="One")
    assert f"{one.claims.count()} proposed" in page
    assert "Queued · 0 of 5 articles" in page  # the runs of the other two wait for a worker


@pytest.mark.usefixtures("no_broker")
def test_a_batch_that_stops_half_way_still_gets_a_run_for_what_it_saved(story: Story, seed_files: list[Path]) -> None:
    from claims.models import PipelineRun

    def files_then_a_crash() -> Any:
        yield seed_files[0].name, seed_files[0].read_bytes()
        raise RuntimeError("the disk went away")

    with pytest.raises(RuntimeError):
        articles_import(story=story, files=files_then_a_crash())
    batch = ImportBatch.objects.get(story=story)
    assert batch.status == ImportBatch.Status.FAILED and batch.imported_count == 1
    assert PipelineRun.objects.get(import_batch=batch).article_ids == [Article.objects.get(story=story).pk]


def test_one_empty_file_in_the_upload_form_is_that_file_s_problem(client: Client, editor: Any, story: Story) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, editor)
    response = client.post(
        reverse("articles:story_upload", args=[story.slug]),
        {
            "files": [
                SimpleUploadedFile("empty.txt", b""),
                SimpleUploadedFile("ok.txt", b"The power came back on Sunday, the utility said."),
            ]
        },
        follow=True,
    )
    batch = ImportBatch.objects.get(story=story)
    assert (batch.imported_count, batch.error_count) == (1, 1)
    assert [r["message"] for r in batch.report if r["status"] == "error"] == ["empty file"]
    assert "1 imported" in response.content.decode()


def test_a_lone_surrogate_through_the_service_is_one_error_and_the_rest_imports(story: Story) -> None:
    files = [
        ("bad.json", b'{"text": "The bridge \\udc00 was closed."}'),
        ("ok.txt", b"The power came back on Sunday, the utility said."),
    ]
    batch = articles_import(story=story, files=files)
    assert (batch.status, batch.imported_count, batch.error_count) == (ImportBatch.Status.DONE, 1, 1)


def test_an_upload_over_the_cap_is_refused_before_it_is_read(
    client: Client, editor: Any, story: Story, settings: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.api.conftest import token_client

    settings.FACTDESK_MAX_UPLOAD_BYTES = 1000
    big = b"The power came back on Sunday, the utility said. " * 100
    api = token_client(editor)
    response = api.post(
        f"/api/v1/stories/{story.pk}/imports/", {"files": [SimpleUploadedFile("a.txt", big)]}, format="multipart"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large" and "limit" in response.json()["error"]["message"]
    login(client, editor)
    page = client.post(
        reverse("articles:story_upload", args=[story.slug]), {"files": [SimpleUploadedFile("a.txt", big)]}
    )
    assert page.status_code == 413 and "over the" in page.content.decode()
    assert not ImportBatch.objects.exists()
