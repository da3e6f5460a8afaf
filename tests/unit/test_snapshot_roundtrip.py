"""A snapshot's encoding keeps every Decimal exact (digits and exponent), every time with its offset, and gives
back a ledger equal to the one it was taken from."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ordergate.adapters.store.snapshot_codec import decode, encode, orders_of, take
from ordergate.domain.account import Account, Balance, Reservation
from ordergate.domain.enums import OrderStatus, Side
from ordergate.domain.events import Denial
from ordergate.domain.ids import AccountId, FillId, OrderId, Symbol, VenueId
from ordergate.domain.ledger import Ledger
from ordergate.domain.ledger_state import restore_ledger
from ordergate.domain.order import ReplaceTerms
from ordergate.domain.position import Position
from ordergate.domain.risk.limits import LimitBook
from ordergate.domain.risk.usage import RiskUsage
from tests.unit.builders import new_order

decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None, min_value=Decimal("-1e15"),
                       max_value=Decimal("1e15")) | st.decimals(allow_nan=False, allow_infinity=False)
offsets = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-4))])
times = st.builds(lambda s, tz: datetime(2026, 3, 2, tzinfo=UTC).astimezone(tz) + timedelta(microseconds=s),
                  st.integers(0, 10**12), offsets)


def exact(value: object) -> object:
    """Return a value with every Decimal as its (sign, digits, exponent) and every time with its offset."""
    if isinstance(value, Decimal):
        return ("decimal", value.as_tuple())
    if isinstance(value, datetime):
        return ("time", value.isoformat())
    if isinstance(value, list | tuple):
        return [exact(v) for v in value]
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {k: exact(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def sorted_fills(state: object) -> object:
    """Return a ledger state's orders with their fill ids sorted (a set of them has no order of its own)."""
    assert isinstance(state, dict)
    return {**state, "orders": [[*o[:26], sorted(o[26]), *o[27:]] for o in state["orders"]]}


@settings(max_examples=40, deadline=None)
@given(qty=decimals, price=decimals, cash=decimals, basis=decimals, at=times, expire=times,
       fills=st.lists(st.text(min_size=1, max_size=8), max_size=20, unique=True), replacing=st.booleans())
def test_snapshot_when_encoded_and_decoded_then_every_decimal_and_time_is_exact(
        qty: Decimal, price: Decimal, cash: Decimal, basis: Decimal, at: datetime, expire: datetime,
        fills: list[str], replacing: bool) -> None:
    ledger = Ledger()
    order = new_order()
    order.qty, order.limit_price, order.filled_notional, order.commission = qty, price, basis, cash
    order.created_at, order.expire_at, order.status = at, expire, OrderStatus.PARTIALLY_FILLED
    order.fill_ids = tuple(FillId(f) for f in fills) if len(fills) <= 16 else {FillId(f) for f in fills}
    order.denials = [Denial(rule="max_order_qty", message="too big", limit=str(qty), actual=None)]
    order.pending_replace = ReplaceTerms(qty, price, None, order.tif, expire) if replacing else None
    ledger.restore_order(order, 1)
    account = Account(id=AccountId("ACC"), balances={"USD": Balance(cash, cash, basis, price)},
                      reservations={OrderId(order.id): Reservation("USD", qty, price)})
    ledger.accounts[account.id] = account
    ledger.positions[(account.id, Symbol("AAPL"))] = Position(
        account=account.id, symbol=Symbol("AAPL"), currency="USD", qty=qty, cost_basis=basis, realized_pnl=cash)
    ledger.fill_owners[(VenueId("paper"), FillId("f1"))] = order.id
    ledger.last_seq = 7
    copy = take(ledger)
    back = decode(encode(copy), {})
    back.ledger.orders = list(orders_of(back))  # decoded a chunk at a time
    assert sorted_fills(exact(back.ledger)) == sorted_fills(exact(copy.ledger))
    restored = Ledger()
    restore_ledger(restored, back.ledger)
    again = restored.orders[order.id]
    assert exact(again) == exact(order) and type(again.fill_ids) is type(order.fill_ids)
    assert restored.open_orders == {order.id: again}
    assert sorted_fills(exact(take(restored).ledger)) == sorted_fills(exact(copy.ledger))


@settings(max_examples=30, deadline=None)
@given(volume=decimals, mark=decimals, realized=decimals, day_end=st.floats(0, 2e9) | st.just(float("-inf")))
def test_risk_usage_when_snapshotted_then_its_counters_come_back_exact(
        volume: Decimal, mark: Decimal, realized: Decimal, day_end: float) -> None:
    ledger = Ledger()
    usage = RiskUsage(ledger, LimitBook())
    account = usage.account(AccountId("ACC"))
    account.volume_today, account.day_end = volume, day_end
    sym = account.symbol(Symbol("AAPL"), "USD")
    sym.mark = mark
    account.totals["USD"].realized_today = realized
    account.denials["max_order_qty"] += 3
    copy = take(ledger)
    restored_ledger = Ledger()
    restored = RiskUsage(restored_ledger, LimitBook())
    back = decode(encode(copy), restored_ledger.state_parts)
    restored.restore_state(back.parts["risk_usage"])
    assert exact(take(restored_ledger).parts) == exact(copy.parts)


def test_risk_usage_when_restored_then_recent_orders_are_found_by_size_too() -> None:
    ledger = Ledger()
    usage = RiskUsage(ledger, LimitBook())
    account = usage.account(AccountId("ACC"))
    sym = account.symbol(Symbol("AAPL"), "USD")
    for ts, price in ((100.0, Decimal("230")), (101.5, Decimal("231"))):
        account.recent[(Symbol("AAPL"), Side.BUY, Decimal(10), price, None)] = ts
        account.recent_sizes[(Symbol("AAPL"), Side.BUY, Decimal(10))] = ts
        sym.last_submitted = ts
    restored_ledger = Ledger()
    restored = RiskUsage(restored_ledger, LimitBook())
    restored.restore_state(decode(encode(take(ledger)), restored_ledger.state_parts).parts["risk_usage"])
    back = restored.accounts[AccountId("ACC")]
    assert back.recent_sizes == {(Symbol("AAPL"), Side.BUY, Decimal(10)): 101.5}  # the duplicate rule's first look
    assert back.symbols[Symbol("AAPL")].last_submitted == 101.5
