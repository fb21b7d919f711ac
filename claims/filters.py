"""The API's list filters: one serializer per list, over the request's query parameters.

Each one says what its list accepts, and the OpenAPI schema describes the list's query
parameters from it. `parse` gives the values to the list's selector; the first bad value
(in the order the fields are declared) is a 400 in the API's error shape, with that value's
message and no `fields`. An empty parameter (`?status=`) counts as not given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from factdesk.api import ID_DIGITS
from factdesk.errors import ApplicationError

from . import selectors
from .models import Claim, Conflict, MergeSuggestion

ONE_OF = "`{name}` must be one of {choices}."
UNKNOWN = "Unknown {name} {value!r}."


@extend_schema_field(OpenApiTypes.INT)
class IdParam(serializers.Field):
    """An id: a whole number of at most ID_DIGITS digits (a longer one is no id and must not reach a query)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data: Any) -> int:
        if not (isinstance(data, str) and data.isdigit() and len(data) <= ID_DIGITS):
            raise serializers.ValidationError(
                f"`{self.field_name}` must be an id: a whole number of at most {ID_DIGITS} digits."
            )
        return int(data)


class ChoiceParam(serializers.ChoiceField):
    """One of `choices`; anything else is refused with `message` ({name}, {value!r}, {choices})."""

    def __init__(self, choices: Sequence[str], *, message: str = ONE_OF, **kwargs: Any) -> None:
        # Blank counts as not given (allow_blank says so to the schema: no minLength).
        super().__init__(choices=list(choices), required=False, allow_blank=True, **kwargs)
        self.message = message

    def to_internal_value(self, data: Any) -> str | None:  # type: ignore[override]  # None: not given
        if data == "":
            return None
        if data not in self.choices:
            raise serializers.ValidationError(
                self.message.format(name=self.field_name, value=data, choices=", ".join(map(str, self.choices)))
            )
        return str(data)


class ChoiceParamSchema(OpenApiSerializerFieldExtension):
    """A choice parameter in the schema: a string from a (sorted) list, without a choice list in its
    description (values are their own labels)."""

    target_class = ChoiceParam
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"type": "string", "enum": sorted(self.target.choices)}


@extend_schema_field(OpenApiTypes.BOOL)
class TrueFalseParam(ChoiceParam):
    """`true` or `false`, as the words."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(["true", "false"], **kwargs)

    def to_internal_value(self, data: Any) -> bool | None:  # type: ignore[override]
        value = super().to_internal_value(data)
        return None if value is None else value == "true"


@extend_schema_field({"type": "number", "minimum": 0, "maximum": 1})
class ConfidenceParam(serializers.Field):
    """A confidence, a number from 0 to 1 (selectors.parse_confidence); blank counts as not given."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data: Any) -> float | None:
        try:
            return selectors.parse_confidence(data)
        except ValueError as exc:
            raise serializers.ValidationError(f"`{self.field_name}` must be a number from 0 to 1.") from exc


@extend_schema_field(OpenApiTypes.STR)
class TextParam(serializers.Field):
    """Text, taken as it is (no trimming: the selector decides what it matches)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        return str(data)


class QueryFilter(serializers.Serializer):
    """Query parameters, validated like input; parameters not declared here are not its business
    (paging's `cursor` and `page_size`, for one)."""

    @classmethod
    def parse(cls, request: Request) -> dict[str, Any]:
        """The given filters' values (those not given, or blank, are left out); the first bad one is a 400,
        and so is a filter given more than once (`q=a&q=b`: the schema says one value)."""
        repeated = [name for name, values in request.query_params.lists() if len(values) > 1 and name in cls().fields]
        if repeated:
            raise ApplicationError(f"`{repeated[0]}` must be given once.", code="invalid")
        serializer = cls(data=request.query_params)
        if not serializer.is_valid():
            messages = next(iter(serializer.errors.values()))
            raise ApplicationError(str(messages[0]), code="invalid")
        return {name: value for name, value in serializer.validated_data.items() if value is not None}


class ClaimFilter(QueryFilter):
    """The claim queue's filters: the same ones, with the same meaning, as the queue page's."""

    story = IdParam(help_text="Only this story's claims.")
    status = ChoiceParam(["all", *Claim.Status.values], message=UNKNOWN, help_text="Default: all.")
    conflict = ChoiceParam(
        list(selectors.QUEUE_CONFLICT_FILTERS),
        help_text="`open`: has an open conflict at least FACTDESK_CONFLICT_MIN_CONFIDENCE (or `min_confidence`) "
        "sure; `possible`: has an open possible discrepancy (below that setting); `none`: no open conflict.",
    )
    kind = ChoiceParam(Conflict.Kind.values, help_text="Has an open conflict of this kind.")
    order = ChoiceParam(list(selectors.QUEUE_ORDERS), help_text="Default: priority.")
    min_confidence = ConfidenceParam(
        help_text="Has an open conflict at least this sure (0 to 1); also the bar for `conflict=open` and `kind`."
    )
    assignee = TextParam(help_text="A username, `me` or `none`.")
    outlet = TextParam(help_text="Outlet slug: has a mention from this outlet.")
    q = TextParam(help_text="Words in the claim's text.")


class ConflictFilter(QueryFilter):
    story = IdParam()
    claim = IdParam()
    status = ChoiceParam(Conflict.Status.values, message=UNKNOWN)
    kind = ChoiceParam(Conflict.Kind.values, message=UNKNOWN)
    min_confidence = ConfidenceParam(
        help_text="Only conflicts at least this sure (0 to 1). Default: the server's "
        "FACTDESK_CONFLICT_MIN_CONFIDENCE; 0 lists every conflict."
    )
    possible = TrueFalseParam(
        help_text="true: only the possible discrepancies, the conflicts below FACTDESK_CONFLICT_MIN_CONFIDENCE "
        "(and at least `min_confidence`, if given)."
    )
    order = ChoiceParam(
        list(selectors.CONFLICT_ORDERS), help_text="`newest` (the default) or `confidence`: surest first."
    )


class MentionFilter(QueryFilter):
    claim = IdParam()
    article = IdParam()
    story = IdParam()


class SuggestionFilter(QueryFilter):
    story = IdParam()
    claim = IdParam()
    status = ChoiceParam(MergeSuggestion.Status.values, message=UNKNOWN)


class AnnotationFilter(QueryFilter):
    claim = IdParam()
    story = IdParam()


class EventFilter(QueryFilter):
    claim = IdParam()
    story = IdParam()
    conflict = IdParam()


class PipelineRunFilter(QueryFilter):
    story = IdParam()
