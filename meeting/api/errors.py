"""JSON API errors: `{"error": {"code": ..., "message": ...}}` with the right status.

Raise `ApiError` anywhere in an API handler; `read_json` parses and validates a request body
into a pydantic model, refusing anything that is not `application/json` or not well formed,
so no input can make the server answer 500.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from meeting.accounts import service as accounts
from meeting.context import hearth
from meeting.groups import service as groups
from meeting.web.security import origin_allowed

M = TypeVar("M", bound=BaseModel)
MAX_BODY = 64 * 1024


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, **extra}}
    return JSONResponse(body, status_code=status, headers=headers)


def check_origin(request: Request) -> None:
    if not origin_allowed(request, hearth(request).settings):
        raise ApiError(403, "bad_origin", "Requests from that origin are not accepted.")


async def read_json(request: Request, model: type[M]) -> M:
    """Parse the body as `model`, or raise `ApiError` naming what is wrong."""
    check_origin(request)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise ApiError(413, "too_large", f"The body is larger than {MAX_BODY} bytes.")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_json", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "The body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, "invalid_input", _describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "body"
    if first["type"] == "extra_forbidden":
        return f"Unknown field {where!r}."
    if first["type"] == "missing":
        return f"Field {where!r} is required."
    return f"Field {where!r}: {first['msg']}."


def domain_error(request: Request, exc: Exception) -> JSONResponse:
    """The JSON answer to an account or group rule being broken (`service` errors)."""
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
    extra: dict[str, Any] = {}
    headers = None
    if isinstance(exc, accounts.Throttled):
        headers = {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, groups.GuidelinesChanged):
        extra["current_version"] = exc.current_version
    message = str(exc)
    field = getattr(exc, "field", None)
    if isinstance(exc, groups.InvalidInput) and field:
        extra["field"] = field
        if field not in message:
            message = f"Field {field!r}: {message}"
    return error_response(status, getattr(exc, "code", "invalid"), message, headers, **extra)


DOMAIN_ERRORS: tuple[type[Exception], ...] = (accounts.AccountError, groups.GroupError)
_STATUS: dict[type[Exception], int] = {
    accounts.InvalidInput: 422,
    accounts.EmailUnavailable: 409,
    accounts.BadCredentials: 401,
    accounts.Throttled: 429,
    groups.InvalidInput: 422,
    groups.Forbidden: 403,
    groups.NotFound: 404,
    groups.MeetingEnded: 409,
    groups.MeetingCancelled: 409,
    groups.MeetingStarted: 409,
    groups.GroupArchived: 409,
    groups.GuidelinesChanged: 409,
}
