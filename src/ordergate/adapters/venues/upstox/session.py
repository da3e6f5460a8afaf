"""NSE's regular session, to tell when an order must go to Upstox as an after-market order (``is_amo``).

Upstox takes orders outside market hours only as after-market orders, queued for the next session; a
regular order then is refused ("Market is closed"). The regular session is 09:15 to 15:30 IST, Monday to
Friday. Exchange holidays are not known here (Upstox publishes no calendar in the API ordergate uses): on a
holiday within those hours an order goes as a regular one and Upstox refuses it with its reason, the safer
mistake than queuing it for a day the trader did not pick.
"""

from datetime import datetime, time

from ordergate.adapters.venues.upstox.token import IST

OPEN = time(9, 15)
CLOSE = time(15, 30)
SATURDAY = 5


def after_market(moment: datetime) -> bool:
    """Return whether ``moment`` (timezone-aware) falls outside NSE's regular session."""
    local = moment.astimezone(IST)
    if local.weekday() >= SATURDAY:
        return True
    return not OPEN <= local.time() < CLOSE
