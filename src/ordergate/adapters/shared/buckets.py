"""Token buckets kept in Redis, so every instance draws on the same bucket for a key.

One Lua script takes tokens atomically on Redis's own clock (no two instances' clocks to agree on). A
round trip per request would cost more than the request, so an instance takes a key's tokens a lease at
a time: up to ``rate / LEASES_PER_SECOND`` at once (one when the rate is low, so small limits are exact),
and spends them locally. A key can so pass its limit by at most one lease per instance. When Redis does
not answer in time, the instance falls back to its own in-memory buckets (each instance then limits on
its own) and says so in the log, at most once a minute.
"""

import time
from collections.abc import Callable

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)
WARN_EVERY = 60.0  # seconds between two warnings that Redis is not answering
MAX_LEASES = 100_000  # keys with a lease kept; past it, the spent ones are forgotten

LEASES_PER_SECOND = 50  # a lease is at most this fraction of a second's tokens

# KEYS[1]: the bucket; ARGV: rate (tokens per second), burst, most tokens wanted. Returns "granted wait":
# the tokens taken (at least 1, up to the most wanted, as many as there are) or 0 and the seconds to wait.
TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local kept = redis.call('HMGET', KEYS[1], 'tokens', 'when')
local tokens = tonumber(kept[1]) or burst
local when = tonumber(kept[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - when) * rate)
local wait = 0
local granted = math.min(wanted, math.floor(tokens))
if granted < 1 then
  granted = 0
  wait = (1 - tokens) / rate
else
  tokens = tokens - granted
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'when', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return string.format('%d %.6f', granted, wait)
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
        self._lease = max(1, int(min(rate, burst) / LEASES_PER_SECOND))
        self._leased: dict[str, int] = {}  # key -> tokens taken from Redis, not spent yet
        self._warned = 0.0

    async def take(self, name: str) -> float:
        """Take a token for ``name``: return 0 if there was one, else the seconds until there will be."""
        left = self._leased.get(name, 0)
        if left:
            self._leased[name] = left - 1
            return 0.0
        try:
            answer = await self._take(keys=[self._prefix + name], args=[self.rate, self.burst, self._lease])
        except (RedisError, OSError) as e:
            self._warn(e)
            return self._fallback(name)
        granted, wait = answer.split()
        if int(granted) == 0:
            return float(wait)
        self._leased[name] = self._leased.get(name, 0) + int(granted) - 1
        if len(self._leased) > MAX_LEASES:
            self._leased = {k: v for k, v in self._leased.items() if v}
        return 0.0

    def _warn(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY:
            self._warned = now
            log.warning("redis_rate_limit_unavailable", error=str(error)[:200],
                        fallback="this instance's own buckets")
