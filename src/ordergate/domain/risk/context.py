"""What a risk rule sees: the order, the account's limits and usage, prices, and figures worked out once.

The risk engine fills one RiskContext per check (``RiskEngine.context``); rules only read it. Figures
several rules need (the order's value, the position reachable if every working order fills) are worked
out here once, so each rule stays a few comparisons.
"""

from datetime import datetime
from decimal import Decimal
from typing import Protocol

from ordergate.domain.account import Account, Balance
from ordergate.domain.enums import OrderType, Side, TradingState
from ordergate.domain.events import Denial
from ordergate.domain.ids import AccountId, Symbol
from ordergate.domain.instruments import Instrument
from ordergate.domain.order import Order
from ordergate.domain.risk.limits import RiskLimits
from ordergate.domain.risk.usage import AccountUsage, CurrencyTotals, SymbolUsage


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
    ``potential_before``/``potential_after`` are the largest absolute positions reachable if every
    working order fills, without and with this order. ``reduces`` says the order trades against the
    position and, with the working orders on its side, cannot take it past flat.
    """

    __slots__ = (
        "account", "added_notional", "balance", "buy_working", "instrument", "limits", "mark", "net_after",
        "notional", "now", "now_ts", "potential_after", "potential_before", "price", "qty", "reduces", "reference",
        "replacing", "reserved", "sell_working", "stale", "state", "sym", "totals", "usage", "working_notional",
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
    potential_before: Decimal
    potential_after: Decimal
    net_after: Decimal
    reduces: bool

    @property
    def grows(self) -> bool:
        """Return whether the order raises the largest position reachable (risk-reducing orders never do)."""
        return self.potential_after > self.potential_before

    def unpriced(self, rule: str, what: str) -> Denial:
        """Return the denial for an order this rule cannot value (market order, no fresh reference price)."""
        why = "the reference price is stale" if self.stale else "there is no reference price"
        return Denial(rule=rule, message=f"cannot value the {what} of {self.sym.symbol}: {why}",
                      limit=None, actual=None)


def fmt(value: Decimal | int) -> str:
    """Return a number as a plain string for denial messages (no exponent, trailing zeros dropped)."""
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
