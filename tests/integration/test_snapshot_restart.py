"""The server writes snapshots of the fold (at a clean stop, and in the background) and starts from them."""

import asyncio
from pathlib import Path
from typing import Any

from structlog.testing import capture_logs

from ordergate.adapters.store.snapshot_check import compare
from ordergate.adapters.store.snapshot_codec import take
from ordergate.adapters.store.snapshots import SqlSnapshots
from tests.integration.inprocess import Served, served

ORDER = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "5", "limit_price": "1.00",
         "time_in_force": "gtc"}


async def submit(app: Served, n: int) -> list[dict[str, Any]]:
    """Submit ``n`` resting orders (far from the market) and return them as the API shows them."""
    async with app.client() as client:
        answers = [await client.post("/api/v1/orders/", json={**ORDER, "client_order_id": f"c-{i}"})
                   for i in range(n)]
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
    return [a.json() for a in answers]


async def shown(app: Served) -> Any:
    """Return what the API lists of every order, once the venue has acknowledged them all."""
    async with app.client() as client:
        for _ in range(100):
            listed = (await client.get("/api/v1/orders/", params={"limit": 500})).json()
            if all(o["status"] in ("new", "filled") for o in listed["items"]):
                break
            await asyncio.sleep(0.05)
    return listed


async def test_restart_when_stopped_cleanly_then_starts_from_the_snapshot_and_shows_the_same(tmp_path: Path) -> None:
    async with served(tmp_path) as app:
        await submit(app, 3)
        before = await shown(app)
    with capture_logs() as logs:
        async with served(tmp_path) as app:
            after = await shown(app)
            snapshots = list(SqlSnapshots(app.container.db_engine).newest_first())
            last = app.container.engine.ledger.last_seq
    started = next(line for line in logs if line["event"] == "built")
    assert started["snapshot"] == snapshots[-1].id and started["replayed_events"] == last - snapshots[-1].seq
    assert after == before


async def test_serve_when_enough_events_then_a_snapshot_is_written_in_the_background(tmp_path: Path) -> None:
    async with served(tmp_path, engine={"snapshot_interval": 0.05, "snapshot_min_events": 2}) as app:
        await submit(app, 2)
        store = SqlSnapshots(app.container.db_engine)
        for _ in range(200):
            if store.count():
                break
            await asyncio.sleep(0.05)
        newest = next(store.newest_first())
        assert 0 < newest.seq <= app.container.engine.ledger.last_seq
        assert app.container.snapshotter is not None and app.container.snapshotter.written >= 1


async def test_idempotent_resubmit_when_after_a_restart_from_snapshot_then_same_order(tmp_path: Path) -> None:
    async with served(tmp_path) as app:
        first = (await submit(app, 1))[0]
    async with served(tmp_path) as app, app.client() as client:
        again = await client.post("/api/v1/orders/", json={**ORDER, "client_order_id": "c-0"})
        other = await client.post("/api/v1/orders/", json={**ORDER, "qty": "6", "client_order_id": "c-0"})
    assert again.status_code in (200, 201) and again.json()["id"] == first["id"]
    assert other.status_code == 409


async def test_restart_when_orders_were_split_among_venues_then_parents_children_and_statistics_come_back(
        tmp_path: Path) -> None:
    routed = {"venues": {"paper_extra": [{"id": "cheap", "level_size_lots": 1}]},
              "routing": {"venues": {"AAPL": ["paper", "cheap"]}, "accounts": {}}}
    market = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market", "qty": "300"}
    async with served(tmp_path, **routed) as app:
        async with app.client() as client:
            assert (await client.post("/api/v1/orders/", json=market)).status_code == 201
        await shown(app)
        ledger = app.container.engine.ledger
    at_stop = take(ledger)
    assert any(o.parent_id for o in ledger.orders.values())
    with capture_logs() as logs:
        async with served(tmp_path, **routed) as app:
            restored = take(app.container.engine.ledger)
    assert next(line for line in logs if line["event"] == "built")["snapshot"] is not None
    assert compare(at_stop, restored) == []
