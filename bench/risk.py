"""Cost of the full pre-trade rule set per order, with every control on and a realistic account.

The account holds 100 positions and 1,000 working orders (10 per symbol); every limit is set (loose
enough that orders pass, so each rule does its whole work), with commission and the average daily
volume table in force. Each timed call is the risk gate's
``check_submit`` as the engine's submit path calls it: context, all rules, prices from memory.

In the same run, "before" times the same account with the controls added later switched off (stale-data
protection, unrealized daily loss, market collar, slippage, share of average daily volume, lockout):
the rule set as it first was. "after" is every control on; the target is on "after".

Run: .venv/bin/python bench/risk.py            (figures as one JSON object on the last line)
"""

import json
import statistics
import sys
import time
from decimal import Decimal
from itertools import count

import machine  # beside this file: the machine speed printed with the figures
from ordergate.adapters.clock import SystemClock
from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.ids import AccountId, FillId, OrderId, Symbol, VenueId
from ordergate.domain.instruments import Instrument
from ordergate.domain.ledger import Ledger
from ordergate.domain.reports import FillReport, OrderStatusReport
from ordergate.domain.risk.pricing import MarketPricing
from ordergate.service.adv import AverageDailyVolume
from ordergate.service.engine import OrderEngine
from ordergate.service.marketdata import MarketDataHub
from ordergate.service.risk_gate import RiskGate

ACC = AccountId("BENCH")
VENUE = VenueId("paper")
SYMBOLS = [Symbol(f"S{i:03d}") for i in range(100)]
LISTED = [Symbol("XXX"), Symbol("YYY")]  # known instruments the restricted and watch lists name, never traded
PRICE = Decimal("100.00")
TIMED = 20_000
NEW_CONTROLS = ("stale_data_protection", "daily_loss_unrealized", "market_collar_pct", "max_slippage_pct",
                "max_adv_pct", "lockout_denials", "lockout_window_seconds")
LIMITS = {
    "max_order_qty": "100000", "max_order_notional": "10000000", "price_collar_pct": "10",
    "price_collar_ticks": 100000, "max_position_qty": "1000000", "max_position_notional": "100000000",
    "max_concentration_pct": "100", "max_gross_exposure": "1000000000", "max_net_exposure": "1000000000",
    "enforce_buying_power": True, "allow_short": True, "initial_margin_rate": "0.5",
    "max_daily_orders": 1_000_000, "max_daily_trades": 1_000_000, "max_daily_volume": "100000000",
    "max_daily_notional": "10000000000", "max_daily_loss": "1000000", "restricted_symbols": ["XXX"],
    "watch_symbols": ["YYY"], "duplicate_window_seconds": "2", "max_orders_per_second": 1_000_000,
    "max_modifies_per_second": 1000, "max_open_orders": 100_000,
    "max_open_orders_per_symbol": 10_000, "self_match": "deny", "stale_data_protection": True,
    "daily_loss_unrealized": True, "market_collar_pct": "5", "max_slippage_pct": "5", "max_adv_pct": "50",
    "lockout_denials": 1000, "lockout_window_seconds": "60",
}


def build() -> tuple[RiskGate, dict[Symbol, Instrument], SystemClock]:
    """Return a gate whose account holds 100 positions and 1,000 working orders, every limit on."""
    instruments = {s: Instrument(symbol=s, currency="USD", tick_size=Decimal("0.01"), lot_size=Decimal(1),
                                 exchange="BENCH", timezone="UTC", session_close="23:59")
                   for s in [*SYMBOLS, *LISTED]}
    ledger, clock = Ledger(), SystemClock()
    prices = MarketDataHub(clock=clock, stale_after=60)  # the real price source: is_stale reads the clock
    for symbol in SYMBOLS:
        now = clock.now()
        prices.on_book(symbol, [(Decimal("99.99"), Decimal(500))], [(Decimal("100.01"), Decimal(500))], now)
        prices.on_trade(symbol, PRICE, Decimal(100), now)
    adv = AverageDailyVolume(prices, {symbol: Decimal(1_000_000) for symbol in SYMBOLS}, clock)
    gate = RiskGate(ledger, instruments, prices, clock, books=prices, pricing=MarketPricing(
        commission_per_share=Decimal("0.005"), commission_minimum=Decimal(1)), adv=adv)
    ids = count(1)
    engine = OrderEngine(ledger, instruments, prices, clock, VENUE, lambda: OrderId(f"b{next(ids)}"), risk=gate)
    engine.handle(cmds.OpenAccount(account=ACC, balances={"USD": Decimal("100000000")}))
    engine.handle(cmds.SetRiskLimits(account=None, changes=LIMITS))
    fills = count(1)
    for symbol in SYMBOLS:
        order = engine.handle(_order(symbol, Side.BUY, "100", "100.00")).reply.order
        engine.handle(OrderStatusReport(order_id=order.id, venue=VENUE, ts=clock.now(), status=OrderStatus.NEW))
        engine.handle(FillReport(order_id=order.id, venue=VENUE, ts=clock.now(), fill_id=FillId(f"f{next(fills)}"),
                                 qty=Decimal(100), price=PRICE))
        for i in range(10):
            working = engine.handle(_order(symbol, Side.BUY, str(1 + i), f"{95 + i * 0.1:.2f}")).reply.order
            engine.handle(OrderStatusReport(order_id=working.id, venue=VENUE, ts=clock.now(),
                                            status=OrderStatus.NEW))
    assert len(ledger.positions) == 100 and len(ledger.open_orders) == 1000, "setup went wrong"
    return gate, instruments, clock


def _order(symbol: Symbol, side: Side, qty: str, price: str) -> cmds.SubmitOrder:
    return cmds.SubmitOrder(account=ACC, symbol=symbol, side=side, type=OrderType.LIMIT, qty=Decimal(qty),
                            limit_price=Decimal(price), tif=TimeInForce.GTC)


def measure(gate: RiskGate, instruments: dict[Symbol, Instrument], clock: SystemClock, n: int) -> list[float]:
    """Return the cost in µs of ``n`` checks of varied orders that all pass (the engine's ``now`` given)."""
    orders = [_order(SYMBOLS[i % 100], Side.BUY if i % 2 else Side.SELL, str(1 + i % 50), f"{99 + (i % 7) * 0.25:.2f}")
              for i in range(n)]
    timer = time.perf_counter_ns
    costs = []
    for cmd in orders:
        instrument = instruments[cmd.symbol]
        now = clock.now()  # the submit path reads the clock anyway, for validation
        start = timer()
        denials = gate.check_submit(cmd, instrument, PRICE, now)
        costs.append((timer() - start) / 1000)
        if denials:
            raise AssertionError(f"benchmark orders must pass, got {denials}")
    return costs


def main() -> None:
    """Build the account, warm up, time the rule set before and after the later controls, print figures."""
    gate, instruments, clock = build()
    rules = len(gate.engine.rules)
    measure(gate, instruments, clock, 2000)  # warm up
    every = gate.limits.defaults
    gate.limits.change_defaults(dict.fromkeys(NEW_CONTROLS))
    before = measure(gate, instruments, clock, TIMED)
    gate.limits.change_defaults({name: getattr(every, name) for name in NEW_CONTROLS})
    costs = measure(gate, instruments, clock, TIMED)
    gate.engine.rules = []
    bare = measure(gate, instruments, clock, TIMED)  # the context alone, for scale
    q = statistics.quantiles(costs, n=100)
    result = {
        "benchmark": "risk", "rules": rules, "positions": 100, "working_orders": 1000, "orders": TIMED,
        "before_p50_us": round(statistics.median(before), 2), "p50_us": round(statistics.median(costs), 2),
        "p99_us": round(q[98], 2), "context_only_p50_us": round(statistics.median(bare), 2), "target_p50_us": 3.0,
        "python": sys.version.split()[0],
    }
    print("rerun: .venv/bin/python bench/risk.py")
    print(f"before (later controls off): p50 {result['before_p50_us']} µs")
    print(f"after, full rule set ({rules} rules, 100 positions, 1000 working orders): p50 {result['p50_us']} µs, "
          f"p99 {result['p99_us']} µs (context alone p50 {result['context_only_p50_us']} µs)")
    print(f"target p50 <= {result['target_p50_us']} µs: {'met' if result['p50_us'] <= 3.0 else 'NOT met'}")
    result["machine"] = machine.speed()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
