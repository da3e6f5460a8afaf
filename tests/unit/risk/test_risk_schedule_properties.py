"""Property: over random schedules of orders, modifies, fills and price moves, no order or modify ever takes
a control's usage above its limit, unless the usage was already above it and the step did not raise it.

Usage is recounted from the ledger at the current prices after every step (independently of the risk
usage fold): reach on each side per symbol, gross and net exposure (each side's worst case), working
orders, daily volume, and a cash account's buying power net of its shorts' buy-back cost and margin.
"""

from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, Side
from ordergate.domain.errors import DomainError
from ordergate.domain.ids import Symbol, VenueOrderId
from ordergate.domain.reports import ReplaceReport
from tests.unit.risk.conftest import ACC, VENUE, Desk

LIMITS = {
    "max_position_qty": "40", "max_position_notional": "12000", "max_gross_exposure": "20000",
    "max_net_exposure": "15000", "max_open_orders": 6, "max_daily_volume": "400",
    "enforce_buying_power": True, "allow_short": True, "initial_margin_rate": "0.5",
}
START = {"AAPL": Decimal("230.00"), "MSFT": Decimal("420.00")}
RATE = Decimal("0.5")

submit = st.tuples(st.just("submit"), st.sampled_from(sorted(START)), st.sampled_from(["buy", "sell"]),
                   st.integers(1, 60), st.integers(-5, 5))
modify = st.tuples(st.just("modify"), st.integers(0, 10), st.integers(1, 60))
fill = st.tuples(st.just("fill"), st.integers(0, 10), st.integers(1, 100))
cancel = st.tuples(st.just("cancel"), st.integers(0, 10))
move = st.tuples(st.just("price"), st.sampled_from(sorted(START)), st.integers(-40, 40))
lower = st.one_of(st.tuples(st.just("limit"), st.just("max_position_qty"), st.integers(0, 40)),
                  st.tuples(st.just("limit"), st.sampled_from(["max_position_notional", "max_gross_exposure",
                                                               "max_net_exposure"]), st.integers(0, 20_000)))
steps = st.lists(st.one_of(submit, modify, fill, cancel, move, lower), min_size=1, max_size=50)


def usage(desk: Desk) -> dict[str, Decimal]:
    """Recount every control's usage from the ledger at the current prices."""
    ledger, prices = desk.ledger, desk.prices.prices
    working = [o for o in ledger.open_orders.values() if o.account == ACC]
    figures = {"max_open_orders": Decimal(len(working))}
    gross = net_long = net_short = short_value = Decimal(0)
    volume = sum((f.qty for f in _fills(desk)), Decimal(0))
    for symbol, price in prices.items():
        position = ledger.position(ACC, Symbol(symbol))
        qty = position.qty if position is not None else Decimal(0)
        buys = sum((_leaves(o) for o in working if o.symbol == symbol and o.side is Side.BUY), Decimal(0))
        sells = sum((_leaves(o) for o in working if o.symbol == symbol and o.side is Side.SELL), Decimal(0))
        volume += buys + sells
        long_reach, short_reach = max(qty + buys, Decimal(0)), max(sells - qty, Decimal(0))
        for side, reach in (("long", long_reach), ("short", short_reach)):  # beyond flat is new exposure
            figures[f"max_position_qty:{symbol}:{side}"] = reach
            figures[f"max_position_notional:{symbol}:{side}"] = reach * price
        gross += max(long_reach, short_reach) * price
        net_long += (qty + buys) * price
        net_short += (qty - sells) * price
        if qty < 0:
            short_value += qty * price
    balance = ledger.accounts[ACC].balance("USD")
    figures["max_gross_exposure"] = gross
    figures["max_net_exposure:long"], figures["max_net_exposure:short"] = abs(net_long), abs(net_short)
    figures["max_daily_volume"] = volume
    # buying power used: what is spent beyond the cash (negative while there is room)
    figures["enforce_buying_power"] = -(balance.cash - balance.reserved + short_value + short_value * RATE)
    return figures


def limit_of(desk: Desk, name: str) -> Decimal:
    value = getattr(desk.gate.limits.effective(ACC), name.split(":")[0])
    return Decimal(0) if isinstance(value, bool) else Decimal(str(value))


def _fills(desk: Desk) -> list[object]:
    from ordergate.domain.events import OrderFilled
    return [e for e in desk.events if isinstance(e, OrderFilled)]


def _leaves(order: object) -> Decimal:
    qty = order.qty  # type: ignore[attr-defined]
    if order.pending_replace is not None:  # type: ignore[attr-defined]
        qty = max(qty, order.pending_replace.qty)  # type: ignore[attr-defined]
    return qty - order.filled_qty  # type: ignore[attr-defined,no-any-return]


def play(desk: Desk, step: tuple[object, ...]) -> bool:
    """Play one step; return whether it was the trader's (an order or a modify), which the limits bind."""
    kind = step[0]
    working = [o for o in desk.ledger.open_orders.values() if o.status is OrderStatus.NEW]
    if kind == "submit":
        _, symbol, side, qty, offset = step
        price = desk.prices.prices[str(symbol)] + Decimal(int(offset))  # type: ignore[call-overload]
        desk.submit(symbol=symbol, side=side, qty=str(qty), price=str(price))
        return True
    if kind == "limit":  # a risk officer lowers (or raises) a limit
        desk.limits(**{str(step[1]): str(step[2])})
        return False
    if kind == "price":
        symbol = str(step[1])
        desk.prices.set(symbol, max(Decimal(1), START[symbol] + Decimal(int(step[2]))))  # type: ignore[call-overload]
        return False
    if not working:
        return False
    order = working[int(step[1]) % len(working)]  # type: ignore[call-overload]
    if kind == "fill":
        qty = max(Decimal(1), (order.leaves_qty * int(step[2]) / 100).to_integral_value())  # type: ignore[call-overload]
        desk.fill(order, qty=str(min(qty, order.leaves_qty)))
    elif kind == "cancel":
        desk.cancel(order)
    elif kind == "modify":
        qty = Decimal(int(step[2]))  # type: ignore[call-overload]
        if qty <= order.filled_qty:
            return False
        try:
            desk.handle(cmds.ReplaceOrder(order_id=order.id, qty=qty))
        except DomainError:
            return True  # refused: nothing changed
        desk.handle(ReplaceReport(order_id=order.id, venue=VENUE, ts=desk.clock.now(), qty=qty,
                                  venue_order_id=VenueOrderId(order.id), limit_price=order.limit_price,
                                  stop_price=None, tif=order.tif, expire_at=None))
        return True
    return False


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
# a flip through flat over a lowered limit; a buy with a far sell resting at a net limit; shorts' proceeds
@example([("submit", "AAPL", "buy", 30, 0), ("fill", 0, 100), ("limit", "max_position_qty", 10),
          ("submit", "AAPL", "sell", 50, 0)])
@example([("submit", "MSFT", "buy", 20, 0), ("fill", 0, 100), ("submit", "MSFT", "sell", 20, 5),
          ("limit", "max_net_exposure", 9000), ("submit", "MSFT", "buy", 5, 0)])
@example([("submit", "MSFT", "sell", 20, 0), ("fill", 0, 100), ("submit", "MSFT", "sell", 20, 0),
          ("fill", 0, 100), ("submit", "MSFT", "sell", 20, 0), ("fill", 0, 100), ("submit", "AAPL", "buy", 40, 0)])
def test_random_schedules_never_take_a_control_above_its_limit_unless_already_above_and_not_raised(
    script: list[tuple[object, ...]],
) -> None:
    desk = Desk(cash="20000")
    desk.limits(**LIMITS)
    for step in script:
        before = usage(desk)
        traders = play(desk, step)
        after = usage(desk)
        if not traders:
            continue
        for name, used in after.items():
            limit = limit_of(desk, name)
            assert used <= limit or used <= before.get(name, Decimal(0)), (step, name, used, limit, before.get(name))
