"""Peer benchmark: NautilusTrader's backtest pipeline beside ordergate's in-process order path, one run.

What is measured on the peer: its ``BacktestEngine`` (Rust/Cython core) with one simulated venue, one
equity and its default risk engine. A strategy answers every quote tick with one order, alternating a
market order and a marketable limit order (priced through the touch), buy and sell in turn, 1 to 5 shares.
Each order goes through the peer's whole pipeline: strategy -> risk engine -> execution engine ->
simulated exchange matching -> fill -> account and position. The figure is orders per second of
``engine.run()`` wall time, ticks included (ordergate's figure includes its market's re-quoting too,
outside the timed orders). The peer runs with its defaults; only its console logging is set to errors,
so that a log line per order does not measure the terminal.

Then, in the same run, ordergate's ``bench/order_path.py --no-http`` (paper matching) runs in the
project's own virtual environment, and the ratio of the two is printed.

NautilusTrader is not a project dependency: install it in a virtual environment of its own.

Run:  make bench-peers
      (or: python3 -m venv .peers-venv && .peers-venv/bin/pip install nautilus_trader==1.221.0 &&
       .peers-venv/bin/python bench/peers/nautilus_pipeline.py [--orders N] [--project-python PATH])
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
from nautilus_trader.config import LoggingConfig, StrategyConfig
from nautilus_trader.model.currencies import USD
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.enums import AccountType, OmsType, OrderSide, TimeInForce
from nautilus_trader.model.identifiers import InstrumentId, Venue
from nautilus_trader.model.objects import Money, Price, Quantity
from nautilus_trader.test_kit.providers import TestInstrumentProvider
from nautilus_trader.trading.strategy import Strategy

ROOT = Path(__file__).resolve().parents[2]
VENUE = "SIM"
TICK_NS = 20_000_000  # 50 quotes (and orders) a second: under the peer's default throttle of 100 orders a second


class OrderPerTick(StrategyConfig, frozen=True):
    """The instrument the strategy trades."""

    instrument_id: InstrumentId


class OrderPerTickStrategy(Strategy):
    """Send one order per quote tick: market and marketable limit in turn, buy and sell in turn."""

    def __init__(self, config: OrderPerTick) -> None:
        super().__init__(config)
        self.instrument_id = config.instrument_id
        self.sent = 0

    def on_start(self) -> None:
        """Subscribe to the instrument's quotes."""
        self.instrument = self.cache.instrument(self.instrument_id)
        self.subscribe_quote_ticks(self.instrument_id)

    def on_quote_tick(self, tick: QuoteTick) -> None:
        """Answer each quote with one order."""
        n = self.sent
        side = OrderSide.BUY if (n // 2) % 2 == 0 else OrderSide.SELL
        qty = Quantity.from_int(1 + n % 5)
        if n % 2 == 0:
            order = self.order_factory.market(self.instrument_id, side, qty)
        else:
            through = tick.ask_price.as_double() + 0.05 if side == OrderSide.BUY else tick.bid_price.as_double() - 0.05
            order = self.order_factory.limit(self.instrument_id, side, qty,
                                             self.instrument.make_price(through), time_in_force=TimeInForce.IOC)
        self.submit_order(order)
        self.sent += 1


def _ticks(instrument_id: InstrumentId, n: int) -> list[QuoteTick]:
    start = 1_700_000_000_000_000_000
    ticks = []
    for i in range(n):
        mid = Decimal("230.00") + Decimal(i % 20 - 10) / 100
        ts = start + i * TICK_NS
        ticks.append(QuoteTick(instrument_id=instrument_id, bid_price=Price.from_str(str(mid - Decimal("0.01"))),
                               ask_price=Price.from_str(str(mid + Decimal("0.01"))),
                               bid_size=Quantity.from_int(10_000), ask_size=Quantity.from_int(10_000),
                               ts_event=ts, ts_init=ts))
    return ticks


def run_nautilus(orders: int) -> dict[str, Any]:
    """Run the peer's backtest with one order per tick and return orders per second and fills."""
    engine = BacktestEngine(config=BacktestEngineConfig(logging=LoggingConfig(log_level="ERROR")))
    engine.add_venue(venue=Venue(VENUE), oms_type=OmsType.NETTING, account_type=AccountType.MARGIN,
                     starting_balances=[Money(1_000_000_000, USD)], base_currency=USD)
    instrument = TestInstrumentProvider.equity(symbol="AAPL", venue=VENUE)
    engine.add_instrument(instrument)
    engine.add_data(_ticks(instrument.id, orders))
    strategy = OrderPerTickStrategy(OrderPerTick(instrument_id=instrument.id))
    engine.add_strategy(strategy)
    started = time.perf_counter()
    engine.run()
    elapsed = time.perf_counter() - started
    fills = len(engine.trader.generate_fills_report())
    filled = sum(1 for order in engine.cache.orders() if order.is_closed and order.filled_qty > 0)
    engine.dispose()
    return {"orders": strategy.sent, "orders_filled": filled, "fills": fills, "seconds": round(elapsed, 3),
            "orders_per_s": round(strategy.sent / elapsed)}


def run_ordergate(python: str, orders: int) -> dict[str, Any]:
    """Run ordergate's in-process order path (no HTTP) in its own environment and return its figures."""
    out = subprocess.run([python, str(ROOT / "bench" / "order_path.py"), "--orders", str(orders), "--no-http"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Measure both, print them and their ratio, the last line as one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--project-python", default=str(ROOT / ".venv" / "bin" / "python"))
    args = parser.parse_args()
    print(f"rerun: {sys.executable} bench/peers/nautilus_pipeline.py --orders {args.orders}")
    import nautilus_trader

    peer = run_nautilus(args.orders)
    print(f"NautilusTrader {nautilus_trader.__version__} backtest pipeline: {peer['orders_per_s']:,} orders/s "
          f"({peer['orders']:,} orders, {peer['fills']:,} fills)")
    ours = run_ordergate(args.project_python, args.orders)
    paper, engine_only = ours["paper"], ours["engine_only"]
    ratio = round(paper["orders_per_s"] / peer["orders_per_s"], 2)
    print(f"ordergate engine + paper matching: {paper['orders_per_s']:,} orders/s -> {ratio}x the peer "
          f"(engine only {engine_only['orders_per_s']:,} orders/s); target >= 10x")
    print(json.dumps({
        "benchmark": "peers_nautilus_pipeline", "date": datetime.now(UTC).date().isoformat(),
        "python": platform.python_version(), "nautilus_trader": nautilus_trader.__version__,
        "nautilus": peer, "ordergate_paper_orders_per_s": paper["orders_per_s"],
        "ordergate_engine_only_orders_per_s": engine_only["orders_per_s"], "ratio": ratio, "target_ratio": 10,
        "machine": ours.get("machine"), "load_average_1m": round(os.getloadavg()[0], 2),
    }))


if __name__ == "__main__":
    main()
