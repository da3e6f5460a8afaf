"""The WebSocket endpoint: order, fill and position events (after they are committed) and market data."""

import asyncio
import contextlib
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect

from ordergate.domain.access import Caller, Forbidden
from ordergate.domain.ids import AccountId
from ordergate.entrypoints.api.deps import READ, declare
from ordergate.entrypoints.api.limits import Buckets
from ordergate.entrypoints.api.schemas import QueryId
from ordergate.entrypoints.api.shared_limits import shared_buckets
from ordergate.entrypoints.stream_hub import StreamHub
from ordergate.entrypoints.stream_limits import POLICY_VIOLATION, MessageLimit, message_buckets

__all__ = ["StreamHub", "router"]
router = APIRouter()
AUTH_TIMEOUT = 10.0  # seconds a client without an Authorization header has to send {"auth": key}
STREAM_RULE = READ  # the stream's authorization rule


@router.websocket("/api/v1/stream")
@declare(STREAM_RULE)
async def stream(
    websocket: WebSocket, account: QueryId = None,
    since: Annotated[int | None, Query(ge=0, description="resume after this event sequence number")] = None,
) -> None:
    """Stream order, fill and position events as JSON, and market data on request (see docs/api.md).

    Authenticate with a Bearer header, or a first message ``{"auth": key}`` (browsers): never in the URL,
    which ends up in logs. Only the accounts the key may see are streamed. ``since`` resumes after a
    reconnect: the events after that sequence number come first (or a ``resync`` message when they are no
    longer kept).
    """
    container = websocket.app.state.container
    header = websocket.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    # Accept first, then close with a reason: a refused handshake would tell the client nothing.
    await websocket.accept()
    if "key" in websocket.query_params:
        await websocket.close(POLICY_VIOLATION, 'never put the key in the URL: send {"auth": key} first')
        return
    if not token:  # a browser cannot set headers: it sends {"auth": key} first, keeping the key out of URLs
        token = await _first_message_key(websocket)
    caller = container.keys.caller(token) if token else None
    if caller is None:
        await websocket.close(POLICY_VIOLATION, "missing or invalid API key")
        return
    refusal = _refusal(container, caller, account)
    streams = _open_streams(websocket)
    cap = container.settings.api.ws_connections_per_key
    if refusal is None and streams.get(caller.key_id, 0) >= cap:
        refusal = f"this key already has {cap} streams open: close one first"
    if refusal is not None:
        await websocket.close(POLICY_VIOLATION, refusal)
        return
    streams[caller.key_id] = streams.get(caller.key_id, 0) + 1
    try:
        with contextlib.suppress(WebSocketDisconnect):
            limit = MessageLimit(_message_buckets(websocket, container.settings.api.ws_messages_per_key), caller.key_id,
                                 shared=shared_buckets(container, "ws"))
            await container.stream.serve(websocket, frozenset({account}) if account else caller.accounts, since,
                                         limit)
    finally:
        streams[caller.key_id] -= 1


def _open_streams(websocket: WebSocket) -> dict[str, int]:
    """Return how many streams each key holds open (kept on the app: one count per server)."""
    state = websocket.app.state
    if not hasattr(state, "open_streams"):
        state.open_streams = {}
    streams: dict[str, int] = state.open_streams
    return streams


def _message_buckets(websocket: WebSocket, rate: float) -> Buckets:
    """Return the keys' message buckets, shared by every stream of the server (made on first use)."""
    state = websocket.app.state
    if not hasattr(state, "stream_messages"):
        state.stream_messages = message_buckets(rate)
    buckets: Buckets = state.stream_messages
    return buckets


def _refusal(container: Any, caller: Caller, account: str | None) -> str | None:
    """Return why this caller may not have this stream, or None."""
    try:
        STREAM_RULE.authorize(caller)
    except Forbidden as e:
        return str(e)[:120]  # a close reason must fit in 123 bytes
    if account is None:
        return None
    if AccountId(account) not in container.engine.ledger.accounts:
        return f"unknown account {account!r}"
    if not caller.sees(account):
        return f"account {account!r} is outside this key's scope"
    return None


async def _first_message_key(websocket: WebSocket) -> str | None:
    """Return the key of a first message ``{"auth": key}``, or None (nothing within AUTH_TIMEOUT, or not that)."""
    try:
        first = await asyncio.wait_for(websocket.receive_text(), AUTH_TIMEOUT)
        token = orjson.loads(first).get("auth")
    except (TimeoutError, WebSocketDisconnect, KeyError, ValueError, AttributeError, RuntimeError):
        return None
    return token if isinstance(token, str) else None
