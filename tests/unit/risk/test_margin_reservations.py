"""Dynamic margin in what orders hold: a margin account's working orders hold the instrument's current initial
margin, a cash account's shorts their margin at that rate; the denial, the buying power the API and metrics
show and the hold all use the same rate. Property: over random schedules, buying power never goes below
zero by a trader's step (unless it was already below and the step did not lower it)."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordergate.domain.ids import Symbol
from ordergate.service.margin import MarginSettings
from tests.unit.risk.conftest import ACC, Desk, only
from tests.unit.risk.test_risk_schedule_properties import START, play

D = Decimal
TABLE = {"AAPL": D("0.3"), "MSFT": D("0.8")}  # no bars here: the table is each symbol's dynamic rate


def margined(cash: str = "100000", margin: bool = True) -> Desk:
    desk = Desk(cash=cash, margin=margin)
    desk.gate.margin.settings = MarginSettings(table=TABLE)
    desk.limits(enforce_buying_power=True, allow_short=True, initial_margin_rate="0.5", dynamic_margin=True)
    return desk


def held(desk: Desk, order_id: str) -> Decimal:
    return desk.ledger.accounts[ACC].reservations[order_id].amount  # type: ignore[index]


def test_margin_account_buy_when_dynamic_margin_then_it_holds_the_current_initial_margin_not_the_price() -> None:
    desk = margined()
    order = desk.submit(qty="100", price="230.00")  # 23,000 at AAPL's 0.3
    assert held(desk, order.id) == D("6900.000")
    assert desk.gate.buying_power(ACC)["USD"] == D("100000") - D("6900.000")


def test_margin_account_when_the_rate_changes_then_denial_hold_and_buying_power_use_the_new_one() -> None:
    desk = margined(cash="10000")
    assert desk.check(qty="100", price="230.00") == []  # 6,900 of margin on 10,000 of equity
    desk.gate.margin.settings = MarginSettings(table={"AAPL": D("0.5")})
    denial = only(desk.check(qty="100", price="230.00"))
    assert (denial.rule, denial.limit, denial.actual) == ("enforce_buying_power", "10000.00", "11500.00")
    order = desk.submit(qty="40", price="230.00")
    assert held(desk, order.id) == D("4600.00")
    metrics = desk.gate.metrics()["accounts"][ACC]["currencies"]["USD"]
    assert (metrics["initial_margin"], metrics["buying_power"]) == ("4600.00", "5400.00")


def test_cash_short_when_dynamic_margin_then_it_holds_margin_at_the_instruments_rate() -> None:
    desk = margined(cash="100000", margin=False)
    order = desk.submit(symbol="MSFT", side="sell", qty="10", price="420.00")  # MSFT at 0.8: 3,360
    assert held(desk, order.id) == D("3360.00")
    desk.fill(order)
    assert desk.gate.buying_power(ACC)["USD"] == D("100000") - D("3360.00")  # proceeds are no buying power


# -- property -------------------------------------------------------------------------------------------

submit = st.tuples(st.just("submit"), st.sampled_from(sorted(START)), st.sampled_from(["buy", "sell"]),
                   st.integers(1, 120), st.integers(-5, 5))
fill = st.tuples(st.just("fill"), st.integers(0, 10), st.integers(1, 100))
cancel = st.tuples(st.just("cancel"), st.integers(0, 10))
modify = st.tuples(st.just("modify"), st.integers(0, 10), st.integers(1, 120))
move = st.tuples(st.just("price"), st.sampled_from(sorted(START)), st.integers(-40, 40))
steps = st.lists(st.one_of(submit, fill, cancel, modify, move), min_size=1, max_size=40)


def recount(desk: Desk) -> Decimal:
    """Buying power recounted from the ledger: equity less each symbol's larger reach x price x its rate
    (margin account), or cash less holds and shorts' buy-back and margin (cash account)."""
    ledger, account = desk.ledger, desk.ledger.accounts[ACC]
    balance = account.balance("USD")
    power = balance.cash if account.margin else balance.cash - balance.reserved
    for symbol, price in desk.prices.prices.items():
        if symbol not in START:
            continue
        position = ledger.position(ACC, Symbol(symbol))
        qty = position.qty if position is not None else D(0)
        working = list(ledger.open_orders_of(ACC, Symbol(symbol)))
        buys = sum((o.leaves_qty for o in working if o.side == "buy"), D(0))
        sells = sum((o.leaves_qty for o in working if o.side == "sell"), D(0))
        if account.margin:
            power += qty * price - max(abs(qty + buys), abs(qty - sells)) * price * TABLE[symbol]
        elif qty < 0:
            power += qty * price * (1 + TABLE[symbol])
    return power


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.booleans())
def test_random_schedules_never_take_buying_power_below_zero_and_the_shown_figure_is_the_recount(
    script: list[tuple[object, ...]], margin: bool,
) -> None:
    desk = margined(cash="40000", margin=margin)
    for step in script:
        before = desk.gate.buying_power(ACC)["USD"]
        traders = play(desk, step)
        after = desk.gate.buying_power(ACC)["USD"]
        assert after == recount(desk), step
        if traders:
            assert after >= 0 or after >= before, (step, before, after)
