"""Turn loose limit values (API, CLI, settings, the journal) into typed ones, or refuse them naming the field.

Symbols in lists and in ``margin_rates`` are matched to the instruments case-insensitively and stored as the
instrument spells them; an unknown symbol is refused. Quantity limits must be whole multiples of the
smallest lot size traded (whole numbers when every lot is 1). Without instruments (replaying the journal,
whose values were checked when they were set) symbols are only trimmed and upper-cased.
"""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import Symbol
from ordergate.domain.instruments import Instrument

SELF_MATCH_MODES = ("deny", "cancel_resting")
MAX_LIMIT = Decimal("1e15")
MAX_SYMBOLS = 10_000

DECIMALS = frozenset({
    "max_order_qty", "max_order_notional", "price_collar_pct", "max_position_qty", "max_position_notional",
    "max_concentration_pct", "max_gross_exposure", "max_net_exposure", "initial_margin_rate",
    "max_daily_volume", "max_daily_notional", "max_daily_loss", "duplicate_window_seconds",
    "lockout_window_seconds", "market_collar_pct", "max_slippage_pct", "max_adv_pct",
})
QUANTITIES = frozenset({"max_order_qty", "max_position_qty", "max_daily_volume"})
INTS = frozenset({
    "price_collar_ticks", "max_daily_orders", "max_daily_trades", "max_orders_per_second",
    "max_modifies_per_second", "max_open_orders", "max_open_orders_per_symbol", "lockout_denials",
})
# limits that no longer exist: a journal that set them replays without them
RETIRED_LIMITS = frozenset({"max_cancels_per_second"})  # cancels reduce risk: never throttled
BOOLS = frozenset({"enforce_buying_power", "allow_short", "stale_data_protection", "daily_loss_unrealized",
                   "cancel_on_breach", "dynamic_margin"})
SYMBOL_SETS = frozenset({"restricted_symbols", "watch_symbols"})
RATES = frozenset({"initial_margin_rate"})
# every limit RiskLimits has (a test keeps the two the same)
LIMIT_NAMES: tuple[str, ...] = tuple(sorted(DECIMALS | INTS | BOOLS | SYMBOL_SETS | {"margin_rates", "self_match",
                                                                                  "owner", "base_currency"}))

Instruments = Mapping[Symbol, Instrument]


def parse_limit_changes(raw: object, instruments: Instruments | None = None) -> dict[str, Any]:
    """Return typed limit values from loose input, or raise ValidationFailed naming the field and rule."""
    if not isinstance(raw, dict):
        raise ValidationFailed("body", "object", "must be a JSON object of limit names to values")
    parsed: dict[str, Any] = {}
    for name, value in raw.items():
        check_limit_name(name)
        parsed[name] = None if value is None else _parse_one(name, value, instruments)
    return parsed


def check_limit_name(name: object) -> str:
    """Return a known limit name, or raise ValidationFailed listing the known ones."""
    if name not in LIMIT_NAMES:
        raise ValidationFailed(str(name)[:64], "known_limit", f"unknown limit; known: {', '.join(LIMIT_NAMES)}")
    return str(name)


def _parse_one(name: str, value: object, instruments: Instruments | None) -> Any:
    if name in DECIMALS:
        number = _decimal(name, value)
        if name in RATES and not Decimal(0) < number <= Decimal(1):
            raise ValidationFailed(name, "range", f"must be above 0 and at most 1, got {number}")
        if name in QUANTITIES:
            _check_lots(name, number, instruments)
        return number
    if name in INTS:
        if isinstance(value, bool) or not isinstance(value, int | str):
            shown = value if isinstance(value, Decimal) else repr(value)  # a JSON number arrives as a Decimal
            raise ValidationFailed(name, "integer", f"must be a whole number or null, got {shown}"[:200])
        number = _decimal(name, value)
        if number != number.to_integral_value():
            raise ValidationFailed(name, "integer", f"must be a whole number, got {number}")
        return int(number)
    if name in BOOLS:
        if not isinstance(value, bool):
            raise ValidationFailed(name, "boolean", f"must be true, false or null, got {value!r}"[:200])
        return value
    if name in SYMBOL_SETS:
        return _symbols(name, value, instruments)
    if name == "margin_rates":
        return _margin_rates(value, instruments)
    if name == "base_currency":
        if not isinstance(value, str) or len(value.strip()) != 3 or not value.strip().isalpha():
            raise ValidationFailed(name, "currency", "must be a three-letter currency code or null")
        return value.strip().upper()
    if name == "owner":
        if not isinstance(value, str) or not 0 < len(value.strip()) <= 64 or not value.strip().isprintable():
            raise ValidationFailed(name, "text", "must be 1 to 64 printable characters or null")
        return value.strip()
    if value not in SELF_MATCH_MODES:
        raise ValidationFailed(name, "choice", f"must be one of {', '.join(SELF_MATCH_MODES)} or null")
    return value


def _decimal(name: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal | float):
        raise ValidationFailed(name, "number", f"must be a number or null, got {type(value).__name__}")
    try:
        # floats go through str so 0.1 stays 0.1 rather than its binary expansion
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValidationFailed(name, "number", f"must be a number, got {str(value)[:40]!r}") from None
    if not number.is_finite() or number < 0:
        raise ValidationFailed(name, "non_negative", f"must be a finite number >= 0, got {str(value)[:40]}")
    if number > MAX_LIMIT:
        raise ValidationFailed(name, "max_value", f"must be at most {MAX_LIMIT:.0f}")
    return number


def _check_lots(name: str, number: Decimal, instruments: Instruments | None) -> None:
    """Refuse a quantity limit no order could meet exactly: it must be a whole number of the smallest lot."""
    lots = [i.lot_size for i in instruments.values()] if instruments else [Decimal(1)]
    lot = min(lots)
    if number % lot != 0:
        rule = "whole_number" if lot == 1 else "lot_size"
        raise ValidationFailed(name, rule, f"must be a whole multiple of the lot size {lot}, got {number}")


def _symbol(name: str, item: object, instruments: Instruments | None) -> str:
    if not isinstance(item, str) or not 0 < len(item.strip()) <= 64 or not item.strip().isprintable():
        message = f"every symbol must be 1 to 64 printable characters: {item!r}"[:200]
        raise ValidationFailed(name, "symbol_list", message)
    text = item.strip().upper()
    if instruments is None:
        return text
    known = {s.upper(): s for s in instruments}
    if text not in known:
        raise ValidationFailed(name, "known_symbol", f"unknown symbol {item.strip()!r}"[:200])
    return known[text]


def _symbols(name: str, value: object, instruments: Instruments | None) -> frozenset[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or len(items) > MAX_SYMBOLS:
        raise ValidationFailed(name, "symbol_list", f"must be a list of at most {MAX_SYMBOLS} symbols or null")
    return frozenset(_symbol(name, item, instruments) for item in items)


def _margin_rates(value: object, instruments: Instruments | None) -> dict[str, Decimal]:
    if not isinstance(value, dict) or len(value) > MAX_SYMBOLS:
        raise ValidationFailed("margin_rates", "object", "must be an object of symbol to rate (0 < rate <= 1)")
    rates = {}
    for symbol, rate in value.items():
        number = _decimal("margin_rates", rate)
        if not Decimal(0) < number <= Decimal(1):
            raise ValidationFailed("margin_rates", "range", f"{str(symbol)[:64]}: rate must be above 0 and at most 1")
        rates[_symbol("margin_rates", symbol, instruments)] = number
    return rates
