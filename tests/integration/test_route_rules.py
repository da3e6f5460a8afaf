"""Every route declares one authorization rule, found from the app's own route table; a route without one fails."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute, RouteContext, iter_route_contexts
from starlette.routing import BaseRoute, Mount

from ordergate.config import Settings
from ordergate.entrypoints.api.app import create_app
from ordergate.entrypoints.api.deps import RULE_ATTRIBUTE, PublicRule, Rule
from ordergate.entrypoints.api.gate import BODY_METHODS


def declared_rules(route: BaseRoute) -> list[Rule | PublicRule]:
    """Return the authorization rules a route declares (as dependencies, or on a WebSocket endpoint)."""
    if isinstance(route, APIWebSocketRoute):
        rule = getattr(route.endpoint, RULE_ATTRIBUTE, None)
        return [rule] if rule is not None else []
    if isinstance(route, APIRoute):
        return [d.call for d in route.dependant.dependencies if isinstance(d.call, Rule | PublicRule)]
    return []


def routes(app: FastAPI) -> list[RouteContext]:
    """Return every route of the app, those of included routers too, with its full path."""
    return list(iter_route_contexts(app.routes))


def undeclared(app: FastAPI) -> list[str]:
    """Return every route (but static mounts) that does not declare exactly one rule."""
    return [f"{sorted(r.methods or ['WS'])} {r.path}" for r in routes(app)
            if not isinstance(r.original_route, Mount) and len(declared_rules(r.original_route)) != 1]


def test_every_route_of_the_app_declares_exactly_one_rule(tmp_path: Path) -> None:
    assert undeclared(create_app(Settings(_env_file=None, data_dir=tmp_path))) == []


def test_a_route_added_without_a_rule_then_found_undeclared(tmp_path: Path) -> None:
    app = create_app(Settings(_env_file=None, data_dir=tmp_path))

    @app.get("/api/v1/forgotten")
    async def forgotten() -> None:
        """A route someone forgot to protect."""

    assert undeclared(app) == ["['GET'] /api/v1/forgotten"]


def test_public_routes_are_reads_only_so_the_gate_may_refuse_any_keyless_body(tmp_path: Path) -> None:
    app = create_app(Settings(_env_file=None, data_dir=tmp_path))
    public = [r.original_route for r in routes(app)
              if any(isinstance(rule, PublicRule) for rule in declared_rules(r.original_route))]
    assert public, "health and readiness are public"
    assert all(isinstance(r, APIRoute) and not r.methods & BODY_METHODS for r in public)


def test_static_mounts_serve_only_files(tmp_path: Path) -> None:
    app = create_app(Settings(_env_file=None, data_dir=tmp_path))
    assert {r.path for r in routes(app) if isinstance(r.original_route, Mount)} <= {"/blotter", "/docs/assets"}
