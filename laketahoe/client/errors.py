"""The errors the client raises: one class per kind of failure, built from the service's error body."""

from __future__ import annotations

import json


class LakeTahoeError(Exception):
    """Base of every error this package raises on purpose; ``str()`` is user-ready."""


class ServiceNotFound(LakeTahoeError):
    """No service address is configured (no runtime file, no LAKETAHOE_URL)."""


class ServiceUnavailable(LakeTahoeError):
    """An address is configured but nothing answers there."""


class PathOutsideRoot(LakeTahoeError):
    """A local path is not under the service's root directory."""


class ApiError(LakeTahoeError):
    """The service answered with ``{"error": {code, message, field?}}``."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.message} (field: {self.field})" if self.field else self.message


class InvalidArgument(ApiError):
    """400: the request is invalid."""


class FailedPrecondition(InvalidArgument):
    """400 ``failed_precondition``: e.g. cancelling a job that already ended."""


class Unauthenticated(ApiError):
    """401: missing or wrong token."""


class NotFound(ApiError):
    """404: unknown job, model or deployment (or another user's), missing notebook or package."""


class AlreadyExists(ApiError):
    """409: a job or deployment with this name exists."""


class TooLarge(ApiError):
    """413: notebook, folder snapshot or inference request over the service's limit."""


class Unavailable(ApiError):
    """503: e.g. no model server of the deployment is ready."""


_BY_STATUS = {400: InvalidArgument, 401: Unauthenticated, 404: NotFound, 409: AlreadyExists, 413: TooLarge,
              503: Unavailable}


def error_from_response(status: int, body: bytes) -> ApiError:
    """Build the typed error for a non-2xx answer."""
    code, message, field = "", "", None
    try:
        err = json.loads(body.decode("utf-8"))["error"]
        if isinstance(err, str):
            # A model server's own error shape, passed through by the service: {"error": "reason"}.
            err = {"message": err}
        code = str(err.get("code", ""))
        message = str(err.get("message", ""))
        field = err.get("field") or None
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        text = body.decode("utf-8", errors="replace").strip()
        message = f"HTTP {status}" + (f": {text[:200]}" if text else "")
    if not message:
        message = f"HTTP {status}"
    cls = _BY_STATUS.get(status, ApiError)
    if status == 400 and code == "failed_precondition":
        cls = FailedPrecondition
    return cls(status, code, message, field)
