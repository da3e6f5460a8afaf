"""Order id generation: unique across restarts and cheap."""

from datetime import datetime

from ordergate.domain.ids import OrderId

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(n: int) -> str:
    out = []
    while n:
        n, rem = divmod(n, 36)
        out.append(_ALPHABET[rem])
    return "".join(reversed(out)) or "0"


class OrderIdGenerator:
    """Make ids ``<start-ms base36>-<counter>``: a new prefix each start, so ids never repeat."""

    def __init__(self, started_at: datetime) -> None:
        self._prefix = _base36(int(started_at.timestamp() * 1000))
        self._next = 0

    def renew(self, started_at: datetime) -> None:
        """Take a new prefix: a standby that becomes the leader makes ids no earlier leader made."""
        self._prefix = _base36(int(started_at.timestamp() * 1000))
        self._next = 0

    def __call__(self) -> OrderId:
        """Return the next order id."""
        self._next += 1
        return OrderId(f"{self._prefix}-{self._next:06d}")
