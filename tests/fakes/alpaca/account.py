"""``GET /v2/account``: a cash account whose figures come from the fake's fills and working orders."""

from decimal import Decimal
from typing import Any

from tests.fakes.alpaca.broker import FakeBroker
from tests.fakes.alpaca.model import ACCOUNT_ID
from tests.fakes.alpaca.wire import dec, now_ts


def account_json(broker: FakeBroker) -> dict[str, Any]:
    """Return the account as Alpaca shows it (all numbers as strings)."""
    long_value = short_value = Decimal(0)
    for position in broker.positions.values():
        quote = broker.quotes.get(position.symbol)
        price = (quote.bid + quote.ask) / 2 if quote else Decimal(0)
        value = position.qty * price
        if value >= 0:
            long_value += value
        else:
            short_value += value
    equity = broker.cash + long_value + short_value
    cash = dec(broker.cash)
    return {
        "id": ACCOUNT_ID, "account_number": "PA3FAKE00001", "status": "ACTIVE", "crypto_status": "INACTIVE",
        "currency": "USD", "buying_power": cash, "regt_buying_power": cash, "daytrading_buying_power": "0",
        "effective_buying_power": cash, "non_marginable_buying_power": cash, "options_buying_power": cash,
        "cash": cash, "accrued_fees": "0", "pending_transfer_in": "0", "portfolio_value": dec(equity),
        "pattern_day_trader": False, "trading_blocked": False, "transfers_blocked": False,
        "account_blocked": False, "created_at": now_ts(), "trade_suspended_by_user": False, "multiplier": "1",
        "shorting_enabled": False, "equity": dec(equity), "last_equity": dec(equity),
        "long_market_value": dec(long_value), "short_market_value": dec(short_value),
        "position_market_value": dec(long_value - short_value), "initial_margin": "0",
        "maintenance_margin": "0", "last_maintenance_margin": "0", "sma": "0", "daytrade_count": 0,
        "balance_asof": now_ts()[:10], "options_trading_level": 0,
    }
