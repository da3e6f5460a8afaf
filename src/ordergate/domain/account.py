"""Accounts: cash per currency, reservations for working orders, buying power."""

from dataclasses import dataclass, field
from decimal import Decimal

from ordergate.domain.enums import Side
from ordergate.domain.ids import AccountId, OrderId

ZERO = Decimal(0)
BUY = Side.BUY  # a module constant: an attribute lookup on an Enum class is slow, and this runs per fill


@dataclass(slots=True)
class Reservation:
    """Cash held back for a working order: ``qty`` (at most its leaves) times ``price``."""

    currency: str
    qty: Decimal
    price: Decimal

    @property
    def amount(self) -> Decimal:
        """Return the cash held."""
        return self.qty * self.price


@dataclass(slots=True)
class Balance:
    """Cash in one currency: what was deposited, what it is now, what working orders hold back."""

    deposited: Decimal = ZERO
    cash: Decimal = ZERO
    reserved: Decimal = ZERO
    commission: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        """Return cash not held back for working orders."""
        return self.cash - self.reserved


@dataclass(slots=True, kw_only=True)
class Account:
    """A trading account with multi-currency cash and reservations for its working orders."""

    id: AccountId
    margin: bool = False
    name: str = ""
    venues: tuple[str, ...] = ()  # where it may trade; empty: anywhere
    closed: bool = False
    balances: dict[str, Balance] = field(default_factory=dict)
    reservations: dict[OrderId, Reservation] = field(default_factory=dict)

    def balance(self, currency: str) -> Balance:
        """Return the balance in a currency, creating an empty one on first use."""
        bal = self.balances.get(currency)
        if bal is None:
            bal = self.balances[currency] = Balance()
        return bal

    def deposit(self, currency: str, amount: Decimal) -> None:
        """Add (or, negative, withdraw) cash."""
        bal = self.balance(currency)
        bal.deposited += amount
        bal.cash += amount

    def buying_power(self, currency: str) -> Decimal:
        """Return the cash available for new orders in a currency."""
        return self.balance(currency).available

    def reserve(self, order_id: OrderId, currency: str, qty: Decimal, price: Decimal) -> None:
        """Hold back ``qty`` x ``price`` of cash for a working order (replacing any earlier hold)."""
        self.release(order_id)
        if qty <= 0 or price <= 0:
            return
        res = Reservation(currency, qty, price)
        self.reservations[order_id] = res
        self.balance(currency).reserved += res.amount

    def shrink_reservation(self, order_id: OrderId, leaves: Decimal) -> None:
        """Cap an order's hold at its leaves quantity (after a fill); release it at zero."""
        res = self.reservations.get(order_id)
        if res is None or res.qty <= leaves:
            return
        if leaves <= 0:
            self.release(order_id)
            return
        bal = self.balance(res.currency)
        bal.reserved -= res.amount
        res.qty = leaves
        bal.reserved += res.amount

    def release(self, order_id: OrderId) -> None:
        """Drop an order's hold (it is done or being re-reserved)."""
        res = self.reservations.pop(order_id, None)
        if res is not None:
            self.balance(res.currency).reserved -= res.qty * res.price

    def settle_fill(self, side: Side, qty: Decimal, price: Decimal, commission: Decimal, currency: str) -> None:
        """Move cash for a fill: pay for buys, receive for sells, pay commission either way."""
        bal = self.balances.get(currency) or self.balance(currency)
        cost = qty * price
        bal.cash -= (cost if side is BUY else -cost) + commission
        bal.commission += commission
