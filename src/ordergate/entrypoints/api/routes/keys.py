"""API keys: make (the secret is in this one answer only), list, revoke and rotate. Admin keys only."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ordergate.domain.access import Role
from ordergate.entrypoints.api.deps import Admin, ContainerDep
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.serialize import JsonResponse
from ordergate.service.keys import StoredKey

router = APIRouter(prefix="/api/v1/keys", tags=["keys"], route_class=ExactJsonRoute)
KeyId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
_UNKNOWN: dict[int | str, dict[str, Any]] = {404: {"description": "no live key with this id"}}


class KeyCreate(BaseModel):
    """A key to make: who holds it, its role, and the accounts it may touch (null: every account)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="who or what holds the key")
    role: Role = Field(description="viewer: read; trader: read and trade; risk: read, limits, trading states, "
                                   "kill switch; admin: everything, keys and accounts too")
    accounts: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        min_length=1, max_length=1000, description="the accounts this key may see and act on; null: every account")


class KeyOut(BaseModel):
    """A key as listed: never its secret."""

    id: str
    name: str
    role: Role
    accounts: list[str] | None
    created_at: datetime
    created_by: str
    revoked_at: datetime | None


class KeyWithSecret(KeyOut):
    """A key just made: its secret is shown here once and never again (only its hash is stored)."""

    secret: str


def key_dict(key: StoredKey, secret: str | None = None) -> dict[str, Any]:
    """Return a key as the API shows it."""
    out: dict[str, Any] = {
        "id": key.id, "name": key.name, "role": key.role.value,
        "accounts": None if key.accounts is None else list(key.accounts),
        "created_at": key.created_at.isoformat(), "created_by": key.created_by,
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }
    return out if secret is None else {**out, "secret": secret}


@router.post("/", status_code=201, response_model=KeyWithSecret)
async def create_key(body: KeyCreate, container: ContainerDep, who: Admin) -> Response:
    """Make a key; the answer carries its secret, shown this once."""
    key, secret = await run_in_threadpool(container.keys.create, body.name, body.role, body.accounts,
                                          who.requested_by, datetime.now(UTC))
    return JsonResponse(key_dict(key, secret), status_code=201)


@router.get("/", response_model=list[KeyOut])
async def list_keys(container: ContainerDep, who: Admin, include_revoked: bool = False) -> Response:
    """List the stored keys, oldest first (the admin key given by the settings is not stored, so not listed)."""
    return JsonResponse([key_dict(k) for k in container.keys.keys(include_revoked)])


@router.delete("/{key_id}", response_model=KeyOut, responses=_UNKNOWN)
async def revoke_key(key_id: KeyId, container: ContainerDep, who: Admin) -> Response:
    """Revoke a key: it stops working at once."""
    return JsonResponse(key_dict(await run_in_threadpool(container.keys.revoke, key_id, datetime.now(UTC))))


@router.post("/{key_id}/rotate", status_code=201, response_model=KeyWithSecret, responses=_UNKNOWN)
async def rotate_key(key_id: KeyId, container: ContainerDep, who: Admin) -> Response:
    """Replace a key by a new one with the same name, role and accounts; the old one stops working at once."""
    key, secret = await run_in_threadpool(container.keys.rotate, key_id, who.requested_by, datetime.now(UTC))
    return JsonResponse(key_dict(key, secret), status_code=201)
