"""Restricted list: symbols the account may not trade. (The watch list only flags orders: see the gate.)"""

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder


class RestrictedListRule:
    """Deny any order in a symbol on the account's restricted_symbols."""

    name = "restricted_symbols"
    switches = ("restricted_symbols",)  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the symbol is restricted."""
        restricted = ctx.limits.restricted_symbols
        if restricted is None or order.symbol not in restricted:
            return None
        return Denial(rule=self.name, message=f"{order.symbol} is on the restricted list",
                      limit="restricted", actual=order.symbol)
