"""Limits before work: the key is checked and the body's size bounded before a byte of the body is read.

Every HTTP request passes here first (the app's ``__call__``). A request that carries a body (POST, PUT,
PATCH, DELETE) must present a valid key, or it is answered 401 without its body being read; no such
route is public. A body larger than the limit is answered 413, from its Content-Length when it has one,
else as soon as the bytes read pass the limit. The body read is then handed on, replayed, to the route.
"""

from typing import TYPE_CHECKING

from starlette.types import Message, Receive, Scope, Send

from ordergate.domain.access import Caller
from ordergate.entrypoints.api.deps import INVALID_KEY, MISSING_KEY, bearer_token
from ordergate.entrypoints.api.limits import Buckets, SharedBuckets, retry_after
from ordergate.entrypoints.api.serialize import JsonResponse

if TYPE_CHECKING:
    from ordergate.config import ApiConfig
    from ordergate.service.keys import KeyStore

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Admission:
    """Who is calling, under the rate limits: per key, and per client address for failed authentications.

    ``shared``: the per-key buckets shared with the other instances; None: this instance's own.
    """

    def __init__(self, config: "ApiConfig", shared: SharedBuckets | None = None) -> None:
        self._per_key = Buckets(config.rate_per_key, config.burst_per_key)
        self.shared = shared
        self._failures = Buckets(config.failed_auth_per_minute / 60, config.failed_auth_per_minute)

    async def admit(self, scope: Scope, keys: "KeyStore",
                    counted: bool = True) -> tuple[Caller | None, JsonResponse | None]:
        """Return the caller (None: no valid key) and a refusal (429) if a limit is passed, else None.

        ``counted=False``: the key's request is not taken from its bucket here, because the instance that
        will answer it counts it (a standby forwarding a command to the leader); failed authentications
        are counted all the same.
        """
        token = bearer_token(scope)
        if token is None:
            return None, None
        address = scope["client"][0] if scope.get("client") else "unknown"
        wait = self._failures.peek(address)
        if wait:  # this address guessed wrong too often: not even checked, so guessing costs it time
            return None, rate_limited("too many failed authentications from this address", wait)
        caller = keys.caller(token)
        if caller is None:
            self._failures.take(address)
            return None, None
        if not counted:
            return caller, None
        if self.shared is not None:
            wait = await self.shared.take(caller.key_id)
        else:
            wait = self._per_key.take(caller.key_id)
        if wait:
            return caller, rate_limited(f"this key may make {self._per_key.rate:g} requests per second", wait)
        return caller, None


def rate_limited(why: str, wait: float) -> JsonResponse:
    """Return the 429 answer, saying when to try again."""
    return JsonResponse({"detail": f"rate limited: {why}", "code": "rate_limited"}, status_code=429,
                        headers={"Retry-After": retry_after(wait)})


class BodyTooLarge(Exception):
    """The request's body is over the limit."""


def unauthenticated(scope: Scope) -> JsonResponse:
    """Return the 401 answer for a request without a valid key (the same body the routes' rules give)."""
    detail = MISSING_KEY if bearer_token(scope) is None else INVALID_KEY
    return JsonResponse({"detail": detail}, status_code=401, headers={"WWW-Authenticate": "Bearer"})


def too_large(limit: int) -> JsonResponse:
    """Return the 413 answer for a body over ``limit`` bytes."""
    return JsonResponse({"detail": f"request body too large: at most {limit} bytes", "code": "body_too_large"},
                        status_code=413, headers={"Connection": "close"})


def declared_length(scope: Scope) -> int | None:
    """Return the request's Content-Length, or None when it sends none (or one that is not a number)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """Return the whole body, raising BodyTooLarge past ``limit`` bytes; None if the client left first."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """Return a receive that gives the body already read, then continues with the connection's own."""
    replayed = False

    async def receive_again() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive_again


async def answer(response: JsonResponse, scope: Scope, receive: Receive, send: Send) -> None:
    """Send a refusal."""
    await response(scope, receive, send)
