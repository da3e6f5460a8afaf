"""The WebSocket endpoint: order, fill and position events (after they are committed) and market data."""

import contextlib
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect

from ordergate.domain.ids import AccountId
from ordergate.entrypoints.stream_hub import StreamHub

__all__ = ["StreamHub", "router"]
router = APIRouter()


@router.websocket("/api/v1/stream")
async def stream(
    websocket: WebSocket, account: str | None = None, key: str | None = None,
    since: Annotated[int | None, Query(ge=0, description="resume after this event sequence number")] = None,
) -> None:
    """Stream order, fill and position events as JSON, and market data on request (see docs/api.md).

    Authenticate with a Bearer header or ``?key=``. ``since`` resumes after a reconnect: the events after that
    sequence number come first (or a ``resync`` message when they are no longer kept).
    """
    container = websocket.app.state.container
    header = websocket.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else key
    # Accept first, then close with a reason: a refused handshake would tell the client nothing.
    await websocket.accept()
    if not token or container.api_keys.principal(token) is None:
        await websocket.close(code=1008, reason="missing or invalid API key")
        return
    if account is not None and AccountId(account) not in container.engine.ledger.accounts:
        await websocket.close(code=1008, reason=f"unknown account {account[:64]!r}")
        return
    with contextlib.suppress(WebSocketDisconnect):
        await container.stream.serve(websocket, account, since)
