"""The simulated market of one instrument: a seeded random-walk mid, market makers quoting depth around it,
and takers trading against the top of the book.

Everything the simulation does goes through the same OrderBook as user orders, so a resting user order
is filled when the simulated flow trades through its price, in price-time priority.
"""

import random
from decimal import Decimal

from ordergate.config import PaperConfig
from ordergate.domain.enums import Side, TimeInForce
from ordergate.domain.instruments import Instrument
from ordergate.domain.matching import BookEvent, BookOrder, OrderBook

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

    @property
    def mid(self) -> Decimal:
        """Return the simulated mid price (on the tick grid)."""
        return self.mid_ticks * self._tick

    def open(self) -> list[BookEvent]:
        """Place the first quotes around the reference price."""
        return self.requote()

    def step(self) -> list[BookEvent]:
        """Advance one tick: maybe trade at the top of the book, move the mid, re-quote."""
        events = self._trade() if self._rng.random() < self.config.trade_probability else []
        self._walk()
        events.extend(self.requote())
        return events

    def requote(self) -> list[BookEvent]:
        """Cancel quotes that are off the desired ladder or mostly consumed, and place the missing ones."""
        wanted = self._ladder()
        for key, order in list(self._quotes.items()):
            if key not in wanted or not order.live or order.leaves * 2 < order.qty:
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
