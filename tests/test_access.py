"""Who may read, sign in and hold tokens (issue 11.4): reading needs a role, a token made with a
token dies with it, and the API throttle and the sign-in limit count in the shared cache (Redis)."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from rest_framework.test import APIClient

from factdesk import api_base
from factdesk.login import _key
from factdesk.models import ApiToken
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

READS = ["stories/", "articles/", "claims/", "conflicts/", "events/", "schema/", "me/"]


def needs_redis() -> None:
    try:
        redis.Redis.from_url(settings.CACHE_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip("needs the Redis that bin/test starts")


@pytest.fixture
def nobody(roles: None) -> User:
    return User.objects.create_user("nora", password="nora-pw")


@pytest.mark.parametrize("path", READS)
def test_an_account_without_a_role_reads_nothing_through_the_api(nobody: User, reviewer: User, path: str) -> None:
    refused = token_client(nobody).get(f"/api/v1/{path}")
    assert refused.status_code == 403
    if path != "schema/":  # the schema answers in its own format (YAML)
        assert refused.json()["error"]["code"] == "permission_denied"
        assert "no role" in refused.json()["error"]["message"]
    assert token_client(reviewer).get(f"/api/v1/{path}").status_code == 200


def test_losing_the_role_loses_the_reading(reviewer: User, processed_story: Any) -> None:
    api = token_client(reviewer)
    assert api.get(f"/api/v1/stories/{processed_story.pk}/csv/").status_code == 200
    reviewer.groups.remove(Group.objects.get(name="Reviewer"))
    reviewer = User.objects.get(pk=reviewer.pk)  # permissions are cached on the instance
    assert api.get(f"/api/v1/stories/{processed_story.pk}/csv/").status_code == 403


@pytest.mark.parametrize("url", ["/", "/account/tokens/"])
def test_an_account_without_a_role_sees_only_that_it_has_none(client: Any, nobody: User, url: str) -> None:
    client.force_login(nobody)
    page = client.get(url)
    assert page.status_code == 403 and b"no role yet" in page.content
    assert b"Embassy" not in page.content
    assert client.post("/logout/").status_code == 302  # and may still sign out
    assert client.get(url).status_code == 302  # to the sign-in page


def test_a_token_made_with_a_token_is_revoked_with_it(reviewer: User) -> None:
    parent = token_client(reviewer)
    made = parent.post("/api/v1/tokens/", {"name": "child"}, format="json")
    assert made.status_code == 201
    child = APIClient()
    child.credentials(HTTP_AUTHORIZATION=f"Bearer {made.json()['token']}")
    grandchild_made = child.post("/api/v1/tokens/", {"name": "grandchild"}, format="json")
    grandchild = APIClient()
    grandchild.credentials(HTTP_AUTHORIZATION=f"Bearer {grandchild_made.json()['token']}")
    assert grandchild.get("/api/v1/me/").status_code == 200

    first = ApiToken.objects.get(name="tests", user=reviewer)
    assert parent.delete(f"/api/v1/tokens/{first.pk}/").status_code == 200
    for client in (parent, child, grandchild):
        assert client.get("/api/v1/me/").status_code == 401
    assert ApiToken.objects.filter(user=reviewer, revoked_at__isnull=True).count() == 0


def test_the_api_throttle_counts_in_redis_for_every_worker(reviewer: User, monkeypatch: pytest.MonkeyPatch) -> None:
    needs_redis()
    monkeypatch.setattr(api_base.TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    api = token_client(reviewer)
    token = ApiToken.objects.get(user=reviewer)
    key = api_base.TokenRateThrottle.cache_format % {"scope": "token", "ident": f"token-{token.pk}"}
    try:
        assert [api.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
        # The history is in Redis, where another gunicorn worker's throttle reads it.
        other_process_view = redis.Redis.from_url(settings.CACHE_URL)
        assert any(key in k.decode() for k in other_process_view.keys("*"))
    finally:
        cache.delete(key)


def test_wrong_passwords_lock_that_account_from_that_address(client: Any, reviewer: User) -> None:
    needs_redis()
    limit = settings.FACTDESK_LOGIN_FAILURES
    cache.delete(_key("rita", "127.0.0.1"))
    cache.delete(_key("rita", "10.0.0.9"))
    try:
        for _ in range(limit):
            assert client.post("/login/", {"username": "rita", "password": "guess"}).status_code == 200
        locked = client.post("/login/", {"username": "rita", "password": "rita-pw"})
        assert locked.status_code == 429 and b"Too many wrong passwords" in locked.content
        assert client.get("/").status_code == 302  # not signed in
        elsewhere = client.post("/login/", {"username": "rita", "password": "rita-pw"}, REMOTE_ADDR="10.0.0.9")
        assert elsewhere.status_code == 302 and client.get("/").status_code == 200
    finally:
        cache.delete(_key("rita", "127.0.0.1"))
        cache.delete(_key("rita", "10.0.0.9"))


def test_the_admin_signs_in_through_the_limited_page(client: Any) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"


def test_permissions_are_read_in_one_query_and_are_django_s(
    roles: None, nobody: User, reviewer: User, editor: User, admin_user: User, django_assert_num_queries: Any
) -> None:
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    from factdesk.backends import OneQueryPermissionBackend

    # a permission of the user's own beside the group's, one both give, and a superuser
    reviewer.user_permissions.add(
        Permission.objects.get(codename="add_story"), Permission.objects.get(codename="view_claim")
    )
    boss = User.objects.create_superuser("boss", password="boss-pw")
    retired = _with_role(User.objects.create_user("old", password="old-pw", is_active=False), "Editor")
    for user in [nobody, reviewer, editor, admin_user, boss, retired]:
        fresh = User.objects.get(pk=user.pk)
        with django_assert_num_queries(1 if fresh.is_active else 0):
            ours = OneQueryPermissionBackend().get_all_permissions(fresh)
        assert ours == ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))
    # through every configured backend, a yes and a no each cost that one query
    for permission, answer in (("articles.add_story", True), ("auth.change_user", False)):
        fresh = User.objects.get(pk=reviewer.pk)
        with django_assert_num_queries(1):
            assert fresh.has_perm(permission) is answer
    assert not User.objects.get(pk=nobody.pk).has_perm("articles.add_story")


def test_signing_in_and_sessions_stay_with_django_s_model_backend(client: Any, reviewer: User) -> None:
    """The sessions made before the permissions backend name ModelBackend: they stay signed in."""
    from django.contrib.auth import BACKEND_SESSION_KEY

    assert settings.AUTHENTICATION_BACKENDS[-1] == "django.contrib.auth.backends.ModelBackend"
    assert client.post("/login/", {"username": "rita", "password": "wrong"}).status_code == 200
    assert BACKEND_SESSION_KEY not in client.session
    assert client.post("/login/", {"username": "rita", "password": "rita-pw"}).status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert client.get("/").status_code == 200


def _with_role(user: User, role: str) -> User:
    user.groups.add(Group.objects.get(name=role))
    return user
