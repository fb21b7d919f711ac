"""Errors the services raise for a person to read; views and the API turn them into responses."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A request that cannot be done as asked. `message` is for people, `code` for programs."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}


class StaleVersionError(ApplicationError):
    """The object changed since the client loaded it; `extra["current"]` is its state now."""

    code = "stale_version"
    status = 412


class LeaseHeldError(ApplicationError):
    """Another reviewer holds the claim."""

    code = "lease_held"
    status = 409


class InvalidStateError(ApplicationError):
    """The action does not apply to the object as it is (confirming a merged claim, ...)."""

    code = "invalid_state"
    status = 409


class PreconditionRequiredError(ApplicationError):
    """A write that does not say which version it changes."""

    code = "precondition_required"
    status = 428
