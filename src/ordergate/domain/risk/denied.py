"""The error for a replace or cancel that risk refused (a new order is recorded as rejected instead)."""

from ordergate.domain.errors import DomainError
from ordergate.domain.events import Denial
from ordergate.domain.order import Order


class RiskDenied(DomainError):
    """Risk refused a change to a working order; ``denials`` say which limits, ``order`` is unchanged."""

    code = "risk_denied"

    def __init__(self, order: Order, denials: list[Denial]) -> None:
        super().__init__("; ".join(f"{d.rule}: {d.message}" for d in denials))
        self.order = order
        self.denials = denials
