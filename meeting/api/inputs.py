"""What the group, meeting and series endpoints read from a request besides its JSON body:
ids in the path, instants in the query, and PATCH bodies' nulls. Bad input is a 404 or a 422
naming the parameter (`ApiError`), never a 500.

    group_id = path_id(request, "group")                  # 404 "No group with id 'x'."
    start = instant_param(request, "from") or now         # ISO 8601 with an offset, or a date
    changes = non_null(body.model_dump(exclude_unset=True), nullable=("credential",))
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from starlette.requests import Request

from meeting.api.errors import ApiError


def path_id(request: Request, what: str, name: str = "id") -> int:
    """The path parameter `name` as an id, or 404 naming `what` was not found."""
    raw = request.path_params[name]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ApiError(404, "not_found", f"No {what} with id {raw!r}.")
    return int(raw)


def instant_param(request: Request, name: str) -> datetime | None:
    """A query parameter as an aware UTC instant: ISO 8601 with an offset, or a date (its
    midnight UTC); 422 naming the parameter otherwise."""
    raw = request.query_params.get(name)
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            422,
            "invalid_input",
            f"Field {name!r}: {raw!r} is not an ISO 8601 date, or date and time with an offset "
            "(like 2026-03-01T18:00:00Z).",
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ApiError(
            422, "invalid_input", f"Field {name!r}: give a UTC offset (like 2026-03-01T18:00:00+01:00)."
        )
    return value.astimezone(UTC)


def non_null(changes: dict[str, Any], *, nullable: tuple[str, ...] = ()) -> dict[str, Any]:
    """PATCH bodies: a field may be left out, but only `nullable` ones may be null."""
    for key, value in changes.items():
        if value is None and key not in nullable:
            raise ApiError(422, "invalid_input", f"Field {key!r} cannot be null; leave it out to keep it.")
    return changes
