"""The reviewer's pages and their forms: what a person sees and what a bad post cannot do."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Story
from articles.services import articles_import, story_get_or_create
from claims import review
from claims.models import Claim, Conflict, Mention, MergeSuggestion, ReviewEvent

pytestmark = pytest.mark.django_db


def vehicles(story: Story) -> Claim:
    return Mention.objects.filter(article__story=story, text__startswith="Seven armored").first().claim


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_anonymous_users_see_only_the_login_page(client: Client, processed_story: Story) -> None:
    claim = vehicles(processed_story)
    for url in [
        reverse("claims:queue", args=[processed_story.slug]),
        reverse("claims:claim_detail", args=[claim.pk]),
        reverse("claims:conflict_detail", args=[Conflict.objects.first().pk]),
        reverse("claims:story_progress", args=[processed_story.slug]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = client.post(reverse("claims:claim_action", args=[claim.pk, "confirm"]), {"version": claim.version})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PROPOSED


def test_queue_filters(as_reviewer: Client, processed_story: Story) -> None:
    url = reverse("claims:queue", args=[processed_story.slug])
    everything = as_reviewer.get(url).context["page"].paginator.count
    assert everything == Claim.objects.filter(story=processed_story, status="proposed").count()
    with_conflicts = as_reviewer.get(url, {"conflict": "open"}).context["page"]
    assert (
        with_conflicts.paginator.count == Claim.objects.filter(story=processed_story, open_conflicts__gt=0).count() > 0
    )
    assert all(c.open_conflicts for c in with_conflicts)
    certainty = as_reviewer.get(url, {"kind": "certainty"}).context["page"]
    assert certainty.paginator.count and all(c.open_conflicts for c in certainty)
    searched = as_reviewer.get(url, {"q": "armored vehicles"}).context["page"]
    assert [c.pk for c in searched] == [vehicles(processed_story).pk]
    pa_media = as_reviewer.get(url, {"outlet": "pa-media"}).context["page"]
    assert pa_media.paginator.count and all(
        c.mentions.filter(article__outlet__slug="pa-media").exists() for c in pa_media
    )
    ordered = list(as_reviewer.get(url).context["page"])
    assert [c.open_conflicts for c in ordered] == sorted((c.open_conflicts for c in ordered), reverse=True)


def test_confirm_then_next_opens_the_next_claim_of_the_queue(as_reviewer: Client, processed_story: Story) -> None:
    queue = list(
        Claim.objects.filter(story=processed_story, status="proposed").order_by(
            "-open_conflicts", "-checkworthiness", "-independent_sources", "id"
        )
    )
    first, second = queue[0], queue[1]
    response = as_reviewer.post(
        reverse("claims:claim_action", args=[first.pk, "confirm"]),
        {"version": first.version, "next": "1", "queue": "status=proposed"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("claims:claim_detail", args=[second.pk]))
    first.refresh_from_db()
    assert first.status == Claim.Status.CONFIRMED


def test_a_stale_page_is_told_what_changed_and_nothing_is_lost(
    client: Client, processed_story: Story, reviewer: User, editor: User
) -> None:
    claim = vehicles(processed_story)
    review.claim_edit(claim_id=claim.pk, user=editor, version=claim.version, text="Edited by the editor")
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:claim_action", args=[claim.pk, "reject"]),
        {"version": claim.version, "reason": "dup"},
        follow=True,
    )
    [message] = messages_of(response)
    event = ReviewEvent.objects.get(action="edit")
    at = timezone.localtime(event.created_at).strftime("%H:%M:%S %Z")
    assert message == (
        f"Claim #{claim.pk} changed since you loaded it (version {claim.version}, now {claim.version + 1}): "
        f"edith edited its wording at {at}. Your change was not saved: check it as it is now, then try again."
    )
    # The page that says so already shows the claim as it is now: nothing to reload.
    assert response.context["claim"].text == "Edited by the editor"
    assert "Edited by the editor" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.text) == (Claim.Status.PROPOSED, "Edited by the editor")


def test_a_stale_conflict_page_names_who_resolved_it(
    client: Client, processed_story: Story, reviewer: User, editor: User
) -> None:
    conflict = Conflict.objects.filter(story=processed_story, status="open").first()
    review.conflict_resolve(conflict_id=conflict.pk, user=editor, version=conflict.version, resolution="both")
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:conflict_action", args=[conflict.pk, "resolve"]),
        {"version": conflict.version, "resolution": "side_a"},
        follow=True,
    )
    [message] = messages_of(response)
    assert f"Conflict #{conflict.pk} changed since you loaded it" in message
    assert "edith resolved a conflict at " in message and " UTC." in message
    assert "reload" not in message and " it it" not in message
    assert Conflict.objects.get(pk=conflict.pk).resolution == "both"


def test_forged_post_without_csrf_token_is_refused(processed_story: Story, reviewer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    claim = vehicles(processed_story)
    response = client.post(reverse("claims:claim_action", args=[claim.pk, "confirm"]), {"version": claim.version})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PROPOSED and not ReviewEvent.objects.exists()


def test_ids_that_do_not_exist_or_belong_to_another_story(as_reviewer: Client, processed_story: Story) -> None:
    assert as_reviewer.get(reverse("claims:claim_detail", args=[999_999])).status_code == 404
    assert as_reviewer.post(reverse("claims:claim_action", args=[999_999, "confirm"])).status_code == 404
    assert (
        as_reviewer.post(reverse("claims:claim_action", args=[vehicles(processed_story).pk, "explode"])).status_code
        == 404
    )
    other_story, _ = story_get_or_create(name="Elsewhere")
    articles_import(
        story=other_story, files=[("x.txt", b"The bridge closed on Monday after cracks were found, officials said.")]
    )
    foreign = Claim.objects.create(story=other_story, text="A claim of another story")
    claim = vehicles(processed_story)
    response = as_reviewer.post(
        reverse("claims:claim_action", args=[claim.pk, "merge"]),
        {"version": claim.version, "others": str(foreign.pk)},
        follow=True,
    )
    assert "belong to the same story" in messages_of(response)[0]
    foreign.refresh_from_db()
    assert foreign.status == Claim.Status.PROPOSED and claim.mentions.count() == 2


def test_another_users_lease_is_shown_and_respected(as_reviewer: Client, processed_story: Story, editor: User) -> None:
    claim = vehicles(processed_story)
    held = review.claim_take(claim_id=claim.pk, user=editor)
    page = as_reviewer.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    assert "Held by <strong>edith</strong>" in page
    response = as_reviewer.post(
        reverse("claims:claim_action", args=[claim.pk, "confirm"]), {"version": held.version}, follow=True
    )
    assert "edith holds" in messages_of(response)[0]
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PROPOSED


def test_claim_page_shows_evidence_conflicts_history(
    as_reviewer: Client, processed_story: Story, reviewer: User
) -> None:
    claim = (
        Mention.objects.filter(article__story=processed_story, text__startswith="It is not clear what caused")
        .first()
        .claim
    )
    review.claim_annotate(claim_id=claim.pk, user=reviewer, note="Ask the embassy", label="unverifiable")
    page = as_reviewer.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    # Each mention highlighted in its paragraph (the words in which it differs marked within: unwrapped here).
    shown = re.sub(r'<b class="differs">(.*?)</b>', r"\1", page.replace("&#x27;", "'"))
    for mention in claim.mentions.all():
        assert f"<mark>{mention.text}</mark>" in shown
    assert "Certainty" in page and "Ask the embassy" in page and "rita</strong> annotated" in page


def test_html_in_article_text_is_shown_as_text(
    as_reviewer: Client, processed_story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = {"text": "Officials said <script>alert('x')</script> that 12 people were hurt in the blast on Monday."}
    articles_import(story=processed_story, files=[("x.json", json.dumps(record).encode())])
    from django.core.management import call_command

    call_command("process_story", str(processed_story.pk), stdout=StringIO(), stderr=StringIO())
    mention = Mention.objects.get(text__contains="<script>")
    for url in [reverse("claims:claim_detail", args=[mention.claim_id]), mention.article.get_absolute_url()]:
        page = as_reviewer.get(url).content.decode()
        assert "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_conflict_page_resolves_and_reopens(as_reviewer: Client, processed_story: Story) -> None:
    conflict = Conflict.objects.filter(story=processed_story, kind="certainty").first()
    url = reverse("claims:conflict_detail", args=[conflict.pk])
    page = as_reviewer.get(url).content.decode()
    assert conflict.explanation[:40] in page.replace("&quot;", '"').replace("&#x27;", "'") or "Side A" in page
    as_reviewer.post(
        reverse("claims:conflict_action", args=[conflict.pk, "resolve"]),
        {"version": conflict.version, "resolution": "side_b", "note": "unclear"},
    )
    conflict.refresh_from_db()
    assert (conflict.status, conflict.resolution) == ("resolved", "side_b")
    as_reviewer.post(reverse("claims:conflict_action", args=[conflict.pk, "reopen"]), {"version": conflict.version})
    conflict.refresh_from_db()
    assert conflict.status == "open"


def test_progress_endpoint_reports_the_latest_run(as_reviewer: Client, processed_story: Story) -> None:
    data = as_reviewer.get(reverse("claims:story_progress", args=[processed_story.slug])).json()
    run = processed_story.pipeline_runs.order_by("-created_at").first()
    assert data == {
        "run": run.pk,
        "state": "succeeded",
        "label": "Succeeded",
        "done": run.progress_total,
        "articles_done": run.progress_total - 1,  # the story stage is the last task, not an article
        "articles_total": run.progress_total - 1,
        "total": run.progress_total,
        "errors": len(run.errors),
        "finished": True,
    }


def test_admin_bulk_confirm_calls_the_service_and_is_audited(
    client: Client, processed_story: Story, editor: User
) -> None:
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    claims = list(Claim.objects.filter(story=processed_story).order_by("pk")[:3])
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "confirm_selected", "_selected_action": [c.pk for c in claims]},
        follow=True,
    )
    assert response.status_code == 200
    assert set(Claim.objects.filter(pk__in=[c.pk for c in claims]).values_list("status", flat=True)) == {"confirmed"}
    assert ReviewEvent.objects.filter(action="confirm", actor=editor).count() == 3


def test_reviewer_cannot_use_the_admin(client: Client, reviewer: User) -> None:
    client.force_login(reviewer)
    assert client.get(reverse("admin:claims_claim_changelist")).status_code == 302


# --- a form that does not name its version writes nothing (issue 11.5) -------------------------------------


def test_a_post_without_a_version_writes_nothing(as_reviewer: Client, processed_story: Story) -> None:
    claim = vehicles(processed_story)
    other = Claim.objects.filter(story=processed_story, status="proposed").exclude(pk=claim.pk).order_by("pk").first()
    conflict = Conflict.objects.filter(story=processed_story, status="open").order_by("pk").first()
    suggestion = MergeSuggestion.objects.filter(story=processed_story, status="open").order_by("pk").first()
    state = sorted(Claim.objects.filter(story=processed_story).values_list("pk", "status", "text", "version"))
    posts = [
        (reverse("claims:claim_action", args=[claim.pk, "confirm"]), {}),
        (reverse("claims:claim_action", args=[claim.pk, "reject"]), {"reason": "dup"}),
        (reverse("claims:claim_action", args=[claim.pk, "edit"]), {"text": "New wording"}),
        (reverse("claims:claim_action", args=[claim.pk, "split"]), {"mention": claim.mentions.last().pk}),
        (reverse("claims:claim_action", args=[claim.pk, "merge"]), {"others": str(other.pk)}),
        (
            reverse("claims:claim_action", args=[claim.pk, "merge"]),
            {"others": str(other.pk), f"version_{other.pk}": other.version},
        ),
        (reverse("claims:conflict_action", args=[conflict.pk, "resolve"]), {"resolution": "both"}),
        (reverse("claims:suggestion_action", args=[suggestion.pk, "accept"]), {}),
    ]
    for url, data in posts:
        response = as_reviewer.post(url, data, follow=True)
        assert response.status_code == 200, url
        assert any("which version" in m for m in messages_of(response)), (url, messages_of(response))
    assert sorted(Claim.objects.filter(story=processed_story).values_list("pk", "status", "text", "version")) == state
    assert Conflict.objects.get(pk=conflict.pk).status == "open"
    assert MergeSuggestion.objects.get(pk=suggestion.pk).status == "open"
    assert not ReviewEvent.objects.exists()


def test_the_claim_page_sends_a_version_with_every_form_that_needs_one(
    as_reviewer: Client, processed_story: Story
) -> None:
    claim = (
        Claim.objects.filter(story=processed_story, status="proposed")
        .filter(pk__in=MergeSuggestion.objects.filter(status="open").values("claim_a"))
        .first()
    )
    page = as_reviewer.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    for action in ["confirm", "reject", "edit", "merge"]:  # not a note: it only adds
        form = page.split(f'action="{reverse("claims:claim_action", args=[claim.pk, action])}"')[1].split("</form>")[0]
        assert f'name="version" value="{claim.version}"' in form, action
    suggestion = MergeSuggestion.objects.filter(claim_a=claim, status="open").order_by("-score").first()
    form = page.split(f'action="{reverse("claims:suggestion_action", args=[suggestion.pk, "accept"])}"')[1]
    form = form.split("</form>")[0]
    for other in (suggestion.claim_a, suggestion.claim_b):
        assert f'name="version_{other.pk}" value="{other.version}"' in form


def test_merge_by_number_shows_the_claims_then_merges_the_versions_confirmed(
    as_reviewer: Client, processed_story: Story, editor: User
) -> None:
    claim = vehicles(processed_story)
    other = Claim.objects.filter(story=processed_story, status="proposed").exclude(pk=claim.pk).order_by("pk").first()
    url = reverse("claims:claim_action", args=[claim.pk, "merge"])
    shown = as_reviewer.post(url, {"version": claim.version, "others": str(other.pk)})
    assert shown.status_code == 200 and "claims/merge_confirm.html" in [t.name for t in shown.templates]
    page = shown.content.decode()
    assert f'name="version_{other.pk}" value="{other.version}"' in page
    assert f'name="version" value="{claim.version}"' in page
    assert not ReviewEvent.objects.exists()

    # A colleague confirms the other claim while the reviewer reads: the confirmed merge is refused.
    review.claim_confirm(claim_id=other.pk, user=editor, version=other.version)
    confirm = {"version": claim.version, "others": str(other.pk), f"version_{other.pk}": other.version}
    refused = as_reviewer.post(url, confirm, follow=True)
    assert any("edith confirmed it" in m for m in messages_of(refused))
    assert Claim.objects.get(pk=other.pk).status == Claim.Status.CONFIRMED

    # Seen again as it is now, it merges.
    again = as_reviewer.post(url, {**confirm, f"version_{other.pk}": other.version + 1}, follow=True)
    assert "Merged." in messages_of(again)
    other.refresh_from_db()
    assert (other.status, other.merged_into_id) == (Claim.Status.MERGED, claim.pk)


def test_accepting_a_suggestion_from_the_page_checks_both_claims(
    as_reviewer: Client, processed_story: Story, editor: User
) -> None:
    suggestion = MergeSuggestion.objects.filter(story=processed_story, status="open").order_by("pk").first()
    a, b = suggestion.claim_a, suggestion.claim_b
    loaded = {f"version_{a.pk}": a.version, f"version_{b.pk}": b.version}
    review.claim_confirm(claim_id=b.pk, user=editor, version=b.version)
    url = reverse("claims:suggestion_action", args=[suggestion.pk, "accept"])
    response = as_reviewer.post(url, loaded, follow=True)
    assert any("edith confirmed it" in m for m in messages_of(response))
    assert MergeSuggestion.objects.get(pk=suggestion.pk).status == "open"
    assert not Claim.objects.filter(pk__in=[a.pk, b.pk], status="merged").exists()
    accepted = as_reviewer.post(url, {**loaded, f"version_{b.pk}": b.version + 1}, follow=True)
    assert "Suggestion accepted" in messages_of(accepted)[0]
    assert MergeSuggestion.objects.get(pk=suggestion.pk).status == "accepted"


@pytest.mark.parametrize(
    "back", ["//elsewhere.example/x", "https://elsewhere.example/", "/\\elsewhere.example", "javascript:alert(1)"]
)
def test_a_suggestion_action_never_sends_the_reviewer_to_another_site(
    as_reviewer: Client, processed_story: Story, back: str
) -> None:
    suggestion = MergeSuggestion.objects.filter(story=processed_story, status="open").order_by("pk").first()
    url = reverse("claims:suggestion_action", args=[suggestion.pk, "reject"])
    response = as_reviewer.post(url, {"back": back})
    assert response.status_code == 302 and response["Location"] == "/"
    assert MergeSuggestion.objects.get(pk=suggestion.pk).status == "rejected"  # the action itself still happened


def test_a_suggestion_action_returns_to_the_page_on_this_site_it_was_given(
    as_reviewer: Client, processed_story: Story
) -> None:
    suggestion = MergeSuggestion.objects.filter(story=processed_story, status="open").order_by("pk").first()
    back = f"/claims/{suggestion.claim_b_id}/?status=new"
    response = as_reviewer.post(reverse("claims:suggestion_action", args=[suggestion.pk, "reject"]), {"back": back})
    assert response.status_code == 302 and response["Location"] == back


# --- the admin acts only through the review services ---------------------------------------------------------


@pytest.fixture
def as_staff_editor(client: Client, editor: User) -> Client:
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    return client


def test_admin_bulk_actions_record_that_they_skipped_the_version_check(
    as_staff_editor: Client, processed_story: Story, editor: User
) -> None:
    claims = list(Claim.objects.filter(story=processed_story).order_by("pk")[:2])
    as_staff_editor.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "reject_selected", "_selected_action": [c.pk for c in claims]},
    )
    events = ReviewEvent.objects.filter(action="reject", actor=editor)
    assert events.count() == 2
    assert {e.payload["unchecked"] for e in events} == {"applied without a version check from the admin"}
    page = as_staff_editor.get(reverse("claims:claim_detail", args=[claims[0].pk])).content.decode()
    assert "applied without a version check from the admin" in page


def test_an_admin_edit_of_a_stale_claim_is_refused(
    as_staff_editor: Client, processed_story: Story, reviewer: User
) -> None:
    claim = vehicles(processed_story)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    form = as_staff_editor.get(url).context["adminform"].form
    assert form["loaded_version"].value() == claim.version
    data = {
        "text": "The admin's wording",
        "loaded_version": claim.version,
        "mentions-TOTAL_FORMS": "0",
        "mentions-INITIAL_FORMS": "0",
    }
    review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version)  # meanwhile
    response = as_staff_editor.post(url, data, follow=True)
    assert any("Not saved" in m and "rita confirmed it" in m for m in messages_of(response))
    assert Claim.objects.get(pk=claim.pk).text != "The admin's wording"
    saved = as_staff_editor.post(url, {**data, "loaded_version": claim.version + 1})
    assert saved.status_code == 302
    assert Claim.objects.get(pk=claim.pk).text == "The admin's wording"
    assert ReviewEvent.objects.filter(claims=claim, action="edit").count() == 1


def test_suggestion_and_run_admins_change_nothing(as_staff_editor: Client, processed_story: Story) -> None:
    suggestion = MergeSuggestion.objects.filter(story=processed_story, status="open").first()
    run = processed_story.pipeline_runs.first()
    for name, obj, data in [
        ("admin:claims_mergesuggestion_change", suggestion, {"status": "accepted", "score": "0.1"}),
        ("admin:claims_pipelinerun_change", run, {"state": "failed", "progress_done": "0"}),
    ]:
        url = reverse(name, args=[obj.pk])
        assert as_staff_editor.get(url).status_code == 200  # shown
        assert as_staff_editor.post(url, data).status_code == 403
    assert MergeSuggestion.objects.get(pk=suggestion.pk).status == "open"
    assert processed_story.pipeline_runs.get(pk=run.pk).state == run.state


def test_the_article_admin_keeps_an_article_in_its_story(as_staff_editor: Client, processed_story: Story) -> None:
    article = processed_story.articles.order_by("pk").first()
    elsewhere = Story.objects.create(name="Elsewhere", slug="elsewhere")
    url = reverse("admin:articles_article_change", args=[article.pk])
    context = as_staff_editor.get(url).context
    form = context["adminform"].form
    assert "story" not in form.fields
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for inline in context["inline_admin_formsets"]:  # the audit trail's (read-only) inline
        management = inline.formset.management_form
        data |= {management.add_prefix(k): v for k, v in management.initial.items()}
    saved = as_staff_editor.post(url, {**data, "story": elsewhere.pk, "published_on": "2026-01-02"})
    assert saved.status_code == 302  # the rest of the form saves
    article.refresh_from_db()
    assert (str(article.published_on), article.story_id) == ("2026-01-02", processed_story.pk)


def test_why_a_claim_is_worth_checking_reads_as_words_that_add_up(as_reviewer: Client, processed_story: Story) -> None:
    claim = Claim.objects.filter(story=processed_story, features__has_key="quantity").first()
    assert claim is not None
    page = as_reviewer.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    why = page.split("Why it is worth checking", 1)[1].split("</details>", 1)[0]
    assert "states a number or an amount" in why and "quantity" not in why
    assert f"= {claim.checkworthiness:.2f}" in why
