"""Dynamic margin: each instrument's initial and maintenance margin rates follow its recent volatility.

Initial rate = max(floor, multiplier x the daily volatility of the instrument's 5-minute closes over the
last day of bars), else the configured table's rate where there is no such history, else the account's
own rate (``margin_rates`` / ``initial_margin_rate``). Maintenance = initial x ``maintenance_ratio``.
A rate is worked out at most once a minute per instrument. Accounts with ``dynamic_margin`` on use it.
"""

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from ordergate.domain.ids import AccountId, Symbol
from ordergate.domain.risk.limits import LimitBook
from ordergate.domain.risk.usage_state import AccountUsage
from ordergate.service.adv import BarSource

BARS = 288  # a day of 5-minute bars
BARS_PER_DAY = 288
REFRESH_SECONDS = 60.0
ONE = Decimal(1)
ZERO = Decimal(0)


@dataclass(slots=True, frozen=True)
class MarginSettings:
    """How dynamic margin is worked out."""

    floor: Decimal = Decimal("0.25")
    multiplier: Decimal = Decimal(3)
    maintenance_ratio: Decimal = Decimal("0.75")
    table: Mapping[str, Decimal] = field(default_factory=dict)


class DynamicMargin:
    """Initial and maintenance margin rates per account and instrument."""

    def __init__(self, limits: LimitBook, bars: BarSource | None, settings: MarginSettings) -> None:
        self._limits = limits
        self._bars = bars
        self.settings = settings
        self._cache: dict[Symbol, tuple[float, Decimal | None]] = {}

    def initial(self, account: AccountId, symbol: Symbol, now_ts: float = 0.0) -> Decimal:
        """Return the initial margin rate of an instrument for an account."""
        limits = self._limits.effective(account)
        if not limits.dynamic_margin:
            return limits.margin_rate(symbol)
        rate = self._volatility_rate(symbol, now_ts)
        if rate is None:
            rate = self.settings.table.get(symbol)
        return rate if rate is not None else limits.margin_rate(symbol)

    def maintenance(self, account: AccountId, symbol: Symbol, now_ts: float = 0.0) -> Decimal:
        """Return the maintenance margin rate: the initial rate times the maintenance ratio."""
        return self.initial(account, symbol, now_ts) * self.settings.maintenance_ratio

    def _volatility_rate(self, symbol: Symbol, now_ts: float) -> Decimal | None:
        cached = self._cache.get(symbol)
        if cached is not None and now_ts - cached[0] < REFRESH_SECONDS:
            return cached[1]
        rate = None
        closes = [float(b.close) for b in self._bars.bars(symbol, "5m", BARS)] if self._bars is not None else []
        returns = [b / a - 1 for a, b in pairwise(closes) if a > 0]
        if len(returns) >= 2:
            # a statistic, not money: float is fine here; the rate goes back to Decimal at 4 places
            daily = statistics.pstdev(returns) * math.sqrt(BARS_PER_DAY)
            raw = Decimal(f"{daily:.4f}") * self.settings.multiplier
            rate = min(max(self.settings.floor, raw), ONE)
        self._cache[symbol] = (now_ts, rate)
        return rate


def margin_view(margin: DynamicMargin, usage: AccountUsage, cash: Mapping[str, Decimal], now_ts: float,
                ) -> dict[str, dict[str, Decimal]]:
    """Return per currency: initial margin used, maintenance margin, equity and excess over maintenance.

    Margin is on each symbol's larger reach (working orders counted as filled) at its mark; equity is cash
    plus positions at their marks.
    """
    view: dict[str, dict[str, Decimal]] = {}
    for currency in {*usage.totals, *cash}:
        totals = usage.totals.get(currency)
        equity = cash.get(currency, ZERO) + (totals.value if totals is not None else ZERO)
        view[currency] = {"initial": ZERO, "maintenance": ZERO, "equity": equity}
    for sym in usage.symbols.values():
        entry = view[sym.currency]
        entry["initial"] += sym.gross * margin.initial(usage.account, sym.symbol, now_ts)
        entry["maintenance"] += sym.gross * margin.maintenance(usage.account, sym.symbol, now_ts)
    for entry in view.values():
        entry["excess"] = entry["equity"] - entry["maintenance"]
    return view
