"""Schedules: what the client asks and what the venue does and delivers, one step at a time.

A schedule names orders by their index in ``orders``; a step about an order not submitted yet (or denied
by risk) is skipped. Client steps go to the engine as commands; venue steps act on the venue's book
(their reports wait in the outbox); delivery steps choose which report reaches the engine next.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from ordergate.domain.enums import OrderType, Side


@dataclass(frozen=True, slots=True)
class OrderSpec:
    """A client order's terms (every order is good till canceled, in account ACC)."""

    symbol: str
    side: Side
    type: OrderType
    qty: Decimal
    limit_price: Decimal | None


# -- client steps (commands to the engine) --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Submit:
    """Submit order ``i``."""

    i: int


@dataclass(frozen=True, slots=True)
class Cancel:
    """Ask to cancel order ``i``."""

    i: int


@dataclass(frozen=True, slots=True)
class Replace:
    """Ask to replace order ``i`` to ``qty`` and its limit moved by ``ticks`` (limit orders)."""

    i: int
    qty: Decimal
    ticks: int = 0


@dataclass(frozen=True, slots=True)
class CancelAll:
    """Cancel every working order."""


@dataclass(frozen=True, slots=True)
class KillSwitch:
    """Halt the firm and cancel every working order."""


@dataclass(frozen=True, slots=True)
class Resume:
    """Resume trading after the kill switch."""


# -- venue steps (the venue acts; its reports wait in the outbox) ----------------------------------------

@dataclass(frozen=True, slots=True)
class Ack:
    """The venue acknowledges order ``i``."""

    i: int


@dataclass(frozen=True, slots=True)
class Reject:
    """The venue rejects order ``i`` (only before acknowledging it)."""

    i: int


@dataclass(frozen=True, slots=True)
class Fill:
    """The venue executes up to ``qty`` of order ``i``, ``improve`` ticks better than its price."""

    i: int
    qty: Decimal
    improve: int = 0


@dataclass(frozen=True, slots=True)
class AnswerCancel:
    """The venue answers the cancel request of order ``i``."""

    i: int
    accept: bool = True


@dataclass(frozen=True, slots=True)
class AnswerReplace:
    """The venue answers the replace request of order ``i``."""

    i: int
    accept: bool = True


@dataclass(frozen=True, slots=True)
class Expire:
    """The venue expires order ``i``."""

    i: int


@dataclass(frozen=True, slots=True)
class TellStatus:
    """The venue sends order ``i``'s status with its cumulative filled quantity, unasked."""

    i: int


@dataclass(frozen=True, slots=True)
class LoseRequest:
    """The next cancel or replace request the engine sends never reaches the venue."""


@dataclass(frozen=True, slots=True)
class Reconnect:
    """The venue's session drops and comes back (a ConnectionReport): a cue for the engine to reconcile."""


@dataclass(frozen=True, slots=True)
class Restart:
    """The engine stops and starts again from its journal (reports in flight wait); it reconciles at start."""


# -- delivery steps (which outbox report reaches the engine) ---------------------------------------------

@dataclass(frozen=True, slots=True)
class Deliver:
    """Deliver the outbox's ``k``-th oldest report (``k`` > 0 reorders; reports not chosen are delayed)."""

    k: int = 0


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Deliver the ``k``-th oldest report and keep it in the outbox, to be delivered again."""

    k: int = 0


@dataclass(frozen=True, slots=True)
class Drop:
    """Lose the ``k``-th oldest report: the engine hears of it only from a status query."""

    k: int = 0


ClientStep = Submit | Cancel | Replace | CancelAll | KillSwitch | Resume
VenueStep = Ack | Reject | Fill | AnswerCancel | AnswerReplace | Expire | TellStatus
SessionStep = LoseRequest | Reconnect | Restart
DeliveryStep = Deliver | Duplicate | Drop
Step = ClientStep | VenueStep | SessionStep | DeliveryStep
CLIENT_STEPS = (Submit, Cancel, Replace, CancelAll, KillSwitch, Resume)


@dataclass(frozen=True, slots=True)
class Schedule:
    """Orders, the steps that happen to them, the account's opening cash (USD), and whether the venue's acks,
    cancels, expiries and rejects carry the cumulative filled quantity (its status answers always do)."""

    orders: tuple[OrderSpec, ...]
    steps: tuple[Step, ...] = field(default_factory=tuple)
    cash: Decimal = Decimal(20000)
    cumulative_in_events: bool = True
