"""The read side served from the engine's in-memory state: orders, positions, accounts."""

import asyncio
from bisect import bisect_left
from collections.abc import Collection, Iterator
from decimal import Decimal
from typing import Protocol

from ordergate.domain.account import Account
from ordergate.domain.enums import OrderStatus
from ordergate.domain.errors import UnknownAccount, UnknownOrder
from ordergate.domain.eviction import read_back
from ordergate.domain.ids import AccountId, OrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import Order
from ordergate.domain.position import Position
from ordergate.service.ports import PriceSource


class EndedPages(Protocol):
    """Where the orders that left memory are listed from (the database's projections)."""

    def page(
        self, before_seq: int, limit: int, statuses: Collection[str] | None = None, symbol: str | None = None,
        account: str | None = None, within: Collection[str] | None = None,
    ) -> list[tuple[int, OrderId]]:
        """Return up to ``limit`` (creation seq, id) of matching orders made before ``before_seq``, newest first."""


class Views:
    """Answer read queries from the ledger, valuing positions with live prices.

    Orders that left memory (domain/eviction.py) are read back, never into the ledger: a read changes nothing.
    """

    def __init__(self, ledger: Ledger, prices: PriceSource, ended: EndedPages | None = None) -> None:
        self._ledger = ledger
        self._prices = prices
        self._ended = ended

    def order(self, order_id: OrderId) -> Order:
        """Return one order or raise UnknownOrder."""
        order = self._ledger.orders.get(order_id)
        if order is None:
            order = self._read_back(order_id)
        return _found(order, order_id)

    async def find_order(self, order_id: OrderId) -> Order:
        """Return one order or raise UnknownOrder; one that left memory is read back on a worker thread, so the
        event loop (and every order waiting on it) does not wait for the database."""
        order = self._ledger.orders.get(order_id)
        if order is None:
            order = await asyncio.to_thread(self._read_back, order_id)
        return _found(order, order_id)

    def _read_back(self, order_id: OrderId) -> Order | None:
        found = read_back(self._ledger, order_id)
        if found is None:
            return None
        return next(order for order, _ in found[0] if order.id == order_id)

    def list_orders(
        self, statuses: set[OrderStatus] | None = None, symbol: str | None = None, account: str | None = None,
        limit: int = 100, cursor: int | None = None, within: Collection[str] | None = None,
    ) -> tuple[list[Order], str | None]:
        """Return a page of orders newest first, and the cursor of the next page (None at the end).

        ``within`` keeps only the orders of those accounts (a key's scope; None: every account). The cursor
        is the seq of the event that made the page's last order: the next page has the orders made before it,
        in memory or not.
        """
        page, bound = self._memory_page(statuses, symbol, account, limit, cursor, within)
        if self._reaches_ended(bound):
            page = self._with_ended(page, bound, limit, _values(statuses), symbol, account, within)
        return self._paged(page, limit)

    async def find_orders(
        self, statuses: set[OrderStatus] | None = None, symbol: str | None = None, account: str | None = None,
        limit: int = 100, cursor: int | None = None, within: Collection[str] | None = None,
    ) -> tuple[list[Order], str | None]:
        """``list_orders``, with the part the database answers (orders that left memory) on a worker thread."""
        page, bound = self._memory_page(statuses, symbol, account, limit, cursor, within)
        if self._reaches_ended(bound):
            page = await asyncio.to_thread(
                self._with_ended, page, bound, limit, _values(statuses), symbol, account, within)
        return self._paged(page, limit)

    def _memory_page(
        self, statuses: set[OrderStatus] | None, symbol: str | None, account: str | None, limit: int,
        cursor: int | None, within: Collection[str] | None,
    ) -> tuple[list[tuple[int, Order]], int]:
        """Return the matching orders in memory made before the cursor (with their creation seqs), and the bound."""
        ledger = self._ledger
        bound = ledger.last_seq + 1 if cursor is None else min(cursor, ledger.last_seq + 1)
        orders, seqs = ledger.order_list, ledger.order_seqs
        index = bisect_left(seqs, bound) - 1
        page: list[tuple[int, Order]] = []
        while index >= 0 and len(page) < limit:
            order = orders[index]
            seq = seqs[index]
            index -= 1
            if statuses is not None and order.status not in statuses:
                continue
            if (symbol is not None and order.symbol != symbol) or (account is not None and order.account != account):
                continue
            if within is not None and order.account not in within:
                continue
            page.append((seq, order))
        return page, bound

    def _reaches_ended(self, bound: int) -> bool:
        ended = self._ledger.ended
        return self._ended is not None and bool(ended.counts) and ended.first_seq < bound

    def _paged(self, page: list[tuple[int, Order]], limit: int) -> tuple[list[Order], str | None]:
        if len(page) < limit:
            return [order for _, order in page], None
        ended, last = self._ledger.ended, page[-1][0]
        older = bisect_left(self._ledger.order_seqs, last) > 0 or (bool(ended.counts) and 0 < ended.first_seq < last)
        return [order for _, order in page], (str(last) if older else None)

    def _with_ended(
        self, page: list[tuple[int, Order]], bound: int, limit: int, statuses: set[str] | None, symbol: str | None,
        account: str | None, within: Collection[str] | None,
    ) -> list[tuple[int, Order]]:
        """Merge into a page the orders that left memory, made before ``bound``, matching the filters."""
        assert self._ended is not None
        in_memory = self._ledger.orders
        found: list[tuple[int, OrderId]] = []
        before = min(bound, self._ledger.ended.last_seq + 1)
        while len(found) < limit:
            rows = self._ended.page(before, limit, statuses, symbol, account, within)
            found += [(seq, order_id) for seq, order_id in rows if order_id not in in_memory]
            if len(rows) < limit:
                break
            before = rows[-1][0]
        merged: list[tuple[int, Order | OrderId]] = [*page, *found]
        merged.sort(key=lambda item: item[0], reverse=True)
        out: list[tuple[int, Order]] = []
        for seq, item in merged[:limit]:
            order = item if isinstance(item, Order) else self._read_back(item)
            if order is not None:
                out.append((seq, order))
        return out

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


def _found(order: Order | None, order_id: OrderId) -> Order:
    if order is None:
        raise UnknownOrder(f"order {order_id} not found")
    return order


def _values(statuses: set[OrderStatus] | None) -> set[str] | None:
    return {s.value for s in statuses} if statuses is not None else None
