"""Pre-trade risk: limits per account and firm-wide, usage metrics, trading states, the kill switch and resume."""

import asyncio
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from ordergate.domain import commands as cmds
from ordergate.domain.access import Caller
from ordergate.domain.enums import TradingState
from ordergate.domain.ids import AccountId
from ordergate.domain.risk.limits import LIMIT_NAMES
from ordergate.entrypoints.api.deps import ContainerDep, Reader, RiskOfficer
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.schemas import PathId
from ordergate.entrypoints.api.serialize import JsonResponse
from ordergate.service.kill_switch import KillSwitchResult

if TYPE_CHECKING:
    from ordergate.bootstrap import Container

router = APIRouter(prefix="/api/v1", tags=["risk"], route_class=ExactJsonRoute)
FLATTEN_WAIT_STEPS = 50  # x 0.1 s: how long a flatten's answer waits for its orders (and re-sends) to finish
LimitName = Annotated[str, Path(pattern=f"^({'|'.join(sorted(LIMIT_NAMES))})$", description="a risk limit's name")]

_LIMITS_DOC = ("Any subset of the limits (see GET for every name); only those change. null switches a limit off. "
               "An unknown name or a bad value is a 422 naming it.")
# The body stays a plain object, so that the risk engine names an unknown limit or a bad value itself; the
# document lists every known name, and no other (each value's own type is in the GET answer and docs/risk.md).
LimitChanges = Annotated[dict[str, Any], Body(description=_LIMITS_DOC, json_schema_extra={
    "properties": {name: {"description": f"the {name} limit; null switches it off"} for name in sorted(LIMIT_NAMES)},
    "additionalProperties": False,
})]


class KillSwitchRequest(BaseModel):
    """Halt an account (null: every account), cancel its working orders, optionally flatten positions."""

    model_config = ConfigDict(extra="forbid")

    account: str | None = Field(None, min_length=1, max_length=64, description="account id, or null for all")
    reason: str = Field(min_length=1, max_length=500, description="why: kept in the audit trail")
    flatten: bool = Field(False, description="also close every position with market orders")


class FlattenRequest(BaseModel):
    """Close an account's open positions with market orders, past the halt (finishing a kill switch's flatten)."""

    model_config = ConfigDict(extra="forbid")

    account: str = Field(min_length=1, max_length=64, description="account id")
    reason: str = Field(min_length=1, max_length=500, description="why: kept in the audit trail")


class ResumeRequest(BaseModel):
    """Set an account (null: the firm) back to active."""

    model_config = ConfigDict(extra="forbid")

    account: str | None = Field(None, min_length=1, max_length=64)
    reason: str = Field("resumed", min_length=1, max_length=500)


class TradingStateRequest(BaseModel):
    """Set an account (null: the firm) to active, reducing or halted, saying why."""

    model_config = ConfigDict(extra="forbid")

    # required, even as null: leaving it out must not change the whole firm by accident
    account: str | None = Field(min_length=1, max_length=64, description="account id, or null for the firm")
    state: TradingState = Field(description="active: trade; reducing: only orders that shrink a position; "
                                            "halted: nothing")
    reason: str = Field(min_length=1, max_length=500, description="why: kept in the audit trail")


@router.get("/risk/limits/default")
async def get_default_limits(container: ContainerDep, who: Reader) -> Response:
    """Return the firm's default limits (null = off)."""
    return JsonResponse(container.engine.risk.limits_view(None))


@router.put("/risk/limits/default", responses={422: {"description": "unknown limit or bad value (named)"}})
async def put_default_limits(
    container: ContainerDep, who: RiskOfficer, body: LimitChanges,
) -> Response:
    """Change some of the firm's default limits; journaled with who, when, old and new values."""
    in_scope(who, None)
    view = await container.loop.execute(cmds.SetRiskLimits(account=None, changes=body, requested_by=who.requested_by))
    return JsonResponse(view)


@router.get("/risk/limits/{account}", responses={404: {"description": "unknown account"}})
async def get_account_limits(account: PathId, container: ContainerDep, who: Reader) -> Response:
    """Return the limits in force for an account and which of them it overrides."""
    who.require_account(account)
    container.views.account(AccountId(account))
    return JsonResponse(container.engine.risk.limits_view(AccountId(account)))


@router.put("/risk/limits/{account}", responses={404: {}, 422: {"description": "unknown limit or bad value"}})
async def put_account_limits(
    account: PathId, container: ContainerDep, who: RiskOfficer,
    body: LimitChanges,
) -> Response:
    """Override some limits for one account; journaled with who, when, old and new values."""
    in_scope(who, account)
    view = await container.loop.execute(cmds.SetRiskLimits(account=AccountId(account), changes=body,
                                                           requested_by=who.requested_by))
    return JsonResponse(view)


@router.delete("/risk/limits/{account}/{name}", responses={404: {"description": "unknown account"},
                                                          422: {"description": "unknown limit name"}})
async def unset_limit(account: PathId, name: LimitName, container: ContainerDep, who: RiskOfficer) -> Response:
    """Take one limit back to the default: an account's to the firm's, the firm's ('default') to the settings'."""
    target = None if account == "default" else AccountId(account)
    in_scope(who, target)
    view = await container.loop.execute(cmds.SetRiskLimits(account=target, changes={}, unset=[name],
                                                           requested_by=who.requested_by))
    return JsonResponse(view)


@router.get("/orders/risk/metrics")
async def risk_metrics(container: ContainerDep, who: Reader) -> Response:
    """Return each account's usage of its limits, denials by rule and trading states."""
    in_scope(who, None)
    metrics = container.engine.risk.metrics()
    metrics["flatten_remaining"] = container.engine.kill_switch.flattener.remaining(None)
    return JsonResponse(metrics)


@router.post("/risk/kill-switch", responses={404: {"description": "unknown account"}})
async def kill_switch(body: KillSwitchRequest, container: ContainerDep, who: RiskOfficer) -> Response:
    """Halt trading, cancel every working order in scope and optionally flatten; answers what was done."""
    in_scope(who, body.account)
    account = AccountId(body.account) if body.account else None
    result: KillSwitchResult = await container.loop.execute(cmds.EngageKillSwitch(
        account=account, reason=body.reason, flatten=body.flatten, requested_by=who.requested_by,
    ))
    answer = _result(result, body.reason, who)
    if body.flatten:
        answer["flatten_remaining"] = await _flatten_outcome(container, account)
    return JsonResponse(answer)


@router.post("/risk/flatten", responses={404: {"description": "unknown account"}})
async def flatten(body: FlattenRequest, container: ContainerDep, who: RiskOfficer) -> Response:
    """Close an account's open positions with market orders even while halted (they only reduce); answers
    what is left after a short wait (empty: flat)."""
    in_scope(who, body.account)
    account = AccountId(body.account)
    result: KillSwitchResult = await container.loop.execute(cmds.FlattenPositions(
        account=account, reason=body.reason, requested_by=who.requested_by))
    answer = _result(result, body.reason, who)
    answer["flatten_remaining"] = await _flatten_outcome(container, account)
    return JsonResponse(answer)


@router.post("/risk/resume", responses={404: {"description": "unknown account"}})
async def resume(container: ContainerDep, who: RiskOfficer, body: ResumeRequest | None = None) -> Response:
    """Set an account (or the firm) back to active trading."""
    body = body or ResumeRequest()
    in_scope(who, body.account)
    result: KillSwitchResult = await container.loop.execute(cmds.ResumeTrading(
        account=AccountId(body.account) if body.account else None, reason=body.reason, requested_by=who.requested_by,
    ))
    return JsonResponse(_result(result, body.reason, who))


@router.post("/risk/trading-state", responses={404: {"description": "unknown account"},
                                               422: {"description": "bad state, account or reason (named)"}})
async def set_trading_state(body: TradingStateRequest, container: ContainerDep, who: RiskOfficer) -> Response:
    """Set the trading state of an account (or the firm); journaled with who and why. Working orders stay."""
    in_scope(who, body.account)
    account = AccountId(body.account) if body.account is not None else None
    await container.loop.execute(cmds.SetTradingState(account=account, state=body.state, reason=body.reason,
                                                      requested_by=who.requested_by))
    # an account trades under the stricter of its own state and the firm's
    effective = body.state if account is None else container.engine.ledger.trading_state(account)
    return JsonResponse({"account": account, "trading_state": body.state.value,
                         "effective_trading_state": effective.value, "reason": body.reason,
                         "by": who.requested_by})


def in_scope(who: Caller, account: str | None) -> None:
    """Raise Forbidden unless the key covers the account (None: the firm, which needs every account)."""
    if account is None:
        who.require_all_accounts("a firm-wide risk action or view")
    else:
        who.require_account(account)


async def _flatten_outcome(container: "Container", account: AccountId | None) -> dict[str, Any]:
    """Wait a little for the flattening orders (and their re-sends) to finish; return what is left."""
    flattener = container.engine.kill_switch.flattener
    for _ in range(FLATTEN_WAIT_STEPS):
        if not any(key[0] == account or account is None for key in flattener.working):
            break
        await asyncio.sleep(0.1)
    return flattener.remaining(account)


def _result(result: KillSwitchResult, reason: str, who: Caller) -> dict[str, Any]:
    return {
        "account": result.account, "trading_state": result.state.value, "canceled": result.canceled,
        "flatten_orders": result.flatten_orders, "reason": reason, "by": who.requested_by,
    }
