"""The simulated market: a seeded random walk with makers quoting a realistic book around it."""

from decimal import Decimal

from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.paper.market import SimulatedMarket
from ordergate.config import PaperConfig
from ordergate.domain.enums import Side
from ordergate.domain.ids import Symbol
from ordergate.domain.matching import Fill

RELIANCE = load_instruments()[Symbol("RELIANCE")]


def test_open_when_quoting_then_depth_levels_per_side_on_ticks_in_lots_around_reference() -> None:
    market = SimulatedMarket(RELIANCE, PaperConfig(depth_levels=5, level_size_lots=10))
    market.open()
    bids, asks = market.book.depth(Side.BUY, 50), market.book.depth(Side.SELL, 50)
    assert len(bids) == len(asks) == 5
    assert bids[0][0] < RELIANCE.reference_price < asks[0][0]
    for price, size in bids + asks:
        assert RELIANCE.is_on_tick(price) and RELIANCE.is_whole_lot(size) and 5 <= size <= 15


def test_step_when_run_long_then_book_never_crossed_and_mid_stays_near_reference() -> None:
    market = SimulatedMarket(RELIANCE, PaperConfig(volatility_bps=Decimal(5), trade_probability=1))
    market.open()
    trades = 0
    for _ in range(3000):
        trades += sum(isinstance(e, Fill) for e in market.step())
        bid, ask = market.book.best_bid(), market.book.best_ask()
        assert bid is not None and ask is not None and bid < ask
    assert trades > 1000
    assert abs(market.mid - RELIANCE.reference_price) / RELIANCE.reference_price < Decimal("0.1")


def test_step_when_volatility_huge_then_prices_stay_positive() -> None:
    market = SimulatedMarket(RELIANCE, PaperConfig(volatility_bps=Decimal(5000)))
    market.open()
    for _ in range(500):
        market.step()
        assert market.mid > 0 and all(p > 0 for p, _ in market.book.depth(Side.BUY, 100))


def test_step_when_no_trading_configured_then_only_quotes_move() -> None:
    market = SimulatedMarket(RELIANCE, PaperConfig(trade_probability=0))
    market.open()
    assert not any(isinstance(e, Fill) for _ in range(200) for e in market.step())
