"""Request budgets: Upstox sends no rate headers, so the venue paces order calls under the limit itself;
over the limit, its 429s are retried and still make one order each."""

from pathlib import Path

import pytest

from ordergate.domain.enums import OrderStatus
from tests.fakes.upstox import FakeUpstox, FakeUpstoxServer
from tests.fakes.upstox.fixtures import TOKEN
from tests.fakes.upstox.harness import started, upstox_orders, venue_order


@pytest.mark.parametrize(("budget", "refused"), [(2.5, False), (100, True)])  # a margin under 5: arrival jitter
async def test_orders_paced_under_upstox_limit_or_retried_through_its_429s(
    tmp_path: Path, budget: float, refused: bool,
) -> None:
    server = FakeUpstoxServer(FakeUpstox(orders_per_second=5))
    server.fake.issue_token(TOKEN)
    with server:
        h = await started(server, tmp_path, orders_per_second=budget, max_attempts=10, backoff_max=0.5)
        try:
            orders = [venue_order(qty="1") for _ in range(12)]
            for order in orders:
                h.venue.submit(order)
            await h.until(lambda: all(OrderStatus.FILLED in h.statuses(o) for o in orders), timeout=30)
        finally:
            await h.venue.stop()
    assert all(len(list(upstox_orders(server, o.order_id))) == 1 for o in orders)
    assert (server.fake.limits.refused["orders"] > 0) is refused
