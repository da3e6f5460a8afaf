"""Orders: submit, read, list, modify (cancel-replace), cancel, cancel all."""

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ordergate.domain import commands as cmds
from ordergate.domain.access import Caller
from ordergate.domain.enums import OrderStatus
from ordergate.domain.ids import AccountId, ClientOrderId, OrderId, Symbol
from ordergate.entrypoints.api.deps import TRADE, CommittedDep, ContainerDep, Reader, Trader, scoped
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.schemas import (
    PRINTABLE,
    CancelAllOut,
    CancelAllRequest,
    OrderCreate,
    OrderOut,
    OrderPage,
    OrderUpdate,
    PathId,
    QueryId,
)
from ordergate.entrypoints.api.serialize import JsonResponse, fill_numbers, order_dict, position_dict
from ordergate.service.engine import CancelAllResult
from ordergate.service.submit import SubmitResult

if TYPE_CHECKING:
    from ordergate.bootstrap import Container

router = APIRouter(prefix="/api/v1/orders", tags=["orders"], route_class=ExactJsonRoute)
SUBMIT_PATH = "/api/v1/orders/"  # served by the app's hot path first (app.py), by the route below on any doubt
SUBMIT_RULE = TRADE  # the submit route's rule, which the hot path applies too

_DENIED: dict[int | str, dict[str, Any]] = {422: {
    "description": "invalid input (names the field and rule) or denied by risk "
                   "(body: {order, reasons: [{rule, message, limit, actual}]})",
}}


@router.post("/", status_code=201, response_model=OrderOut, responses={200: {"model": OrderOut}, **_DENIED})
async def submit_order(body: OrderCreate, container: ContainerDep, who: Trader) -> Response:
    """Submit an order. 201 when created; 200 with the existing order when the client order id repeats."""
    return await submit(container, body, who)


async def submit(container: "Container", body: OrderCreate, who: Caller) -> JsonResponse:
    """Run a validated submit through the engine; answer once it is durable (both HTTP paths use this)."""
    who.require_account(body.account)
    result: SubmitResult = await container.loop.execute(cmds.SubmitOrder(
        account=AccountId(body.account), symbol=Symbol(body.symbol), side=body.side, type=body.type,
        qty=body.qty, limit_price=body.limit_price, stop_price=body.stop_price, tif=body.time_in_force,
        expire_at=body.expire_at, client_order_id=ClientOrderId(body.client_order_id) if body.client_order_id else None,
        requested_by=who.requested_by, route=body.route, extended_hours=body.extended_hours,
    ))
    order = order_dict(result.order)
    if result.order.denials:
        return JsonResponse({"order": order, "reasons": order["reject_reasons"]}, status_code=422)
    return JsonResponse(order, status_code=201 if result.created else 200)


@router.get("/", response_model=OrderPage)
async def list_orders(
    container: CommittedDep, who: Reader,
    status: Annotated[list[OrderStatus] | None, Query()] = None,
    symbol: QueryId = None,
    account: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=32, pattern=r"^\d+$")] = None,
) -> Response:
    """List orders, newest first, filtered by status (repeatable), symbol and account; paged by cursor."""
    account, within = scoped(who, account)
    orders, next_cursor = await container.views.find_orders(
        statuses=set(status) if status else None, symbol=symbol, account=account, limit=limit,
        cursor=int(cursor) if cursor else None, within=within,
    )
    return JsonResponse({"items": [order_dict(o) for o in orders], "next_cursor": next_cursor})


@router.get("/positions/current", responses={404: {"description": "unknown account"}})
async def current_positions(
    container: CommittedDep, who: Reader, account: QueryId = None,
) -> Response:
    """Return open positions (non-zero quantity) with market value and P&L."""
    account, within = scoped(who, account)
    return JsonResponse([position_dict(p, mark) for p, mark in container.views.positions(account, open_only=True)
                         if within is None or p.account in within])


@router.get("/metrics/summary")
async def metrics_summary(container: CommittedDep, who: Reader) -> Response:
    """Return order counts by status, fill rate and average ack and fill latency (of every account)."""
    who.require_all_accounts("the firm's order metrics")
    return JsonResponse(container.order_stats.summary())


@router.get("/{order_id}", response_model=OrderOut, responses={404: {"description": "unknown order"}})
async def get_order(order_id: PathId, container: CommittedDep, who: Reader) -> Response:
    """Return one order."""
    return JsonResponse(order_dict(await own_order(container, who, order_id)))


async def own_order(container: "Container", who: Caller, order_id: str) -> Any:
    """Return the order if it exists (else 404) and its account is in the key's scope (else 403)."""
    order = await container.views.find_order(OrderId(order_id))
    who.require_account(order.account)
    return order


@router.patch("/{order_id}", response_model=OrderOut, responses={404: {}, 409: {}, 422: {}})
async def modify_order(order_id: PathId, body: OrderUpdate, container: ContainerDep, who: Trader) -> Response:
    """Cancel-replace a working order: it goes pending replace until the venue answers."""
    await own_order(container, who, order_id)
    order = await container.loop.execute(cmds.ReplaceOrder(
        order_id=OrderId(order_id), qty=body.qty, limit_price=body.limit_price, stop_price=body.stop_price,
        tif=body.time_in_force, expire_at=body.expire_at, requested_by=who.requested_by,
    ))
    return JsonResponse(order_dict(order))


@router.delete("/{order_id}", response_model=OrderOut, responses={404: {}, 409: {"description": "too late"}})
async def cancel_order(
    order_id: PathId, container: ContainerDep, who: Trader,
    reason: Annotated[str, Query(min_length=1, max_length=200, pattern=PRINTABLE)] = "requested by user",
) -> Response:
    """Cancel a working order with a reason: it goes pending cancel until the venue confirms."""
    await own_order(container, who, order_id)
    order = await container.loop.execute(cmds.CancelOrder(order_id=OrderId(order_id), reason=reason,
                                                          requested_by=who.requested_by))
    return JsonResponse(order_dict(order))


@router.post("/cancel-all", response_model=CancelAllOut, responses={404: {"description": "unknown account"}})
async def cancel_all(container: ContainerDep, who: Trader, body: CancelAllRequest | None = None) -> Response:
    """Cancel every working order, optionally of one account and/or symbol (a scoped key: of its accounts)."""
    body = body or CancelAllRequest()
    account, within = scoped(who, body.account)
    accounts = [account] if within is None else sorted(within)
    canceled: list[str] = []
    for one in accounts:
        result: CancelAllResult = await container.loop.execute(cmds.CancelAllOrders(
            account=AccountId(one) if one else None,
            symbol=Symbol(body.symbol) if body.symbol else None, reason=body.reason, requested_by=who.requested_by,
        ))
        canceled += result.order_ids
    return JsonResponse({"canceled": canceled, "count": len(canceled)})


@router.get("/{order_id}/fills", responses={404: {"description": "unknown order"}})
async def order_fills(order_id: PathId, container: CommittedDep, who: Reader) -> Response:
    """Return the fills of one order, oldest first."""
    await own_order(container, who, order_id)
    fills = await run_in_threadpool(container.read_model.order_fills, OrderId(order_id))
    return JsonResponse([fill_numbers(f) for f in fills])


