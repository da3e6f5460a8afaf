"""GTT (good till triggered) orders at the fake broker, as far as the reference and the SDK's models show them.

The reference names GTT among the order APIs and its stream update (``update_type: "gtt_order"`` with
``rules[{strategy, status, trigger_type, trigger_price, order_id, ...}]``); the SDK's models give the routes
(``/v3/order/gtt/place|modify|cancel``, ``GET /v3/order/gtt``) and fields. Unsure, and chosen here: a rule's
status texts (``SCHEDULED`` until triggered, then ``TRIGGERED``; ``CANCELLED``), and that a triggered ENTRY
rule places a MARKET order (the rule has no price) with no tag. Only SINGLE GTTs with one ENTRY rule are
taken; the fake refuses the rest.
"""

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.fakes.upstox.envelopes import UpstoxError
from tests.fakes.upstox.instruments import INSTRUMENTS, FakeInstrument
from tests.fakes.upstox.requests import PlaceRequest

LIFETIME = timedelta(days=365)
_ids = itertools.count(1)


@dataclass(slots=True)
class FakeGtt:
    """One GTT with its one ENTRY rule."""

    gtt_order_id: str
    instrument: FakeInstrument
    quantity: int
    product: str
    transaction_type: str
    trigger_type: str  # ABOVE, BELOW (IMMEDIATE triggers at once)
    trigger_price: Decimal
    created_at: datetime
    status: str = "SCHEDULED"
    order_id: str | None = None  # the order placed when it triggered

    def triggered_by(self, last: Decimal) -> bool:
        """Return whether a last price fires the rule."""
        if self.status != "SCHEDULED":
            return False
        return (self.trigger_type == "IMMEDIATE" or (self.trigger_type == "ABOVE" and last >= self.trigger_price)
                or (self.trigger_type == "BELOW" and last <= self.trigger_price))

    def wire(self) -> dict[str, Any]:
        """Return the GTT as ``GET /v3/order/gtt`` lists it (times in epoch milliseconds)."""
        created = int(self.created_at.timestamp() * 1000)
        return {
            "type": "SINGLE", "exchange": self.instrument.exchange, "quantity": self.quantity,
            "product": self.product, "trading_symbol": self.instrument.symbol,
            "instrument_token": self.instrument.key, "gtt_order_id": self.gtt_order_id, "created_at": created,
            "expires_at": created + int(LIFETIME.total_seconds() * 1000),
            "rules": [{"strategy": "ENTRY", "status": self.status, "message": None,
                       "trigger_type": self.trigger_type, "trigger_price": float(self.trigger_price),
                       "transaction_type": self.transaction_type, "order_id": self.order_id,
                       "trailing_gap": None}],
        }

    def update(self) -> dict[str, Any]:
        """Return the portfolio stream's ``gtt_order`` update."""
        return {"update_type": "gtt_order", **self.wire()}


def parse_gtt(body: Any, now: datetime) -> FakeGtt:
    """Return the GTT a ``/v3/order/gtt/place`` body asks for, or raise UDAPI100038 naming the field."""
    if not isinstance(body, dict):
        raise UpstoxError(400, "UDAPI100038", "Invalid input", "body", None)
    if body.get("type") != "SINGLE":
        raise UpstoxError(400, "UDAPI100038", "Only SINGLE GTT orders are supported here", "type", body.get("type"))
    instrument = INSTRUMENTS.get(str(body.get("instrument_token")))
    if instrument is None:
        raise UpstoxError(400, "UDAPI100038", "Invalid instrument_token", "instrument_token",
                          body.get("instrument_token"))
    rules = body.get("rules")
    if not isinstance(rules, list) or len(rules) != 1 or rules[0].get("strategy") != "ENTRY":
        raise UpstoxError(400, "UDAPI100038", "A SINGLE GTT takes one ENTRY rule", "rules", rules)
    rule = rules[0]
    quantity, price = body.get("quantity"), rule.get("trigger_price")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise UpstoxError(400, "UDAPI100038", "Invalid quantity", "quantity", quantity)
    if rule.get("trigger_type") not in ("ABOVE", "BELOW", "IMMEDIATE"):
        raise UpstoxError(400, "UDAPI100038", "Invalid trigger_type", "trigger_type", rule.get("trigger_type"))
    if not isinstance(price, int | float) or isinstance(price, bool) or price <= 0:
        raise UpstoxError(400, "UDAPI100038", "Invalid trigger_price", "trigger_price", price)
    if body.get("transaction_type") not in ("BUY", "SELL") or body.get("product") not in ("I", "D", "MTF"):
        raise UpstoxError(400, "UDAPI100038", "Invalid transaction_type or product", "transaction_type",
                          body.get("transaction_type"))
    return FakeGtt(gtt_order_id=f"GTT-{next(_ids):08d}", instrument=instrument, quantity=quantity,
                   product=str(body["product"]), transaction_type=str(body["transaction_type"]),
                   trigger_type=str(rule["trigger_type"]), trigger_price=Decimal(str(price)), created_at=now)


class GttBook:
    """The account's GTTs: placed, cancelled, and fired by price moves into MARKET orders at the exchange."""

    def __init__(self, exchange: Any) -> None:
        self.exchange = exchange  # a FakeExchange (not imported: it imports this module)
        self.gtts: dict[str, FakeGtt] = {}

    def place(self, body: Any) -> FakeGtt:
        """Keep a new GTT (it fires at once when the price is already there)."""
        with self.exchange.lock:
            gtt = parse_gtt(body, self.exchange.clock.now())
            self.gtts[gtt.gtt_order_id] = gtt
            self.exchange.hub.publish(gtt.update())
            self.on_price(gtt.instrument.key, self.exchange.last_price[gtt.instrument.key])
            return gtt

    def cancel(self, gtt_order_id: Any) -> FakeGtt:
        """Cancel a GTT not yet triggered (UDAPI100010 when unknown, UDAPI100040 once done)."""
        with self.exchange.lock:
            gtt = self.get(gtt_order_id)
            if gtt.status != "SCHEDULED":
                raise UpstoxError(400, "UDAPI100040", "Cancel of a triggered or cancelled GTT order is not allowed",
                                  "gtt_order_id", gtt_order_id)
            gtt.status = "CANCELLED"
            self.exchange.hub.publish(gtt.update())
            return gtt

    def get(self, gtt_order_id: Any) -> FakeGtt:
        """Return a GTT, or raise UDAPI100010."""
        gtt = self.gtts.get(str(gtt_order_id))
        if gtt is None:
            raise UpstoxError(400, "UDAPI100010", "GTT order not found", "gtt_order_id", gtt_order_id)
        return gtt

    def on_price(self, key: str, last: Decimal) -> None:
        """Fire every scheduled GTT of ``key`` that ``last`` triggers: a MARKET order, no tag."""
        for gtt in [g for g in self.gtts.values() if g.instrument.key == key and g.triggered_by(last)]:
            order = self.exchange.place(PlaceRequest(
                instrument=gtt.instrument, quantity=gtt.quantity, product=gtt.product, validity="DAY",
                price=Decimal(0), order_type="MARKET", transaction_type=gtt.transaction_type, disclosed_quantity=0,
                trigger_price=Decimal(0), is_amo=False, tag=None))
            gtt.status, gtt.order_id = "TRIGGERED", order.order_id
            self.exchange.hub.publish(gtt.update())
