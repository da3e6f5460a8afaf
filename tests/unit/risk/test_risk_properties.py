"""Property: under any sequence of orders, fills, cancels and replaces, no accepted order ever takes an
account beyond a limit set before it, and the incremental usage always equals a direct recount."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, Side
from ordergate.domain.errors import DomainError
from ordergate.domain.ids import VenueOrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.reports import ReplaceReport
from ordergate.domain.risk.limits import LimitBook
from ordergate.domain.risk.order_share import potential
from ordergate.domain.risk.usage import RiskUsage
from tests.unit.risk.conftest import ACC, VENUE, Desk

LIMITS = {
    "max_order_qty": "20", "max_order_notional": "6000", "max_position_qty": "50", "max_open_orders": 5,
    "max_open_orders_per_symbol": 3, "max_daily_orders": 25, "max_daily_volume": "300",
    "enforce_buying_power": True, "allow_short": False, "max_gross_exposure": "30000",
}
PRICES = {"AAPL": Decimal("230.00"), "MSFT": Decimal("420.00")}

submit = st.tuples(st.just("submit"), st.sampled_from(["AAPL", "MSFT"]), st.sampled_from(["buy", "sell"]),
                   st.integers(1, 30), st.integers(-3, 3))
fill = st.tuples(st.just("fill"), st.integers(0, 10), st.integers(1, 100))
cancel = st.tuples(st.just("cancel"), st.integers(0, 10))
replace = st.tuples(st.just("replace"), st.integers(0, 10), st.integers(1, 30))
wait = st.tuples(st.just("wait"), st.integers(1, 50_000))
steps = st.lists(st.one_of(submit, fill, cancel, replace, wait), min_size=1, max_size=60)


def play(desk: Desk, step: tuple[object, ...]) -> None:
    kind = step[0]
    open_orders = [o for o in desk.ledger.open_orders.values() if o.status is not OrderStatus.PENDING_CANCEL]
    if kind == "submit":
        _, symbol, side, qty, offset = step
        price = PRICES[str(symbol)] + Decimal(int(offset))  # type: ignore[call-overload]
        desk.submit(symbol=symbol, side=side, qty=str(qty), price=str(price))
    elif kind == "wait":
        desk.clock.advance(int(step[1]))  # type: ignore[call-overload]
    elif open_orders:
        order = open_orders[int(step[1]) % len(open_orders)]  # type: ignore[call-overload]
        if kind == "fill" and order.status is not OrderStatus.PENDING_REPLACE:
            qty = max(Decimal(1), (order.leaves_qty * int(step[2]) / 100).to_integral_value())  # type: ignore[call-overload]
            desk.fill(order, qty=str(min(qty, order.leaves_qty)))
        elif kind == "cancel":
            desk.cancel(order)
        elif kind == "replace":
            qty = Decimal(int(step[2]))  # type: ignore[call-overload]
            try:
                desk.handle(cmds.ReplaceOrder(order_id=order.id, qty=qty))
            except DomainError:
                return  # refused by risk or by the order's state: nothing changed
            desk.handle(ReplaceReport(order_id=order.id, venue=VENUE, ts=desk.clock.now(), qty=qty,
                                      venue_order_id=VenueOrderId(order.id), limit_price=order.limit_price,
                                      stop_price=None, tif=order.tif, expire_at=None))


def check_invariants(desk: Desk) -> None:
    ledger = desk.ledger
    working = [o for o in ledger.open_orders.values() if o.account == ACC]
    assert len(working) <= LIMITS["max_open_orders"]
    gross = Decimal(0)
    for symbol, price in PRICES.items():
        mine = [o for o in working if o.symbol == symbol]
        assert len(mine) <= LIMITS["max_open_orders_per_symbol"]
        position = ledger.positions.get((ACC, symbol))
        qty = position.qty if position else Decimal(0)
        assert qty >= 0, "no short sales in a cash account without allow_short"
        buys = sum((_leaves(o) for o in mine if o.side is Side.BUY), Decimal(0))
        sells = sum((_leaves(o) for o in mine if o.side is Side.SELL), Decimal(0))
        assert potential(qty, buys, sells) <= Decimal(LIMITS["max_position_qty"])
        gross += potential(qty, buys, sells) * price
    assert gross <= Decimal(LIMITS["max_gross_exposure"])
    assert desk.ledger.accounts[ACC].balance("USD").cash >= 0
    accepted = [o for o in ledger.orders.values() if o.status is not OrderStatus.REJECTED]
    assert all(o.qty <= Decimal(LIMITS["max_order_qty"]) for o in accepted)


def _leaves(order: object) -> Decimal:
    """Return the leaves an order could still trade, counting a pending replace's larger size."""
    qty = order.qty  # type: ignore[attr-defined]
    if order.pending_replace is not None:  # type: ignore[attr-defined]
        qty = max(qty, order.pending_replace.qty)  # type: ignore[attr-defined]
    return qty - order.filled_qty  # type: ignore[attr-defined,no-any-return]


def check_usage_is_a_recount(desk: Desk) -> None:
    """The incremental usage equals a usage folded afresh from the same events (restart = replay)."""
    live = desk.gate.usage.account(ACC)
    replayed_ledger = Ledger()
    replayed = RiskUsage(replayed_ledger, LimitBook())  # limits come back from the journaled changes too
    for event in desk.events:
        replayed_ledger.apply(event)
    again = replayed.account(ACC)
    if live.day_end > again.day_end:  # a check (not journaled) started a new day: the first check after a restart would
        now = desk.clock.now()
        again.roll(now, now.timestamp(), replayed.day)
    assert (again.open_orders, again.orders_today, again.trades_today, again.volume_today) == (
        live.open_orders, live.orders_today, live.trades_today, live.volume_today)
    for symbol, sym in live.symbols.items():
        other = again.symbols.get(symbol)
        if other is None:  # the live side only looked at the symbol (a check), nothing happened in it
            assert (sym.position, sym.buy_working, sym.sell_working, sym.open_orders) == (0, 0, 0, 0)
            continue
        assert (other.position, other.buy_working, other.sell_working, other.open_orders) == (
            sym.position, sym.buy_working, sym.sell_working, sym.open_orders)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_random_orders_fills_cancels_never_leave_the_account_beyond_its_limits(
    script: list[tuple[object, ...]],
) -> None:
    desk = Desk(cash="15000")
    desk.limits(**LIMITS)
    for step in script:
        play(desk, step)
        check_invariants(desk)
    accepted_today = [o for o in desk.ledger.orders.values() if o.status is not OrderStatus.REJECTED]
    assert len(accepted_today) <= LIMITS["max_daily_orders"] or any(step[0] == "wait" for step in script)
    check_usage_is_a_recount(desk)
