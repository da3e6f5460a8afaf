"""The Redis connections of one instance, and how its keys are named."""

import asyncio
import contextlib
from dataclasses import dataclass

from redis.asyncio import Redis

from ordergate.adapters.store.database import redact_url

BLOCK_SECONDS = 0.25  # how long a read of the stream waits for new entries before it asks again
CLOSE_SECONDS = 2.0  # how long closing a client may take


@dataclass
class RedisLink:
    """Two clients on one Redis: one for quick commands, one for reads that block waiting for entries."""

    commands: Redis
    blocking: Redis
    prefix: str
    stream_maxlen: int
    url_for_logs: str

    def key(self, *parts: str) -> str:
        """Return the Redis key for ``parts`` under this deployment's prefix."""
        return self.prefix + ":".join(parts)

    async def ping(self) -> bool:
        """Return whether Redis answers."""
        try:
            return bool(await self.commands.ping())
        except Exception:
            return False

    async def close(self) -> None:
        """Close both clients' connections (a close that hangs on a connection left mid-read is given up)."""
        for client in (self.commands, self.blocking):
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CLOSE_SECONDS):
                    await client.aclose()


def redis_link(url: str, prefix: str, stream_maxlen: int, timeout: float) -> RedisLink:
    """Return the clients for ``url`` (nothing connects until first used)."""
    commands = Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    # A blocking read waits up to BLOCK_SECONDS for entries: its socket must wait longer than that.
    blocking = Redis.from_url(url, socket_timeout=BLOCK_SECONDS + timeout, socket_connect_timeout=timeout)
    return RedisLink(commands, blocking, prefix, stream_maxlen, redact_url(url))
