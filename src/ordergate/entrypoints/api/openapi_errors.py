"""Every status a route can answer, with its error body, in the OpenAPI document: clients made from it work."""

from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from ordergate.entrypoints.api.deps import Rule
from ordergate.entrypoints.api.gate import BODY_METHODS


class ErrorBody(BaseModel):
    """An error: what was wrong, and a stable code for programs."""

    detail: str = Field(description="what was wrong, naming the field, role or account")
    code: str | None = Field(None, description="e.g. forbidden, unknown_order, too_late, body_too_large, "
                                               "rate_limited")


_COMMON: dict[int, str] = {
    401: "no API key, or a wrong one (a request with a body: answered before the body is read)",
    403: "the key's role may not do this, or the account is outside the key's scope",
    404: "not found",
    409: "conflict with the current state",
    413: "the body is larger than the limit (api.max_body_bytes)",
    429: "rate limited: see the Retry-After header",
    503: "the engine is not running; or, on a standby, no leader could be reached to forward the command to "
         "(code no_leader: try again, with the same client_order_id)",
}


def _spec(code: int, given: dict[str, Any] | None) -> dict[str, Any]:
    spec = dict(given or {})
    spec.setdefault("description", _COMMON[code])
    spec.setdefault("model", ErrorBody)
    if code == 429:
        spec.setdefault("headers", {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}})
    return spec


def document_errors(router: APIRouter) -> None:
    """Add the error answers each route can give (by its rule, its method) to its documented responses.

    Run on a router before it is included: an app takes its routes' responses as they are then.
    """
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        codes = set()
        if any(isinstance(d.call, Rule) for d in route.dependant.dependencies):
            codes |= {401, 403, 429}
        if (route.methods or set()) & BODY_METHODS:
            codes |= {413, 503}  # 503: a standby forwards commands to the leader, which may be unreachable
        responses: dict[int | str, dict[str, Any]] = dict(route.responses)
        for code in codes | {c for c in map(int, responses) if c in _COMMON}:
            responses[code] = _spec(code, responses.get(code) or responses.get(str(code)))
            responses.pop(str(code), None)
        route.responses = responses
