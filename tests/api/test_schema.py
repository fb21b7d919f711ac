"""The OpenAPI schema is valid, and a bounded schemathesis run against it finds no server error
and no response that breaks it."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from articles.models import Story
from factdesk.models import ApiToken

# Refusals that depend on the data, not on the request's shape, so no schema can rule them out:
# a version other than the object's current one (412), a cursor the API did not give out, a mention that is not the claim's, a claim
# of another story. A schema-valid request may get them; any other 4xx is a schema that lies.
# A cursor is opaque: only one the API gave out is good (a random string is a 400 invalid_cursor).
STATE_REFUSALS = {"stale_version", "not_in_claim", "other_story", "invalid_cursor"}


def valid_requests_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's positive_data_acceptance, except for the refusals above."""
    if 400 <= response.status_code < 500:
        try:
            code = response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = None
        if code in STATE_REFUSALS:
            return None
    return positive_data_acceptance(ctx, response, case)


def build_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_validates_and_documents_every_endpoint(tmp_path: Any) -> None:
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = build_schema()
    paths = schema["paths"]
    for expected in [
        "/api/v1/claims/", "/api/v1/claims/{id}/", "/api/v1/claims/{id}/confirm/", "/api/v1/claims/{id}/merge/",
        "/api/v1/conflicts/{id}/resolve/", "/api/v1/merge-suggestions/{id}/accept/", "/api/v1/stories/{id}/articles/",
        "/api/v1/stories/{id}/imports/", "/api/v1/stories/{id}/claimreview/", "/api/v1/stories/{id}/csv/",
        "/api/v1/events/", "/api/v1/pipeline-runs/", "/api/v1/me/", "/api/v1/tokens/",
    ]:  # fmt: skip
        assert expected in paths, expected
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("responses"), f"{method} {path} documents no response"


@pytest.mark.django_db(transaction=True)
def test_api_against_its_schema(live_server: Any, processed_story: Story, editor: Any) -> None:
    """Bounded: a few generated requests per operation, as an editor, against the processed seed
    story. No answer may be a server error or break the schema it documents."""
    _, token = ApiToken.generate(user=editor, name="fuzz")
    headers = {"Authorization": f"Bearer {token}"}
    api_schema = schemathesis.openapi.from_dict(build_schema())
    failures: list[str] = []
    operations = 0
    for result, mode in itertools.product(list(api_schema.get_all_operations()), GenerationMode):
        operation = result.ok()
        operations += 1

        # Valid requests, and invalid ones (wrong types, missing fields): neither may cause a 500.
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=6,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            # Called at once, inside this iteration: binding the loop's `mode` late is intended.
            checks = (
                [
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                    valid_requests_accepted,
                ]
                if mode == GenerationMode.POSITIVE  # noqa: B023
                else [not_a_server_error, status_code_conformance, negative_data_rejection]
            )
            case.call_and_validate(base_url=live_server.url, headers=headers, checks=checks)

        try:
            check()
        except (Exception, FailureGroup) as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label} ({mode.value}): {str(exc)[:800]}")
    assert operations > 30
    assert not failures, "\n\n".join(failures)


@pytest.mark.django_db(transaction=True)
def test_api_workflows_against_its_schema(live_server: Any, processed_story: Story, editor: Any) -> None:
    """The stateful phase, bounded: chains of calls that follow the links schemathesis infers
    from the schema (a list's ids into a detail, a claim's version into its confirm, a conflict's
    into its resolve, ...) against the processed seed story, as an editor. No answer may be a
    server error, an undocumented status code or a body that breaks its schema."""
    _, token = ApiToken.generate(user=editor, name="stateful")
    headers = {"Authorization": f"Bearer {token}"}
    # Undo succeeds once per event: a chain replayed by Hypothesis finds the event already undone, a
    # state the stateful phase cannot replay (FlakyStrategyDefinition). The generated phase above calls
    # it; tests/claims/test_review_in_place_and_undo.py checks what it does.
    api_schema = schemathesis.openapi.from_dict(build_schema()).exclude(path_regex=r"/events/\{id\}/undo/$")
    workflow = api_schema.as_state_machine()
    calls: list[str] = []

    class Workflow(workflow):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": live_server.url, "headers": headers}

        def after_call(self, response: Any, case: Any) -> None:
            calls.append(f"{case.method} {case.path} {response.status_code}")

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(
                response,
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ],
                transport_kwargs=kwargs,
            )

    Workflow.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    # The chains reached the review actions, not only the lists.
    assert any("/confirm/" in call or "/resolve/" in call or "/annotate/" in call for call in calls), calls[:50]


def test_the_schema_says_which_versions_a_write_requires() -> None:
    """A valid request per the schema is not refused for a missing version (it used to say optional)."""
    schema = build_schema()
    components = schema["components"]["schemas"]

    def body(path: str) -> dict[str, Any]:
        ref = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return components[ref.rsplit("/", 1)[1]]

    for action in ["confirm", "reject", "edit", "merge", "split"]:
        assert "version" in body(f"/api/v1/claims/{{id}}/{action}/")["required"], action
    for action in ["resolve", "reopen"]:
        assert "version" in body(f"/api/v1/conflicts/{{id}}/{action}/")["required"], action
    merge = body("/api/v1/claims/{id}/merge/")
    assert "claims" in merge["required"]
    item = merge["properties"]["claims"]["items"]
    item = components[item["$ref"].rsplit("/", 1)[1]] if "$ref" in item else item
    assert set(item["required"]) == {"id", "version"}
    accept = body("/api/v1/merge-suggestions/{id}/accept/")
    assert set(accept["required"]) == {"claim_a_version", "claim_b_version"}
    # A note only adds: its version stays optional (claims/review.claim_annotate).
    assert "version" not in body("/api/v1/claims/{id}/annotate/").get("required", [])
