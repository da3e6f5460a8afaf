"""The audit trail: one order's journal, and the journal of an account (or all) from a time on."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import OrderId
from ordergate.entrypoints.api.deps import ContainerDep, Reader, scoped
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.schemas import PRINTABLE, PathId, QueryId
from ordergate.entrypoints.api.serialize import JsonResponse

router = APIRouter(prefix="/api/v1", tags=["audit"], route_class=ExactJsonRoute)
ISO_TIME = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?$"


def _time(field: str, text: str | None) -> datetime | None:
    """Return the ISO 8601 time given, or raise a validation error naming the field."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as e:
        raise ValidationFailed(field, "datetime", f"must be an ISO 8601 time, got {text!r}") from e


@router.get("/orders/{order_id}/events", responses={404: {"description": "unknown order"}})
async def order_events(order_id: PathId, container: ContainerDep, who: Reader) -> Response:
    """Return one order's journal in sequence order: each event's type, time, cause and fields."""
    who.require_account((await container.views.find_order(OrderId(order_id))).account)  # 404 if unknown
    return JsonResponse(await run_in_threadpool(container.read_model.order_events, order_id))


@router.get("/audit/", responses={422: {"description": "bad filter or cursor (names the field)"}})
async def audit(
    container: ContainerDep, who: Reader,
    account: QueryId = None,
    since: Annotated[str | None, Query(max_length=40, pattern=ISO_TIME, description=(
        "ISO 8601 time, e.g. 2026-12-01T09:30:00Z; UTC unless it carries an offset"))] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=200, pattern=PRINTABLE)] = None,
) -> Response:
    """Return journal events oldest first (who or what caused each), from ``since``; paged by cursor."""
    account, within = scoped(who, account)
    items, next_cursor = await run_in_threadpool(
        container.read_model.audit, account=account, since=_time("since", since), limit=limit, cursor=cursor,
        within=within,
    )
    return JsonResponse({"items": items, "next_cursor": next_cursor})
