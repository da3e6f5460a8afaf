"""The simulated market following an outside book: makers quote its levels, its prints become takers."""

from decimal import Decimal

from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.paper.market import SimulatedMarket
from ordergate.config import PaperConfig
from ordergate.domain.enums import Side, TimeInForce
from ordergate.domain.ids import Symbol
from ordergate.domain.matching import BookOrder, Fill

D = Decimal
AAPL = load_instruments()[Symbol("AAPL")]
RELIANCE = load_instruments()[Symbol("RELIANCE")]
BIDS = [(D("101.00"), D("300")), (D("100.99"), D("200")), (D("100.98"), D("100"))]
ASKS = [(D("101.02"), D("400")), (D("101.03"), D("500"))]


def following(levels: int = 10) -> SimulatedMarket:
    market = SimulatedMarket(AAPL, PaperConfig(depth_levels=levels))
    market.open()
    market.follow()
    market.recentre(BIDS, ASKS)
    return market


def test_follow_when_no_outside_book_yet_then_every_quote_is_pulled() -> None:
    market = SimulatedMarket(AAPL, PaperConfig())
    market.open()
    market.follow()
    assert market.following
    assert market.book.depth(Side.BUY, 100) == [] and market.book.depth(Side.SELL, 100) == []


def test_recentre_when_outside_book_far_from_reference_then_makers_quote_exactly_its_levels() -> None:
    market = following()
    assert market.book.depth(Side.BUY, 100) == BIDS
    assert market.book.depth(Side.SELL, 100) == ASKS
    assert market.mid == D("101.01")


def test_recentre_when_outside_levels_off_grid_then_bids_round_down_asks_up_and_sizes_to_lots() -> None:
    market = SimulatedMarket(RELIANCE, PaperConfig())
    market.follow()
    market.recentre([(D("1300.07"), D("10.9")), (D("1300.03"), D("5"))], [(D("1300.12"), D("0.5")),
                                                                        (D("1300.21"), D("7"))])
    assert market.book.depth(Side.BUY, 10) == [(D("1300.05"), D("10")), (D("1300.00"), D("5"))]
    assert market.book.depth(Side.SELL, 10) == [(D("1300.25"), D("7"))]  # half a lot is no level


def test_recentre_when_outside_book_deeper_than_depth_levels_then_only_the_best_are_quoted() -> None:
    market = following(levels=2)
    assert market.book.depth(Side.BUY, 100) == BIDS[:2]


def test_recentre_when_outside_book_moves_then_old_levels_go_and_sizes_follow() -> None:
    market = following()
    market.recentre([(D("101.01"), D("50"))], [(D("101.02"), D("999"))])
    assert market.book.depth(Side.BUY, 100) == [(D("101.01"), D("50"))]
    assert market.book.depth(Side.SELL, 100) == [(D("101.02"), D("999"))]


def test_recentre_when_outside_book_crossed_then_ignored_and_quotes_kept() -> None:
    market = following()
    assert market.recentre([(D("102.00"), D("1"))], [(D("101.00"), D("1"))]) == []
    assert market.book.depth(Side.BUY, 100) == BIDS


def test_step_when_following_then_no_walk_and_no_random_trades_for_any_number_of_ticks() -> None:
    market = SimulatedMarket(AAPL, PaperConfig(trade_probability=1, volatility_bps=D(50)))
    market.open()
    market.follow()
    market.recentre(BIDS, ASKS)
    events = [e for _ in range(300) for e in market.step()]
    assert not any(isinstance(e, Fill) for e in events)
    assert market.book.depth(Side.BUY, 100) == BIDS and market.mid == D("101.01")


def test_new_quote_when_it_crosses_a_resting_user_order_then_user_fills_at_own_price() -> None:
    market = following()
    user = BookOrder("u1", Side.SELL, D("50"), D("101.01"), tif=TimeInForce.GTC)  # inside the spread
    market.book.submit(user)
    fills = [e for e in market.recentre([(D("101.01"), D("80"))], ASKS) if isinstance(e, Fill)]
    assert [(f.maker.id, f.price, f.qty) for f in fills] == [("u1", D("101.01"), D("50"))]


def test_replay_trade_when_print_at_ask_then_buyer_takes_user_ask_ahead_of_worse_maker_levels() -> None:
    market = following()
    market.book.submit(BookOrder("u1", Side.SELL, D("30"), D("101.01"), tif=TimeInForce.GTC))
    fills = [e for e in market.replay_trade(D("101.02"), D("100")) if isinstance(e, Fill)]
    assert [(f.maker.id == "u1", f.price, f.qty) for f in fills] == [(True, D("101.01"), D("30")),
                                                                     (False, D("101.02"), D("70"))]
    assert all(f.taker.side is Side.BUY for f in fills)


def test_replay_trade_when_print_at_bid_then_seller_hits_user_bid_and_never_trades_through_print() -> None:
    market = following()
    market.book.submit(BookOrder("u1", Side.BUY, D("10"), D("101.00"), tif=TimeInForce.GTC))
    fills = [e for e in market.replay_trade(D("101.00"), D("1000")) if isinstance(e, Fill)]
    assert all(f.price == D("101.00") and f.taker.side is Side.SELL for f in fills)
    assert sum(f.qty for f in fills) == D("310")  # the maker's 300 first (time priority), then the user's 10
    assert market.book.get("u1") is None


def test_replay_trade_when_size_below_one_lot_or_price_not_positive_then_nothing_happens() -> None:
    market = following()
    assert market.replay_trade(D("101.02"), D("0.4")) == []
    assert market.replay_trade(D("0"), D("100")) == []
    assert market.book.depth(Side.SELL, 100) == ASKS
