"""Flatten until flat: the kill switch's market orders are sent again for what is left, within a bound.

A thin book may fill a flattening market order only in part (the venue cancels the rest). When such an
order is done and the position is not flat, another market order goes out for what is left once
``RETRY_SECONDS`` have passed (the book refills), with the next message the engine handles (a venue
report, or the expiry timer's tick every second). After ``MAX_EMPTY`` orders in a row that filled
nothing (or ``MAX_ORDERS`` in all) a ``FlattenIncomplete`` event records what is still held, and an
operator can finish with ``FlattenPositions`` (past the halt, like the switch).

Every step is an event (``FlattenOrderSent``, ``FlattenRetryScheduled``, ``FlattenCompleted``,
``FlattenIncomplete``) folded into the ledger's ``FlattenBook``: a restart rebuilds what was being
flattened from the journal and carries on.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderType, Side, TimeInForce
from ordergate.domain.events import FlattenCompleted, FlattenIncomplete, FlattenOrderSent, FlattenRetryScheduled
from ordergate.domain.flattening import Flattening, Key
from ordergate.domain.ids import AccountId, OrderId, Symbol
from ordergate.domain.order import TERMINAL
from ordergate.service.context import EngineContext

MAX_EMPTY = 5  # flattening orders in a row that filled nothing before giving up
MAX_ORDERS = 50  # flattening orders per symbol in all
RETRY_SECONDS = 0.5
KILL = "kill-switch"  # prefix of caused_by for what the switch does

Submit = Callable[[cmds.SubmitOrder], OrderId]

__all__ = ["KILL", "MAX_EMPTY", "MAX_ORDERS", "RETRY_SECONDS", "Flattener", "Flattening"]


class Flattener:
    """Send flattening market orders and follow them until the position is flat or the bound is reached."""

    def __init__(self, ctx: EngineContext, submit: Submit) -> None:
        self._ctx = ctx
        self._submit = submit
        self._book = ctx.ledger.flattening

    @property
    def working(self) -> dict[Key, Flattening]:
        """Return the symbols being flattened now, per (account, symbol)."""
        return self._book.working

    @property
    def incomplete(self) -> dict[Key, FlattenIncomplete]:
        """Return the symbols a flatten gave up on, per (account, symbol)."""
        return self._book.incomplete

    def flatten(self, account: AccountId | None, requested_by: str) -> list[OrderId]:
        """Send a market order against every open position in scope that is not being flattened already."""
        ids = []
        for position in list(self._ctx.ledger.positions_of(account)):
            key = (position.account, position.symbol)
            if position.qty == 0 or position.symbol not in self._ctx.instruments or key in self.working:
                continue
            ids.append(self._send(position.account, position.symbol, requested_by, attempt=1, empty=0))
        return ids

    def after(self, message: object) -> None:
        """After the engine handled a message: follow flattening orders that are done, send what is due.

        Costs one truth test when nothing is being flattened (every message passes here).
        """
        if not self._book.working:
            return
        orders = self._ctx.ledger.orders
        for key, state in list(self._book.working.items()):
            if state.order_id is not None:
                order = orders.get(state.order_id)
                if order is not None and order.status in TERMINAL:
                    self._follow(key, state, order.filled_qty > 0)
            elif state.due is not None and self._ctx.clock.now() >= state.due:
                self._retry(key, state)

    def _follow(self, key: Key, state: Flattening, filled: bool) -> None:
        """A flattening order is done: flat, give up, or schedule the next one."""
        account, symbol = key
        ctx = self._ctx
        left = self._left(account, symbol)
        empty = 0 if filled else state.empty + 1
        now = ctx.clock.now()
        if left == 0:
            ctx.emit(FlattenCompleted(ts=now, account=account, caused_by=state.requested_by, symbol=symbol,
                                      attempts=state.sent))
        elif empty >= MAX_EMPTY or state.sent >= MAX_ORDERS:
            ctx.emit(FlattenIncomplete(ts=now, account=account, caused_by=state.requested_by, symbol=symbol,
                                       remaining=left, attempts=state.sent))
        else:
            ctx.emit(FlattenRetryScheduled(ts=now, account=account, caused_by=state.requested_by, symbol=symbol,
                                           remaining=left, due=now + timedelta(seconds=RETRY_SECONDS),
                                           empty=empty))

    def _retry(self, key: Key, state: Flattening) -> None:
        account, symbol = key
        if self._left(account, symbol) == 0:  # flat by other means meanwhile
            self._ctx.emit(FlattenCompleted(ts=self._ctx.clock.now(), account=account, caused_by=state.requested_by,
                                            symbol=symbol, attempts=state.sent))
            return
        self._send(account, symbol, state.requested_by, attempt=state.sent + 1, empty=state.empty)

    def remaining(self, account: AccountId | None) -> dict[str, dict[str, object]]:
        """Return, per account and symbol, what flattening has left: the position, and whether it still works."""
        left: dict[str, dict[str, object]] = {}
        for (acc, symbol) in [*self.working, *self.incomplete]:
            if account is not None and acc != account:
                continue
            qty = self._left(acc, symbol)
            if qty:
                left.setdefault(acc, {})[symbol] = {"remaining": format(qty, "f"),
                                                    "working": (acc, symbol) in self.working}
        return left

    def _left(self, account: AccountId, symbol: Symbol) -> Decimal:
        position = self._ctx.ledger.position(account, symbol)
        return position.qty if position is not None else Decimal(0)

    def _send(self, account: AccountId, symbol: Symbol, requested_by: str, attempt: int, empty: int) -> OrderId:
        position = self._ctx.ledger.position(account, symbol)
        assert position is not None and position.qty != 0
        caused_by = requested_by if requested_by.startswith(KILL) else f"{KILL}:{requested_by}"
        order_id = self._submit(cmds.SubmitOrder(
            account=account, symbol=symbol, side=Side.SELL if position.qty > 0 else Side.BUY,
            type=OrderType.MARKET, qty=abs(position.qty), tif=TimeInForce.DAY, requested_by=caused_by,
        ))
        self._ctx.emit(FlattenOrderSent(ts=self._ctx.clock.now(), account=account, caused_by=caused_by,
                                        symbol=symbol, order_id=order_id, attempt=attempt, empty=empty))
        return order_id
