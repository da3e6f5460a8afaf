"""The state risk usage keeps per account: trading days, rate buckets, per-currency totals, per-symbol usage.

``usage.py`` folds ledger events into these; rules read them through the risk context.
"""

from collections import Counter, deque
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sortedcontainers import SortedList

from ordergate.domain.enums import Side
from ordergate.domain.events import Denial
from ordergate.domain.ids import AccountId, Symbol

ZERO = Decimal(0)
LOCKOUT = "lockout_denials"
MAX_DENIAL_TIMES = 100_000  # the largest lockout count that can matter (the limit is capped the same)

DuplicateKey = tuple[Symbol, Side, Decimal, Decimal | None, Decimal | None]
# a headroom the fast path keeps (fast_pass.py): the two figures and the limit it came from, and the room
Room = tuple[Decimal, Decimal, Decimal, Decimal | None]


class TradingDay:
    """Where trading days end: midnight in one time zone."""

    def __init__(self, timezone: str = "UTC") -> None:
        self._tz = ZoneInfo(timezone)

    def end_of(self, ts: datetime) -> datetime:
        """Return the first instant of the day after the one ``ts`` falls in."""
        local = ts.astimezone(self._tz)
        # aware arithmetic with one tzinfo is wall-clock arithmetic: the next local midnight, DST or not
        return local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


class TokenBucket:
    """A token bucket refilled at ``rate`` per second up to ``rate`` tokens (one second of burst).

    Times are POSIX seconds (floats): this is read on every order, and datetime arithmetic is slow.
    """

    __slots__ = ("last", "tokens")

    def __init__(self) -> None:
        self.tokens: float | None = None  # None: full (never used, or no rate in force)
        self.last = 0.0

    def available(self, rate: int, now: float) -> float:
        """Return the tokens in the bucket at ``now``."""
        if self.tokens is None:
            return float(rate)
        return min(float(rate), self.tokens + max(now - self.last, 0.0) * rate)

    def take(self, rate: int | None, now: float) -> None:
        """Spend one token at ``now`` (with no rate in force the bucket stays full)."""
        self.tokens = None if rate is None else self.available(rate, now) - 1
        self.last = now


class CurrencyTotals:
    """An account's sums in one currency: exposure, position value, margin, working and traded notional."""

    __slots__ = ("gross", "margin", "net_long", "net_short", "notional_room", "realized_today", "short_margin",
                 "short_value", "trade_cash_today", "traded_notional", "value", "value_at_open", "working_notional")

    def __init__(self) -> None:
        self.gross = self.net_long = self.net_short = self.value = self.margin = ZERO
        self.short_value = self.short_margin = ZERO  # short positions at their marks (<= 0), and margin on them
        self.working_notional = self.traded_notional = self.realized_today = ZERO
        # the day's P&L with unrealized: positions' value now - at the day's start + cash the day's trades moved
        self.value_at_open = self.trade_cash_today = ZERO
        # the fast path's daily notional headroom with the objects it came from (see fast_pass.py)
        self.notional_room: Room | None = None

    @property
    def pnl_today(self) -> Decimal:
        """Return the change in equity today from trading: realized and unrealized, after commission."""
        return self.value - self.value_at_open + self.trade_cash_today

    @property
    def net(self) -> Decimal:
        """Return the worst case of net exposure: all working buys filling, or all working sells (the larger)."""
        return self.net_long if abs(self.net_long) >= abs(self.net_short) else self.net_short


class SymbolUsage:
    """One account's standing in one symbol: position, working quantities, resting prices, exposure."""

    __slots__ = (
        "adv_bound",
        "best_resting_buy",
        "best_resting_sell",
        "buy_envelope",
        "buy_working",
        "collar",
        "currency",
        "fast_adv",
        "gross",
        "held_memo",
        "last_submitted",
        "margin",
        "margin_rate",
        "mark",
        "net_long",
        "net_short",
        "open_orders",
        "position",
        "realized_seen",
        "resting_buys",
        "resting_sells",
        "sell_envelope",
        "sell_working",
        "short_margin",
        "short_value",
        "symbol",
        "value",
    )

    def __init__(self, symbol: Symbol, currency: str) -> None:
        self.symbol = symbol
        self.currency = currency
        self.position = self.buy_working = self.sell_working = ZERO
        self.open_orders = 0
        # POSIX seconds of the newest order of this symbol the account submitted: no entry of the account's
        # ``recent_sizes`` for the symbol is newer, so a duplicate window that ended by then needs no look
        self.last_submitted = float("-inf")
        self.mark: Decimal | None = None
        self.gross = self.net_long = self.net_short = self.value = self.margin = self.realized_seen = ZERO
        self.short_value = self.short_margin = ZERO
        self.resting_buys: SortedList = SortedList()  # limit prices of this account's resting orders
        self.resting_sells: SortedList = SortedList()
        self.margin_rate: Decimal | None = None  # cached from the limits; reset when they change
        self.best_resting_buy: Decimal | None = None  # highest resting buy, kept beside the list: read per order
        self.best_resting_sell: Decimal | None = None
        # figures rules work out once and reuse while their inputs are the same objects (see each rule)
        self.collar: tuple[object, object, Decimal | None, Decimal | None] | None = None
        self.adv_bound: tuple[float, object, Decimal | None, Decimal | None] | None = None
        # the fast path's headrooms (see fast_pass.py and headroom.py), each with the objects it came from
        self.fast_adv: tuple[object, Decimal] | None = None
        self.held_memo: tuple[Decimal, Decimal, Decimal] | None = None
        self.buy_envelope: object = None  # the fast path's envelope of each side (envelope.py)
        self.sell_envelope: object = None


class AccountUsage:
    """One account's usage of its limits: daily counters, open orders, symbols, rate buckets."""

    __slots__ = ("account", "day_end", "denial_times", "denials", "epoch", "modifies", "open_orders", "orders_today",
                 "recent", "recent_sizes", "submits", "symbols", "totals", "trades_today", "volume_room",
                 "volume_today", "watch_hits", "working_qty")

    def __init__(self, account: AccountId) -> None:
        self.account = account
        # counts the changes to this usage (each event folded, each revaluation, each new day): what the fast
        # path keeps from it (envelope.py) is worked out again when the count moved
        self.epoch = 0
        self.day_end = float("-inf")  # POSIX seconds at which the current trading day ends
        self.orders_today = self.trades_today = 0
        self.volume_today = ZERO
        self.open_orders = 0
        self.working_qty = ZERO
        self.symbols: dict[Symbol, SymbolUsage] = {}
        self.totals: dict[str, CurrencyTotals] = {}
        self.submits, self.modifies = TokenBucket(), TokenBucket()
        self.denial_times: deque[float] = deque()  # POSIX seconds of recent denials, for the lockout
        self.recent: dict[DuplicateKey, float] = {}  # POSIX seconds each distinct order was last accepted
        # the same by (symbol, side, qty) only: a cheap first look (a price's hash costs more than the rest)
        self.recent_sizes: dict[tuple[Symbol, Side, Decimal], float] = {}
        self.denials: Counter[str] = Counter()
        self.watch_hits = 0
        # the fast path's daily volume headroom with the objects it came from (see fast_pass.py)
        self.volume_room: Room | None = None

    def note_denial(self, denials: Sequence[Denial], ts: float) -> None:
        """Remember when an order or a modify was denied (the lockout's own denials do not count)."""
        if any(d.rule != LOCKOUT for d in denials):
            times = self.denial_times
            times.append(ts)
            if len(times) > MAX_DENIAL_TIMES:
                times.popleft()

    def recent_denials(self, window: float, now: float) -> int:
        """Return how many denials fell in the ``window`` seconds before ``now`` (older ones are forgotten)."""
        times = self.denial_times
        while times and times[0] < now - window:
            times.popleft()
        return len(times)

    def symbol(self, symbol: Symbol, currency: str) -> SymbolUsage:
        """Return the usage of one symbol, creating it on first use."""
        usage = self.symbols.get(symbol)
        if usage is None:
            usage = self.symbols[symbol] = SymbolUsage(symbol, currency)
            if currency not in self.totals:
                self.totals[currency] = CurrencyTotals()
        return usage

    def roll(self, now: datetime, now_ts: float, day: TradingDay) -> None:
        """Start a new trading day's counters when ``now`` (``now_ts`` in POSIX seconds) is past the day's end."""
        if now_ts < self.day_end:
            return
        self.epoch += 1
        self.day_end = day.end_of(now).timestamp()
        self.orders_today = self.trades_today = 0
        self.volume_today = ZERO
        for totals in self.totals.values():
            totals.traded_notional = totals.realized_today = totals.trade_cash_today = ZERO
            totals.value_at_open = ZERO
        for sym in self.symbols.values():  # the day starts at the positions and marks held now
            if sym.position and sym.mark is not None:
                self.totals[sym.currency].value_at_open += sym.position * sym.mark
        self.recent.clear()  # duplicate windows are seconds long; a day boundary forgets them safely
        self.recent_sizes.clear()
