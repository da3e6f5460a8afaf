"""The WebSocket endpoint: order, fill and position events (after they are committed) and market data."""

import asyncio
import contextlib
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect

from ordergate.domain.ids import AccountId
from ordergate.entrypoints.stream_hub import StreamHub

__all__ = ["StreamHub", "router"]
router = APIRouter()
AUTH_TIMEOUT = 10.0  # seconds a client without an Authorization header has to send {"auth": key}


@router.websocket("/api/v1/stream")
async def stream(
    websocket: WebSocket, account: str | None = None, key: str | None = None,
    since: Annotated[int | None, Query(ge=0, description="resume after this event sequence number")] = None,
) -> None:
    """Stream order, fill and position events as JSON, and market data on request (see docs/api.md).

    Authenticate with a Bearer header, or a first message ``{"auth": key}`` (browsers), or ``?key=``.
    ``since`` resumes after a reconnect: the events after that sequence number come first (or a ``resync``
    message when they are no longer kept).
    """
    container = websocket.app.state.container
    header = websocket.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else key
    # Accept first, then close with a reason: a refused handshake would tell the client nothing.
    await websocket.accept()
    if not token:  # a browser cannot set headers: it sends {"auth": key} first, keeping the key out of URLs
        token = await _first_message_key(websocket)
    if not token or container.api_keys.principal(token) is None:
        await websocket.close(code=1008, reason="missing or invalid API key")
        return
    if account is not None and AccountId(account) not in container.engine.ledger.accounts:
        await websocket.close(code=1008, reason=f"unknown account {account[:64]!r}")
        return
    with contextlib.suppress(WebSocketDisconnect):
        await container.stream.serve(websocket, account, since)


async def _first_message_key(websocket: WebSocket) -> str | None:
    """Return the key of a first message ``{"auth": key}``, or None (nothing within AUTH_TIMEOUT, or not that)."""
    try:
        first = await asyncio.wait_for(websocket.receive_text(), AUTH_TIMEOUT)
        token = orjson.loads(first).get("auth")
    except (TimeoutError, WebSocketDisconnect, KeyError, ValueError, AttributeError, RuntimeError):
        return None
    return token if isinstance(token, str) else None
