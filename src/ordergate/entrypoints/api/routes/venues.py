"""Venues and routing: each venue's state, fees and statistics; why an order went where it did."""

from typing import Any

import msgspec
from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ordergate.domain.ids import OrderId
from ordergate.domain.order import Order
from ordergate.entrypoints.api.deps import CommittedDep, Reader
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.routes.orders import own_order
from ordergate.entrypoints.api.serialize import JsonResponse, order_dict
from ordergate.service.router import venue_summaries

router = APIRouter(tags=["venues"], route_class=ExactJsonRoute)


@router.get("/api/v1/venues/")
async def list_venues(container: CommittedDep, who: Reader) -> Response:
    """Return every venue: state (ready, degraded, down), fees, the instruments routed there, live statistics."""
    if container.router is None:
        return JsonResponse({"venues": []})
    return JsonResponse({"venues": venue_summaries(container.router, container.engine.clock.now())})


@router.get("/api/v1/orders/{order_id}/route", responses={404: {"description": "unknown order"}})
async def order_route(order_id: str, container: CommittedDep, who: Reader) -> Response:
    """Return why the order went to its venue: the policy, each candidate's score inputs at decision time, and
    the child orders made for it (where each went, on what terms, and how it stands).

    An order whose instrument trades at one venue had no choice: its policy is null and it has no candidates.
    """
    order = await own_order(container, who, order_id)
    record = container.routes.get(order.id) if container.routes is not None else None
    route = msgspec.to_builtins(record) if record is not None else await _journaled(container, order.id)
    body: dict[str, Any] = {"order_id": order.id, "venue": order.venue, "policy": None, "candidates": [],
                            "children": await _children(container, order)}
    if route is not None:
        body.update(policy=route["policy"], candidates=route["candidates"])
    return JsonResponse(body)


async def _children(container: Any, order: Order) -> list[dict[str, Any]]:
    """Return the child orders made for a parent, in the order they were made, each as its venue has it."""
    views = container.views
    fields = ("id", "venue", "type", "time_in_force", "qty", "limit_price", "status", "filled_qty",
              "avg_fill_price", "reason", "created_at")
    children = [await views.find_order(child_id) for child_id in order.children]
    return [{name: view[name] for name in fields} for view in map(order_dict, children)]


async def _journaled(container: Any, order_id: OrderId) -> dict[str, Any] | None:
    """Return the decision from the order's OrderSubmitted in the journal (one no longer kept in memory)."""
    events = await run_in_threadpool(container.read_model.order_events, order_id)
    for event in events:
        if event["type"] == "OrderSubmitted":
            route: dict[str, Any] | None = event["payload"].get("route")
            return route
    return None
