"""Handling SubmitOrder: validate, make idempotent by client order id, risk-check, record, route."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from ordergate.domain.commands import CancelOrder, SubmitOrder
from ordergate.domain.errors import DuplicateClientOrderId, ValidationFailed
from ordergate.domain.events import Denial, Event, OrderDenied, OrderPendingReplace, OrderReplaced, OrderSubmitted
from ordergate.domain.ids import AccountId, ClientOrderId, OrderId, VenueId
from ordergate.domain.order import Order
from ordergate.domain.validation import EXTENDED_HOURS, check_extended_hours, check_order_terms
from ordergate.service.context import EngineContext
from ordergate.service.outcome import VenueAction
from ordergate.service.parents import ParentOrders
from ordergate.service.ports import PriceSource
from ordergate.service.risk_gate import COLLAR_FLAG
from ordergate.service.venue_selector import VenueSelector

if TYPE_CHECKING:
    from ordergate.service.order_changes import OrderChanges
    from ordergate.service.risk_gate import RiskGate

MAX_CLIENT_ORDER_ID = 128

Fingerprint = tuple[object, ...]


@dataclass(slots=True)
class SubmitResult:
    """The order a submit made (or found): ``created`` is False for an idempotent repeat."""

    order: Order
    created: bool


class SubmitHandler:
    """Turn a SubmitOrder into an OrderSubmitted (and a venue request) or an OrderDenied."""

    def __init__(
        self, ctx: EngineContext, prices: PriceSource, venues: VenueSelector, new_order_id: Callable[[], OrderId],
        risk: "RiskGate", changes: "OrderChanges", parents: ParentOrders,
    ) -> None:
        self._ctx = ctx
        self._parents = parents
        self._changes = changes
        self._prices = prices
        self._venues = venues
        self._new_id = new_order_id
        self.risk = risk
        self._fingerprints: dict[tuple[AccountId, ClientOrderId], Fingerprint] = {}
        # orders whose terms may have left their fingerprint: only a replace changes them (a fill past the
        # quantity too, while a larger replace is pending); a snapshot compares only these
        self._reterms: set[tuple[AccountId, ClientOrderId]] = set()
        ctx.ledger.subscribe(self._remember, (OrderSubmitted, OrderDenied))
        ctx.ledger.subscribe(self._replacing, (OrderPendingReplace, OrderReplaced))
        ctx.ledger.keep_state("fingerprints", self)
        ctx.ledger.ended.on_evict.append(self._evicted)
        ctx.ledger.ended.on_load.append(self._loaded)

    # account, client order id, the fingerprint's terms, and whether it ends with "extended_hours"
    STATE_TYPE = list[tuple[str, str, tuple[str, str, str, Decimal, Decimal | None, Decimal | None, str,
                                             datetime | None, bool]]]

    def snapshot_state(self) -> list[tuple[AccountId, ClientOrderId, tuple[object, ...]]]:
        """Return the fingerprints the orders' own terms no longer give (replaced orders); the rest are derived."""
        ledger = self._ctx.ledger
        orders, by_client_id, fingerprints = ledger.orders, ledger.by_client_id, self._fingerprints
        return [(key[0], key[1], (*seen[:8], len(seen) > 8)) for key in sorted(self._reterms)
                if (seen := fingerprints[key]) != _order_fingerprint(orders[by_client_id[key]])]

    def restore_state(self, state: list[tuple[AccountId, ClientOrderId, tuple[object, ...]]]) -> None:
        """Derive every order's fingerprint from its terms, then take the ones a snapshot kept (after the ledger)."""
        orders = self._ctx.ledger.order_list
        self._fingerprints = {(o.account, o.client_order_id): _order_fingerprint(o) for o in orders}
        for account, client_id, seen in state:
            self._fingerprints[(account, client_id)] = (*seen[:8], EXTENDED_HOURS) if seen[8] else tuple(seen[:8])
            self._reterms.add((account, client_id))

    def handle(self, cmd: SubmitOrder) -> SubmitResult:
        """Validate, risk-check and record a new order; return it."""
        return self.submit(cmd)

    def submit(self, cmd: SubmitOrder, checked: bool = True) -> SubmitResult:
        """Validate and record a new order, past pre-trade risk only when ``checked`` is False."""
        ctx = self._ctx
        self._check_account(cmd.account)
        instrument = ctx.instrument(cmd.symbol)
        now = ctx.clock.now()
        check_order_terms(cmd.type, cmd.qty, cmd.limit_price, cmd.stop_price, cmd.tif, cmd.expire_at, instrument, now)
        check_extended_hours(cmd.extended_hours, cmd.type, cmd.tif)
        routing = self._venues.route(cmd, ctx.ledger.accounts[cmd.account].venues)
        venue = routing.venue
        for child in routing.children:
            self._check_venue(cmd.account, child.venue)
        self._check_venue(cmd.account, venue)
        existing = self._existing(cmd)
        if existing is not None:
            return SubmitResult(existing, created=False)
        order_id = self._new_id()
        client_id = cmd.client_order_id or ClientOrderId(order_id)
        reference = self._prices.reference_price(cmd.symbol)
        terms = self.risk.protect(cmd, reference) if checked else cmd  # a market order may become a limit
        denials = self._venue_denials(venue) or (self.risk.check_submit(terms, instrument, reference, now)
                                                 if checked else [])
        if denials:
            ctx.emit(self._denied(cmd, order_id, client_id, instrument.currency, denials))
        else:
            for resting in self.risk.self_match_victims(terms) if checked else []:
                # the cancel request is queued before the new order's, so the venue sees it first
                self._changes.cancel(CancelOrder(order_id=resting.id, reason="self-match prevention",
                                                 requested_by=cmd.requested_by))
            reserve_qty, reserve_price = self.risk.reservation(terms, reference)
            ctx.emit(OrderSubmitted(
                ts=now, account=cmd.account, order_id=order_id, caused_by=cmd.requested_by,
                client_order_id=client_id, symbol=cmd.symbol, side=cmd.side, type=terms.type, qty=cmd.qty,
                limit_price=terms.limit_price, stop_price=cmd.stop_price, tif=cmd.tif, expire_at=cmd.expire_at,
                currency=instrument.currency, venue=venue, arrival_price=reference,
                flags=_flags(cmd, self.risk.flags(terms, collared=terms is not cmd) if checked
                             else ["kill_switch_flatten"]),
                reserve_qty=reserve_qty, reserve_price=reserve_price, route=routing.record,
                parent=bool(routing.children),
            ))
            order = ctx.ledger.orders[order_id]
            if routing.children:
                for plan in routing.children:
                    self._parents.route_child(order, plan, cmd.requested_by)
            else:
                ctx.request(VenueAction.SUBMIT, order)
        return SubmitResult(ctx.ledger.orders[order_id], created=True)

    def _venue_denials(self, venue: VenueId) -> list[Denial]:
        """Deny an order for a venue that says it cannot take orders now (recorded, so the trader sees why)."""
        reason = self._venues.unavailable_reason(venue)
        if reason is None:
            return []
        return [Denial(rule="venue_unavailable", message=reason, actual=venue)]

    def _check_account(self, account: AccountId) -> None:
        # The account named in an order is input, like its symbol: an unknown one is bad input naming the
        # field (422), not a missing resource (404).
        held = self._ctx.ledger.accounts.get(account)
        if held is None:
            raise ValidationFailed("account", "known_account", f"unknown account {account!r}")
        if held.closed:
            raise ValidationFailed("account", "open_account", f"account {account!r} is closed")

    def _check_venue(self, account: AccountId, venue: str) -> None:
        allowed = self._ctx.ledger.accounts[account].venues
        if allowed and venue not in allowed:
            raise ValidationFailed("account", "account_venue",
                                   f"account {account!r} trades only at {', '.join(allowed)}, not at {venue}")

    def _existing(self, cmd: SubmitOrder) -> Order | None:
        if cmd.client_order_id is None:
            return None
        if len(cmd.client_order_id) > MAX_CLIENT_ORDER_ID or not cmd.client_order_id.isprintable():
            message = f"must be 1 to {MAX_CLIENT_ORDER_ID} printable characters"
            raise ValidationFailed("client_order_id", "max_length", message)
        key = (cmd.account, cmd.client_order_id)
        seen = self._fingerprints.get(key)
        if seen is None:
            if self._ctx.ledger.find_client(cmd.account, cmd.client_order_id) is None:  # nor out of memory
                return None
            seen = self._fingerprints[key]  # the order read back gave its submit's fingerprint
        if seen != _fingerprint(cmd):
            raise DuplicateClientOrderId(
                f"client_order_id {cmd.client_order_id!r} is already used by account {cmd.account} "
                "for a different order"
            )
        return self._ctx.ledger.orders[self._ctx.ledger.by_client_id[key]]

    def _denied(
        self, cmd: SubmitOrder, order_id: OrderId, client_id: ClientOrderId, currency: str, denials: list[Denial],
    ) -> OrderDenied:
        return OrderDenied(
            ts=self._ctx.clock.now(), account=cmd.account, order_id=order_id, caused_by=cmd.requested_by,
            client_order_id=client_id, symbol=cmd.symbol, side=cmd.side, type=cmd.type, qty=cmd.qty,
            limit_price=cmd.limit_price, stop_price=cmd.stop_price, tif=cmd.tif, expire_at=cmd.expire_at,
            currency=currency, reasons=denials,
        )

    def _replacing(self, event: OrderPendingReplace | OrderReplaced, order: Order) -> None:
        if order.parent_id is None:  # a child's terms are its parent's business: it has no fingerprint
            self._reterms.add((order.account, order.client_order_id))

    def _remember(self, event: OrderSubmitted | OrderDenied, order: Order | None) -> None:
        self._fingerprints[(event.account, event.client_order_id)] = _fingerprint(event)

    def _evicted(self, orders: list[Order]) -> None:
        """Forget the fingerprints of orders that left memory (the ledger keeps a hash of their keys)."""
        for order in orders:
            if order.parent_id is None:
                key = (order.account, order.client_order_id)
                self._fingerprints.pop(key, None)
                self._reterms.discard(key)

    def _loaded(self, orders: list[Order], events: list[Event]) -> None:
        """Take the fingerprints of orders read back from their submits (replaced ones included)."""
        held = {order.id: order for order in orders}
        for event in events:
            if type(event) is OrderSubmitted or type(event) is OrderDenied:
                key = (event.account, event.client_order_id)
                seen = self._fingerprints[key] = _fingerprint(event)
                if seen != _order_fingerprint(held[event.order_id]):
                    self._reterms.add(key)


def _flags(cmd: SubmitOrder, flags: list[str]) -> list[str]:
    return [*flags, EXTENDED_HOURS] if cmd.extended_hours else flags
def _order_fingerprint(o: Order) -> Fingerprint:
    """Return the fingerprint an order's submit had, as long as no replace changed its terms."""
    if COLLAR_FLAG in o.flags:
        return (o.symbol, str(o.side), "market", o.qty, None, o.stop_price, str(o.tif), o.expire_at)
    terms = (o.symbol, str(o.side), str(o.type), o.qty, o.limit_price, o.stop_price, str(o.tif), o.expire_at)
    return (*terms, EXTENDED_HOURS) if EXTENDED_HOURS in o.flags else terms


def _fingerprint(o: SubmitOrder | OrderSubmitted | OrderDenied) -> Fingerprint:
    # plain strings, not enum members: a tuple of atomic values is one the garbage collector stops tracking,
    # and one is kept for every order the process has seen
    if isinstance(o, OrderSubmitted) and COLLAR_FLAG in o.flags:
        return (o.symbol, str(o.side), "market", o.qty, None, o.stop_price, str(o.tif), o.expire_at)  # as sent
    terms = (o.symbol, str(o.side), str(o.type), o.qty, o.limit_price, o.stop_price, str(o.tif), o.expire_at)
    return (*terms, "extended_hours") if _extended(o) else terms


def _extended(o: SubmitOrder | OrderSubmitted | OrderDenied) -> bool:
    if isinstance(o, SubmitOrder):
        return o.extended_hours
    return isinstance(o, OrderSubmitted) and EXTENDED_HOURS in o.flags
