"""Three paper venues of different fees, latency and depth behind the real engine loop: each policy routes
as it says, a stopped venue gets no orders, and every decision is answered again after a restart."""

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordergate.adapters.store.check import check
from ordergate.adapters.store.rebuild import rebuild
from ordergate.adapters.venues.paper.venue import PaperVenue
from ordergate.domain.enums import Side
from ordergate.domain.ids import AccountId, OrderId, Symbol, VenueId
from ordergate.domain.ledger import Ledger
from tests.integration.inprocess import Served, served

# paper: the default (0.005/share, 200 lots a level); cheap: lower fees, thin; deep: dearer, deep and slow
EXTRA = [
    {"id": "cheap", "commission_per_share": "0.001", "min_commission": "0", "level_size_lots": 1},
    {"id": "deep", "commission_per_share": "0.004", "min_commission": "0", "level_size_lots": 5000,
     "ack_latency": 0.03},
]
SETTINGS: dict[str, Any] = {
    "venues": {"paper_extra": EXTRA},
    "routing": {"venues": {"AAPL": ["paper", "cheap", "deep"]}, "accounts": {}},
    "paper": {"min_commission": "0"},
}
ACCOUNT = AccountId("PAPER")
ORDER = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market"}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Served]:
    async with served(tmp_path, **SETTINGS) as s:
        yield s


async def _submit(app: Served, qty: str, route: str | None = None) -> dict[str, Any]:
    async with app.client() as client:
        body = {**ORDER, "qty": qty, **({"route": route} if route else {})}
        answer = await client.post("/api/v1/orders/", json=body)
    assert answer.status_code == 201, answer.text
    order: dict[str, Any] = answer.json()
    return order


async def _route(app: Served, order_id: str) -> dict[str, Any]:
    async with app.client() as client:
        answer = await client.get(f"/api/v1/orders/{order_id}/route")
    assert answer.status_code == 200, answer.text
    route: dict[str, Any] = answer.json()
    return route


async def _settled(app: Served, order_id: str) -> None:
    for _ in range(200):
        if app.container.engine.ledger.orders[OrderId(order_id)].status.is_terminal:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"order {order_id} did not finish")


async def test_best_execution_when_order_fits_the_thin_venue_then_goes_to_the_lowest_fees(app: Served) -> None:
    order = await _submit(app, "1")
    assert order["venue"] == "cheap"
    route = await _route(app, order["id"])
    assert route["policy"] == "best_execution"
    assert route["candidates"][0]["venue"] == "cheap"
    assert {c["venue"] for c in route["candidates"]} == {"paper", "cheap", "deep"}
    assert all(c["levels"] for c in route["candidates"])  # each venue's own book, walked


async def test_best_execution_when_order_exceeds_thin_depth_then_goes_to_a_venue_that_fills_it(app: Served) -> None:
    cheap = app.container.venues[VenueId("cheap")]
    assert isinstance(cheap, PaperVenue)
    cheap_depth = sum(size for _, size in cheap.book(Symbol("AAPL"), Side.SELL, 10))
    order = await _submit(app, str(cheap_depth + 1))
    assert order["venue"] in {"paper", "deep"}
    route = await _route(app, order["id"])
    [candidate] = [c for c in route["candidates"] if c["venue"] == "cheap"]
    assert candidate["fillable"] == str(cheap_depth)


async def test_lowest_cost_then_goes_to_the_lowest_fees(app: Served) -> None:
    assert (await _submit(app, "1", route="lowest_cost"))["venue"] == "cheap"


async def test_pinned_route_then_goes_to_that_venue_and_round_robin_visits_each(app: Served) -> None:
    assert (await _submit(app, "1", route="deep"))["venue"] == "deep"
    visited = [(await _submit(app, "1", route="round_robin"))["venue"] for _ in range(3)]
    assert sorted(visited) == ["cheap", "deep", "paper"]


async def test_fastest_when_latencies_were_learned_then_avoids_the_slow_venue(app: Served) -> None:
    for venue in ("paper", "cheap", "deep"):
        await _settled(app, (await _submit(app, "1", route=venue))["id"])
    order = await _submit(app, "1", route="fastest")
    assert order["venue"] != "deep"
    route = await _route(app, order["id"])
    deep = next(c for c in route["candidates"] if c["venue"] == "deep")
    assert deep["ack_latency_ms"] >= 25


async def test_venue_stopped_then_orders_go_to_the_others_and_the_venues_list_says_down(app: Served) -> None:
    await app.container.venues[VenueId("cheap")].stop()
    orders = [await _submit(app, "1") for _ in range(3)]
    assert all(o["venue"] != "cheap" for o in orders)
    async with app.client() as client:
        venues = {v["id"]: v for v in (await client.get("/api/v1/venues/")).json()["venues"]}
        pinned = await client.post("/api/v1/orders/", json={**ORDER, "qty": "1", "route": "cheap"})
    assert venues["cheap"]["state"] == "down"
    assert venues["deep"]["fees"]["per_share"] == "0.004"
    assert pinned.status_code == 422
    assert pinned.json()["detail"][0]["loc"] == ["body", "route"]


async def test_unknown_route_then_both_submit_paths_answer_the_same_422(app: Served) -> None:
    async with app.client() as hot, app.client(hot_path=False) as ordinary:
        via_hot = await hot.post("/api/v1/orders/", json={**ORDER, "qty": "1", "route": "nyse"})
        via_route = await ordinary.post("/api/v1/orders/", json={**ORDER, "qty": "1", "route": "nyse"})
    assert (via_hot.status_code, via_route.status_code) == (422, 422)
    assert via_hot.content == via_route.content
    assert via_hot.json()["detail"][0]["type"] == "known_route"


async def test_restart_then_route_and_venue_statistics_are_rebuilt_from_the_journal(tmp_path: Path) -> None:
    async with served(tmp_path, **SETTINGS) as first:
        order = await _submit(first, "1")
        await _settled(first, order["id"])
        before = await _route(first, order["id"])
        async with first.client() as client:
            stats_before = {v["id"]: v["stats"] for v in (await client.get("/api/v1/venues/")).json()["venues"]}
    async with served(tmp_path, **SETTINGS) as second:
        after = await _route(second, order["id"])
        async with second.client() as client:
            stats_after = {v["id"]: v["stats"] for v in (await client.get("/api/v1/venues/")).json()["venues"]}
    assert after == before
    assert stats_after["cheap"]["orders_routed"] == stats_before["cheap"]["orders_routed"] >= 1
    assert stats_after["cheap"]["ack_latency_ms"] == stats_before["cheap"]["ack_latency_ms"]


async def test_restart_and_db_rebuild_then_parents_and_children_come_back_as_they_were(tmp_path: Path) -> None:
    async with served(tmp_path, **SETTINGS) as first:
        orders = [await _submit(first, "1"), await _submit(first, "3", route="deep")]
        for order in orders:
            await _settled(first, order["id"])
        ledger = first.container.engine.ledger
        before = {o["id"]: _shape(ledger, o["id"]) for o in orders}
        assert check(first.container.db_engine) == []
        assert rebuild(first.container.db_engine, write=False).differences == []
    async with served(tmp_path, **SETTINGS) as second:
        ledger = second.container.engine.ledger
        after = {i: _shape(ledger, i) for i in before}
        position = ledger.position(ACCOUNT, Symbol("AAPL"))
    assert after == before
    assert all(shape[3] for shape in after.values())
    assert position is not None and position.qty == 4  # each child's fills counted once


def _shape(ledger: Ledger, order_id: str) -> tuple[object, ...]:
    order = ledger.orders[OrderId(order_id)]
    children = [(c, ledger.orders[c].venue, ledger.orders[c].status, ledger.orders[c].filled_qty)
                for c in order.children]
    return order.status, order.filled_qty, order.avg_fill_price, children


async def test_sweep_when_order_is_larger_than_the_best_venue_shows_then_fills_across_venues_at_their_prices(
    app: Served,
) -> None:
    bought = Decimal(0)
    for _ in range(3):  # the simulated books move between reading them and routing: try again if it moved
        tops = [app.container.venues[VenueId(v)].book(Symbol("AAPL"), Side.SELL, 1)[0]  # type: ignore[attr-defined]
                for v in ("paper", "cheap", "deep")]
        best_price = min(price for price, _ in tops)
        qty = next(size for price, size in tops if price == best_price) + 1  # more than the best venue shows there
        order = await _submit(app, str(qty))
        await _settled(app, order["id"])
        route = await _route(app, order["id"])
        bought += app.container.engine.ledger.orders[OrderId(order["id"])].filled_qty
        if len({c["venue"] for c in route["children"]}) >= 2:
            break
    children = route["children"]
    assert len({c["venue"] for c in children}) >= 2, (tops, qty, route)
    shown = {c["venue"]: {p for p, _ in c["levels"]} for c in route["candidates"]}
    slices = [c for c in children if c["type"] == "limit"]  # a market child: the rest of a slice cut short
    assert len(slices) >= 2 and all(c["time_in_force"] == "ioc" for c in slices)
    for child in slices:  # each limited to a price its venue showed, and never filled beyond it
        assert child["limit_price"] in shown[child["venue"]]
        if child["avg_fill_price"] is not None:
            assert Decimal(child["avg_fill_price"]) <= Decimal(child["limit_price"])
    parent = app.container.engine.ledger.orders[OrderId(order["id"])]
    filled = sum(Decimal(c["filled_qty"]) for c in children)
    assert parent.filled_qty == filled > 0
    position = app.container.engine.ledger.position(ACCOUNT, Symbol("AAPL"))
    assert position is not None and position.qty == bought  # each child's fills counted once
