"""Whether Redis answers, asked with its own protocol's PING (no client library needed)."""

import socket
from urllib.parse import urlsplit


def redis_problem(url: str) -> str | None:
    """Return why Redis at ``url`` can't be used, or None if it answers PING with PONG."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=3) as conn:
            conn.sendall(b"PING\r\n")
            answer = conn.recv(64)
    except OSError as e:
        return f"Redis not reachable at {host}:{port}: {e}"
    return None if answer.startswith(b"+PONG") else f"Redis at {host}:{port} answered PING with {answer!r}"
