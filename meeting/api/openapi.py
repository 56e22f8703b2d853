"""The API's endpoint table and the OpenAPI 3.1 document generated from it.

Each `Endpoint` names its handler and the pydantic models it reads and returns, so the
routes and their documentation come from one place and cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Handler = Callable[[Request], Awaitable[Response]]
PREFIX = "/api/v1"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    body: type[BaseModel] | None = None
    returns: type[BaseModel] | None = None
    status: int = 200
    errors: Sequence[int] = field(default_factory=tuple)
    auth: bool = False


def routes(endpoints: Sequence[Endpoint]) -> list[Route]:
    by_path: dict[str, dict[str, Handler]] = {}
    for e in endpoints:
        by_path.setdefault(e.path, {})[e.method] = e.handler
    out = [_route(path, handlers) for path, handlers in by_path.items()]

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(document(endpoints))

    out.append(Route(f"{PREFIX}/openapi.json", openapi_json, methods=["GET"]))
    return out


def _route(path: str, handlers: dict[str, Handler]) -> Route:
    async def dispatch(request: Request) -> Response:
        return await handlers[request.method](request)

    return Route(PREFIX + path, dispatch, methods=list(handlers))


def document(endpoints: Sequence[Endpoint]) -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": _ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    for e in endpoints:
        op: dict[str, Any] = {"summary": e.summary, "responses": {}}
        if e.body is not None:
            schemas[e.body.__name__] = e.body.model_json_schema(ref_template="#/components/schemas/{model}")
            op["requestBody"] = _content(e.body.__name__, required=True)
        ok: dict[str, Any] = {"description": "Success"}
        if e.returns is not None:
            schemas[e.returns.__name__] = e.returns.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            ok |= _content(e.returns.__name__)
        op["responses"][str(e.status)] = ok
        for status in (*e.errors, *((401,) if e.auth else ())):
            op["responses"][str(status)] = {"description": "Error"} | _content("Error")
        if e.auth:
            op["security"] = [{"session": []}]
        paths.setdefault(PREFIX + e.path, {})[e.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hearth API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "hearth_session"}},
        },
    }


def _content(name: str, *, required: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
    }
    if required:
        out["required"] = True
    return out


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
