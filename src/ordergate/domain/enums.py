"""Enumerations shared by the whole domain. Values are the lower-case wire names."""

from enum import StrEnum


class Side(StrEnum):
    """Which way an order trades."""

    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        """Return +1 for buys and -1 for sells."""
        return 1 if self is _BUY else -1

    @property
    def opposite(self) -> "Side":
        """Return the other side."""
        return _SELL if self is _BUY else _BUY


class OrderType(StrEnum):
    """How an order is priced."""

    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"

    @property
    def needs_limit_price(self) -> bool:
        """Return whether the type carries a limit price."""
        return self is _LIMIT or self is _STOP_LIMIT

    @property
    def needs_stop_price(self) -> bool:
        """Return whether the type carries a stop (trigger) price."""
        return self is _STOP or self is _STOP_LIMIT


# module constants for the properties above (an attribute lookup on an Enum class costs ~45 ns; they run per order)
_BUY, _SELL = Side.BUY, Side.SELL
_LIMIT, _STOP, _STOP_LIMIT = OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT


class TimeInForce(StrEnum):
    """How long an order stays working."""

    DAY = "day"
    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"
    GTD = "gtd"

    @property
    def is_immediate(self) -> bool:
        """Return whether the order must execute at once or be canceled."""
        return self in (TimeInForce.IOC, TimeInForce.FOK)


class OrderStatus(StrEnum):
    """Order state, modelled on FIX OrdStatus (39)."""

    PENDING_NEW = "pending_new"
    NEW = "new"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    PENDING_CANCEL = "pending_cancel"
    PENDING_REPLACE = "pending_replace"
    CANCELED = "canceled"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def is_terminal(self) -> bool:
        """Return whether no further change can happen to the order."""
        return self in _TERMINAL

    @property
    def is_pending(self) -> bool:
        """Return whether the order waits for a venue answer."""
        return self in _PENDING


_TERMINAL = frozenset({OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED, OrderStatus.EXPIRED})
_PENDING = frozenset({OrderStatus.PENDING_NEW, OrderStatus.PENDING_CANCEL, OrderStatus.PENDING_REPLACE})


class TradingState(StrEnum):
    """Whether an account (or the firm) may trade."""

    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"


class Liquidity(StrEnum):
    """Whether a fill added or removed liquidity."""

    MAKER = "maker"
    TAKER = "taker"
