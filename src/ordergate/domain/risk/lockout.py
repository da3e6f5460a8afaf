"""Lockout: after too many denials in a short time an account may send no new order until they age out."""

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt
from ordergate.domain.risk.usage_state import LOCKOUT


class LockoutRule:
    """Deny new orders and modifies while the account had lockout_denials denials (orders and modifies,
    not the lockout's own) in the last lockout_window_seconds. Cancels are never refused."""

    name = LOCKOUT
    switches = ("lockout_denials",)  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial while the account is locked out."""
        limit, window = ctx.limits.lockout_denials, ctx.limits.lockout_window_seconds
        if limit is None or window is None or len(ctx.usage.denial_times) < limit:
            return None  # the common case: not even that many denials remembered
        count = ctx.usage.recent_denials(float(window), ctx.now_ts)
        if count < limit:
            return None
        return Denial(rule=self.name, message=f"{count} denials in the last {fmt(window)}s: locked out until "
                      "they are older than lockout_window_seconds (cancels still pass)",
                      limit=str(limit), actual=str(count))
