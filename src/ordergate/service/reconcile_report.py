"""What a reconciliation run found: counts, and the discrepancies it could not explain, by class.

Classes: ``unknown_at_venue`` (an open order of ours the venue does not have; it is sent again),
``unanswered_request`` (a cancel or replace still unanswered after every re-send: escalated),
``unknown_here`` (an order open at the venue that ordergate does not know), ``done_here_open_at_venue``,
``position_mismatch`` (our net position in a symbol traded there differs from the venue's), ``cash_mismatch``
(the cash of our accounts held at the venue differs from the venue's by more than the tolerance).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ordergate.domain.ids import OrderId, Symbol, VenueId

CLASSES = ("unknown_at_venue", "unanswered_request", "unknown_here", "done_here_open_at_venue",
           "position_mismatch", "cash_mismatch")


@dataclass(slots=True)
class Discrepancy:
    """One thing the venue and ordergate disagree on."""

    kind: str
    venue: VenueId
    order_id: OrderId | None = None
    symbol: Symbol | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready view."""
        return {"class": self.kind, "venue": self.venue, "order_id": self.order_id, "symbol": self.symbol,
                "detail": self.detail}


@dataclass(slots=True)
class ReconciliationRun:
    """One pass over one venue."""

    venue: VenueId
    reason: str  # start, reconnect, periodic, or an operator's request
    started: datetime
    finished: datetime | None = None
    checked: int = 0  # our open orders the venue was asked about
    applied: int = 0  # events the venue's answers produced (fills, final states, acks)
    resent: int = 0  # requests sent again
    discrepancies: list[Discrepancy] = field(default_factory=list)
    cash: list[dict[str, Any]] = field(default_factory=list)  # each currency compared (see cash_check)
    cash_note: str | None = None  # why cash was not compared, when it was not
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        """Return a JSON-ready view of the run."""
        return {
            "venue": self.venue, "reason": self.reason, "started": self.started.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None, "checked_orders": self.checked,
            "applied_events": self.applied, "resent_requests": self.resent, "error": self.error,
            "discrepancies": [d.as_dict() for d in self.discrepancies], "cash": self.cash,
            "cash_note": self.cash_note,
        }
