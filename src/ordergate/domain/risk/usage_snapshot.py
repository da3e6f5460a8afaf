"""Risk usage as plain values, for snapshots of the fold; and back.

Kept: the limit changes the journal made (applied again on top of the settings' defaults), and per account
what only the events tell: the trading day's counters and totals, the rate buckets, recent denials and
orders, the denial counts, and each symbol's mark. Not kept, because the ledger tells it: positions,
working quantities, resting prices, each open order's share and every exposure; a restore derives them
from the restored ledger at the kept marks, as the end of a replay does.
"""

from collections import Counter, deque
from decimal import Decimal
from typing import TYPE_CHECKING

from ordergate.domain.enums import Side
from ordergate.domain.events import RiskLimitsChanged
from ordergate.domain.ids import AccountId, Symbol
from ordergate.domain.risk.usage_state import MAX_DENIAL_TIMES, AccountUsage, CurrencyTotals, TokenBucket

if TYPE_CHECKING:
    from ordergate.domain.risk.usage import RiskUsage

# currency, traded notional, realized today, trade cash today, value at the day's open
TotalsState = tuple[str, Decimal, Decimal, Decimal, Decimal]
SymbolState = tuple[str, str, Decimal | None]  # symbol, currency, mark
Bucket = tuple[float | None, float]  # tokens (None: full), last
RecentKey = tuple[str, Side, Decimal, Decimal | None, Decimal | None]
AccountState = tuple[
    str, float | None, int, int, Decimal, list[TotalsState], list[SymbolState], Bucket, Bucket, list[float],
    list[tuple[RecentKey, float]], dict[str, int], int,
]
UsageState = tuple[list[RiskLimitsChanged], list[AccountState]]


def usage_state(usage: "RiskUsage") -> UsageState:
    """Return the limit changes and every account's usage that the events decided."""
    return list(usage.limits_applied), [_account_state(a) for a in usage.accounts.values()]


def _account_state(a: AccountUsage) -> AccountState:
    return (
        a.account, None if a.day_end == float("-inf") else a.day_end, a.orders_today, a.trades_today,
        a.volume_today,
        [(c, t.traded_notional, t.realized_today, t.trade_cash_today, t.value_at_open) for c, t in a.totals.items()],
        [(s.symbol, s.currency, s.mark) for s in a.symbols.values()],
        (a.submits.tokens, a.submits.last), (a.modifies.tokens, a.modifies.last), list(a.denial_times),
        list(a.recent.items()), dict(a.denials), a.watch_hits,
    )


def restore_usage(usage: "RiskUsage", state: UsageState) -> None:
    """Fill a fresh RiskUsage from a snapshot, after the ledger was restored; derive the rest from the ledger."""
    changes, accounts = state
    for event in changes:
        usage.limits.apply(event)
    usage.limits_applied = list(changes)
    for values in accounts:
        account = _account(values)
        usage.accounts[account.account] = account
    usage.derive_from_ledger()


def _account(values: AccountState) -> AccountUsage:
    (account, day_end, orders, trades, volume, totals, symbols, submits, modifies, denial_times, recent, denials,
     watch_hits) = values
    a = AccountUsage(AccountId(account))
    a.day_end = float("-inf") if day_end is None else day_end
    a.orders_today, a.trades_today, a.volume_today, a.watch_hits = orders, trades, volume, watch_hits
    for symbol, currency, mark in symbols:
        a.symbol(Symbol(symbol), currency).mark = mark
    for currency, traded, realized, cash, at_open in totals:
        t = a.totals.get(currency) or a.totals.setdefault(currency, CurrencyTotals())
        t.traded_notional, t.realized_today, t.trade_cash_today, t.value_at_open = traded, realized, cash, at_open
    a.submits, a.modifies = _bucket(submits), _bucket(modifies)
    a.denial_times = deque(denial_times[-MAX_DENIAL_TIMES:])
    a.recent = {(Symbol(k[0]), k[1], k[2], k[3], k[4]): ts for k, ts in recent}
    for (symbol, side, qty, _, _), ts in a.recent.items():  # the first look by size, and each symbol's newest
        if ts > a.recent_sizes.get((symbol, side, qty), float("-inf")):
            a.recent_sizes[(symbol, side, qty)] = ts
        sym = a.symbols.get(symbol)  # every symbol an order was submitted in has usage, kept with the marks
        if sym is not None and ts > sym.last_submitted:
            sym.last_submitted = ts
    a.denials = Counter(denials)
    return a


def _bucket(values: Bucket) -> TokenBucket:
    bucket = TokenBucket()
    bucket.tokens, bucket.last = values
    return bucket
