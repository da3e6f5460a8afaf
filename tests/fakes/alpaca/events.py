"""Trade updates: each event goes to every ``trade_updates`` listener (none listening: it is lost, as at Alpaca)."""

import asyncio
from decimal import Decimal
from typing import Any

from tests.fakes.alpaca.model import FakeOrder
from tests.fakes.alpaca.wire import dec, new_id, now_ts


class TradeUpdates:
    """The fan-out of trade update events to the connected stream clients."""

    def __init__(self) -> None:
        self.listeners: set[asyncio.Queue[dict[str, Any]]] = set()
        self.sent: list[dict[str, Any]] = []  # every event, for tests

    def emit(
        self, event: str, order: FakeOrder, *, price: Decimal | None = None, qty: Decimal | None = None,
        position_qty: Decimal | None = None, execution_id: str | None = None,
    ) -> dict[str, Any]:
        """Publish one event carrying a snapshot of ``order``; return the message."""
        data: dict[str, Any] = {
            "event": event, "execution_id": execution_id or new_id(), "order": order.to_json(stream=True),
            "timestamp": now_ts(),
        }
        if qty is not None:
            data.update(price=dec(price), qty=dec(qty), position_qty=dec(position_qty))
        message = {"stream": "trade_updates", "data": data}
        self.sent.append(message)
        for queue in list(self.listeners):
            queue.put_nowait(message)
        return message
