"""Typed identifiers. NewType keeps them apart for the type checker at no run-time cost."""

from typing import NewType

AccountId = NewType("AccountId", str)
OrderId = NewType("OrderId", str)
ClientOrderId = NewType("ClientOrderId", str)
VenueOrderId = NewType("VenueOrderId", str)
FillId = NewType("FillId", str)
Symbol = NewType("Symbol", str)
VenueId = NewType("VenueId", str)
