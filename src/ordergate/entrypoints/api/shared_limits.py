"""The per-key rate limits that several instances share through Redis."""

from typing import TYPE_CHECKING

from ordergate.entrypoints.api.limits import Buckets

if TYPE_CHECKING:  # Redis is imported only by a server that shares through it
    from ordergate.adapters.shared.buckets import RedisBuckets
    from ordergate.bootstrap import Container


def shared_buckets(container: "Container", kind: str) -> "RedisBuckets | None":
    """Return the per-key buckets of ``kind`` ("http" requests, "ws" stream messages) that the instances share
    through Redis, or None without Redis (each instance keeps its own). Made once per container: a new
    container (a standby rebuilt after it stepped down) has new Redis connections."""
    if container.redis is None:
        return None
    from ordergate.adapters.shared.buckets import RedisBuckets

    made: RedisBuckets | None = container.extras.get(f"limits:{kind}")
    if made is None:
        api = container.settings.api
        rate, burst = (api.rate_per_key, api.burst_per_key) if kind == "http" else (
            api.ws_messages_per_key, max(1.0, api.ws_messages_per_key))
        made = container.extras[f"limits:{kind}"] = RedisBuckets(
            container.redis.commands, container.redis.key("limit", kind, ""), rate, burst, Buckets(rate, burst).take)
    return made
