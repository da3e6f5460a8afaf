"""Sweeps: a marketable order larger than the best venue shows is split over the best levels of every venue."""

from decimal import Decimal

from ordergate.domain.commands import CancelOrder
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.ids import VenueId
from ordergate.domain.routing import Fees, RouteRequest, VenueView
from ordergate.domain.sweep import needs_sweep, sweep
from tests.unit.builders import ACCOUNT, buy
from tests.unit.router_rig import AAPL, DEEP, THIN, Rig

D = Decimal
A, B = VenueId("a"), VenueId("b")
BOOK_A = [(D("100.00"), D("10")), (D("100.02"), D("100"))]
BOOK_B = [(D("100.01"), D("10")), (D("100.03"), D("100"))]


def _views(fee_a: str = "0", fee_b: str = "0") -> list[VenueView]:
    return [VenueView(A, BOOK_A, Fees(per_share=D(fee_a))), VenueView(B, BOOK_B, Fees(per_share=D(fee_b)))]


def _split(qty: str, views: list[VenueView], side: Side = Side.BUY, limit: str | None = None) -> object:
    kind = OrderType.LIMIT if limit else OrderType.MARKET
    slices, rest = sweep(RouteRequest(side, D(qty), kind, D(limit) if limit else None), views)
    return [(s.venue, s.qty, s.price) for s in slices], rest


def test_sweep_when_no_fees_then_takes_the_best_prices_across_venues_each_capped_at_its_worst_level() -> None:
    assert _split("25", _views()) == ([(A, D("15"), D("100.02")), (B, D("10"), D("100.01"))], 0)


def test_sweep_when_a_venue_charges_more_per_share_then_its_levels_count_that_much_dearer() -> None:
    assert _split("15", _views(fee_a="0.02")) == ([(B, D("10"), D("100.01")), (A, D("5"), D("100.00"))], 0)


def test_sweep_when_limited_then_never_beyond_the_limit_and_says_what_is_left() -> None:
    assert _split("25", _views(), limit="100.01") == ([(A, D("10"), D("100.00")), (B, D("10"), D("100.01"))], D("5"))


def test_sweep_of_a_sell_then_takes_the_highest_bids_first() -> None:
    bids = [VenueView(A, [(D("99.98"), D("10"))], Fees()), VenueView(B, [(D("99.99"), D("10"))], Fees())]
    assert _split("15", bids, side=Side.SELL) == ([(B, D("10"), D("99.99")), (A, D("5"), D("99.98"))], 0)


def test_needs_sweep_only_for_a_marketable_order_larger_than_the_best_level() -> None:
    both = _views()  # A shows the best price, 100.00, for 10
    assert needs_sweep(RouteRequest(Side.BUY, D("11"), OrderType.MARKET), both)
    assert not needs_sweep(RouteRequest(Side.BUY, D("10"), OrderType.MARKET), both)
    assert not needs_sweep(RouteRequest(Side.BUY, D("50"), OrderType.LIMIT, D("99.99")), both)  # rests
    assert not needs_sweep(RouteRequest(Side.BUY, D("50"), OrderType.STOP), both)


def test_market_order_larger_than_the_thin_venue_then_children_at_both_and_fills_average_across_them() -> None:
    rig = Rig()
    parent = rig.engine.handle(buy("500", limit=None)).reply.order
    children = [rig.ledger.orders[c] for c in parent.children]
    assert [(c.venue, c.qty, c.type, c.limit_price, c.tif) for c in children] == [
        (THIN, D("10"), OrderType.LIMIT, D("230.00"), TimeInForce.IOC),
        (DEEP, D("490"), OrderType.LIMIT, D("230.02"), TimeInForce.IOC)]
    for child, price in zip(children, ("230.00", "230.02"), strict=True):
        rig.engine.handle(rig.report(child.id, OrderStatus.NEW))
        rig.engine.handle(rig.fill_report(child.id, f"f-{child.id}", str(child.qty), price))
    assert (parent.status, parent.filled_qty) == (OrderStatus.FILLED, D("500"))
    assert parent.avg_fill_price == (D("10") * D("230.00") + D("490") * D("230.02")) / D("500")
    assert rig.ledger.position(ACCOUNT, AAPL).qty == D("500")  # type: ignore[union-attr]


def test_sweep_slice_canceled_short_by_its_venue_then_the_rest_goes_on_as_a_market_child_once() -> None:
    rig = Rig()
    parent = rig.engine.handle(buy("500", limit=None)).reply.order
    thin, deep = parent.children
    rig.engine.handle(rig.fill_report(thin, "f1", "10", "230.00"))
    rig.engine.handle(rig.fill_report(deep, "f2", "400", "230.02"))
    rig.engine.handle(rig.report(deep, OrderStatus.CANCELED))  # the book moved: ioc rest canceled
    rig.engine.handle(rig.report(deep, OrderStatus.CANCELED))  # a repeat changes nothing
    assert len(parent.children) == 3 and parent.status is OrderStatus.PARTIALLY_FILLED
    rest = rig.ledger.orders[parent.children[2]]
    assert (rest.venue, rest.qty, rest.type) == (DEEP, D("90"), OrderType.MARKET)
    rig.engine.handle(rig.fill_report(rest.id, "f3", "90", "230.03"))
    assert (parent.status, parent.filled_qty) == (OrderStatus.FILLED, D("500"))
    assert rig.ledger.position(ACCOUNT, AAPL).qty == D("500")  # type: ignore[union-attr]


def test_sweep_canceled_by_the_trader_then_no_rest_is_sent_and_the_parent_ends_canceled() -> None:
    rig = Rig()
    parent = rig.engine.handle(buy("500", limit=None)).reply.order
    thin, deep = parent.children
    rig.engine.handle(rig.fill_report(thin, "f1", "10", "230.00"))
    rig.engine.handle(CancelOrder(order_id=parent.id, reason="enough", requested_by="t"))
    rig.engine.handle(rig.report(deep, OrderStatus.CANCELED))
    assert (parent.status, parent.filled_qty, len(parent.children)) == (OrderStatus.CANCELED, D("10"), 2)
    assert parent.id not in rig.ledger.accounts[ACCOUNT].reservations


def test_limit_order_not_marketable_then_one_child_rests_at_one_venue() -> None:
    rig = Rig()
    parent = rig.engine.handle(buy("500", limit="229.00")).reply.order
    assert len(parent.children) == 1


def test_sweep_when_a_venue_charges_a_minimum_commission_then_its_levels_carry_it_spread_over_their_shares() -> None:
    views = [VenueView(A, BOOK_A, Fees(minimum=D("5"))), VenueView(B, BOOK_B, Fees())]
    # without the minimum: A 10 at 100.00 and B 5 at 100.01; with it A's shares cost 100.50, then 101.00 for 5
    assert _split("15", _views()) == ([(A, D("10"), D("100.00")), (B, D("5"), D("100.01"))], 0)
    assert _split("15", views) == ([(B, D("15"), D("100.03"))], 0)


def test_sweep_when_little_is_left_then_a_minimum_commission_weighs_on_fewer_shares_and_the_level_loses_its_turn(
        ) -> None:
    a = VenueView(A, [(D("100.00"), D("10"))], Fees(minimum=D("0.2")))  # 100.02 a share over 10, 100.20 for 1
    b = VenueView(B, [(D("100.01"), D("8")), (D("100.03"), D("100"))], Fees())
    assert _split("9", [a, b]) == ([(B, D("9"), D("100.03"))], 0)
    assert _split("18", [a, b]) == ([(B, D("8"), D("100.01")), (A, D("10"), D("100.00"))], 0)


def test_sweep_when_a_venues_fees_exceed_its_minimum_then_the_minimum_changes_nothing() -> None:
    views = [VenueView(A, BOOK_A, Fees(per_share=D("0.02"), minimum=D("0.01"))), VenueView(B, BOOK_B, Fees())]
    assert _split("15", views) == _split("15", _views(fee_a="0.02"))


def test_needs_sweep_when_the_best_price_carries_a_minimum_commission_then_judged_on_the_all_in_best() -> None:
    a = VenueView(A, [(D("100.00"), D("10"))], Fees(minimum=D("5")))  # 100.50 a share: B's 100.01 is best
    b = VenueView(B, [(D("100.01"), D("20"))], Fees())
    assert not needs_sweep(RouteRequest(Side.BUY, D("15"), OrderType.MARKET), [a, b])
    assert needs_sweep(RouteRequest(Side.BUY, D("15"), OrderType.MARKET), [VenueView(A, a.levels, Fees()), b])
