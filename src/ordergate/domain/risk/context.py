"""What a risk rule sees: the order, the account's limits and usage, prices, and figures worked out once.

The risk engine fills one RiskContext per check (``RiskEngine.context``); rules only read it. Figures
several rules need (the order's value, the position reachable if every working order fills) are worked
out here once, so each rule stays a few comparisons.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Protocol

from ordergate.domain.account import Account, Balance
from ordergate.domain.enums import OrderType, Side, TradingState
from ordergate.domain.events import Denial
from ordergate.domain.ids import AccountId, Symbol
from ordergate.domain.instruments import Instrument
from ordergate.domain.order import Order
from ordergate.domain.risk.limits import RiskLimits
from ordergate.domain.risk.pricing import MarketPricing
from ordergate.domain.risk.usage_state import AccountUsage, CurrencyTotals, SymbolUsage

EMPTY = CurrencyTotals()  # the totals of a currency the account holds cash in but never traded

ZERO = Decimal(0)


class RiskOrder(Protocol):
    """The terms of an order a rule checks (a SubmitOrder, or the new terms of a replace)."""

    @property
    def account(self) -> AccountId: ...
    @property
    def symbol(self) -> Symbol: ...
    @property
    def side(self) -> Side: ...
    @property
    def type(self) -> OrderType: ...
    @property
    def qty(self) -> Decimal: ...
    @property
    def limit_price(self) -> Decimal | None: ...
    @property
    def stop_price(self) -> Decimal | None: ...


class Rule(Protocol):
    """One pre-trade control: ``check`` returns a Denial naming the limit, or None to let the order pass."""

    name: str

    def check(self, order: RiskOrder, ctx: "RiskContext") -> Denial | None:
        """Return why the order breaks this rule, or None."""
        ...


class RiskContext:
    """Everything a rule may read about one order's account, symbol and market (filled by RiskEngine).

    ``qty`` is what the order adds to working quantity (a replace adds its new leaves, with the old
    ones taken out of ``buy_working``/``sell_working``). ``price`` values the order: its limit price,
    else its stop price, else the reference price (None for a market order without a fresh one).
    ``potential_after`` is the largest absolute position reachable if every working order and this one
    fill; ``net_after`` the position if every working order on both sides and this one fill (both worked
    out when asked: only margin accounts need them). ``side_before``/``side_after`` are the reach on
    the order's own side of flat (how long the position can get with every working buy filled, for a
    buy; how short with every sell, for a sell), never below zero: the part of a sell that only takes a
    long toward flat adds nothing there, the part beyond flat does. ``reduces`` says the order trades
    against the position and, with the working orders on its side, cannot take it past flat; ``grows``
    that it raises the reach on its own side (``side_after`` > ``side_before``).
    ``far`` is the worst price a market order reaches sweeping the book; ``volume_of`` gives a symbol's
    average daily volume (only max_adv_pct asks); ``commission()`` estimates the order's commission.
    """

    __slots__ = (
        "account",
        "added_notional",
        "balance",
        "buy",
        "buy_working",
        "far",
        "fx",
        "grows",
        "instrument",
        "limits",
        "mark",
        "notional",
        "now",
        "now_ts",
        "price",
        "pricing",
        "qty",
        "reach_after",
        "reduces",
        "reference",
        "replacing",
        "reserved",
        "sell_working",
        "siblings",
        "side_after",
        "side_before",
        "side_value",
        "stale",
        "state",
        "sym",
        "totals",
        "usage",
        "volume_of",
        "working_notional",
        "working_qty",
    )

    account: Account
    balance: Balance
    instrument: Instrument
    limits: RiskLimits
    usage: AccountUsage
    sym: SymbolUsage
    totals: CurrencyTotals
    reference: Decimal | None
    stale: bool
    now: datetime
    now_ts: float
    state: TradingState
    replacing: Order | None
    qty: Decimal
    price: Decimal | None
    mark: Decimal | None
    notional: Decimal | None
    added_notional: Decimal | None
    buy_working: Decimal
    sell_working: Decimal
    working_qty: Decimal
    working_notional: Decimal
    reserved: Decimal
    buy: bool  # the order buys
    reduces: bool
    side_before: Decimal
    side_after: Decimal
    grows: bool  # the order raises the reach on its side of flat (only the part beyond flat can)
    side_value: Decimal | None  # ``side_after`` at the mark (None without a usable mark)
    reach_after: Decimal  # the position (signed) if every working order on the order's side and it fill
    far: Decimal | None
    siblings: tuple[AccountUsage, ...]
    fx: Callable[[str, str], Decimal | None]
    pricing: MarketPricing
    volume_of: Callable[[Symbol, float], Decimal | None]

    @property
    def potential_after(self) -> Decimal:
        """Return the largest absolute position reachable if every working order and this one fill."""
        long_now, short_now = self.sym.position + self.buy_working, self.sym.position - self.sell_working
        if self.buy:
            long_now = long_now + self.qty
        else:
            short_now = short_now - self.qty
        long_reach = long_now if long_now >= ZERO else -long_now
        short_reach = short_now if short_now >= ZERO else -short_now
        return long_reach if long_reach > short_reach else short_reach

    @property
    def net_after(self) -> Decimal:
        """Return the position if every working order on either side and this one filled."""
        if self.buy:
            return self.sym.position + self.buy_working + self.qty - self.sell_working
        return self.buy_working + (self.sym.position - self.sell_working - self.qty)

    def aggregate(self, here: Decimal, of: Callable[[str, CurrencyTotals], Decimal]) -> tuple[Decimal | None, str]:
        """Return a figure across currencies and the currency it is in.

        Without a ``base_currency`` limit: ``here`` (the figure in the order's currency) and that currency.
        With one: ``here`` plus ``of(currency, totals)`` of every other currency the account holds or trades,
        each converted at the FX rate into the base (None when a rate is missing), and the base currency.
        """
        base = self.limits.base_currency
        if base is None:
            return here, self.currency
        total = ZERO
        for currency in {*self.usage.totals, *self.account.balances, self.currency}:
            amount = here if currency == self.currency else of(currency, self.usage.totals.get(currency) or EMPTY)
            if not amount:
                continue
            rate = self.fx(currency, base)
            if rate is None:
                return None, base
            total += amount * rate
        return total, base

    def no_rate(self, rule: str, limit: Decimal) -> Denial:
        """Return the denial for a figure that cannot be put in the base currency (a rate is missing)."""
        base = self.limits.base_currency or self.currency
        return Denial(rule=rule, message=f"no FX rate into the base currency {base} for every currency of the "
                      "account: set ORDERGATE_RISK__FX_RATES or trade the pair", limit=fmt_money(limit, base),
                      actual="no fx rate")

    def margin_rate(self) -> Decimal:
        """Return the initial margin rate of the symbol for this account (dynamic when it is on)."""
        rate = self.sym.margin_rate
        return rate if rate is not None else self.limits.margin_rate(self.sym.symbol)

    def commission(self) -> Decimal:
        """Return the estimated commission of the order (0 when it has no price)."""
        return ZERO if self.price is None else self.pricing.commission(self.qty, self.price)

    @property
    def currency(self) -> str:
        """Return the currency of the instrument traded."""
        return self.instrument.currency

    def unpriced(self, rule: str, what: str, limit: object) -> Denial:
        """Return the denial for an order this rule cannot value (no fresh reference price): names the limit."""
        why, actual = ("the reference price is stale", "stale price") if self.stale else (
            "there is no reference price", "no price")
        shown = limit if isinstance(limit, str) else fmt_money(limit, self.currency) if isinstance(
            limit, Decimal) else str(limit)
        return Denial(rule=rule, message=f"cannot value the {what} of {self.sym.symbol}: {why}",
                      limit=shown, actual=actual)

    def money(self, value: Decimal) -> str:
        """Return an amount in the traded currency at that currency's precision."""
        return fmt_money(value, self.instrument.currency)


# digits after the point of the currencies that do not use two (ISO 4217 minor units)
CURRENCY_DIGITS = {"JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3}
_QUANTA = {digits: Decimal(1).scaleb(-digits) for digits in range(4)}


def currency_digits(currency: str) -> int:
    """Return how many digits after the point a currency's amounts have."""
    return CURRENCY_DIGITS.get(currency, 2)


def fmt_money(value: Decimal, currency: str) -> str:
    """Return an amount at its currency's precision (half-even), e.g. 246.76 for 246.7599999999999999999997."""
    return format(value.quantize(_QUANTA[currency_digits(currency)], rounding=ROUND_HALF_EVEN), "f")


def fmt_ratio(value: Decimal) -> str:
    """Return a percentage or other ratio with four digits after the point."""
    return format(value.quantize(_QUANTA[3] / 10, rounding=ROUND_HALF_EVEN), "f")


def fmt(value: Decimal | int) -> str:
    """Return a number as a plain string for denial messages (no exponent, trailing zeros dropped)."""
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
