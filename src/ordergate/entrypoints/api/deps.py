"""FastAPI dependencies: the container, and the authorization rule every route declares.

A route states what it needs with one of the rules below as a dependency (``who: Trader``, ``_: Public``);
the route-table test fails for a route that declares none. The rule authenticates the caller (already
done by the app's gate, before any body was read, when the request came through it) and checks the
role; account scope is checked where the account is known, by the same Caller.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import Scope

from ordergate.domain.access import Caller, Permission

if TYPE_CHECKING:
    from ordergate.bootstrap import Container
    from ordergate.service.keys import KeyStore

F = TypeVar("F", bound=Callable[..., Any])
RULE_ATTRIBUTE = "authorization_rule"
CALLER = "ordergate.caller"  # where the gate leaves the authenticated caller in the ASGI scope
MISSING_KEY = "missing API key: send Authorization: Bearer <key>"
INVALID_KEY = "invalid API key"
_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer <key>`")

# The dependencies are ``async def`` although they never await: FastAPI runs a plain ``def`` dependency
# in its thread pool, two thread hops per request that cost more than the rest of a read.


def bearer_token(scope: Scope) -> str | None:
    """Return the bearer token of the request's Authorization header, read as FastAPI's HTTPBearer reads it."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            token = token.strip()
            return token if token and scheme.lower() == "bearer" else None
    return None


def authenticate(scope: Scope, keys: "KeyStore") -> Caller | None:
    """Return the caller whose key the request presents, or None."""
    token = bearer_token(scope)
    return keys.caller(token) if token is not None else None


class Rule:
    """An authorization rule declared with a route: the permission the caller's role must grant."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def authorize(self, caller: Caller) -> Caller:
        """Return the caller if the rule lets it in, else raise Forbidden naming the role."""
        caller.require(self.permission)
        return caller

    async def __call__(
        self, request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Caller:
        """Authenticate (401) and authorize (403) the request's caller."""
        caller: Caller | None = request.scope.get(CALLER)
        if caller is None:
            if credentials is None:
                raise HTTPException(401, MISSING_KEY, headers={"WWW-Authenticate": "Bearer"})
            container: Container = request.app.state.container
            caller = container.keys.caller(credentials.credentials)
            if caller is None:
                raise HTTPException(401, INVALID_KEY, headers={"WWW-Authenticate": "Bearer"})
        return self.authorize(caller)

    def __repr__(self) -> str:
        return f"Rule({self.permission.value})"


class ReadWhenProtected(Rule):
    """The rule of the operator's views (/metrics, /ready's detail): public, or READ once ``api.protect_metrics``."""

    def __init__(self) -> None:
        super().__init__(Permission.READ)

    async def __call__(  # type: ignore[override]
        self, request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Caller | None:
        """Let anyone in unless the setting asks for a key; then authenticate and authorize as READ."""
        container: Container = request.app.state.container
        if not container.settings.api.protect_metrics:
            return None
        return await super().__call__(request, credentials)

    def __repr__(self) -> str:
        return "Rule(read when api.protect_metrics)"


class PublicRule:
    """The rule of a route anyone may call (health, readiness, the docs): no key needed."""

    async def __call__(self) -> None:
        """Let the request in."""

    def __repr__(self) -> str:
        return "Rule(public)"


def scoped(caller: Caller, account: str | None) -> tuple[str | None, frozenset[str] | None]:
    """Return (account filter, accounts to keep) for a listing: the asked account if in scope (else 403)."""
    if account is not None:
        caller.require_account(account)
        return account, None
    return None, caller.accounts


def declare(rule: "Rule | PublicRule") -> Callable[[F], F]:
    """Declare the rule of a route that cannot take it as a dependency (the WebSocket, which applies it itself)."""
    def mark(endpoint: F) -> F:
        setattr(endpoint, RULE_ATTRIBUTE, rule)
        return endpoint
    return mark


READ, TRADE, RISK, ADMIN = (Rule(p) for p in (Permission.READ, Permission.TRADE, Permission.RISK, Permission.ADMIN))
PUBLIC = PublicRule()
OPERATOR = ReadWhenProtected()


async def get_container(request: Request) -> "Container":
    """Return the application's wired objects."""
    container: Container = request.app.state.container
    return container


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
Reader = Annotated[Caller, Depends(READ)]
Trader = Annotated[Caller, Depends(TRADE)]
RiskOfficer = Annotated[Caller, Depends(RISK)]
Admin = Annotated[Caller, Depends(ADMIN)]
Public = Annotated[None, Depends(PUBLIC)]
Operator = Annotated[Caller | None, Depends(OPERATOR)]
