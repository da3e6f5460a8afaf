"""Failover with real paper venues: a venue that refuses every order trips the breaker and is routed around;
bad routes and bad routing settings are refused with clear errors and change nothing."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from ordergate.bootstrap import start
from ordergate.config import Settings
from ordergate.domain.ids import VenueId
from tests.integration.inprocess import KEY, Served, served

SETTINGS: dict[str, Any] = {
    "venues": {"paper_extra": [{"id": "flaky", "commission_per_share": "0", "min_commission": "0",
                                "reject_probability": 1.0}]},
    "routing": {"venues": {"AAPL": ["paper", "flaky"]}, "policy": "lowest_cost", "breaker_min_orders": 3,
                "breaker_cooldown": 600},
}
ORDER = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market", "qty": "1"}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Served]:
    async with served(tmp_path, **SETTINGS) as s:
        yield s


async def _status(app: Served, order_id: str, want: str) -> dict[str, Any]:
    async with app.client() as client:
        for _ in range(200):
            order: dict[str, Any] = (await client.get(f"/api/v1/orders/{order_id}")).json()
            if order["status"] == want:
                return order
            await asyncio.sleep(0.01)
    raise AssertionError(f"order {order_id} never {want}: {order}")


async def test_venue_refusing_every_order_then_each_fails_over_the_breaker_degrades_it_and_nothing_fills_twice(
    app: Served,
) -> None:
    async with app.client() as client:
        sent = [(await client.post("/api/v1/orders/", json=ORDER)).json() for _ in range(3)]
        assert {o["venue"] for o in sent} == {"flaky"}  # the lowest fees, until it has shown what it does
        for order in sent:
            await _status(app, order["id"], "filled")
        routes = [(await client.get(f"/api/v1/orders/{o['id']}/route")).json() for o in sent]
        parent = (await client.get(f"/api/v1/orders/{sent[0]['id']}")).json()
        child = (await client.get(f"/api/v1/orders/{parent['children'][1]}")).json()
        after = (await client.post("/api/v1/orders/", json=ORDER)).json()
        venues = {v["id"]: v for v in (await client.get("/api/v1/venues/")).json()["venues"]}
        route = (await client.get(f"/api/v1/orders/{after['id']}/route")).json()
        await _status(app, after["id"], "filled")
        position = (await client.get("/api/v1/positions/", params={"account": "PAPER"})).json()
    for decision in routes:  # refused by the venue itself: the same quantity went on to the other, once
        assert [(c["venue"], c["status"], c["qty"], c["filled_qty"]) for c in decision["children"]] == [
            ("flaky", "rejected", "1", "0"), ("paper", "filled", "1", "1")]
        assert decision["children"][0]["reason"] == "venue unavailable (simulated)"
    assert after["venue"] == "paper"
    assert (parent["children"], parent["parent_id"]) == ([c["id"] for c in routes[0]["children"]], None)
    assert (child["parent_id"], child["venue"], child["status"], child["children"]) == (
        sent[0]["id"], "paper", "filled", [])
    assert venues["flaky"]["state"] == "degraded"
    assert venues["flaky"]["stats"]["reject_rate"] == 1.0
    assert "reject rate 3/3" in venues["flaky"]["stats"]["breaker"]["reason"]
    assert [(c["venue"], c["health"]) for c in route["candidates"]] == [("paper", "ready"), ("flaky", "degraded")]
    assert [c["venue"] for c in route["children"]] == ["paper"]
    [aapl] = [p for p in position if p["symbol"] == "AAPL"]
    assert aapl["qty"] == "4"


@pytest.mark.parametrize("route", ["a b", "x" * 65, "", "<script>"], ids=["space", "too-long", "empty", "markup"])
async def test_route_when_malformed_then_both_submit_paths_answer_the_same_422_and_record_nothing(
    app: Served, route: str,
) -> None:
    before = len(app.container.engine.ledger.orders)
    async with app.client() as hot, app.client(hot_path=False) as ordinary:
        via_hot = await hot.post("/api/v1/orders/", json={**ORDER, "route": route})
        via_route = await ordinary.post("/api/v1/orders/", json={**ORDER, "route": route})
    assert (via_hot.status_code, via_route.status_code) == (422, 422)
    assert via_hot.content == via_route.content
    assert via_hot.json()["detail"][0]["loc"] == ["body", "route"]
    assert len(app.container.engine.ledger.orders) == before


@pytest.mark.parametrize(("routing", "needle"), [
    ({"venues": {"AAPL": ["paper", "nowhere"]}}, "routing.venues.AAPL: unknown venue 'nowhere'"),
    ({"venues": {"NOPE": ["paper"]}}, "routing.venues: unknown symbols NOPE"),
    ({"accounts": {"PAPER": "cheapest"}}, "routing.accounts.PAPER"),
], ids=["unknown-venue", "unknown-symbol", "bad-account-route"])
async def test_routing_settings_when_naming_what_does_not_exist_then_start_refuses_naming_the_setting(
    tmp_path: Path, routing: dict[str, Any], needle: str,
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'o.db'}",
                        admin_key=KEY, routing=routing)
    with pytest.raises(ValueError, match=needle.replace(".", r"\.")):
        await start(settings)


STOPPING: dict[str, Any] = {
    "venues": {"paper_extra": [{"id": "slow", "commission_per_share": "0", "min_commission": "0",
                                "ack_latency": 0.5}]},
    "routing": {"venues": {"AAPL": ["paper", "slow"]}, "policy": "lowest_cost"},
    "engine": {"stuck_after": 0.2, "monitor_interval": 0.05},
}


async def test_venue_stopped_mid_stream_then_what_it_never_took_fails_over_once_and_nothing_fills_twice(
    tmp_path: Path,
) -> None:
    async with served(tmp_path, **STOPPING) as app, app.client() as client:
        sent = [(await client.post("/api/v1/orders/", json={**ORDER, "qty": "2"})).json() for _ in range(4)]
        assert {o["venue"] for o in sent} == {"slow"}  # its requests wait in its queue (0.5 s to answer)
        await app.container.venues[VenueId("slow")].stop()  # drops them: the venue never took those orders
        later = (await client.post("/api/v1/orders/", json={**ORDER, "qty": "2"})).json()
        for order in [*sent, later]:
            await _status(app, order["id"], "filled")
        routes = [(await client.get(f"/api/v1/orders/{o['id']}/route")).json() for o in sent]
        later_route = (await client.get(f"/api/v1/orders/{later['id']}/route")).json()
        [aapl] = [p for p in (await client.get("/api/v1/positions/", params={"account": "PAPER"})).json()
                  if p["symbol"] == "AAPL"]
    for decision in routes:  # asked about, unknown at the stopped venue, refused there: sent on once
        assert [(c["venue"], c["status"], c["filled_qty"]) for c in decision["children"]] == [
            ("slow", "rejected", "0"), ("paper", "filled", "2")]
    assert [c["venue"] for c in later_route["children"]] == ["paper"]  # a down venue gets no new children
    assert aapl["qty"] == "10"
