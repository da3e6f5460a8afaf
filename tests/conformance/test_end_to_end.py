"""The kit end to end: the real server's container and API with the scriptable venue in place of the paper one.

Orders go in over HTTP; the venue acknowledges, fills, reorders, duplicates and drops its reports; the
books must match the venue, the real ``ordergate db check`` must pass, and a restarted server must show
the same orders, positions and cash.
"""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from ordergate.adapters.store.journal import SqlJournal
from ordergate.domain.enums import OrderStatus
from ordergate.domain.ids import OrderId, Symbol, VenueId
from tests.conformance.harness import KitRun, finish
from tests.conformance.venue import ScriptableVenue
from tests.integration.inprocess import Served, served

D = Decimal
AAPL = Symbol("AAPL")


def db_check(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run the real ``ordergate db check`` on the server's SQLite database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERGATE_")}
    env.update({"ORDERGATE_DATABASE_URL": f"sqlite:///{data_dir / 'ordergate.db'}",
                "ORDERGATE_DATA_DIR": str(data_dir), "COLUMNS": "200"})
    return subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", "db", "check"], env=env,
                          capture_output=True, text=True, timeout=120)


def kit_in(server: Served) -> tuple[ScriptableVenue, KitRun, Decimal]:
    """Put a scriptable venue where the paper venue was (orders route to venue ``paper``); return it, a run
    over the server's engine and store, and the AAPL price where it fills market orders."""
    container = server.container
    reference = container.marketdata.reference_price(AAPL)
    assert reference is not None, "the paper market publishes AAPL at start"
    price = reference.quantize(D("0.01"))
    venue = ScriptableVenue(container.engine.clock, venue_id="paper", reference={"AAPL": price})
    container.venues[VenueId("paper")] = venue  # the engine loop sends through this very mapping
    run = KitRun(container.loop, venue, container.engine.clock, container.db_engine, SqlJournal(container.db_engine))
    return venue, run, price


async def views(server: Served, order_ids: list[str]) -> dict[str, Any]:
    """Return what the API shows of the orders, the positions and the account."""
    async with server.client() as http:
        orders = [(await http.get(f"/api/v1/orders/{i}")).json() for i in order_ids]
        positions = (await http.get("/api/v1/positions/")).json()
        account = (await http.get("/api/v1/accounts/PAPER")).json()
    return {"orders": orders, "positions": [(p["account"], p["symbol"], p["qty"]) for p in positions],
            "cash": {c: (b["cash"], b["reserved"]) for c, b in account["balances"].items()}}


async def test_orders_over_the_api_when_the_venue_reorders_duplicates_and_drops_then_books_match_and_survive_restart(
    tmp_path: Path,
) -> None:
    async with served(tmp_path) as server:
        venue, run, price = kit_in(server)
        await venue.start(run.loop.report)
        limit = str(price)
        async with server.client() as http:
            made = [await http.post("/api/v1/orders/", json={
                "account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": qty,
                "limit_price": price, "time_in_force": "gtc"}) for qty, price in (("10", limit), ("6", limit),
                                                                                  ("5", str(price - 1)))]
            assert [r.status_code for r in made] == [201, 201, 201], [r.text for r in made]
            a, b, c = (OrderId(r.json()["id"]) for r in made)
            book = venue.book
            venue.act([*book.fill(a, D(4)), *book.fill(a, D(6), improve_ticks=1), *book.ack(b), *book.fill(b, D(6))])
            venue.deliver(0, keep=True)  # a's ack, twice
            venue.deliver(0)
            venue.deliver(1)  # a's second fill before its first
            venue.deliver(1)  # b's ack
            venue.drop(1)  # b's fill: lost
            venue.deliver(0)  # a's first fill
            assert (await http.delete(f"/api/v1/orders/{c}")).status_code == 200
            venue.act(book.answer_cancel(c))
            venue.flush()
        await run.barrier()
        assert await finish(run) == []
        statuses = [run.ledger.orders[i].status for i in (a, b, c)]
        assert statuses == [OrderStatus.FILLED, OrderStatus.FILLED, OrderStatus.CANCELED]
        before = await views(server, [a, b, c])
        assert ("PAPER", "AAPL", "16") in before["positions"] and before["orders"][1]["filled_qty"] == "6"
    checked = db_check(tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    async with served(tmp_path) as restarted:
        assert await views(restarted, [a, b, c]) == before
