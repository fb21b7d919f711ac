"""Fixtures shared by the claims app's page tests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client


@pytest.fixture
def as_reviewer(client: Client, reviewer: User) -> Client:
    """The test client, signed in as the reviewer."""
    client.force_login(reviewer)
    return client
