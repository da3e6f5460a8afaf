"""Risk usage as ``ordergate db rebuild`` reports it: each account's usage, rebuilt from the journal.

Risk usage has no table. The server keeps it in memory and rebuilds it from the journal at every start,
through RiskUsage subscribed to the replaying ledger; the rebuild folds the journal the same way, so
what it reports is what a server started on this database would hold, and there is no stored copy to
differ from.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from ordergate.domain.ids import AccountId
from ordergate.domain.risk.usage import RiskUsage

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class UsageSummary:
    """One account's rebuilt usage: the counters of the last trading day it was active, and what is open."""

    account: str
    day_end: datetime | None  # when the trading day of the counters ends (None: never active)
    orders: int
    trades: int
    volume: Decimal
    notional: dict[str, Decimal]  # traded that day, per currency
    realized_loss: dict[str, Decimal]  # that day, after commissions, per currency (negative: a gain)
    open_orders: int
    working_notional: dict[str, Decimal]  # of the open orders, per currency

    def describe(self, now: datetime) -> str:
        """Return one readable line; say when the counters' trading day is over at ``now``."""
        if self.day_end is None:
            return f"{self.account}: no orders or trades in the journal"
        over = " (over: the server starts the next day at zero)" if self.day_end <= now else ""
        return (f"{self.account}: trading day ending {self.day_end.isoformat()}{over}: {self.orders} order(s), "
                f"{self.trades} trade(s), volume {self.volume}, notional {_money(self.notional)}, "
                f"realized loss {_money(self.realized_loss)}; {self.open_orders} open order(s), "
                f"working notional {_money(self.working_notional)}")


def _money(amounts: dict[str, Decimal]) -> str:
    return ", ".join(f"{amount} {currency}" for currency, amount in sorted(amounts.items())) or "0"


def summarize(accounts: Iterable[AccountId], usage: RiskUsage) -> list[UsageSummary]:
    """Return the usage of each account, sorted by account (an account never active has zeros)."""
    return [_summary(account, usage) for account in sorted(accounts)]


def _summary(account: AccountId, usage: RiskUsage) -> UsageSummary:
    found = usage.accounts.get(account)
    if found is None:
        return UsageSummary(account, None, 0, 0, ZERO, {}, {}, 0, {})
    day_end = None if found.day_end == float("-inf") else datetime.fromtimestamp(found.day_end, UTC)
    totals = found.totals
    return UsageSummary(
        account=account, day_end=day_end, orders=found.orders_today, trades=found.trades_today,
        volume=found.volume_today, notional={c: t.traded_notional for c, t in totals.items()},
        realized_loss={c: ZERO - t.realized_today for c, t in totals.items()}, open_orders=found.open_orders,
        working_notional={c: t.working_notional for c, t in totals.items()},
    )
