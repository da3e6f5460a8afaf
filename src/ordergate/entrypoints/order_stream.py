"""Order events as stream messages: each order's state as of that event, and a backlog to resume from.

Events are published after their batch commits, when the engine may already have applied later events
to the same order (an acknowledgement and its fill in one batch). So the stream keeps its own copy of
every working order and folds each published event into it with the domain's own rules: the message
of an event shows the order as that event left it. An event of a child order (one working at a venue for a
parent) is shown as its parent as it stands: clients see the orders they sent.
"""

import copy
from collections import deque
from typing import Any

import orjson

from ordergate.domain.errors import DomainError
from ordergate.domain.events import Event, OrderDenied, OrderEvent, OrderFilled, OrderSubmitted
from ordergate.domain.ids import OrderId
from ordergate.domain.order import Order, order_from_denied, order_from_submitted
from ordergate.entrypoints.api.serialize import _default, order_dict, position_dict, precision
from ordergate.service.views import Views

BACKLOG = 20_000  # messages kept for clients that reconnect (about a minute of a busy desk)
RESUME_WINDOW = 600.0  # seconds after the last client left during which messages are still kept for it


class OrderStates:
    """Each working order as of the last event published (the engine's own copy may be ahead of it)."""

    def __init__(self, views: Views) -> None:
        self._views = views
        # Called before the engine starts: the ledger holds exactly what the journal replayed.
        self._orders: dict[OrderId, Order] = {o.id: copy.deepcopy(o) for o in views.open_orders()}

    def after(self, event: OrderEvent) -> Order:
        """Return the order as ``event`` left it."""
        if isinstance(event, OrderSubmitted):
            order = self._orders[event.order_id] = order_from_submitted(event)
            return order
        if isinstance(event, OrderDenied):
            return order_from_denied(event)
        kept = self._orders.get(event.order_id)
        if kept is None:  # an event for an order done before: a late fill; its latest state is the best known
            latest = self._views.order(event.order_id)
            if latest.parent_id is not None:  # a child's event: clients follow its parent, which it changed
                return self._parent_now(latest.parent_id)
            return latest
        order = kept
        try:
            order.apply(event)
        except DomainError:  # cannot happen while the engine applies the same rules; never break the stream
            self._orders.pop(event.order_id, None)
            return self._views.order(event.order_id)
        if not order.is_open:
            del self._orders[event.order_id]
        return order


    def _parent_now(self, parent_id: OrderId) -> Order:
        """Return a parent as it stands now (its fills and status follow its children), and keep a copy of it."""
        latest = self._views.order(parent_id)
        if not latest.is_open:
            self._orders.pop(parent_id, None)
            return latest
        order = self._orders[parent_id] = copy.deepcopy(latest)
        return order


class OrderMessages:
    """Turn committed events into stream messages, keeping the latest ones for clients that resume."""

    def __init__(self, views: Views) -> None:
        self._views = views
        self._states = OrderStates(views)
        self._backlog: deque[tuple[int, str, bytes]] = deque()
        self.floor = views.last_seq()  # events up to this one are not in the backlog
        self.last_seq = self.floor

    def skip(self, event: Event) -> None:
        """Follow an event that nobody can ask for (no client now, none recently): fold it, build nothing."""
        if isinstance(event, OrderEvent):
            self._states.after(event)
        self.floor = self.last_seq = max(self.last_seq, event.seq)

    def render(self, event: Event) -> list[tuple[str, bytes]]:
        """Return (account, message) pairs for one event, keeping none (the shared stream keeps them)."""
        return [(account, orjson.dumps(message, default=_default)) for account, message in self._build(event)]

    def messages(self, event: Event) -> list[tuple[str, bytes]]:
        """Return (account, message) pairs for one event, and keep them in the backlog."""
        found = self.render(event)
        for account, data in found:
            if len(self._backlog) >= BACKLOG:
                self.floor = self._backlog.popleft()[0]
            self._backlog.append((event.seq, account, data))
        self.last_seq = max(self.last_seq, event.seq)
        return found

    def since(self, seq: int, accounts: frozenset[str] | None) -> list[bytes] | None:
        """Return the kept messages after ``seq`` (of the accounts), or None if some are no longer kept."""
        if seq < self.floor or seq > self.last_seq:
            return None
        return [data for s, acct, data in self._backlog if s > seq and (accounts is None or acct in accounts)]

    def _build(self, event: Event) -> list[tuple[str, dict[str, Any]]]:
        base = {"event": type(event).__name__, "seq": event.seq, "ts": event.ts.isoformat()}
        if not isinstance(event, OrderEvent):
            return [(event.account, {"type": "account", **base, "account": event.account})]
        order = self._states.after(event)
        out: list[tuple[str, dict[str, Any]]] = [
            (event.account, {"type": "order", **base, "order": order_dict(order)}),
        ]
        if isinstance(event, OrderFilled):
            fmt = precision()
            out.append((event.account, {"type": "fill", **base, "fill": {
                "fill_id": event.fill_id, "order_id": event.order_id, "symbol": event.symbol,
                "parent_id": order.id if order.id != event.order_id else None,  # a child's: the order sent
                "side": event.side.value, "qty": fmt.qty(event.symbol, event.qty),
                "price": fmt.price(event.symbol, event.price),
                "commission": fmt.money(event.currency, event.commission),
                "currency": event.currency, "liquidity": event.liquidity.value, "venue": event.venue,
            }}))
            for position, mark in self._views.positions(event.account):
                if position.symbol == event.symbol:
                    shown = position_dict(position, mark)
                    out.append((event.account, {"type": "position", **base, "position": shown}))
        return out
