"""What every API endpoint shares: the error shape, strict input, versions for writes, /me and tokens."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import api_view
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.viewsets import GenericViewSet

from factdesk import schema  # noqa: F401  (registers StrictInputExtension for the OpenAPI schema)

from . import roles
from .errors import ApplicationError, PreconditionRequiredError
from .models import ApiToken
from .roles import ROLES

logger = logging.getLogger(__name__)

# --- errors -----------------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Every error: `{"error": {"code", "message", "fields"?, "current"?}}`."""

    class Body(serializers.Serializer):
        code = serializers.CharField()
        message = serializers.CharField()
        # The error shape's own key; DRF's metaclass takes it as a field, out of the class attribute.
        fields = serializers.DictField(required=False)  # type: ignore[assignment]
        current = serializers.DictField(required=False)

    error = Body()


# The error responses an endpoint's schema lists (pick the codes it can answer with).
ERRORS = {code: ErrorSerializer for code in (400, 403, 404, 409, 412, 428, 429)}


def _error(code: str, message: str, status_code: int, **extra: Any) -> Response:
    return Response({"error": {"code": code, "message": message, **extra}}, status=status_code)


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """One JSON shape for every error, whatever raised it."""
    if isinstance(exc, ApplicationError):
        return _error(exc.code, exc.message, exc.status, **exc.extra)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "message_dict") else {"non_field_errors": exc.messages}
        return _error("invalid", "The request is not valid.", 400, fields=fields)
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        return _error("not_found", "Not found.", 404)
    if isinstance(exc, PermissionDenied):
        return _error("permission_denied", str(exc) or "You do not have permission to do this.", 403)
    if isinstance(exc, RequestDataTooBig):
        return _error("payload_too_large", "The request body is too large.", 413)
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is away (or restarting): a "not now" a client can retry, not an HTML 500.
        logger.warning("API request failed on the database: %s", exc)
        body = _error("database_unavailable", "The database is not reachable just now; try again shortly.", 503)
        body["Retry-After"] = "5"
        return body
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        return _error("invalid", "The request is not valid.", response.status_code, fields=_flatten(exc.detail))
    detail = getattr(exc, "detail", None)
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    body = _error(str(code), str(detail) if detail is not None else str(exc), response.status_code)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            body[header] = response[header]
    return body


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know, instead of silently ignoring them,
    and a number or a boolean where the schema says a string (DRF would turn 0 into "0")."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
            not_text = sorted(
                name
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField) and name in data and not isinstance(data[name], str)
            )
            if not_text:
                raise serializers.ValidationError({name: ["Must be a string."] for name in not_text})
        return super().to_internal_value(data)


@csrf_exempt  # any method: a POST to no endpoint is this JSON 404, not the CSRF check's HTML 403
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/v1/ that names no endpoint."""
    return JsonResponse(
        {"error": {"code": "not_found", "message": f"No API endpoint at {request.path}; see /api/v1/docs/."}},
        status=404,
    )


def version_from(request: Request, body_version: int | None = None) -> int | None:
    """The version a write is based on: the If-Match header (an ETag we sent) or `version` in the body."""
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        value = header.removeprefix("W/").strip('"')
        if not value.isdigit():
            raise ApplicationError('If-Match must be the ETag of the object, e.g. "3".', code="bad_if_match")
        return int(value)
    return body_version


def require_version(request: Request, body_version: int | None = None) -> int:
    version = version_from(request, body_version)
    if version is None:
        raise PreconditionRequiredError(
            "Say which version you are changing: send If-Match with the ETag you got, or `version` in the body."
        )
    return version


# Ids are 64-bit integers in the database: a longer number is no id, and must not reach a query.
ID_DIGITS = 18


class IdViewSet(GenericViewSet):
    """A viewset whose URLs take only ids that can exist (anything else is a plain 404)."""

    lookup_value_regex = rf"[0-9]{{1,{ID_DIGITS}}}"


def int_param(request: Request, name: str) -> int | None:
    """An id given as a query parameter, or None; anything else is a clear 400."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not (value.isdigit() and len(value) <= ID_DIGITS):
        raise ApplicationError(f"`{name}` must be an id: a whole number of at most {ID_DIGITS} digits.", code="invalid")
    return int(value)


# --- /me and tokens ----------------------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    can_import = serializers.BooleanField()
    can_review = serializers.BooleanField()
    is_admin = serializers.BooleanField()


@extend_schema(responses={200: MeSerializer}, tags=["account"])
@api_view(["GET"])
def me(request: Request) -> Response:
    """The user the request is authenticated as, and what they may do."""
    user = request.user
    held = [g for g in user.groups.values_list("name", flat=True) if g in ROLES]
    return Response(
        MeSerializer(
            {
                "id": user.pk,
                "username": user.get_username(),
                "roles": held,
                "can_import": roles.can_import(user),
                "can_review": roles.can_review(user),
                "is_admin": roles.can_manage_users(user),
            }
        ).data
    )


class TokenSerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True)
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "user", "created_at", "last_used_at", "revoked_at", "is_active"]
        read_only_fields = fields


class TokenCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)


class TokenViewSet(IdViewSet):
    """Your API tokens (admins see everyone's). A new token's value is shown once, in the response."""

    serializer_class = TokenSerializer
    pagination_class = None
    queryset = ApiToken.objects.none()

    def get_queryset(self) -> Any:
        tokens = ApiToken.objects.select_related("user").order_by("-created_at")
        if roles.can_manage_users(self.request.user):
            return tokens
        return tokens.filter(user=self.request.user)  # type: ignore[misc]  # IsAuthenticated

    @extend_schema(responses={200: TokenSerializer(many=True)}, tags=["account"])
    def list(self, request: Request) -> Response:
        return Response(TokenSerializer(self.get_queryset(), many=True).data)

    @extend_schema(
        request=TokenCreateSerializer,
        responses={
            201: inline_serializer("NewToken", {"token": serializers.CharField(), "details": TokenSerializer()})
        },
        tags=["account"],
    )
    def create(self, request: Request) -> Response:
        data = TokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # A token made with a token is its child: revoking the parent revokes it too.
        parent = request.auth if isinstance(request.auth, ApiToken) else None
        token, plaintext = ApiToken.generate(user=request.user, name=data.validated_data["name"], parent=parent)
        return Response({"token": plaintext, "details": TokenSerializer(token).data}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: TokenSerializer}, tags=["account"])
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        """Revoke a token (yours, or anyone's for an admin). Revoked tokens stop working at once."""
        token = get_object_or_404(self.get_queryset(), pk=pk)
        token.revoke(by=request.user)
        return Response(TokenSerializer(token).data)
