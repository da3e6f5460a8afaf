"""The simulated market of one instrument: a seeded random-walk mid, market makers quoting depth around it,
and takers trading against the top of the book.

Everything the simulation does goes through the same OrderBook as user orders, so a resting user order
is filled when the simulated flow trades through its price, in price-time priority.

When an outside feed (a replayed file) leads the instrument, the market *follows* it instead: the walk and
the random takers stop, the makers quote the outside book's levels (on this instrument's tick and lot grid)
and every outside trade is replayed as a taker at its price, so user orders fill as that market would fill
them.
"""

import random
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from ordergate.config import PaperConfig
from ordergate.domain.enums import Side, TimeInForce
from ordergate.domain.instruments import Instrument
from ordergate.domain.matching import BookEvent, BookOrder, OrderBook

Level = tuple[Decimal, Decimal]

BPS = Decimal(10_000)
# Pull of the mid back toward the instrument's reference price per tick: keeps a long-running paper
# server's prices realistic (a stationary spread of a few hundred ticks) instead of drifting away forever.
MEAN_REVERSION = 0.001
SIM_PREFIX = "sim:"  # engine order ids never contain a colon, so simulated ids cannot collide with them


class SimulatedMarket:
    """Drive one instrument's book: quote ``depth_levels`` per side around a random-walk mid, and trade."""

    def __init__(self, instrument: Instrument, config: PaperConfig) -> None:
        self.instrument = instrument
        self.config = config
        self._tick = instrument.tick_size
        self._lot = instrument.lot_size
        self._rng = random.Random(f"{config.seed}:{instrument.symbol}")  # str seeds are stable across runs
        self._ref_ticks = max(1, int(instrument.reference_price / self._tick))
        self.mid_ticks = self._ref_ticks
        self.book = OrderBook(instrument.symbol, last_price=self.mid)
        self._quotes: dict[tuple[Side, Decimal], BookOrder] = {}
        self._next_id = 0
        self._outside: tuple[list[Level], list[Level]] | None = None  # the levels to quote while following

    @property
    def following(self) -> bool:
        """Return whether an outside feed leads this market (no random walk, makers quote its book)."""
        return self._outside is not None

    @property
    def mid(self) -> Decimal:
        """Return the simulated mid price (on the tick grid)."""
        return self.mid_ticks * self._tick

    def open(self) -> list[BookEvent]:
        """Place the first quotes around the reference price."""
        return self.requote()

    def step(self) -> list[BookEvent]:
        """Advance one tick: maybe trade at the top of the book, move the mid, re-quote.

        While following, only replenish the quotes: the outside feed moves the price.
        """
        if self._outside is not None:
            return self.requote()
        events = self._trade() if self._rng.random() < self.config.trade_probability else []
        self._walk()
        events.extend(self.requote())
        return events

    def follow(self) -> list[BookEvent]:
        """Hand the price over to an outside feed: pull every quote until its first book arrives."""
        self._outside = ([], [])
        return self.requote()

    def recentre(self, bids: Sequence[Level], asks: Sequence[Level]) -> list[BookEvent]:
        """Quote the outside book's best ``depth_levels`` per side; a crossed book is ignored.

        Bids are rounded down and asks up to the tick grid (never quoting better than the outside
        market), sizes down to whole lots; a level smaller than one lot is left out.
        """
        levels = self.config.depth_levels
        outside = (_on_grid(bids, self._tick, self._lot, ROUND_FLOOR, levels),
                   _on_grid(asks, self._tick, self._lot, ROUND_CEILING, levels))
        if outside[0] and outside[1]:
            if outside[0][0][0] >= outside[1][0][0]:
                return []  # a crossed outside book says nothing trustworthy: keep the last quotes
            self.mid_ticks = int((outside[0][0][0] + outside[1][0][0]) / 2 / self._tick)
        self._outside = outside
        return self.requote()

    def replay_trade(self, price: Decimal, size: Decimal) -> list[BookEvent]:
        """Replay an outside print as an IOC taker for its size, limited to its price.

        The aggressor is inferred from the paper book (user orders included): a print at or below the best
        bid was a seller hitting it, at or above the best ask a buyer lifting it, otherwise the side of the
        mid it is on. Liquidity at or better than the print is taken in price-time priority (makers and
        user orders alike); nothing rests.
        """
        qty = (size / self._lot).to_integral_value(ROUND_FLOOR) * self._lot
        if qty <= 0 or price <= 0:
            return []
        bid, ask = self.book.best_bid(), self.book.best_ask()
        if bid is not None and price <= bid:
            side = Side.SELL
        elif ask is not None and price >= ask:
            side = Side.BUY
        else:
            side = Side.BUY if price >= self.mid else Side.SELL
        return self.book.submit(BookOrder(self._new_id(), side, qty, price, tif=TimeInForce.IOC))

    def requote(self) -> list[BookEvent]:
        """Cancel quotes that are off the desired ladder or mostly consumed, and place the missing ones."""
        wanted = self._ladder()
        exact = self._outside is not None  # a followed level's size is the outside size, not a random one
        for key, order in list(self._quotes.items()):
            if (key not in wanted or not order.live or order.leaves * 2 < order.qty
                    or (exact and order.qty != wanted[key])):
                if order.live:
                    self.book.cancel(order.id)
                del self._quotes[key]
        events: list[BookEvent] = []
        for key, qty in wanted.items():
            if key not in self._quotes:
                order = BookOrder(self._new_id(), key[0], qty, key[1], tif=TimeInForce.GTC)
                events.extend(self.book.submit(order))
                if order.live:
                    self._quotes[key] = order
        return events

    def _ladder(self) -> dict[tuple[Side, Decimal], Decimal]:
        """Return the quotes the makers want now: (side, price) -> size, ``depth_levels`` per side."""
        if self._outside is not None:
            bids, asks = self._outside
            return {**{(Side.BUY, p): q for p, q in bids}, **{(Side.SELL, p): q for p, q in asks}}
        half = self._half_spread_ticks()
        wanted: dict[tuple[Side, Decimal], Decimal] = {}
        for i in range(self.config.depth_levels):
            bid_ticks = self.mid_ticks - half - i
            if bid_ticks > 0:
                wanted[(Side.BUY, bid_ticks * self._tick)] = self._level_size()
            wanted[(Side.SELL, (self.mid_ticks + half + i) * self._tick)] = self._level_size()
        return wanted

    def _half_spread_ticks(self) -> int:
        return max(1, int(self.mid_ticks * self.config.spread_bps / BPS / 2))

    def _level_size(self) -> Decimal:
        lots = self.config.level_size_lots
        return self._rng.randint(max(1, lots // 2), max(1, lots * 3 // 2)) * self._lot

    def _walk(self) -> None:
        # The shock is drawn as a float (random has no Decimal normal); it only sets how many whole
        # ticks the mid moves, so no money is ever held in a float.
        sigma = float(self.mid_ticks * self.config.volatility_bps / BPS)
        pull = MEAN_REVERSION * (self._ref_ticks - self.mid_ticks)
        step = round(self._rng.gauss(0.0, sigma) + pull) if sigma or pull else 0
        floor = self._half_spread_ticks() + 1
        self.mid_ticks = max(floor, self.mid_ticks + step)

    def _trade(self) -> list[BookEvent]:
        side = Side.BUY if self._rng.random() < 0.5 else Side.SELL
        qty = self._rng.randint(1, self.config.flow_lots) * self._lot
        return self.book.submit(BookOrder(self._new_id(), side, qty, None, tif=TimeInForce.IOC))

    def _new_id(self) -> str:
        self._next_id += 1
        return f"{SIM_PREFIX}{self.instrument.symbol}:{self._next_id}"


def _on_grid(levels: Sequence[Level], tick: Decimal, lot: Decimal, rounding: str, keep: int) -> list[Level]:
    """Return up to ``keep`` levels moved onto the tick grid and cut to whole lots, merged, best first."""
    merged: dict[Decimal, Decimal] = {}
    for price, size in levels:
        on_tick = (price / tick).to_integral_value(rounding) * tick
        lots = (size / lot).to_integral_value(ROUND_FLOOR) * lot
        if on_tick > 0 and lots > 0:
            merged[on_tick] = merged.get(on_tick, Decimal(0)) + lots
        if len(merged) > keep:
            break  # levels come best first: the rest are deeper than the makers quote
    best_first = sorted(merged.items(), reverse=rounding == ROUND_FLOOR)
    return best_first[:keep]
