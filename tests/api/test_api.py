"""The REST API: auth, the error shape, filters and paging, every action, imports and exports."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.test import APIClient

from articles.models import Article, ImportBatch, Story
from claims.models import Annotation, Claim, Conflict, Mention, MergeSuggestion, ReviewEvent
from claims.selectors import story_export
from factdesk.models import ApiToken
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

LIST_ENDPOINTS = [
    "stories", "articles", "import-batches", "claims", "mentions", "conflicts",
    "merge-suggestions", "annotations", "events", "pipeline-runs", "tokens", "me",
]  # fmt: skip


def api(path: str) -> str:
    return f"/api/v1/{path}"


def vehicles(story: Story) -> Claim:
    return Mention.objects.filter(article__story=story, text__startswith="Seven armored").first().claim


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    if code:
        assert body["error"]["code"] == code
    return body["error"]


# --- auth ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_no_endpoint_is_open_to_anonymous_users(endpoint: str) -> None:
    assert_error(APIClient().get(api(f"{endpoint}/")), 401, "not_authenticated")


def test_schema_and_docs_need_a_login_too() -> None:
    schema = APIClient().get(api("schema/"))
    assert schema.status_code == 401
    assert b"code: not_authenticated" in schema.content  # the schema's own renderer: YAML
    docs = APIClient().get(api("docs/"))  # a page for people: the login page leads to it (issue 13.8)
    assert docs.status_code == 302 and docs["Location"].startswith("/login/")


def test_token_auth_and_revocation(reviewer: User) -> None:
    token, plaintext = ApiToken.generate(user=reviewer, name="cms")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    me = client.get(api("me/")).json()
    assert (me["username"], me["roles"], me["can_review"], me["can_import"]) == ("rita", ["Reviewer"], True, False)
    token.revoke(by=reviewer)
    assert_error(client.get(api("me/")), 401, "authentication_failed")
    client.credentials(HTTP_AUTHORIZATION="Bearer fd_not-a-real-token")
    assert_error(client.get(api("me/")), 401, "authentication_failed")


def test_tokens_are_created_listed_and_revoked_by_their_user(reviewer: User, editor: User) -> None:
    client = APIClient()
    client.force_login(reviewer)  # session auth, as in the browsable API
    created = client.post(api("tokens/"), {"name": "dashboard"}, format="json")
    assert created.status_code == 201
    plaintext = created.json()["token"]
    assert (
        plaintext.startswith("fd_") and not ApiToken.objects.filter(key_hash=plaintext).exists()
    )  # only the hash is kept
    listed = client.get(api("tokens/")).json()
    assert [t["name"] for t in listed] == ["dashboard"]
    other = ApiToken.generate(user=editor, name="not yours")[0]
    assert_error(client.delete(api(f"tokens/{other.pk}/")), 404)
    assert client.delete(api(f"tokens/{listed[0]['id']}/")).json()["is_active"] is False
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert bearer.get(api("me/")).status_code == 401


def test_tokens_page_in_the_web_app(client: Any, reviewer: User) -> None:
    client.force_login(reviewer)
    page = client.post(reverse("api_tokens"), {"name": "newsroom CMS"}).content.decode()
    token = ApiToken.objects.get(user=reviewer)
    assert token.prefix in page and "will not be shown again" in page
    client.post(reverse("api_tokens"), {"revoke": token.pk})
    token.refresh_from_db()
    assert not token.is_active


# --- claims: list, detail, actions -------------------------------------------------------------------------


def test_claim_list_filters_and_cursor_paging(reviewer_api: APIClient, processed_story: Story) -> None:
    everything = Claim.objects.filter(story=processed_story).count()
    first = reviewer_api.get(api("claims/"), {"story": processed_story.pk, "page_size": 10}).json()
    assert len(first["results"]) == 10 and first["next"]
    seen = [c["id"] for c in first["results"]]
    page = first
    while page["next"]:
        page = reviewer_api.get(page["next"]).json()
        seen += [c["id"] for c in page["results"]]
    assert sorted(seen) == sorted(Claim.objects.filter(story=processed_story).values_list("pk", flat=True))
    assert len(seen) == everything
    open_only = reviewer_api.get(
        api("claims/"), {"story": processed_story.pk, "conflict": "open", "page_size": 200}
    ).json()["results"]
    assert open_only and all(c["open_conflicts"] > 0 for c in open_only)
    # Every open number conflict, however sure (without min_confidence, only the ones shown by default).
    number = reviewer_api.get(api("claims/"), {"kind": "number", "min_confidence": 0, "page_size": 200}).json()[
        "results"
    ]
    expected = set(Claim.objects.filter(mentions__conflict_sides__conflict__kind="number").values_list("pk", flat=True))
    assert {c["id"] for c in number} == expected
    assert [c["id"] for c in reviewer_api.get(api("claims/"), {"q": "armored vehicles"}).json()["results"]] == [
        vehicles(processed_story).pk
    ]
    assert_error(reviewer_api.get(api("claims/"), {"status": "maybe"}), 400, "invalid")
    assert_error(reviewer_api.get(api("claims/"), {"story": "abc"}), 400, "invalid")
    assert_error(reviewer_api.get(api("claims/"), {"kind": "bogus"}), 400, "invalid")
    assert_error(reviewer_api.get(api("claims/"), {"order": "bogus"}), 400, "invalid")


def test_claim_list_queries_do_not_grow_with_the_page(
    reviewer_api: APIClient, processed_story: Story, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reviewer_api.get(api("me/"))  # the token's last-used stamp is written at most once a minute
    counts = []
    for size in (5, 40):
        with CaptureQueriesContext(connection) as ctx:
            assert len(reviewer_api.get(api("claims/"), {"page_size": size}).json()["results"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 10


def test_claim_detail_has_everything_in_constant_queries(
    reviewer_api: APIClient, processed_story: Story, reviewer: User, django_assert_max_num_queries: Any
) -> None:
    from claims import review

    claim = Conflict.objects.filter(story=processed_story, kind="certainty").first().sides.first().mention.claim
    review.claim_annotate(claim_id=claim.pk, user=reviewer, note="Check with the embassy", label="unverifiable")
    with django_assert_max_num_queries(10):
        response = reviewer_api.get(api(f"claims/{claim.pk}/"))
    body = response.json()
    assert response["ETag"] == f'"{body["version"]}"'
    assert {m["id"] for m in body["mentions"]} == set(claim.mentions.values_list("pk", flat=True))
    assert any(k["kind"] == "certainty" for k in body["conflicts"])
    assert body["annotations"][0]["label"] == "unverifiable"
    assert {"slots", "features", "merge_suggestions"} <= set(body)
    assert_error(reviewer_api.get(api("claims/999999/")), 404, "not_found")


def test_confirm_with_if_match_and_a_stale_one_gets_412(
    reviewer_api: APIClient, editor_api: APIClient, processed_story: Story
) -> None:
    claim = vehicles(processed_story)
    etag = reviewer_api.get(api(f"claims/{claim.pk}/"))["ETag"]
    confirmed = reviewer_api.post(api(f"claims/{claim.pk}/confirm/"), {}, format="json", HTTP_IF_MATCH=etag)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert confirmed["ETag"] != etag
    error = assert_error(
        editor_api.post(api(f"claims/{claim.pk}/reject/"), {"reason": "dup"}, format="json", HTTP_IF_MATCH=etag),
        412,
        "stale_version",
    )
    assert error["current"]["status"] == "confirmed" and "rita confirmed it" in error["message"]
    assert Claim.objects.get(pk=claim.pk).status == "confirmed"
    assert_error(
        editor_api.post(api(f"claims/{claim.pk}/reject/"), {"reason": "dup"}, format="json"),
        428,
        "precondition_required",
    )


def test_every_claim_action(reviewer_api: APIClient, processed_story: Story) -> None:
    claim = vehicles(processed_story)
    v = lambda: Claim.objects.get(pk=claim.pk).version  # noqa: E731
    assert reviewer_api.post(api(f"claims/{claim.pk}/take/"), {}, format="json").json()["held_by"] == "rita"
    assert reviewer_api.post(api(f"claims/{claim.pk}/release/"), {}, format="json").json()["held_by"] is None
    edited = reviewer_api.post(
        api(f"claims/{claim.pk}/edit/"), {"text": "Seven Iraqi armoured vehicles came", "version": v()}, format="json"
    )
    assert edited.json()["text"] == "Seven Iraqi armoured vehicles came"
    noted = reviewer_api.post(
        api(f"claims/{claim.pk}/annotate/"),
        {"note": "AP and agencies agree", "label": "accurate", "links": ["https://apnews.com/a"]},
        format="json",
    )
    assert noted.json()["annotations"][-1]["links"] == ["https://apnews.com/a"]
    other = Claim.objects.filter(story=processed_story, status="proposed").exclude(pk=claim.pk).first()
    merged = reviewer_api.post(
        api(f"claims/{claim.pk}/merge/"),
        {"claims": [{"id": other.pk, "version": other.version}], "version": v()},
        format="json",
    )
    assert merged.status_code == 200
    assert Claim.objects.get(pk=other.pk).merged_into_id == claim.pk
    event = ReviewEvent.objects.get(action="merge")
    assert reviewer_api.post(api(f"events/{event.pk}/undo/"), {}, format="json").json()["action"] == "unmerge"
    assert Claim.objects.get(pk=other.pk).status == "proposed"
    mention = claim.mentions.order_by("pk").last()
    split = reviewer_api.post(
        api(f"claims/{claim.pk}/split/"), {"mention_id": mention.pk, "version": v()}, format="json"
    )
    assert split.status_code == 201 and [m["id"] for m in split.json()["mentions"]] == [mention.pk]
    rejected = reviewer_api.post(
        api(f"claims/{claim.pk}/reject/"), {"reason": "Not checkable", "version": v()}, format="json"
    )
    assert rejected.json()["status"] == "rejected"
    actions = list(ReviewEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["take", "release", "edit", "annotate", "merge", "unmerge", "split", "reject"]


def test_conflict_and_suggestion_actions(reviewer_api: APIClient, processed_story: Story) -> None:
    conflict = Conflict.objects.filter(story=processed_story).first()
    got = reviewer_api.get(api(f"conflicts/{conflict.pk}/"))
    assert {s["side"] for s in got.json()["sides"]} == {"a", "b"}
    resolved = reviewer_api.post(
        api(f"conflicts/{conflict.pk}/resolve/"),
        {"resolution": "both", "note": "ranges overlap"},
        format="json",
        HTTP_IF_MATCH=got["ETag"],
    )
    assert (resolved.json()["status"], resolved.json()["resolved_by"]) == ("resolved", "rita")
    assert_error(
        reviewer_api.post(api(f"conflicts/{conflict.pk}/reopen/"), {}, format="json", HTTP_IF_MATCH=got["ETag"]), 412
    )
    assert (
        reviewer_api.post(
            api(f"conflicts/{conflict.pk}/reopen/"), {"version": resolved.json()["version"]}, format="json"
        ).json()["status"]
        == "open"
    )
    first, second = MergeSuggestion.objects.filter(story=processed_story)[:2]
    assert (
        reviewer_api.post(api(f"merge-suggestions/{first.pk}/reject/"), {}, format="json").json()["status"]
        == "rejected"
    )
    assert_error(
        reviewer_api.post(api(f"merge-suggestions/{first.pk}/reject/"), {}, format="json"), 409, "invalid_state"
    )
    versions = {"claim_a_version": second.claim_a.version, "claim_b_version": second.claim_b.version}
    assert (
        reviewer_api.post(api(f"merge-suggestions/{second.pk}/accept/"), versions, format="json").json()["status"]
        == "accepted"
    )


def test_role_rules_are_the_same_as_in_the_app(processed_story: Story, reviewer_api: APIClient, roles: None) -> None:
    nobody = token_client(User.objects.create_user("olga", password="x"))
    claim = vehicles(processed_story)
    assert_error(
        nobody.post(api(f"claims/{claim.pk}/confirm/"), {"version": claim.version}, format="json"),
        403,
        "permission_denied",
    )
    assert_error(
        reviewer_api.post(
            api(f"stories/{processed_story.pk}/articles/"),
            {"text": "A reviewer cannot import this article."},
            format="json",
        ),
        403,
    )
    assert_error(reviewer_api.post(api("stories/"), {"name": "New desk"}, format="json"), 403)
    assert not ReviewEvent.objects.exists() and not Story.objects.filter(name="New desk").exists()


# --- bad input ---------------------------------------------------------------------------------------------


def test_bad_input_gets_one_error_shape_and_changes_nothing(reviewer_api: APIClient, processed_story: Story) -> None:
    claim = vehicles(processed_story)
    url = api(f"claims/{claim.pk}/reject/")
    assert_error(reviewer_api.post(url, "{not json", content_type="application/json"), 400, "parse_error")
    error = assert_error(
        reviewer_api.post(url, {"reason": ["a", "list"], "version": claim.version}, format="json"), 400, "invalid"
    )
    assert "reason" in error["fields"]
    error = assert_error(
        reviewer_api.post(url, {"reason": "x", "version": claim.version, "sneaky": 1}, format="json"), 400, "invalid"
    )
    assert error["fields"] == {"sneaky": ["Unknown field."]}
    assert_error(reviewer_api.post(url, [1, 2], format="json"), 400, "invalid")
    assert_error(reviewer_api.post(url, {"reason": "x", "version": "three"}, format="json"), 400, "invalid")
    assert_error(reviewer_api.post(url, {"reason": "x"}, format="json", HTTP_IF_MATCH='"abc"'), 400, "bad_if_match")
    huge = json.dumps({"reason": "x" * (11 * 1024 * 1024), "version": claim.version})
    assert_error(reviewer_api.post(url, huge, content_type="application/json"), 413, "payload_too_large")
    other_story = Story.objects.create(name="Other", slug="other")
    foreign = Claim.objects.create(story=other_story, text="Elsewhere")
    assert_error(
        reviewer_api.post(
            api(f"claims/{claim.pk}/merge/"),
            {"claims": [{"id": foreign.pk, "version": foreign.version}], "version": claim.version},
            format="json",
        ),
        400,
        "other_story",
    )
    foreign_mention = Mention.objects.exclude(claim=claim).first()
    assert_error(
        reviewer_api.post(
            api(f"claims/{claim.pk}/split/"),
            {"mention_id": foreign_mention.pk, "version": claim.version},
            format="json",
        ),
        400,
        "not_in_claim",
    )
    assert_error(reviewer_api.post(api("claims/999999/confirm/"), {"version": 1}, format="json"), 404)
    claim.refresh_from_db()
    assert (claim.status, claim.version) == ("proposed", 1)
    assert not ReviewEvent.objects.exists() and not Annotation.objects.exists()


# --- imports -----------------------------------------------------------------------------------------------


def test_import_one_article_as_json(editor_api: APIClient) -> None:
    story = editor_api.post(api("stories/"), {"name": "Flood"}, format="json").json()
    record = {
        "title": "River bursts its banks",
        "text": "The river rose two metres overnight and flooded three villages, officials said on Tuesday.",
        "date": "2021-05-04",
        "source": "AP",
        "url": "https://example.org/flood",
    }
    response = editor_api.post(api(f"stories/{story['id']}/articles/"), record, format="json")
    assert response.status_code == 202
    batch = response.json()
    assert batch["imported_count"] == 1 and batch["report"][0]["status"] == "imported"
    assert batch["pipeline_runs"][0]["progress_total"] == 2
    article = Article.objects.get(pk=batch["report"][0]["article_id"])
    assert (article.title, str(article.published_on), article.outlet.name, article.url) == (
        "River bursts its banks",
        "2021-05-04",
        "Associated Press",
        "https://example.org/flood",
    )
    again = editor_api.post(api(f"stories/{story['id']}/articles/"), record, format="json").json()
    assert again["skipped_count"] == 1
    assert editor_api.get(api(f"import-batches/{batch['id']}/")).json()["report"] == batch["report"]
    error = assert_error(
        editor_api.post(api(f"stories/{story['id']}/articles/"), {"title": "no text"}, format="json"), 400, "invalid"
    )
    assert "text" in error["fields"]


def test_upload_files_reports_each_one(editor_api: APIClient, seed_files: list[Any]) -> None:
    story = editor_api.post(api("stories/"), {"name": "Embassy"}, format="json").json()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "The dam held overnight, engineers said on Wednesday morning.")
        z.writestr("notes.pdf", "%PDF")
    archive.seek(0)
    archive.name = "batch.zip"
    with seed_files[0].open("rb") as seed:
        response = editor_api.post(
            api(f"stories/{story['id']}/imports/"), {"files": [seed, archive]}, format="multipart"
        )
    assert response.status_code == 202
    statuses = {r["source"]: r["status"] for r in response.json()["report"]}
    assert statuses == {seed_files[0].name: "imported", "batch.zip/a.txt": "imported", "batch.zip/notes.pdf": "error"}
    assert ImportBatch.objects.get(pk=response.json()["id"]).source == "api"
    assert_error(editor_api.post(api(f"stories/{story['id']}/imports/"), {}, format="multipart"), 400)


# --- exports -----------------------------------------------------------------------------------------------


def test_story_export_is_the_export_story_document(reviewer_api: APIClient, processed_story: Story) -> None:
    assert reviewer_api.get(api(f"stories/{processed_story.pk}/export/")).json() == json.loads(
        json.dumps(story_export(processed_story))
    )


def test_csv_and_claimreview_exports(reviewer_api: APIClient, processed_story: Story, reviewer: User) -> None:
    import csv

    from claims import review

    claim = vehicles(processed_story)
    review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version, verdict="accurate")
    response = reviewer_api.get(api(f"stories/{processed_story.pk}/csv/"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {int(r["id"]) for r in rows} == set(
        Claim.objects.filter(story=processed_story).exclude(status="merged").values_list("pk", flat=True)
    )
    reviews = reviewer_api.get(api(f"stories/{processed_story.pk}/claimreview/")).json()
    assert [r["claimReviewed"] for r in reviews] == [claim.text]
    assert reviews[0]["@type"] == "ClaimReview" and reviews[0]["url"].endswith(f"/claims/{claim.pk}/")
    error = assert_error(
        reviewer_api.get(api(f"stories/{processed_story.pk}/csv/"), {"status": "bogus"}), 400, "invalid"
    )
    assert "bogus" in error["message"]


def test_upload_with_nul_bytes_is_an_error_for_that_file_not_a_server_error(editor_api: APIClient) -> None:
    story = editor_api.post(api("stories/"), {"name": "NUL"}, format="json").json()
    upload = io.BytesIO(b"Some text\x00 with a NUL byte in it, about the flood.")
    upload.name = "nul.txt"
    response = editor_api.post(api(f"stories/{story['id']}/imports/"), {"files": [upload]}, format="multipart")
    assert response.status_code == 202
    [entry] = response.json()["report"]
    assert entry["status"] == "error" and "NUL" in entry["message"]


# --- every claim a write changes is version-checked (issue 11.5) --------------------------------------------


def test_a_merge_with_a_stale_version_of_a_merged_in_claim_gets_412_and_moves_nothing(
    reviewer_api: APIClient, editor_api: APIClient, processed_story: Story
) -> None:
    claim = vehicles(processed_story)
    other = Claim.objects.filter(story=processed_story, status="proposed").exclude(pk=claim.pk).order_by("pk").first()
    mentions = set(other.mentions.values_list("pk", flat=True))
    confirmed = editor_api.post(api(f"claims/{other.pk}/confirm/"), {"version": other.version}, format="json")
    assert confirmed.status_code == 200
    body = {"claims": [{"id": other.pk, "version": other.version}], "version": claim.version}
    error = assert_error(reviewer_api.post(api(f"claims/{claim.pk}/merge/"), body, format="json"), 412, "stale_version")
    assert f"Claim #{other.pk}" in error["message"] and "edith confirmed it" in error["message"]
    other.refresh_from_db()
    assert (other.status, other.merged_into_id) == ("confirmed", None)
    assert set(other.mentions.values_list("pk", flat=True)) == mentions
    # Without the merged-in claims' versions, the request is not valid.
    error = assert_error(
        reviewer_api.post(
            api(f"claims/{claim.pk}/merge/"), {"claims": [{"id": other.pk}], "version": 1}, format="json"
        ),
        400,
        "invalid",
    )
    assert "claims" in error["fields"]
    assert list(ReviewEvent.objects.values_list("action", flat=True)) == ["confirm"]


def test_accepting_a_suggestion_checks_both_claims_versions(
    reviewer_api: APIClient, editor_api: APIClient, processed_story: Story
) -> None:
    suggestion = MergeSuggestion.objects.filter(story=processed_story, status="open").order_by("pk").first()
    a, b = suggestion.claim_a, suggestion.claim_b
    url = api(f"merge-suggestions/{suggestion.pk}/accept/")
    error = assert_error(reviewer_api.post(url, {}, format="json"), 400, "invalid")
    assert set(error["fields"]) == {"claim_a_version", "claim_b_version"}
    editor_api.post(api(f"claims/{a.pk}/confirm/"), {"version": a.version}, format="json")
    loaded = {"claim_a_version": a.version, "claim_b_version": b.version}
    assert_error(reviewer_api.post(url, loaded, format="json"), 412, "stale_version")
    assert MergeSuggestion.objects.get(pk=suggestion.pk).status == "open"
    assert not Claim.objects.filter(pk__in=[a.pk, b.pk], status="merged").exists()
    accepted = reviewer_api.post(url, {**loaded, "claim_a_version": a.version + 1}, format="json")
    assert accepted.json()["status"] == "accepted"
