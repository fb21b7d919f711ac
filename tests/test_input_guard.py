"""Input the database cannot hold is a 400, never a server error (issue 11.6): NUL characters in
query strings, form fields and JSON bodies, and JSON nested beyond reason."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from articles.models import Story
from claims.models import Annotation, Claim
from factdesk.middleware import MAX_JSON_DEPTH, _json_depth
from factdesk.models import ApiToken
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def assert_api_400(response: Any) -> None:
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid" and "NUL" in response.json()["error"]["message"]


@pytest.mark.parametrize("param", ["assignee", "outlet", "kind", "q", "status", "order"])
def test_a_nul_in_an_api_filter(reviewer: Any, processed_story: Story, param: str) -> None:
    assert_api_400(token_client(reviewer).get("/api/v1/claims/", {"story": processed_story.pk, param: "a\x00b"}))


@pytest.mark.parametrize("param", ["assignee", "outlet", "kind", "q"])
def test_a_nul_in_a_queue_filter_page(client: Any, reviewer: Any, processed_story: Story, param: str) -> None:
    client.force_login(reviewer)
    response = client.get(f"/stories/{processed_story.slug}/claims/", {param: "a\x00b"})
    assert response.status_code == 400 and b"NUL" in response.content


def test_a_nul_in_a_web_note_writes_nothing(client: Any, reviewer: Any, processed_story: Story) -> None:
    client.force_login(reviewer)
    claim = Claim.objects.filter(story=processed_story).first()
    assert claim is not None
    response = client.post(f"/claims/{claim.pk}/annotate/", {"note": "fine\x00", "version": claim.version})
    assert response.status_code == 400
    assert not Annotation.objects.exists()


def test_a_nul_in_a_token_name(client: Any, reviewer: Any) -> None:
    client.force_login(reviewer)
    assert client.post("/account/tokens/", {"name": "dash\x00board"}).status_code == 400
    assert not ApiToken.objects.exists()


def test_a_nul_in_a_json_body(reviewer: Any, processed_story: Story) -> None:
    claim = Claim.objects.filter(story=processed_story).first()
    assert claim is not None
    api = token_client(reviewer)
    body = json.dumps({"note": "fine\u0000", "version": claim.version})
    assert_api_400(api.post(f"/api/v1/claims/{claim.pk}/annotate/", body, content_type="application/json"))
    assert not Annotation.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/stories/", "/api/v1/tokens/"])
def test_json_nested_beyond_reason(editor: Any, path: str) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = token_client(editor).post(path, body, content_type="application/json")
    assert response.status_code == 400 and "nested" in response.json()["error"]["message"]


def test_depth_counts_brackets_only_outside_strings() -> None:
    assert _json_depth(json.dumps({"a": [{"b": "[[[[{{{{"}]}).encode()) == 3
    assert _json_depth(json.dumps({"a": '\\"[[['}).encode()) == 1
    assert _json_depth(("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH).encode()) == MAX_JSON_DEPTH


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/claims/abc/", "/api/v1/stories/1/nope/"])
def test_an_api_path_that_names_no_endpoint_is_a_json_404(reviewer: Any, path: str) -> None:
    response = token_client(reviewer).get(path)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_post_to_no_endpoint_is_the_json_404_not_a_csrf_page(reviewer: Any) -> None:
    """A signed-in browser's POST to a path that names no endpoint met the CSRF check's HTML 403."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post("/api/v1/claims/abc/confirm/", {"version": 1}, content_type="application/json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_api_bodies_are_json(reviewer: Any, processed_story: Story) -> None:
    """A form body is refused (415) before it reaches an action: a form cannot carry a merge's claims."""
    claim = Claim.objects.filter(story=processed_story).first()
    response = token_client(reviewer).post(
        f"/api/v1/claims/{claim.pk}/confirm/", {"version": claim.version}, format="multipart"
    )
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PROPOSED


@pytest.mark.parametrize("name", [0, 12.5, True, ["x"]])
def test_a_number_where_the_schema_says_a_string_is_refused(reviewer: Any, name: Any) -> None:
    response = token_client(reviewer).post("/api/v1/tokens/", {"name": name}, format="json")
    assert response.status_code == 400 and "name" in response.json()["error"]["fields"]
    assert ApiToken.objects.count() == 1  # the client's own
