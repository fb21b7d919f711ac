"""The OpenAPI schema tells the whole truth about errors.

The views declare what is particular to them (a 412 for a stale version, a 409 for a claim
someone else holds). Some answers can come from any endpoint, whatever it declares, because
the layers around the views give them: authentication (401), roles (403), the throttle (429),
the database away (503, `database_unavailable` with `Retry-After`), a body over Django's or
FactDesk's size limits (413), an id that names nothing (404), and a query parameter or body
the endpoint refuses (400: a forged cursor, a `page_size` below 1, a filter value it does not
know, a NUL character). Input serializers refuse fields they do not know
(`additionalProperties: false`), and a blank list filter counts as not given. `document_errors` adds those to every operation that can give them, in the API's one
error shape, so that a client (or schemathesis) finds every status code it can meet.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension

ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}

EVERYWHERE = {
    "401": "No credentials, or a token that is unknown, expired or revoked.",
    "403": "The account has no role that allows this (an account without a role reads nothing).",
    "429": "Too many requests from this client; `Retry-After` says when to try again.",
    "503": "The database is not reachable just now (`database_unavailable`); `Retry-After` says when to try again.",
}
NOT_FOUND = "No such object, or one this account may not see."
BAD_INPUT = "The request is not valid: `error.fields` names each bad field or parameter."
TOO_LARGE = "The request body is over the size limit (`payload_too_large`, or `too_large` for an upload)."
# Query parameters that name an object by id: the filters refuse anything else (claims/filters.py).
ID_PARAMETERS = {"story", "claim", "article", "conflict"}
LARGEST_ID = 10**18 - 1


class StrictInputExtension(OpenApiSerializerExtension):
    """A StrictSerializer refuses fields it does not know: its schema says so."""

    target_class = "factdesk.api.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        for prop in schema.get("properties", {}).values():
            _no_nul(prop)
        return {**schema, "additionalProperties": False}


# InputGuardMiddleware refuses a NUL character anywhere in a query string or a JSON body.
NO_NUL = "^[^\\u0000]*$"


def _no_nul(schema: dict[str, Any]) -> None:
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        schema.setdefault("pattern", NO_NUL)
    elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _no_nul(schema["items"])


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the error responses every operation can give."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            added = dict(EVERYWHERE)
            if any(p.get("in") == "path" for p in parameters):
                added["404"] = NOT_FOUND
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                added["400"] = BAD_INPUT
            if "requestBody" in operation:
                added["413"] = TOO_LARGE
            for code, description in added.items():
                responses.setdefault(code, _error(description))
            paginated = any(p.get("name") == "cursor" and p.get("in") == "query" for p in parameters)
            for parameter in parameters:
                if parameter.get("in") != "query":
                    continue
                _no_nul(parameter.get("schema", {}))
                if paginated and parameter["name"] not in ("cursor", "page_size"):
                    parameter["allowEmptyValue"] = True  # a blank filter counts as not given
                if parameter.get("name") == "page_size":
                    parameter["schema"] = {**parameter.get("schema", {}), "minimum": 1}
                    parameter["description"] = "Results per page, from 1 (more than 200 gives 200)."
                elif parameter.get("name") in ID_PARAMETERS and parameter.get("schema", {}).get("type") == "integer":
                    parameter["schema"] = {**parameter["schema"], "minimum": 1, "maximum": LARGEST_ID}
    return result
