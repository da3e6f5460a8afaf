"""Market Data Feed V3 messages, encoded with the compiled schema the official SDK ships."""

from decimal import Decimal

from upstox_client.feeder.proto import MarketDataFeedV3_pb2 as pb

from tests.fakes.upstox.instruments import INSTRUMENTS

TICK = Decimal("0.05")
MODES = {"ltpc": pb.ltpc, "full": pb.full_d5, "option_greeks": pb.option_greeks, "full_d30": pb.full_d30}


def market_info(now_ms: int, status: str = "NORMAL_OPEN") -> bytes:
    """Return the ``market_info`` message every connection starts with."""
    msg = pb.FeedResponse(type=pb.market_info, currentTs=now_ms)
    for segment in ("NSE_EQ", "NSE_FO", "BSE_EQ", "NSE_INDEX"):
        msg.marketInfo.segmentStatus[segment] = pb.MarketStatus.Value(status)
    return msg.SerializeToString()


def _ltpc(target: "pb.LTPC", key: str, last: Decimal, now_ms: int) -> None:
    target.ltp = float(last)
    target.ltt = now_ms
    target.ltq = 10
    target.cp = float(INSTRUMENTS[key].last_price)


def _full(feed: "pb.Feed", key: str, last: Decimal, now_ms: int, levels: int) -> None:
    if key.startswith("NSE_INDEX|"):
        _ltpc(feed.fullFeed.indexFF.ltpc, key, last, now_ms)
        candle = feed.fullFeed.indexFF.marketOHLC.ohlc.add()
    else:
        market = feed.fullFeed.marketFF
        _ltpc(market.ltpc, key, last, now_ms)
        for i in range(1, levels + 1):
            market.marketLevel.bidAskQuote.add(bidQ=100 * i, bidP=float(last - TICK * i),
                                               askQ=100 * i, askP=float(last + TICK * i))
        market.atp, market.vtt = float(last), 100_000
        market.tbq, market.tsq = 50_000.0, 50_000.0
        candle = market.marketOHLC.ohlc.add()
    candle.interval, candle.open, candle.high = "1d", float(last), float(last)
    candle.low, candle.close, candle.vol, candle.ts = float(last), float(last), 100_000, now_ms - now_ms % 86_400_000


def feed_message(kind: str, subs: dict[str, str], prices: dict[str, Decimal], now_ms: int) -> bytes:
    """Return one ``initial_feed`` or ``live_feed`` message for instrument key -> mode."""
    msg = pb.FeedResponse(type=pb.Type.Value(kind), currentTs=now_ms)
    for key, mode in subs.items():
        feed = msg.feeds[key]
        last = prices[key]
        feed.requestMode = MODES[mode]
        if mode == "ltpc":
            _ltpc(feed.ltpc, key, last, now_ms)
        elif mode == "option_greeks":
            _ltpc(feed.firstLevelWithGreeks.ltpc, key, last, now_ms)
            feed.firstLevelWithGreeks.firstDepth.bidP = float(last - TICK)
            feed.firstLevelWithGreeks.firstDepth.askP = float(last + TICK)
        else:
            _full(feed, key, last, now_ms, 30 if mode == "full_d30" else 5)
    return msg.SerializeToString()
