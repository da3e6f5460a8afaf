"""Domain errors to HTTP answers: each names what was wrong and why."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from ordergate.domain import errors
from ordergate.domain.access import Forbidden
from ordergate.domain.risk.denied import RiskDenied
from ordergate.entrypoints.api.serialize import JsonResponse, order_dict
from ordergate.service.engine_loop import EngineStopped
from ordergate.service.keys import UnknownKey

_STATUS = {
    Forbidden: 403,
    UnknownKey: 404,
    errors.UnknownOrder: 404,
    errors.UnknownAccount: 404,
    errors.OrderStateConflict: 409,
    errors.DuplicateClientOrderId: 409,
    errors.AccountStateConflict: 409,
    errors.InvalidOrderTransition: 409,
}


def validation_body(field: str, rule: str, message: str, location: str = "body") -> dict[str, object]:
    """Return a 422 body in FastAPI's shape, naming the field and the rule."""
    return {"detail": [{"loc": [location, field], "msg": f"{field}: {message}", "type": rule}]}


async def _domain_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, errors.ValidationFailed):
        return JsonResponse(validation_body(exc.field, exc.rule, exc.message), status_code=422)
    assert isinstance(exc, errors.DomainError)
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
    return JsonResponse({"detail": str(exc), "code": exc.code}, status_code=status)


async def _risk_denied(request: Request, exc: Exception) -> Response:
    """Answer a replace or cancel that risk refused: 422 with the unchanged order and the reasons."""
    assert isinstance(exc, RiskDenied)
    reasons = [{"rule": d.rule, "message": d.message, "limit": d.limit, "actual": d.actual} for d in exc.denials]
    return JsonResponse({"order": order_dict(exc.order), "reasons": reasons}, status_code=422)


async def _engine_stopped(request: Request, exc: Exception) -> Response:
    return JsonResponse({"detail": str(exc), "code": "engine_stopped"}, status_code=503)


async def _request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        field = ".".join(loc[1:]) or loc[0] if loc else "body"
        details.append({"loc": loc, "msg": f"{field}: {err.get('msg')}", "type": err.get("type")})
    return JsonResponse({"detail": details}, status_code=422)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Answer FastAPI's and Starlette's own refusals, made truthful: an unreadable body is a 422 like any bad
    JSON, and a 405 says which methods the path allows."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        return JsonResponse({"detail": [{"loc": ["body"], "msg": "body: not JSON that can be read (not UTF-8, or "
                                     "nested too deep)", "type": "json_invalid"}]}, status_code=422)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # the route that refused knows its own methods, not those of its neighbours
        headers = {k: v for k, v in headers.items() if k.lower() != "allow"} | {"Allow": ", ".join(_allowed(request))}
    return JsonResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


def _allowed(request: Request) -> list[str]:
    """Return the methods some route of the app answers at the request's path."""
    scope = {**request.scope, "method": "\x00"}  # no route takes it: every match on the path is partial
    literal: set[str] = set()  # a path written out (cancel-all) wins over a template that also matches it
    templated: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        match, _ = context.matches(scope)
        if match != Match.NONE:
            (literal if context.path == request.url.path else templated).update(context.methods or ())
    return sorted(literal or templated)


def install(app: FastAPI) -> None:
    """Register the error handlers on an app."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(errors.DomainError, _domain_error)
    app.add_exception_handler(RiskDenied, _risk_denied)
    app.add_exception_handler(EngineStopped, _engine_stopped)
    app.add_exception_handler(RequestValidationError, _request_validation)
