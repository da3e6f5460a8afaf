"""The order stream shows what clients sent: a child order's events come as its parent, its fills name it."""

from decimal import Decimal

import orjson

from ordergate.domain.enums import OrderStatus
from ordergate.entrypoints.order_stream import OrderMessages
from ordergate.service.views import Views
from tests.fakes.prices import FixedPrices
from tests.unit.builders import buy
from tests.unit.router_rig import Rig

D = Decimal


def test_child_events_when_streamed_then_each_shows_the_parent_and_a_fill_names_both() -> None:
    rig = Rig()
    stream = OrderMessages(Views(rig.ledger, FixedPrices({"AAPL": D("230.00")})))
    parent = rig.engine.handle(buy("5", limit=None, route="thin")).reply.order
    [child_id] = parent.children
    rig.engine.handle(rig.report(child_id, OrderStatus.NEW))
    rig.engine.handle(rig.fill_report(child_id, "f1", "5", "230.00"))
    messages = [orjson.loads(data) for event in rig.events for _, data in stream.render(event)]
    orders = [m["order"] for m in messages if m["type"] == "order"]
    assert {o["id"] for o in orders} == {parent.id}  # the child never shows as an order of its own
    assert orders[-1]["status"] == "filled" and orders[-1]["children"] == [child_id]
    [fill] = [m["fill"] for m in messages if m["type"] == "fill"]
    assert (fill["order_id"], fill["parent_id"]) == (child_id, parent.id)
