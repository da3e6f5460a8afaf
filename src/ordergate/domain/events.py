"""Events: every state change, in the past tense. The journal stores them; state is their fold.

Events are plain slotted dataclasses (not frozen: frozen ``__init__`` is several times slower on the
hot path); treat them as immutable once made.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ordergate.domain.enums import Liquidity, OrderType, Side, TimeInForce, TradingState
from ordergate.domain.ids import AccountId, ClientOrderId, FillId, OrderId, Symbol, VenueId, VenueOrderId


@dataclass(slots=True, kw_only=True)
class Event:
    """Base of every event: where it sits in the journal, when, for which account, caused by whom."""

    seq: int = 0
    ts: datetime
    account: AccountId
    caused_by: str = "system"


@dataclass(slots=True, kw_only=True)
class OrderEvent(Event):
    """An event about one order."""

    order_id: OrderId


@dataclass(slots=True, kw_only=True)
class Denial:
    """Why a risk rule refused an order: the rule, a readable message, the limit and the actual value."""

    rule: str
    message: str
    limit: str | None = None
    actual: str | None = None


@dataclass(slots=True, kw_only=True)
class AccountOpened(Event):
    """An account was created with opening cash balances per currency."""

    balances: dict[str, Decimal]
    margin: bool = False
    name: str = ""
    venues: list[str] = field(default_factory=list)  # where it may trade; empty: anywhere


@dataclass(slots=True, kw_only=True)
class AccountClosed(Event):
    """An account with no positions and no working orders was closed: it takes no orders and no cash now."""

    reason: str


@dataclass(slots=True, kw_only=True)
class CashAdjusted(Event):
    """Cash was deposited (positive) or withdrawn (negative)."""

    currency: str
    amount: Decimal
    reason: str


@dataclass(slots=True, kw_only=True)
class RouteCandidate:
    """One venue the router considered, with the inputs it scored at decision time."""

    venue: VenueId
    health: str
    eligible: bool
    fillable: Decimal
    avg_price: Decimal | None
    fees: Decimal
    all_in: Decimal | None
    ack_latency_ms: float | None = None
    fill_rate: float | None = None
    reject_rate: float | None = None
    slippage_bps: Decimal = Decimal(0)
    levels: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    note: str = ""


@dataclass(slots=True, kw_only=True)
class RouteRecord:
    """Why an order went to its venue: the policy (or pinned venue id) and every candidate, chosen first."""

    policy: str
    candidates: list[RouteCandidate]


@dataclass(slots=True, kw_only=True)
class OrderSubmitted(OrderEvent):
    """An order passed validation and risk and was recorded as pending new."""

    client_order_id: ClientOrderId
    symbol: Symbol
    side: Side
    type: OrderType
    qty: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    tif: TimeInForce
    expire_at: datetime | None
    currency: str
    venue: VenueId
    arrival_price: Decimal | None = None
    flags: list[str] = field(default_factory=list)
    reserve_qty: Decimal = Decimal(0)
    reserve_price: Decimal = Decimal(0)
    route: RouteRecord | None = None  # set when the instrument trades at more than one venue
    parent: bool = False  # a parent order: never sent itself, its children (ChildOrderRouted) go to venues


@dataclass(slots=True, kw_only=True)
class ChildOrderRouted(OrderEvent):
    """A child of a parent order was made for one venue (``order_id`` is the child's): the router's split,
    or the unfilled rest sent on after a venue refused it. The child takes the parent's other terms."""

    parent_id: OrderId
    client_order_id: ClientOrderId
    venue: VenueId
    type: OrderType
    tif: TimeInForce
    qty: Decimal
    limit_price: Decimal | None


@dataclass(slots=True, kw_only=True)
class OrderDenied(OrderEvent):
    """An order was refused by pre-trade risk before reaching any venue; it is recorded as rejected."""

    client_order_id: ClientOrderId
    symbol: Symbol
    side: Side
    type: OrderType
    qty: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    tif: TimeInForce
    expire_at: datetime | None
    currency: str
    reasons: list[Denial]


@dataclass(slots=True, kw_only=True)
class OrderAccepted(OrderEvent):
    """The venue acknowledged the order; it is working."""

    venue_order_id: VenueOrderId


@dataclass(slots=True, kw_only=True)
class OrderRejected(OrderEvent):
    """The venue refused the order (``venue_fault``: for a reason of the venue's own, not the order's)."""

    reason: str
    venue_fault: bool = False


@dataclass(slots=True, kw_only=True)
class OrderTriggered(OrderEvent):
    """A stop order's trigger price was reached at the venue."""

    trigger_price: Decimal


@dataclass(slots=True, kw_only=True)
class OrderFilled(OrderEvent):
    """The venue executed some or all of the order."""

    fill_id: FillId
    symbol: Symbol
    side: Side
    qty: Decimal
    price: Decimal
    commission: Decimal
    currency: str
    liquidity: Liquidity
    venue: VenueId
    venue_ts: datetime
    late: bool = False  # arrived after the order was done (canceled, expired, rejected): applied all the same
    inferred: bool = False  # not a venue fill: the venue's cumulative quantity ran ahead of the fills we had


@dataclass(slots=True, kw_only=True)
class OrderFillConfirmed(OrderEvent):
    """A venue fill arrived for quantity an inferred fill already booked: its id is kept, nothing is booked twice."""

    fill_id: FillId
    venue: VenueId
    qty: Decimal
    price: Decimal


@dataclass(slots=True, kw_only=True)
class OrderPendingCancel(OrderEvent):
    """A cancel was requested and sent to the venue (``expiry``: the engine cancels it for its TIF)."""

    reason: str
    expiry: bool = False


@dataclass(slots=True, kw_only=True)
class OrderCanceled(OrderEvent):
    """The order stopped working; any fills before stay."""

    reason: str


@dataclass(slots=True, kw_only=True)
class OrderPendingReplace(OrderEvent):
    """A cancel-replace was requested and sent to the venue; the order holds the larger of old and new terms."""

    qty: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    tif: TimeInForce
    expire_at: datetime | None
    reserve_qty: Decimal | None = None  # None: the hold stays as it is (journals written before holds moved)
    reserve_price: Decimal | None = None


@dataclass(slots=True, kw_only=True)
class OrderReplaced(OrderEvent):
    """The venue applied a cancel-replace."""

    qty: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    tif: TimeInForce
    expire_at: datetime | None
    venue_order_id: VenueOrderId
    reserve_qty: Decimal = Decimal(0)
    reserve_price: Decimal = Decimal(0)


@dataclass(slots=True, kw_only=True)
class OrderCancelRejected(OrderEvent):
    """The venue refused a cancel or a replace (FIX Order Cancel Reject); the order keeps working."""

    response_to: str  # "cancel" or "replace"
    reason: str
    reserve_qty: Decimal | None = None  # a refused replace holds the old terms again; None: the hold stays
    reserve_price: Decimal | None = None


@dataclass(slots=True, kw_only=True)
class OrderRequestResent(OrderEvent):
    """A request the venue had not acted on (submit, cancel or replace) was sent again (reconciliation)."""

    request: str
    attempt: int


@dataclass(slots=True, kw_only=True)
class OrderEscalated(OrderEvent):
    """A pending request stayed unanswered after every re-send: an operator must look (an alert)."""

    request: str
    attempts: int
    reason: str


@dataclass(slots=True, kw_only=True)
class OrderExpired(OrderEvent):
    """The order's time in force ran out."""

    reason: str


@dataclass(slots=True, kw_only=True)
class TradingStateChanged(Event):
    """An account's (or, with account "*", the firm's) trading state changed."""

    state: TradingState
    reason: str


@dataclass(slots=True, kw_only=True)
class FlattenIncomplete(Event):
    """A kill switch's flatten gave up on a symbol with ``remaining`` still held (signed), after ``attempts``
    market orders the market could not fill whole."""

    symbol: Symbol
    remaining: Decimal
    attempts: int


@dataclass(slots=True, kw_only=True)
class FlattenOrderSent(Event):
    """A flatten sent a market order closing ``symbol``: its ``attempt``-th for the symbol, after ``empty``
    orders in a row that filled nothing."""

    symbol: Symbol
    order_id: OrderId
    attempt: int
    empty: int = 0


@dataclass(slots=True, kw_only=True)
class FlattenRetryScheduled(Event):
    """A flattening order ended short of flat: another goes out at ``due`` for what is left (``remaining``,
    signed); ``empty`` counts the orders in a row that filled nothing."""

    symbol: Symbol
    remaining: Decimal
    due: datetime
    empty: int


@dataclass(slots=True, kw_only=True)
class FlattenCompleted(Event):
    """A flatten brought ``symbol`` to flat after ``attempts`` market orders."""

    symbol: Symbol
    attempts: int


@dataclass(slots=True, kw_only=True)
class RiskLimitsChanged(Event):
    """Risk limits of an account (account "*": the firm's defaults) changed; JSON values before and after.

    ``unset`` names limits taken back to the default: an account's to the firm's, the firm's to the settings'.
    """

    old: dict[str, Any]
    new: dict[str, Any]
    unset: list[str] = field(default_factory=list)
