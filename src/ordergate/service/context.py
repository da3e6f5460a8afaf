"""What a handler may do while the engine handles one message: read state, emit events, queue venue requests.

Handlers get this narrow context instead of the engine, so none of them imports the engine. Everything a
message does goes into one Outcome: the engine loop commits its events and sends its requests together,
or, if the handler raised, none of them (see ``EngineLoop``).
"""

from collections.abc import Mapping

from ordergate.domain.errors import UnknownAccount, UnknownOrder, ValidationFailed
from ordergate.domain.events import Event
from ordergate.domain.ids import AccountId, OrderId, Symbol
from ordergate.domain.instruments import Instrument
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import Order
from ordergate.domain.validation import EXTENDED_HOURS
from ordergate.service.outcome import Outcome, VenueAction, VenueRequest
from ordergate.service.ports import Clock, VenueOrder


class EngineContext:
    """The ledger, the instruments and the clock, plus the outcome of the message being handled."""

    def __init__(self, ledger: Ledger, instruments: Mapping[Symbol, Instrument], clock: Clock) -> None:
        self.ledger = ledger
        self.instruments = instruments
        self.clock = clock
        self.outcome = Outcome()

    def begin(self) -> Outcome:
        """Start the outcome of a new message and return it."""
        self.outcome = Outcome()
        return self.outcome

    def emit(self, event: Event) -> None:
        """Number an event, apply it to the ledger and add it to the current outcome."""
        event.seq = self.ledger.last_seq + 1
        self.ledger.apply(event)
        self.outcome.events.append(event)

    def request(self, action: VenueAction, order: Order, new: VenueOrder | None = None,
                sent: VenueOrder | None = None) -> None:
        """Queue a venue request (``sent``: the order as the venue has it, default as it is now)."""
        self.outcome.requests.append(VenueRequest(action, order.venue, sent or snapshot(order), new,
                                                  order.parent_id is not None))

    def order(self, order_id: OrderId) -> Order:
        """Return an order or raise UnknownOrder."""
        order = self.ledger.find(order_id)  # one that left memory comes back
        if order is None:
            raise UnknownOrder(f"order {order_id} not found")
        return order

    def instrument(self, symbol: Symbol) -> Instrument:
        """Return an instrument or raise a validation error naming the symbol field."""
        instrument = self.instruments.get(symbol)
        if instrument is None:
            raise ValidationFailed("symbol", "known_instrument", f"unknown symbol {symbol!r}")
        return instrument

    def check_account(self, account: AccountId) -> None:
        """Raise unless the account exists."""
        if account not in self.ledger.accounts:
            raise UnknownAccount(f"account {account!r} not found")


def snapshot(order: Order) -> VenueOrder:
    """Return the venue's view of an order as it is now."""
    return VenueOrder(
        order_id=order.id, client_order_id=order.client_order_id, account=order.account, symbol=order.symbol,
        side=order.side, type=order.type, qty=order.qty, filled_qty=order.filled_qty,
        limit_price=order.limit_price, stop_price=order.stop_price, tif=order.tif, expire_at=order.expire_at,
        extended_hours=EXTENDED_HOURS in order.flags, created_at=order.created_at,
        venue_order_id=order.venue_order_id,
    )
