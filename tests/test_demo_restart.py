"""Restarting the demo (bin/demo runs these commands at every start) keeps sessions and adds no import (issue 13.7)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from articles.models import Article, ImportBatch, Story

pytestmark = pytest.mark.django_db

STORY = "US embassy in Baghdad stormed"


def start_demo(seeds: Path) -> str:
    """What bin/demo runs before it serves: the accounts, then the seeds' import."""
    out = StringIO()
    call_command("create_demo_users", "--force", stdout=out)
    call_command("import_articles", str(seeds), "--story", STORY, "--only-new", stdout=out)
    return out.getvalue()


def test_a_restart_keeps_the_demo_accounts_signed_in(seed_files: list[Path], no_broker: None) -> None:
    start_demo(seed_files[0].parent)
    client = Client()
    assert client.login(username="reviewer", password="reviewer-demo")
    assert client.get("/").status_code == 200
    hashes = dict(User.objects.values_list("username", "password"))

    start_demo(seed_files[0].parent)

    assert dict(User.objects.values_list("username", "password")) == hashes
    assert client.get("/").status_code == 200  # not a redirect to the login page
    assert Client().login(username="editor", password="editor-demo")


def test_a_restart_adds_no_empty_import_to_the_story(seed_files: list[Path], no_broker: None) -> None:
    first = start_demo(seed_files[0].parent)
    assert "5 imported, 0 skipped, 0 errors" in first
    story = Story.objects.get(name=STORY)

    again = start_demo(seed_files[0].parent)

    assert "nothing to import" in again
    assert ImportBatch.objects.filter(story=story).count() == 1
    assert Article.objects.filter(story=story).count() == 5


def test_only_new_imports_the_files_the_story_lacks(seed_files: list[Path], tmp_path: Path, no_broker: None) -> None:
    call_command("import_articles", *map(str, seed_files[:2]), "--story", STORY, stdout=StringIO())
    out = StringIO()
    call_command("import_articles", str(seed_files[0].parent), "--story", STORY, "--only-new", stdout=out)
    assert "3 imported, 0 skipped, 0 errors" in out.getvalue()
    assert Article.objects.filter(story__name=STORY).count() == 5
