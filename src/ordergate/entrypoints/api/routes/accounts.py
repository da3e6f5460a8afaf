"""Managed accounts: opened with cash and funded or drawn on by an admin; every change journaled with who and why."""

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from starlette.responses import Response

from ordergate.domain import commands as cmds
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import AccountId
from ordergate.entrypoints.api.deps import Admin, ContainerDep
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.schemas import Name
from ordergate.entrypoints.api.serialize import JsonResponse, account_dict

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"], route_class=ExactJsonRoute)
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD")]
_MONEY = Field(allow_inf_nan=False, max_digits=30, decimal_places=8, ge=Decimal("-1e15"), le=Decimal("1e15"))
Money = Annotated[Decimal, _MONEY, WithJsonSchema({
    "type": "string", "pattern": r"^-?(?=[0.]*[1-9])[0-9]{1,15}(\.[0-9]{1,8})?$",
    "description": "a non-zero decimal string, at most 8 places; negative withdraws"})]
Opening = Annotated[Decimal, _MONEY, Field(ge=0), WithJsonSchema({
    "type": "string", "pattern": r"^[0-9]{1,15}(\.[0-9]{1,8})?$", "description": "a decimal string, at most 8 places"})]
_EXISTS: dict[int | str, dict[str, Any]] = {409: {"description": "an account with this id exists"}}
_UNKNOWN: dict[int | str, dict[str, Any]] = {404: {"description": "unknown account"},
                                             422: {"description": "bad amount, or more than the available cash"}}


class AccountCreate(BaseModel):
    """An account to open, with its opening cash per currency."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "DESK-2", "name": "Index arbitrage desk", "balances": {"USD": "250000"}, "margin": False,
         "venues": ["paper"]}]})

    id: Name
    name: str = Field("", max_length=200, description="a readable name")
    balances: dict[Currency, Opening] = Field(max_length=50, json_schema_extra={
        "propertyNames": {"pattern": "^[A-Z]{3}$"}})
    margin: bool = Field(False, description="may borrow: short sales and buying past cash")
    venues: list[Name] = Field(default_factory=list, max_length=20,
                               description="the venues it may trade at (configured venue ids); empty: any")


class AccountClose(BaseModel):
    """Why an account is closed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "desk wound down"}]})

    reason: str = Field(min_length=1, max_length=500, description="why: kept in the journal")


class CashChange(BaseModel):
    """A deposit (positive amount) or withdrawal (negative), and why."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"currency": "USD", "amount": "-5000", "reason": "monthly fee"}]})

    currency: Currency
    amount: Money = Field(description="non-zero; negative withdraws, at most the cash not held for working orders")
    reason: str = Field(min_length=1, max_length=500, description="why: kept in the journal")


@router.post("/", status_code=201, responses=_EXISTS)
async def open_account(body: AccountCreate, container: ContainerDep, who: Admin) -> Response:
    """Open an account with opening cash balances."""
    account = AccountId(body.id)
    if account in container.engine.ledger.accounts:
        return JsonResponse({"detail": f"account {body.id!r} exists", "code": "account_exists"}, status_code=409)
    unknown = sorted(set(body.venues) - set(container.venues))
    if unknown:
        raise ValidationFailed("venues", "known_venue", f"unknown venues {', '.join(unknown)}; configured: "
                               f"{', '.join(sorted(container.venues))}")
    await container.loop.execute(cmds.OpenAccount(
        account=account, balances=dict(body.balances), margin=body.margin, name=body.name,
        venues=list(dict.fromkeys(body.venues)), requested_by=who.requested_by,
    ))
    return _account(container, account, 201)


@router.post("/{account_id}/close", responses={**_UNKNOWN, 409: {
    "description": "closed already, or it still has positions or working orders"}})
async def close_account(
    account_id: Annotated[str, Path(min_length=1, max_length=64)], body: AccountClose, container: ContainerDep,
    who: Admin,
) -> Response:
    """Close an account with no positions and no working orders; it keeps its cash and history, takes no more orders."""
    account = AccountId(account_id)
    await container.loop.execute(cmds.CloseAccount(account=account, reason=body.reason,
                                                   requested_by=who.requested_by))
    return _account(container, account, 200)


@router.post("/{account_id}/cash", responses={**_UNKNOWN, 409: {"description": "the account is closed"}})
async def adjust_cash(
    account_id: Annotated[str, Path(min_length=1, max_length=64)], body: CashChange, container: ContainerDep,
    who: Admin,
) -> Response:
    """Deposit or withdraw cash; journaled with who and why."""
    account = AccountId(account_id)
    await container.loop.execute(cmds.AdjustCash(account=account, currency=body.currency, amount=body.amount,
                                                 reason=body.reason, requested_by=who.requested_by))
    return _account(container, account, 200)


def _account(container: Any, account: AccountId, status: int) -> Response:
    views = container.views
    return JsonResponse(account_dict(views.account(account), views.market_values(account)), status_code=status)
