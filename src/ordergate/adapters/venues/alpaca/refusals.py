"""Whose fault an Alpaca refusal is: the venue's own (failing over to another venue may succeed) or the
order's (no other venue would take it either).

The venue's own: no useful answer at all (5xx after the retries), credentials or access refused (401, a 403
without Alpaca's ``code``, which is how Alpaca answers a bad key or an unregistered address), and a market
closed for the order's session. Everything else (insufficient buying power, an invalid quantity or price, an
unsupported time in force...) is the order's own and stays an order reject.
"""

VENUE_SIDE_PHRASES = (
    "market is closed", "market closed", "service unavailable", "temporarily unavailable",
    "trading is halted", "trading halted", "not open for trading",
)


def venue_side_refusal(status: int, body: object) -> bool:
    """Return whether an Alpaca error answer (HTTP ``status``, decoded ``body``) refuses for the venue's own
    reason rather than the order's."""
    if status >= 500 or status == 401:
        return True
    fields = body if isinstance(body, dict) else {}
    if status == 403 and "code" not in fields:
        return True
    message = fields.get("message")
    return isinstance(message, str) and venue_side_reason(message)


def venue_side_reason(message: str) -> bool:
    """Return whether Alpaca's message names a reason of the venue's own (closed market, service down)."""
    text = message.lower()
    return any(phrase in text for phrase in VENUE_SIDE_PHRASES)
