"""The lists' query filters (claims/filters.py): each bad value is a 400 in the error shape with its
own message, whatever else the request asks; a blank value counts as not given."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from articles.models import Story
from tests.api.test_api import api, assert_error

pytestmark = pytest.mark.django_db

ID = "must be an id: a whole number of at most 18 digits."


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("claims/", {"story": "abc"}, f"`story` {ID}"),
        ("claims/", {"story": "1" * 19}, f"`story` {ID}"),
        ("claims/", {"status": "maybe"}, "Unknown status 'maybe'."),
        ("claims/", {"conflict": "sometimes"}, "`conflict` must be one of open, possible, none."),
        ("claims/", {"kind": "bogus"}, "`kind` must be one of number, quote, certainty, attribution, date, negation."),
        ("claims/", {"order": "bogus"}, "`order` must be one of priority, checkworthiness, sources, newest."),
        ("claims/", {"min_confidence": "nan"}, "`min_confidence` must be a number from 0 to 1."),
        # The first bad value, in the order the filter declares them.
        ("claims/", {"order": "x", "kind": "x", "status": "x"}, "Unknown status 'x'."),
        # A story that does not exist does not excuse a bad value (it answered an empty 200).
        ("claims/", {"story": "999999", "status": "maybe"}, "Unknown status 'maybe'."),
        ("conflicts/", {"claim": "x"}, f"`claim` {ID}"),
        ("conflicts/", {"status": "bogus"}, "Unknown status 'bogus'."),
        ("conflicts/", {"kind": "bogus"}, "Unknown kind 'bogus'."),
        ("conflicts/", {"min_confidence": "1.5"}, "`min_confidence` must be a number from 0 to 1."),
        ("conflicts/", {"possible": "yes"}, "`possible` must be one of true, false."),
        ("conflicts/", {"order": "random"}, "`order` must be one of newest, confidence."),
        ("conflicts/", {"possible": "x", "min_confidence": "x"}, "`min_confidence` must be a number from 0 to 1."),
        ("mentions/", {"article": "-1"}, f"`article` {ID}"),
        ("merge-suggestions/", {"status": "bogus"}, "Unknown status 'bogus'."),
        ("annotations/", {"story": "x"}, f"`story` {ID}"),
        ("events/", {"conflict": "x"}, f"`conflict` {ID}"),
        ("pipeline-runs/", {"story": "x"}, f"`story` {ID}"),
        # One value a filter: the schema says a string, not a list.
        ("claims/", {"q": ["embassy", "gate"]}, "`q` must be given once."),
        ("conflicts/", {"kind": ["number", "quote"]}, "`kind` must be given once."),
    ],
)
def test_a_bad_filter_value_is_a_400_with_its_message(
    reviewer_api: APIClient, path: str, params: dict[str, Any], message: str
) -> None:
    error = assert_error(reviewer_api.get(api(path), params), 400, "invalid")
    assert error == {"code": "invalid", "message": message}  # no `fields`: a query parameter is no body field


def ids(client: APIClient, path: str, **params: Any) -> list[int]:
    response = client.get(api(path), {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_blank_filter_counts_as_not_given(reviewer_api: APIClient, processed_story: Story) -> None:
    claims = ids(reviewer_api, "claims/")
    assert claims
    blank = dict.fromkeys(["story", "status", "conflict", "kind", "order", "min_confidence", "assignee", "q"], "")
    assert ids(reviewer_api, "claims/", **blank) == claims
    conflicts = ids(reviewer_api, "conflicts/")
    assert conflicts
    blank = dict.fromkeys(["story", "claim", "status", "kind", "min_confidence", "possible", "order"], "")
    assert ids(reviewer_api, "conflicts/", **blank) == conflicts


def test_the_filters_narrow_the_lists(reviewer_api: APIClient, processed_story: Story) -> None:
    story = processed_story.pk
    assert ids(reviewer_api, "claims/", story=story) == ids(reviewer_api, "claims/")
    assert ids(reviewer_api, "claims/", story=999999) == []
    assert ids(reviewer_api, "conflicts/", story=999999) == []
    claim = ids(reviewer_api, "claims/", conflict="open")[0]
    mentions = reviewer_api.get(api("mentions/"), {"claim": claim}).json()["results"]
    assert mentions and {m["claim"] for m in mentions} == {claim}
    conflicts = reviewer_api.get(api("conflicts/"), {"claim": claim, "min_confidence": 0}).json()["results"]
    assert conflicts and all(any(claim in side["claim_ids"] for side in c["sides"]) for c in conflicts)
    assert ids(reviewer_api, "pipeline-runs/", story=story) and ids(reviewer_api, "pipeline-runs/", story=999999) == []
