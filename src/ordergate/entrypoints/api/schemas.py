"""API request models (pydantic). Responses are documented models, rendered from domain objects."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce

# Decimals travel as strings (exact); the documented pattern is what the server accepts: above zero, below
# 10^12, at most 12 places. (A JSON number is accepted too, but a string is what keeps it exact.)
POSITIVE_DECIMAL = r"^(?=[0.]*[1-9])[0-9]{1,12}(\.[0-9]{1,12})?$"
_POSITIVE = WithJsonSchema({"type": "string", "pattern": POSITIVE_DECIMAL, "examples": ["10", "230.50"],
                            "description": "a decimal string above 0 and below 10^12, at most 12 places"})
Qty = Annotated[Decimal, Field(gt=0, le=Decimal("1e12"), allow_inf_nan=False, max_digits=30, decimal_places=12),
                _POSITIVE]
Price = Annotated[Decimal, Field(gt=0, le=Decimal("1e12"), allow_inf_nan=False, max_digits=30, decimal_places=12),
                  _POSITIVE]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.&|:-]+$")]
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # no control characters: PostgreSQL refuses NUL in text, and none belong in an id
PathId = Annotated[str, Path(min_length=1, max_length=64, pattern=PRINTABLE,
                             description="an id: an order, account or symbol")]
QueryId = Annotated[str | None, Query(max_length=64, pattern=PRINTABLE)]  # an optional filter: an account or symbol


class OrderCreate(BaseModel):
    """A new order."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "10",
         "limit_price": "230.50", "time_in_force": "day", "client_order_id": "my-order-1"},
    ]})

    account: Name
    symbol: Name
    side: Side
    type: OrderType
    qty: Qty
    limit_price: Price | None = None
    stop_price: Price | None = None
    time_in_force: TimeInForce = TimeInForce.DAY
    expire_at: datetime | None = None
    client_order_id: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")] | None = None
    route: Name | None = Field(None, description="best_execution, lowest_cost, fastest, round_robin, or a venue id "
                               "to pin the order there; default: the account's default route")
    extended_hours: bool = Field(False, description="may also trade in the pre-market and after hours (Alpaca); "
                                 "only for limit orders with time_in_force day or gtc. The order's flags then "
                                 "show extended_hours")


class OrderUpdate(BaseModel):
    """New terms for a working order (cancel-replace); omitted fields keep their values."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    qty: Qty | None = None
    limit_price: Price | None = None
    stop_price: Price | None = None
    time_in_force: TimeInForce | None = None
    expire_at: datetime | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> "OrderUpdate":
        if not self.model_fields_set:
            raise ValueError("give at least one of qty, limit_price, stop_price, time_in_force, expire_at")
        return self


class CancelAllRequest(BaseModel):
    """Which working orders to cancel; no filter cancels all of them."""

    model_config = ConfigDict(extra="forbid")

    account: Name | None = None
    symbol: Name | None = None
    reason: Annotated[str, Field(min_length=1, max_length=200)] = "cancel all"


class DenialOut(BaseModel):
    """Why risk refused an order."""

    rule: str
    message: str
    limit: str | None
    actual: str | None


class OrderOut(BaseModel):
    """An order as the API shows it. Decimals are strings."""

    id: str
    client_order_id: str
    account: str
    symbol: str
    side: Side
    type: OrderType
    qty: str
    limit_price: str | None
    stop_price: str | None
    time_in_force: TimeInForce
    expire_at: datetime | None
    status: OrderStatus
    filled_qty: str
    leaves_qty: str
    avg_fill_price: str | None
    commission: str
    currency: str
    venue: str
    venue_order_id: str | None
    triggered: bool
    arrival_price: str | None
    reason: str | None
    reject_reasons: list[DenialOut]
    flags: list[str]
    created_at: datetime
    updated_at: datetime
    accepted_at: datetime | None
    first_fill_at: datetime | None
    done_at: datetime | None
    parent_id: str | None = Field(None, description="a child order's parent (the order a client sent)")
    children: list[str] = Field(default_factory=list, description="a parent's child orders at venues")


class OrderPage(BaseModel):
    """A page of orders, newest first; pass ``next_cursor`` as ``cursor`` for the next page."""

    items: list[OrderOut]
    next_cursor: str | None


class CancelAllOut(BaseModel):
    """The orders a cancel-all asked to cancel."""

    canceled: list[str]
    count: int
