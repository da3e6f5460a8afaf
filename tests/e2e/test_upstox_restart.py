"""A crash while an order works at Upstox: `ordergate serve` is SIGKILLed, Upstox fills part of the order
meanwhile, and the restarted server learns the fill from Upstox (status and trades), then follows the order."""

import signal
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server
from tests.fakes.upstox.process import TOKEN, FakeProcess, serve_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeProcess]:
    """The fake Upstox in its own process."""
    process = FakeProcess(tmp_path / "fake.log", TOKEN)
    yield process
    process.stop()


def test_fill_made_while_the_server_was_dead_is_learnt_at_restart(fake: FakeProcess, tmp_path: Path) -> None:
    server = Server(tmp_path / "data", env_extra=serve_env(fake))
    server.data_dir.mkdir()
    server.start()
    try:
        with server.client() as c:
            order = wait_for_status(c, submit(c, symbol="RELIANCE", qty="5", type="limit", limit_price="1200.00",
                                              time_in_force="day").json()["id"], {"new"})
        server.stop(signal.SIGKILL)
        [at_fake] = fake.orders(order["id"])
        fake.post("fill", {"order_id": at_fake["order_id"], "quantity": 2, "price": 1199.5})
        server.start()
        with server.client() as c:
            partial = wait_for_status(c, order["id"], {"partially_filled"}, timeout=20)
            assert Decimal(partial["filled_qty"]) == 2
            fake.post("fill", {"order_id": at_fake["order_id"], "quantity": 3})  # now over the stream
            done = wait_for_status(c, order["id"], {"filled"})
            fills = c.get(f"/api/v1/orders/{order['id']}/fills").json()
            position = next(p for p in c.get("/api/v1/orders/positions/current").json()
                            if p["symbol"] == "RELIANCE")
    finally:
        server.stop()
    assert Decimal(done["filled_qty"]) == 5 and Decimal(position["qty"]) == 5
    assert sorted((Decimal(f["qty"]), Decimal(f["price"])) for f in fills) == [
        (Decimal(2), Decimal("1199.5")), (Decimal(3), Decimal("1200"))]
    assert len(fake.orders(order["id"])) == 1
