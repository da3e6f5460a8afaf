"""FastAPI dependencies: the container, and who is calling."""

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

if TYPE_CHECKING:
    from ordergate.bootstrap import Container

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer <key>`")

# The dependencies are ``async def`` although they never await: FastAPI runs a plain ``def`` dependency
# in its thread pool, two thread hops per request that cost more than the rest of a read.


async def get_container(request: Request) -> "Container":
    """Return the application's wired objects."""
    container: Container = request.app.state.container
    return container


async def get_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """Return who holds the presented API key, or answer 401."""
    if credentials is None:
        raise HTTPException(401, "missing API key: send Authorization: Bearer <key>",
                            headers={"WWW-Authenticate": "Bearer"})
    container: Container = request.app.state.container
    name = container.api_keys.principal(credentials.credentials)
    if name is None:
        raise HTTPException(401, "invalid API key", headers={"WWW-Authenticate": "Bearer"})
    return name


async def get_committed_container(request: Request) -> "Container":
    """Return the container once the engine's state so far is durable, for reads.

    The engine applies events in memory before its group commit returns; a read waits (about one
    commit at most, and only when something is in flight) so that it never shows an order, fill or
    balance that a crash could still undo, and what it shows in memory is also in the database.
    """
    container: Container = request.app.state.container
    await container.loop.wait_durable(container.engine.ledger.last_seq)
    return container


ContainerDep = Annotated["Container", Depends(get_container)]
CommittedDep = Annotated["Container", Depends(get_committed_container)]
Principal = Annotated[str, Depends(get_principal)]
