"""Positions, accounts and fills."""

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ordergate.domain.ids import AccountId
from ordergate.domain.risk.context import fmt_money
from ordergate.entrypoints.api.deps import CommittedDep, Reader, scoped
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.schemas import PRINTABLE, PathId, QueryId
from ordergate.entrypoints.api.serialize import JsonResponse, account_dict, fill_numbers, position_dict

if TYPE_CHECKING:
    from ordergate.bootstrap import Container

router = APIRouter(prefix="/api/v1", tags=["portfolio"], route_class=ExactJsonRoute)


@router.get("/positions/", responses={404: {"description": "unknown account"}})
async def list_positions(
    container: CommittedDep, who: Reader, account: QueryId = None,
) -> Response:
    """Return every position (flat ones too) with market value, realized and unrealized P&L."""
    account, within = scoped(who, account)
    return JsonResponse([position_dict(p, mark) for p, mark in container.views.positions(account)
                         if within is None or p.account in within])


@router.get("/accounts/")
async def list_accounts(container: CommittedDep, who: Reader) -> Response:
    """Return every account (of the key's scope) with cash, reservations, buying power and equity per currency."""
    views = container.views
    return JsonResponse([_with_risk(account_dict(a, views.market_values(a.id)), container, a.id)
                         for a in views.accounts() if who.sees(a.id)])


@router.get("/accounts/{account_id}", responses={404: {"description": "unknown account"}})
async def get_account(account_id: PathId, container: CommittedDep, who: Reader) -> Response:
    """Return one account with cash, reserved, buying power and equity per currency, and its margin: initial
    margin used, maintenance margin, equity and excess over maintenance per currency."""
    who.require_account(account_id)
    views = container.views
    account = views.account(AccountId(account_id))
    body = _with_risk(account_dict(account, views.market_values(account.id)), container, account.id)
    body["margin"] = {currency: {name: fmt_money(value, currency) for name, value in figures.items()}
                      for currency, figures in sorted(container.engine.risk.margin_of_account(account.id).items())}
    return JsonResponse(body)


@router.get("/fills/")
async def list_fills(
    container: CommittedDep, who: Reader,
    account: QueryId = None,
    symbol: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=200, pattern=PRINTABLE)] = None,
) -> Response:
    """Return fills newest first, with commission and slippage against the arrival price; paged by cursor."""
    account, within = scoped(who, account)
    items, next_cursor = await run_in_threadpool(
        container.read_model.list_fills, account=account, symbol=symbol, limit=limit, cursor=cursor, within=within,
    )
    return JsonResponse({"items": [fill_numbers(f) for f in items], "next_cursor": next_cursor})


def _with_risk(body: dict[str, Any], container: "Container", account: AccountId) -> dict[str, Any]:
    """Show a cash account's buying power as pre-trade risk counts it (a short's proceeds are not buying power)."""
    for currency, power in container.engine.risk.buying_power(account).items():
        if currency in body["balances"]:
            body["balances"][currency]["buying_power"] = fmt_money(power, currency)
    return body
