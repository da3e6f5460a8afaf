"""Limits before work: the key is checked and the body's size bounded before a byte of the body is read.

Every HTTP request passes here first (the app's ``__call__``). A request that carries a body (POST, PUT,
PATCH, DELETE) must present a valid key, or it is answered 401 without its body being read; no such
route is public. A body larger than the limit is answered 413, from its Content-Length when it has one,
else as soon as the bytes read pass the limit. The body read is then handed on, replayed, to the route.
"""

from starlette.types import Message, Receive, Scope, Send

from ordergate.entrypoints.api.deps import INVALID_KEY, MISSING_KEY, bearer_token
from ordergate.entrypoints.api.serialize import JsonResponse

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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
