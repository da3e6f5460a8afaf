"""A standby forwards commands to the leader and answers exactly as the leader answered.

Every request with a body method (submit, modify, cancel, cancel-all, admin writes) that a standby receives
from an authenticated caller goes to the leader's advertised address with the same method, path, query,
headers (the API key included) and body; the leader's status, headers and body bytes go back unchanged.
Only a request the leader never received (it could not be reached) is tried again, at the leader the
database names now; anything else is a 503 saying so, and the client retries with the same client order
id (idempotent). A forward waiting on a leader that another one replaced meanwhile is given up at once
(a 503), rather than after ``cluster.forward_timeout``. A forwarded request is never forwarded again:
between two standbys it is a 503.
"""

import asyncio
import ssl
from pathlib import Path
from typing import Protocol

import httpx
import structlog
from starlette.types import Message, Scope, Send

from ordergate.entrypoints.api.serialize import JsonResponse

log = structlog.get_logger(__name__)
MOVED_POLL = 0.1  # seconds between looks, while waiting on the leader, at whether another one took over
CONNECT_TIMEOUT = 1.0  # seconds to reach the leader: a leader that is there answers in milliseconds
FORWARDED = b"x-ordergate-forwarded-by"
# Headers about one connection, not the request: the leg to the leader has its own.
_HOP_BY_HOP = frozenset({b"host", b"content-length", b"connection", b"keep-alive", b"transfer-encoding", b"te",
                         b"trailer", b"upgrade", b"proxy-connection", b"proxy-authorization"})
_RESPONSE_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"})


class LeaderDirectory(Protocol):
    """Where the leader is: what this instance last heard, and a fresh look at the database."""

    instance: str
    address: str

    def leader_address(self) -> str | None:
        """Return the leader's base URL as last heard (None if none, or if it is this instance)."""
        ...

    async def refresh_leader(self) -> str | None:
        """Read the leader from the database now and return its base URL (None as above)."""
        ...


def trust(certificate: Path | None) -> ssl.SSLContext:
    """Return the TLS trust for reaching the leader: the system's authorities, and ``certificate`` if given."""
    context = ssl.create_default_context()
    if certificate is not None:
        context.load_verify_locations(cafile=str(certificate))
    return context


def no_leader(why: str) -> JsonResponse:
    """Return the 503 a standby answers when it cannot reach a leader to forward a command to."""
    return JsonResponse({"detail": f"no leader reachable to forward the command to: {why}; try again",
                         "code": "no_leader"}, status_code=503, headers={"Retry-After": "1"})


def was_forwarded(scope: Scope) -> bool:
    """Return whether the request came from another instance's forwarder."""
    return any(name == FORWARDED for name, _ in scope["headers"])


class LeaderForwarder:
    """Send one request on to the leader and its answer back to the client."""

    def __init__(self, directory: LeaderDirectory, timeout: float, certificate: Path | None = None) -> None:
        """``certificate``: this instance's own TLS certificate, trusted besides the system's authorities (the
        instances of a cluster usually share one, often self-signed)."""
        self._directory = directory
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
                                         verify=trust(certificate))

    async def close(self) -> None:
        """Close the connections to the leader."""
        await self._client.aclose()

    async def forward(self, scope: Scope, body: bytes, send: Send) -> None:
        """Forward the request to the leader and send its answer (or a 503 if no leader answers)."""
        if was_forwarded(scope):
            await _send(no_leader("the instance it was forwarded to does not lead either"), scope, send)
            return
        leader = self._directory.leader_address() or await self._directory.refresh_leader()
        tried: str | None = None
        while leader is not None and leader != tried:
            tried = leader
            try:
                await self._relay(leader, scope, body, send)
                return
            except (httpx.ConnectError, httpx.ConnectTimeout) as e:  # never reached it: safe to send to a newer one
                log.info("forward_connect_failed", leader=leader, error=str(e))
                leader = await self._directory.refresh_leader()
            except httpx.HTTPError as e:  # it may have acted on it: the client decides (same client order id)
                log.warning("forward_failed", leader=leader, error=str(e))
                await _send(no_leader(f"the leader at {leader} did not answer ({type(e).__name__})"), scope, send)
                return
        await _send(no_leader("none is elected now" if leader is None else f"the leader at {leader} is down"),
                    scope, send)

    async def _relay(self, leader: str, scope: Scope, body: bytes, send: Send) -> None:
        fetch = asyncio.ensure_future(self._fetch(leader, scope, body))
        moved = asyncio.ensure_future(self._moved(leader))
        try:
            await asyncio.wait({fetch, moved}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            moved.cancel()
            if not fetch.done():
                fetch.cancel()
        if not fetch.done() or fetch.cancelled():  # a new leader was elected while the old one said nothing
            log.warning("forward_abandoned", leader=leader, now=self._directory.leader_address())
            await _send(no_leader(f"the leader at {leader} was replaced before it answered"), scope, send)
            return
        status, headers, raw = fetch.result()
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": raw})

    async def _moved(self, leader: str) -> None:
        """Return once the instance hears of another leader than ``leader`` (it waits on a dead one no more)."""
        while self._directory.leader_address() == leader:
            await asyncio.sleep(MOVED_POLL)

    async def _fetch(self, leader: str, scope: Scope, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        url = leader + path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
        headers = [(n, v) for n, v in scope["headers"] if n not in _HOP_BY_HOP]
        headers.append((FORWARDED, self._directory.instance.encode()))
        request = self._client.build_request(scope["method"], url, headers=headers, content=body)
        response = await self._client.send(request, stream=True)
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        out = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in response.headers.multi_items()
               if n.lower() not in _RESPONSE_HOP_BY_HOP and n.lower() != "content-length"]
        out.append((b"content-length", str(len(raw)).encode()))
        return response.status_code, out, raw


async def _send(response: JsonResponse, scope: Scope, send: Send) -> None:
    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing, send)
