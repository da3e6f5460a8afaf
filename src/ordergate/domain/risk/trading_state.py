"""Trading state per account and firm-wide: active trades, reducing only shrinks positions, halted stops."""

from ordergate.domain.enums import TradingState
from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder

ACTIVE, HALTED = TradingState.ACTIVE, TradingState.HALTED


class TradingStateRule:
    """Deny every order while halted, and every order that could grow a position while reducing.

    It is switched off by setting the state back to active (the kill switch's resume).
    """

    name = "trading_state"

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the account's (or the firm's) trading state forbids the order."""
        state = ctx.state
        if state is ACTIVE:
            return None
        if state is HALTED:
            return Denial(rule=self.name, message=f"trading is halted for account {order.account}",
                          limit=state.value, actual="new order")
        if ctx.reduces:
            return None
        return Denial(rule=self.name, message=f"account {order.account} may only reduce positions: this order "
                      f"could grow the position in {order.symbol}", limit=state.value, actual="grows position")
