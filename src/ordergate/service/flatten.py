"""Flatten until flat: the kill switch's market orders are sent again for what is left, within a bound.

A thin book may fill a flattening market order only in part (the venue cancels the rest). When such an
order is done and the position is not flat, another market order goes out for what is left once
``RETRY_SECONDS`` have passed (the book refills), with the next message the engine handles (a venue
report, or the expiry timer's tick every second). After ``MAX_EMPTY`` orders in a row that filled
nothing (or ``MAX_ORDERS`` in all) a ``FlattenIncomplete`` event records what is still held, and an
operator can finish with ``FlattenPositions`` (past the halt, like the switch). What is being flattened
is kept in memory: after a restart an operator flattens again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderType, Side, TimeInForce
from ordergate.domain.events import FlattenIncomplete
from ordergate.domain.ids import AccountId, OrderId, Symbol
from ordergate.domain.order import TERMINAL
from ordergate.domain.reports import Report
from ordergate.service.context import EngineContext

MAX_EMPTY = 5  # flattening orders in a row that filled nothing before giving up
MAX_ORDERS = 50  # flattening orders per symbol in all
RETRY_SECONDS = 0.5
KILL = "kill-switch"  # prefix of caused_by for what the switch does

Submit = Callable[[cmds.SubmitOrder], OrderId]


@dataclass(slots=True)
class Flattening:
    """One symbol being flattened: the order working now (None: waiting until ``due``), the counts, who asked."""

    order_id: OrderId | None
    requested_by: str
    sent: int = 1
    empty: int = 0
    due: datetime | None = None


class Flattener:
    """Send flattening market orders and follow them until the position is flat or the bound is reached."""

    def __init__(self, ctx: EngineContext, submit: Submit) -> None:
        self._ctx = ctx
        self._submit = submit
        self.working: dict[tuple[AccountId, Symbol], Flattening] = {}
        self.incomplete: dict[tuple[AccountId, Symbol], FlattenIncomplete] = {}

    def flatten(self, account: AccountId | None, requested_by: str) -> list[OrderId]:
        """Send a market order against every open position in scope that is not being flattened already."""
        ids = []
        for position in list(self._ctx.ledger.positions_of(account)):
            key = (position.account, position.symbol)
            if position.qty == 0 or position.symbol not in self._ctx.instruments or key in self.working:
                continue
            self.incomplete.pop(key, None)
            order_id = self._send(position.account, position.symbol, requested_by)
            self.working[key] = Flattening(order_id, requested_by)
            ids.append(order_id)
        return ids

    def after(self, message: object) -> None:
        """After the engine handled a message: follow a flattening order that is done, send what is due."""
        if isinstance(message, Report):
            self._follow(message)
        if self.working:
            self._send_due()

    def _follow(self, report: Report) -> None:
        order = self._ctx.ledger.orders.get(report.order_id)
        if order is None or order.status not in TERMINAL:
            return
        key = (order.account, order.symbol)
        state = self.working.get(key)
        if state is None or state.order_id != order.id:
            return
        left = self._left(order.account, order.symbol)
        state.empty = 0 if order.filled_qty > 0 else state.empty + 1
        if left == 0:
            del self.working[key]
        elif state.empty >= MAX_EMPTY or state.sent >= MAX_ORDERS:
            del self.working[key]
            event = FlattenIncomplete(ts=self._ctx.clock.now(), account=order.account, caused_by=state.requested_by,
                                      symbol=order.symbol, remaining=left, attempts=state.sent)
            self._ctx.emit(event)
            self.incomplete[key] = event
        else:
            state.order_id, state.due = None, self._ctx.clock.now() + timedelta(seconds=RETRY_SECONDS)

    def _send_due(self) -> None:
        now = self._ctx.clock.now()
        for (account, symbol), state in list(self.working.items()):
            if state.order_id is not None or state.due is None or now < state.due:
                continue
            if self._left(account, symbol) == 0:  # flat by other means meanwhile
                del self.working[(account, symbol)]
                continue
            state.order_id, state.due = self._send(account, symbol, state.requested_by), None
            state.sent += 1

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

    def _send(self, account: AccountId, symbol: Symbol, requested_by: str) -> OrderId:
        position = self._ctx.ledger.position(account, symbol)
        assert position is not None and position.qty != 0
        return self._submit(cmds.SubmitOrder(
            account=account, symbol=symbol, side=Side.SELL if position.qty > 0 else Side.BUY,
            type=OrderType.MARKET, qty=abs(position.qty), tif=TimeInForce.DAY,
            requested_by=requested_by if requested_by.startswith(KILL) else f"{KILL}:{requested_by}",
        ))
