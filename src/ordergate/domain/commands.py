"""Commands: what a trader, an operator or a timer asks the engine to do (VerbNoun)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ordergate.domain.enums import OrderType, Side, TimeInForce, TradingState
from ordergate.domain.ids import AccountId, ClientOrderId, OrderId, Symbol
from ordergate.domain.reports import Report


@dataclass(slots=True, kw_only=True)
class Command:
    """Base of every command: who asked."""

    requested_by: str = "system"


@dataclass(slots=True, kw_only=True)
class SubmitOrder(Command):
    """Place a new order."""

    account: AccountId
    symbol: Symbol
    side: Side
    type: OrderType
    qty: Decimal
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    tif: TimeInForce = TimeInForce.DAY
    expire_at: datetime | None = None
    client_order_id: ClientOrderId | None = None
    route: str | None = None  # a routing policy or a venue id; None: the account's default
    extended_hours: bool = False  # may also trade outside the regular session (limit, day or gtc only)


@dataclass(slots=True, kw_only=True)
class CancelOrder(Command):
    """Cancel one working order, giving a reason."""

    order_id: OrderId
    reason: str = "requested"


@dataclass(slots=True, kw_only=True)
class ReplaceOrder(Command):
    """Cancel-replace a working order; a field left None keeps its value."""

    order_id: OrderId
    qty: Decimal | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    tif: TimeInForce | None = None
    expire_at: datetime | None = None


@dataclass(slots=True, kw_only=True)
class CancelAllOrders(Command):
    """Cancel every working order, optionally only for one account and/or one symbol."""

    account: AccountId | None = None
    symbol: Symbol | None = None
    reason: str = "cancel all"


@dataclass(slots=True, kw_only=True)
class ExpireOrders(Command):
    """Expire every DAY or GTD order whose expiry time has come (sent by a timer)."""

    now: datetime


@dataclass(slots=True, kw_only=True)
class OpenAccount(Command):
    """Create an account funded with cash balances per currency."""

    account: AccountId
    balances: dict[str, Decimal]
    margin: bool = False
    name: str = ""
    venues: list[str] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class CloseAccount(Command):
    """Close an account that has no positions and no working orders, saying why."""

    account: AccountId
    reason: str


@dataclass(slots=True, kw_only=True)
class AdjustCash(Command):
    """Deposit (positive amount) or withdraw (negative) cash, saying why."""

    account: AccountId
    currency: str
    amount: Decimal
    reason: str


@dataclass(slots=True, kw_only=True)
class SetTradingState(Command):
    """Set an account's trading state, or the firm's when account is None."""

    account: AccountId | None
    state: TradingState
    reason: str


@dataclass(slots=True, kw_only=True)
class SetRiskLimits(Command):
    """Change some risk limits of an account, or the firm's defaults when account is None.

    ``unset`` names limits to take back to the default (an account's to the firm's).
    """

    account: AccountId | None
    changes: dict[str, object]
    unset: list[str] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class EngageKillSwitch(Command):
    """Halt an account (or everything), cancel its working orders and optionally flatten its positions."""

    account: AccountId | None
    reason: str
    flatten: bool = False


@dataclass(slots=True, kw_only=True)
class FlattenPositions(Command):
    """Close an account's open positions with market orders past the halt (an operator finishing a flatten)."""

    account: AccountId
    reason: str


@dataclass(slots=True, kw_only=True)
class ResumeTrading(Command):
    """Set an account (or the firm) back to active after a kill switch or halt."""

    account: AccountId | None
    reason: str


@dataclass(slots=True, kw_only=True)
class ReconcileOrder(Command):
    """Apply a venue's answer about one order, then re-send what the venue has not got (or raise an alert).

    ``reports`` is what the venue said of the order (its status and fills); ``known`` whether it has the
    order at all. A pending cancel or replace the venue did not act on is sent again, at most
    ``max_resends`` times in one pending episode; after that the order is escalated (an alert).
    """

    order_id: OrderId
    reports: list[Report] = field(default_factory=list)
    known: bool = True
    max_resends: int = 5
