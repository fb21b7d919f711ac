"""The API's Swagger page is for people: signed out it leads to the login page, and back (issue 13.8)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_docs_signed_out_lead_to_the_login_page_and_back(client: Client, reviewer: User) -> None:
    response = client.get("/api/v1/docs/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/login/"
    assert parse_qs(location.query)["next"] == ["/api/v1/docs/"]

    signed_in = client.post("/login/?next=/api/v1/docs/", {"username": "rita", "password": "rita-pw"})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/api/v1/docs/"
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content.lower()
