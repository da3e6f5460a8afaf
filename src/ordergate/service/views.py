"""The read side served from the engine's in-memory state: orders, positions, accounts."""

from collections.abc import Collection, Iterator
from decimal import Decimal

from ordergate.domain.account import Account
from ordergate.domain.enums import OrderStatus
from ordergate.domain.errors import UnknownAccount, UnknownOrder
from ordergate.domain.ids import AccountId, OrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import Order
from ordergate.domain.position import Position
from ordergate.service.ports import PriceSource


class Views:
    """Answer read queries from the ledger, valuing positions with live prices."""

    def __init__(self, ledger: Ledger, prices: PriceSource) -> None:
        self._ledger = ledger
        self._prices = prices

    def order(self, order_id: OrderId) -> Order:
        """Return one order or raise UnknownOrder."""
        order = self._ledger.orders.get(order_id)
        if order is None:
            raise UnknownOrder(f"order {order_id} not found")
        return order

    def list_orders(
        self, statuses: set[OrderStatus] | None = None, symbol: str | None = None, account: str | None = None,
        limit: int = 100, cursor: int | None = None, within: Collection[str] | None = None,
    ) -> tuple[list[Order], str | None]:
        """Return a page of orders newest first, and the cursor of the next page (None at the end).

        ``within`` keeps only the orders of those accounts (a key's scope; None: every account).
        """
        orders = self._ledger.order_list
        index = min(len(orders), cursor if cursor is not None else len(orders)) - 1
        page: list[Order] = []
        while index >= 0 and len(page) < limit:
            order = orders[index]
            index -= 1
            if statuses is not None and order.status not in statuses:
                continue
            if (symbol is not None and order.symbol != symbol) or (account is not None and order.account != account):
                continue
            if within is not None and order.account not in within:
                continue
            page.append(order)
        return page, (str(index + 1) if index >= 0 and len(page) == limit else None)

    def positions(self, account: str | None = None, open_only: bool = False) -> list[tuple[Position, Decimal | None]]:
        """Return positions with their mark price, of one account or all."""
        if account is not None:
            self.account(AccountId(account))
        return [
            (p, self._prices.reference_price(p.symbol))
            for p in self._ledger.positions_of(AccountId(account) if account else None)
            if not open_only or p.qty != 0
        ]

    def accounts(self) -> Iterator[Account]:
        """Yield every account."""
        yield from self._ledger.accounts.values()

    def account(self, account_id: AccountId) -> Account:
        """Return one account or raise UnknownAccount."""
        account = self._ledger.accounts.get(account_id)
        if account is None:
            raise UnknownAccount(f"account {account_id!r} not found")
        return account

    def market_values(self, account_id: AccountId) -> dict[str, Decimal]:
        """Return the market value of the account's positions per currency (unpriced ones at cost)."""
        values: dict[str, Decimal] = {}
        for position, mark in self.positions(account_id):
            value = position.market_value(mark)
            values[position.currency] = values.get(position.currency, Decimal(0)) + (
                value if value is not None else position.cost_basis
            )
        return values

    def open_orders(self) -> list[Order]:
        """Return the working orders."""
        return list(self._ledger.open_orders.values())

    def last_seq(self) -> int:
        """Return the sequence number of the newest event applied."""
        return self._ledger.last_seq
