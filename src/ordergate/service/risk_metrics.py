"""The risk metrics: each account's usage of its limits by the same definitions the rules check (docs/risk.md)."""

from collections import Counter
from datetime import datetime
from decimal import Decimal
from typing import Any

from ordergate.domain.ids import AccountId
from ordergate.domain.ledger import FIRM, Ledger
from ordergate.domain.risk.buying_power import account_buying_power
from ordergate.domain.risk.context import fmt_money
from ordergate.domain.risk.limits import LimitBook, limit_json
from ordergate.domain.risk.usage import RiskUsage

ZERO = Decimal(0)


def risk_metrics(ledger: Ledger, usage_book: RiskUsage, limit_book: LimitBook, now: datetime,
                 margin_calls: Counter[str]) -> dict[str, Any]:
    """Return each account's usage of its limits, denials by rule and trading state, and the firm's sums."""
    denials: Counter[str] = Counter()
    accounts = {}
    for account in ledger.accounts:
        usage = usage_book.account(account)
        usage.roll(now, now.timestamp(), usage_book.day)
        denials.update(usage.denials)
        accounts[account] = _account_metrics(ledger, usage_book, limit_book, account)
    return {
        "firm_trading_state": ledger.trading_states.get(FIRM, "active"),
        "denials_by_rule": dict(denials), "accounts": accounts, "margin_calls": dict(margin_calls),
    }


def _account_metrics(ledger: Ledger, usage_book: RiskUsage, limit_book: LimitBook, account: AccountId,
                     ) -> dict[str, Any]:
    """Return one account's usage, each figure by the same definition its rule checks (docs/risk.md)."""
    usage = usage_book.account(account)
    limits = limit_book.effective(account)
    power = account_buying_power(ledger.accounts[account], usage)
    per_currency = {
        currency: {
            "gross_exposure": fmt_money(t.gross, currency), "net_exposure": fmt_money(abs(t.net), currency),
            "positions_value": fmt_money(t.value, currency), "initial_margin": fmt_money(t.margin, currency),
            "working_notional": fmt_money(t.working_notional, currency),
            "traded_notional_today": fmt_money(t.traded_notional, currency),
            "daily_notional": fmt_money(t.traded_notional + t.working_notional, currency),
            "realized_pnl_today": fmt_money(t.realized_today, currency),
            "daily_loss": fmt_money(max(-t.realized_today, ZERO), currency),
            "buying_power": fmt_money(power[currency], currency),
        }
        for currency, t in sorted(usage.totals.items())
    }
    used = {
        "max_daily_orders": usage.orders_today, "max_daily_trades": usage.trades_today,
        "max_daily_volume": limit_json(usage.volume_today + usage.working_qty), "max_open_orders": usage.open_orders,
    }
    return {
        "trading_state": ledger.trading_state(account).value,
        "usage": {name: {"used": value, "limit": limit_json(getattr(limits, name))} for name, value in used.items()},
        "currencies": per_currency,
        "open_orders_by_symbol": {s: u.open_orders for s, u in sorted(usage.symbols.items()) if u.open_orders},
        "positions": {s: limit_json(u.position) for s, u in sorted(usage.symbols.items()) if u.position},
        "denials_by_rule": dict(usage.denials), "watch_list_orders": usage.watch_hits,
    }
