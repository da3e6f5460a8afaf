"""JSON request bodies decoded exactly: a JSON number with a fraction or exponent becomes the Decimal its text
spells, never a float (``123456789012.123456789012`` stays that, not ``123456789012.12346``).

Integers stay ints (exact already); strings stay strings. The ordinary routes get this through
``ExactJsonRoute`` (every router of the API uses it); the submit hot path through ``decode_fast``.
"""

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

import msgspec
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

_FAST = msgspec.json.Decoder(float_hook=Decimal)


def decode(body: bytes) -> Any:
    """Decode JSON as Starlette does (same errors: json.JSONDecodeError), numbers with a fraction as Decimal."""
    return json.loads(body, parse_float=Decimal)


def decode_fast(body: bytes) -> Any:
    """Decode JSON quickly, numbers with a fraction as Decimal; raise msgspec.DecodeError if it is malformed."""
    return _FAST.decode(body)


class ExactJsonRequest(Request):
    """A request whose ``json()`` keeps numbers exact."""

    async def json(self) -> Any:
        """Return the decoded body (decoded once)."""
        if not hasattr(self, "_exact_json"):
            self._exact_json = decode(await self.body())
        return self._exact_json


class ExactJsonRoute(APIRoute):
    """A route that validates its JSON body as decoded by ``ExactJsonRequest``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Return FastAPI's handler, given the exact-decoding request."""
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handler(ExactJsonRequest(request.scope, request.receive))

        return exact
