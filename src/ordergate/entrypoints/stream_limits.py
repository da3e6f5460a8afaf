"""A key's message rate on its WebSocket streams: a message past it is answered, not acted on.

Every stream of one key draws on one token bucket (``api.ws_messages_per_key`` per second, as many at
once). A message past the limit gets an error naming the limit and when to retry; the connection stays
open. A connection that sends ``FLOOD_CAP`` refused messages in a row is not listening to those answers:
it is closed with code 1008, saying why.
"""

import math
from dataclasses import dataclass
from typing import Any

from ordergate.entrypoints.api.limits import Buckets, SharedBuckets

POLICY_VIOLATION = 1008  # the WebSocket close code for a client that breaks a rule
FLOOD_CAP = 50  # refused messages in a row after which a connection is closed


def message_buckets(rate: float) -> Buckets:
    """Return the buckets for the keys' stream messages: ``rate`` per second, bursts of one second's worth."""
    return Buckets(rate, max(1.0, rate))


@dataclass
class MessageLimit:
    """One connection's share of its key's message bucket (``shared``: the instances' common one in Redis)."""

    buckets: Buckets
    key_id: str
    refused_in_a_row: int = 0
    shared: SharedBuckets | None = None

    async def refusal(self) -> dict[str, Any] | None:
        """Take a token for one message: return None if it may be acted on, else the error to answer."""
        if self.shared is not None:
            wait = await self.shared.take(self.key_id)
        else:
            wait = self.buckets.take(self.key_id)
        if not wait:
            self.refused_in_a_row = 0
            return None
        self.refused_in_a_row += 1
        rate = self.buckets.rate
        return {"type": "error", "field": "message", "code": "rate_limited",
                "message": f"rate limited: this key may send {rate:g} messages per second on its streams",
                "limit": rate, "retry_after": math.ceil(wait * 1000) / 1000}

    @property
    def flooding(self) -> bool:
        """Return whether the client kept sending past FLOOD_CAP refusals in a row."""
        return self.refused_in_a_row >= FLOOD_CAP

    def close_reason(self) -> str:
        """Return the close reason for a flooding client (fits the 123 bytes a reason may have)."""
        return f"flooding: {FLOOD_CAP} messages in a row past {self.buckets.rate:g} per second"
