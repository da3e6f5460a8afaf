"""The fake Alpaca as the kit's oracle: its orders (replace chains folded into ours) and its executions.

Alpaca replaces an order by a new one with a new id that starts at zero filled; our order is the whole
chain, named by the first order's client order id (ours). Fill ids are the adapter's: the Alpaca order id
and the cumulative quantity after the execution.
"""

from collections.abc import Callable

from ordergate.domain.enums import OrderStatus, Side
from ordergate.domain.ids import AccountId, FillId, OrderId, Symbol, VenueOrderId
from tests.conformance.truth import Execution, OrderTruth
from tests.fakes.alpaca.broker import FakeBroker
from tests.fakes.alpaca.model import FakeOrder

S = OrderStatus
_DONE = {"filled": S.FILLED, "canceled": S.CANCELED, "expired": S.EXPIRED, "done_for_day": S.EXPIRED,
         "rejected": S.REJECTED}
_UNACKED = frozenset({"accepted", "pending_new"})


class AlpacaTruth:
    """What the fake Alpaca holds, as our orders: ``order_id_of`` maps a client order id to our order id."""

    def __init__(self, broker: FakeBroker, account: AccountId, order_id_of: Callable[[str], OrderId | None]) -> None:
        self._broker = broker
        self._account = account
        self._order_id_of = order_id_of

    def orders(self) -> list[OrderTruth]:
        """Return each chain of Alpaca orders as one of ours, in the state of its newest link."""
        found = []
        for first in self._firsts():
            order_id = self._order_id_of(first.client_order_id)
            if order_id is None:
                continue
            chain = self._chain(first)
            last = chain[-1]
            filled = sum((o.filled_qty for o in chain), start=first.filled_qty * 0)
            status = _DONE.get(last.status) or (S.PENDING_NEW if last.status in _UNACKED and len(chain) == 1
                                                else S.PARTIALLY_FILLED if filled else S.NEW)
            acked = not (len(chain) == 1 and last.status in _UNACKED | {"rejected"})
            found.append(OrderTruth(order_id=order_id, account=self._account, symbol=Symbol(first.symbol),
                                    side=Side(first.side), status=status, filled_qty=filled,
                                    venue_order_id=VenueOrderId(last.id) if acked else None))
        return found

    def executions(self) -> list[Execution]:
        """Return every execution at the fake, on our order."""
        first_of = {o.id: first for first in self._firsts() for o in self._chain(first)}
        found = []
        for fill in self._broker.fills:
            first = first_of[fill.order.id]
            order_id = self._order_id_of(first.client_order_id)
            if order_id is None:
                continue
            found.append(Execution(
                order_id=order_id, fill_id=FillId(f"{fill.order.id}:{format(fill.cum_qty.normalize(), 'f')}"),
                account=self._account, symbol=Symbol(first.symbol), side=Side(first.side), qty=fill.qty,
                price=fill.price, commission=fill.qty * 0,
            ))
        return found

    def _firsts(self) -> list[FakeOrder]:
        return [o for o in self._broker.orders.values() if o.replaces is None]

    def _chain(self, first: FakeOrder) -> list[FakeOrder]:
        chain = [first]
        while chain[-1].replaced_by is not None:
            chain.append(self._broker.orders[chain[-1].replaced_by])
        return chain
