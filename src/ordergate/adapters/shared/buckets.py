"""Token buckets kept in Redis, so every instance draws on the same bucket for a key.

One Lua script takes a token atomically on Redis's own clock (no two instances' clocks to agree on). When
Redis does not answer in time, the instance falls back to its own in-memory buckets (each instance then
limits on its own) and says so in the log, at most once a minute.
"""

import time
from collections.abc import Callable

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)
WARN_EVERY = 60.0  # seconds between two warnings that Redis is not answering

# KEYS[1]: the bucket; ARGV: rate (tokens per second), burst. Returns the seconds to wait (0: taken), as text.
TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local kept = redis.call('HMGET', KEYS[1], 'tokens', 'when')
local tokens = tonumber(kept[1]) or burst
local when = tonumber(kept[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - when) * rate)
local wait = 0
if tokens < 1 then
  wait = (1 - tokens) / rate
else
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'when', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return string.format('%.6f', wait)
"""


class RedisBuckets:
    """Token buckets by name, shared by every instance on one Redis (``key_prefix`` names this set).

    ``fallback`` takes a token from this instance's own bucket, for when Redis does not answer.
    """

    def __init__(self, client: Redis, key_prefix: str, rate: float, burst: float,
                 fallback: Callable[[str], float]) -> None:
        self.rate = rate
        self.burst = burst
        self._prefix = key_prefix
        self._take = client.register_script(TAKE)
        self._fallback = fallback
        self._warned = 0.0

    async def take(self, name: str) -> float:
        """Take a token for ``name``: return 0 if there was one, else the seconds until there will be."""
        try:
            answer = await self._take(keys=[self._prefix + name], args=[self.rate, self.burst])
        except (RedisError, OSError) as e:
            self._warn(e)
            return self._fallback(name)
        return float(answer)

    def _warn(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY:
            self._warned = now
            log.warning("redis_rate_limit_unavailable", error=str(error)[:200],
                        fallback="this instance's own buckets")
