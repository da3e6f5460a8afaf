"""The fused passing path decides as the rules do: whenever it says an order passes, every rule lets it
pass, over random limits (each off or near the account's figures), positions, working orders and orders;
also when the figures it keeps between checks were worked out from earlier states."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderType, Side, TradingState
from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext
from ordergate.domain.risk.envelope import envelope_passes
from ordergate.domain.risk.fast_pass import passes
from ordergate.domain.risk.pricing import MarketPricing
from tests.unit.risk.conftest import ACC, Desk

D = Decimal


# every limit on and loose enough that most orders pass, so the fused path answers often
LOOSE: dict[str, object] = {
    "max_order_qty": "1000", "max_order_notional": "1000000", "price_collar_pct": "20", "price_collar_ticks": 5000,
    "max_position_qty": "1000", "max_position_notional": "1000000", "max_concentration_pct": "100",
    "max_gross_exposure": "10000000", "max_net_exposure": "10000000", "enforce_buying_power": True,
    "allow_short": True, "max_daily_orders": 100, "max_daily_trades": 100, "max_daily_volume": "10000",
    "max_daily_notional": "10000000", "max_daily_loss": "100000", "daily_loss_unrealized": True,
    "restricted_symbols": ["INFY"], "duplicate_window_seconds": "1", "max_orders_per_second": 100,
    "max_open_orders": 100, "max_open_orders_per_symbol": 100, "self_match": "deny",
    "stale_data_protection": True, "max_slippage_pct": "50", "max_adv_pct": "50", "lockout_denials": 100,
    "lockout_window_seconds": "60",
}
money = st.integers(0, 400_000).map(str)
# near the account's figures: these decide, one way or the other
TIGHT: dict[str, st.SearchStrategy[object]] = {
    "max_order_qty": st.integers(0, 60).map(str), "max_order_notional": money,
    "price_collar_pct": st.sampled_from(["0.5", "1", "5"]), "price_collar_ticks": st.integers(0, 800),
    "max_position_qty": st.integers(0, 120).map(str), "max_position_notional": money,
    "max_concentration_pct": st.sampled_from(["1", "5", "20"]), "max_gross_exposure": money,
    "max_net_exposure": money, "allow_short": st.just(False), "max_daily_orders": st.integers(0, 8),
    "max_daily_trades": st.integers(0, 8), "max_daily_volume": st.integers(0, 200).map(str),
    "max_daily_notional": money, "max_daily_loss": st.sampled_from(["0", "1", "50"]),
    "daily_loss_unrealized": st.just(False), "restricted_symbols": st.sampled_from([["MSFT"], ["AAPL"]]),
    "duplicate_window_seconds": st.sampled_from(["1", "5"]), "max_orders_per_second": st.integers(1, 3),
    "max_open_orders": st.integers(0, 6), "max_open_orders_per_symbol": st.integers(0, 4),
    "self_match": st.just("cancel_resting"), "max_slippage_pct": st.sampled_from(["0.1", "1"]),
    "max_adv_pct": st.sampled_from(["0.001", "0.1"]), "lockout_denials": st.integers(1, 3),
}
NAMES = sorted(LOOSE)


@st.composite
def limit_sets(draw: st.DrawFn) -> dict[str, object]:
    """Some limits off, the rest loose, a few of those near the account's figures."""
    on = draw(st.sets(st.sampled_from(NAMES), min_size=len(NAMES) // 2))
    limits = {name: LOOSE[name] for name in on}
    for name in draw(st.lists(st.sampled_from(sorted(TIGHT)), max_size=2)):
        limits[name] = draw(TIGHT[name])
    return limits


side = st.sampled_from(["buy", "sell"])
# (side, qty, price offset from 230, filled?) of the orders made before the one checked
history = st.lists(st.tuples(side, st.integers(1, 40), st.integers(-6, 6), st.booleans()), max_size=6)
order = st.tuples(st.sampled_from(["AAPL", "MSFT"]), side, st.sampled_from(["limit", "market"]),
                  st.integers(1, 60), st.integers(-30, 30))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(limits=limit_sets(), state=st.sampled_from(["active", "active", "reducing", "halted"]),
       stale=st.sampled_from([False, False, False, True]), margin=st.booleans(), before=history, terms=order,
       cash=st.sampled_from(["500", "20000", "1000000"]),
       mark=st.sampled_from([None, "229.00", "231.00"]), wait=st.sampled_from([0, 2, 10]),
       commission=st.sampled_from([("0.01", "1"), ("0", "0"), ("0", "1")]))
def test_fast_pass_when_it_passes_an_order_then_every_rule_passes_it(
    limits: dict[str, object], state: str, stale: bool, margin: bool, before: list[tuple[str, int, int, bool]],
    terms: tuple[str, str, str, int, int],
    cash: str, mark: str | None, wait: int, commission: tuple[str, str],
) -> None:
    pricing = MarketPricing(commission_per_share=D(commission[0]), commission_minimum=D(commission[1]))
    desk = Desk(cash=cash, margin=margin, pricing=pricing)
    desk.gate.engine.volume_of = lambda symbol, now: D(10_000)
    symbol, buy_sell, kind, qty, offset = terms
    cmd = desk.order_cmd(symbol=symbol, side=buy_sell, type=kind, qty=str(qty), price=str(D(230) + offset))
    engine = desk.gate.engine

    def context() -> RiskContext:
        reference = desk.prices.reference_price(cmd.symbol)
        return engine.context(cmd, desk.engine.instruments[cmd.symbol], reference, stale, desk.clock.now())

    desk.limits(**limits)
    passes(cmd, context())  # the figures the fast path keeps, worked out from the state before each step
    desk.limits(**dict.fromkeys(limits))  # every limit off, so all of the history happens
    for buy_sell, qty, offset, filled in before:
        placed = desk.submit(side=buy_sell, qty=str(qty), price=str(D(230) + offset))
        if filled:
            desk.fill(placed)
        passes(cmd, context())
    desk.limits(**limits)
    passes(cmd, context())
    desk.handle(cmds.SetTradingState(account=ACC, state=TradingState(state), reason="test"))
    desk.clock.advance(wait)
    if mark is not None:
        desk.prices.set("AAPL", D(mark))
    # twice: an envelope is worked out once the state held for two orders (envelope.py); each answer of
    # the envelope alone is checked too
    for _ in range(2):
        ctx = context()
        covered = (cmd.type is OrderType.LIMIT and ctx.state is TradingState.ACTIVE and not ctx.stale
                   and not ctx.account.margin)  # what ``passes`` sees to before it asks the envelope
        answers = [passes(cmd, ctx), covered and envelope_passes(cmd, ctx, cmd.side is Side.BUY)]
        if any(answers):
            denials: list[Denial] = [d for d in (rule.check(cmd, ctx) for rule in engine.rules) if d is not None]
            assert denials == [], (limits, before, terms, answers)


def test_fast_pass_when_every_limit_is_on_and_loose_then_it_answers_for_the_rules() -> None:
    desk = Desk()
    desk.limits(max_order_qty="1000", max_position_qty="1000", max_gross_exposure="10000000",
                max_net_exposure="10000000", enforce_buying_power=True, max_daily_volume="10000",
                price_collar_pct="10", self_match="deny", max_daily_loss="1000", max_concentration_pct="100")
    cmd = desk.order_cmd(qty="5", price="231.00")
    ctx = desk.gate.engine.context(cmd, desk.engine.instruments[cmd.symbol], D("230.00"), False, desk.clock.now())
    assert passes(cmd, ctx)
