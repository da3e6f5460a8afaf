"""Health, readiness, instruments and Prometheus metrics."""

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ordergate.entrypoints.api.deps import CALLER, ContainerDep, Operator, Public, Reader
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.serialize import JsonResponse
from ordergate.node import Node
from ordergate.service.cluster import NodeRole
from ordergate.service.ports import unavailable_reason

router = APIRouter(tags=["system"], route_class=ExactJsonRoute)


@router.get("/health")
async def health(_: Public) -> Response:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


@router.get("/ready", responses={503: {"description": "not ready: see checks"}})
async def ready(request: Request, container: ContainerDep, _: Public) -> Response:
    """Readiness: the engine runs, the database answers, every venue takes orders, every feed delivers.

    A feed is ready while live or after it ended cleanly (a replay played once); ``feeds`` details each.
    With ``api.protect_metrics`` on, only a request with a valid key sees the detail; the status is public.
    ``role`` says what this instance does: ``single``, or in a cluster ``leader`` or ``standby``; a standby
    is ready while its database answers and it follows the journal (it forwards commands to the leader).
    With ``api.protect_metrics`` on, a request without a key sees the status and the role (what a load
    balancer needs), not the checks.
    """
    node = getattr(request.app.state, "node", None)
    if node is not None and node.role is NodeRole.STANDBY:
        return await _standby_ready(request, container, node)
    states = {feed.name: feed.state() for feed in container.feeds}
    checks = {
        "engine": container.loop.running,
        "database": await run_in_threadpool(container.read_model.ping),
        **{f"venue:{vid}": venue.is_ready() for vid, venue in container.venues.items()},
        **{f"feed:{name}": state.healthy for name, state in states.items()},
    }
    feeds = {feed.name: {"state": states[feed.name].value, "symbols": sorted(feed.symbols())}
             for feed in container.feeds}
    venues = {vid: {"ready": checks[f"venue:{vid}"], **_venue_health(venue)}
              for vid, venue in container.venues.items()}
    ok = all(checks.values())
    role = node.role.value if node is not None else NodeRole.SINGLE.value
    reasons = {f"venue:{vid}": reason for vid, venue in container.venues.items()
               if (reason := unavailable_reason(venue)) is not None}
    status = 200 if ok else 503
    if container.settings.api.protect_metrics and request.scope.get(CALLER) is None:
        return JsonResponse({"status": "ready" if ok else "not ready", "role": role}, status_code=status)
    return JsonResponse({"status": "ready" if ok else "not ready", "role": role, "checks": checks, "feeds": feeds,
                         "reasons": reasons, "venues": venues}, status_code=status)


async def _standby_ready(request: Request, container: ContainerDep, node: Node) -> Response:
    """A standby's readiness: its database answers and it follows the journal."""
    checks = {"database": await run_in_threadpool(container.read_model.ping), "following": node.following}
    ok = all(checks.values())
    body: dict[str, object] = {"status": "ready" if ok else "not ready", "role": node.role.value}
    if not (container.settings.api.protect_metrics and request.scope.get(CALLER) is None):
        body.update(checks=checks, leader=node.leader.address or None, epoch=node.leader.epoch,
                    applied_seq=node.applied_seq)
    return JsonResponse(body, status_code=200 if ok else 503)


def _venue_health(venue: object) -> dict[str, object]:
    """Return what a broker venue tells about its connection (its stream), if it tells anything."""
    health = getattr(venue, "health", None)
    return dict(health()) if callable(health) else {}



@router.get("/metrics", include_in_schema=False)
async def metrics(container: ContainerDep, _: Operator) -> Response:
    """Prometheus metrics."""
    return Response(generate_latest(container.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/v1/instruments/", tags=["reference"])
async def list_instruments(container: ContainerDep, who: Reader) -> Response:
    """Return the tradable instruments with tick size, lot size and currency."""
    return JsonResponse([
        {"symbol": i.symbol, "name": i.name, "currency": i.currency, "tick_size": str(i.tick_size),
         "lot_size": str(i.lot_size), "exchange": i.exchange, "timezone": i.timezone,
         "session_open": i.session_open, "session_close": i.session_close, "venue_symbols": i.venue_symbols}
        for i in container.instruments.values()
    ])


@router.post("/api/v1/ping")
async def ping(who: Reader) -> Response:
    """Answer an authenticated no-op POST: checks a key, and is the HTTP stack's cost for scale."""
    return JsonResponse({"pong": True, "principal": who.name, "key_id": who.key_id, "role": who.role.value})
