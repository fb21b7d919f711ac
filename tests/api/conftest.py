from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from factdesk.models import ApiToken


def token_client(user: Any) -> APIClient:
    _, plaintext = ApiToken.generate(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.fixture
def reviewer_api(reviewer: Any) -> APIClient:
    return token_client(reviewer)


@pytest.fixture
def editor_api(editor: Any) -> APIClient:
    return token_client(editor)
