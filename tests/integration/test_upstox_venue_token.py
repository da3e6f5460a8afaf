"""The Upstox token: dead at 03:30 IST (orders refused with the reason, working orders untouched), and a
new token in the token file resumes everything without a restart."""

from datetime import timedelta
from pathlib import Path

import pytest

from ordergate.adapters.venues.upstox.http import UpstoxApiError
from ordergate.adapters.venues.upstox.token import EXPIRED_REASON, next_expiry, write_token
from ordergate.domain.enums import OrderStatus
from ordergate.domain.reports import ConnectionReport, OrderStatusReport
from tests.fakes.upstox import FakeUpstoxServer
from tests.fakes.upstox.harness import MORNING, started, venue_order

S = OrderStatus



def test_a_token_dies_at_the_next_0330_ist() -> None:
    assert next_expiry(MORNING) == MORNING.replace(hour=22, minute=0)  # 22:00 UTC = 03:30 IST the next day
    just_after = MORNING.replace(hour=22, minute=0, second=1)  # 03:30:01 IST
    assert next_expiry(just_after) == next_expiry(MORNING) + timedelta(days=1)


async def test_after_0330_ist_orders_are_refused_working_orders_stay_and_a_new_token_resumes(
    upstox_server: FakeUpstoxServer, tmp_path: Path,
) -> None:
    # the clock goes to 03:30 IST, out of market hours, while the fake's market stays open: regular orders
    h = await started(upstox_server, tmp_path, amo="never")
    try:
        working = venue_order(qty="5", limit="1200.00")
        h.venue.submit(working)
        await h.until(lambda: S.NEW in h.statuses(working))
        h.clock.set(MORNING.replace(hour=22, minute=0, second=1))  # 03:30:01 IST
        upstox_server.fake.exchange.tokens.expire_all()
        assert not h.venue.is_ready()
        assert h.venue.unavailable_reason() == EXPIRED_REASON
        refused = venue_order(qty="1")
        requests_before = len(upstox_server.fake.requests)
        h.venue.submit(refused)
        await h.until(lambda: S.REJECTED in h.statuses(refused))
        assert h.of(refused, OrderStatusReport)[-1].reason == EXPIRED_REASON
        assert len(upstox_server.fake.requests) == requests_before  # nothing sent to Upstox
        assert upstox_server.fake.exchange.by_tag(working.order_id)[0].status == "open"  # untouched

        write_token(tmp_path / "upstox.token", upstox_server.fake.issue_token())
        await h.until(h.venue.is_ready, timeout=5)
        assert (tmp_path / "upstox.token").stat().st_mode & 0o777 == 0o600
        await h.until(lambda: h.kinds(ConnectionReport)[-1].reason == "new upstox token")  # reconcile now
        after = venue_order(qty="1")
        h.venue.submit(after)
        await h.until(lambda: S.FILLED in h.statuses(after))
    finally:
        await h.venue.stop()


async def test_a_401_on_a_read_marks_the_token_dead(upstox_server: FakeUpstoxServer, tmp_path: Path) -> None:
    h = await started(upstox_server, tmp_path)
    try:
        upstox_server.fake.exchange.tokens.expire_all()  # revoked before 03:30
        with pytest.raises(UpstoxApiError) as caught:
            await h.venue.open_orders()
        assert caught.value.code == "UDAPI100050"
        assert h.venue.unavailable_reason() == EXPIRED_REASON
    finally:
        await h.venue.stop()
