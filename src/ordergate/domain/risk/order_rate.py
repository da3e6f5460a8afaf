"""Order-rate throttle: submits and modifies per second per account, each with a token bucket.
(Cancels are throttled by ``check_cancel_rate``, which the cancel path calls.)"""

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder
from ordergate.domain.risk.usage_state import TokenBucket


def rate_denial(rule: str, what: str, bucket: TokenBucket, rate: int | None, now: float) -> Denial | None:
    """Return a denial when the bucket has no whole token left at ``now`` (POSIX seconds) for ``rate``/s."""
    if rate is None:
        return None
    tokens = bucket.available(rate, now)
    if tokens >= 1:
        return None
    return Denial(rule=rule, message=f"{rate} {what} in the last second: max {rate} per second reached, wait "
                  "before sending another", limit=str(rate), actual=str(rate))


class OrderRateRule:
    """Deny a submit above max_orders_per_second, or a modify above max_modifies_per_second."""

    name = "max_orders_per_second"
    switches = ("max_orders_per_second", "max_modifies_per_second")  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the account's bucket for this kind of message is empty."""
        limits, usage = ctx.limits, ctx.usage
        if ctx.replacing is None:
            rate, bucket = limits.max_orders_per_second, usage.submits
            if rate is None or bucket.tokens is None or bucket.tokens + (ctx.now_ts - bucket.last) * rate >= 1:
                return None  # the passing case inline: this runs for every order
            return rate_denial(self.name, "orders", bucket, rate, ctx.now_ts)
        return rate_denial("max_modifies_per_second", "modifies", usage.modifies, limits.max_modifies_per_second,
                           ctx.now_ts)
