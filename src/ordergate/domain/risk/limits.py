"""Risk limits: one flat set of named limits, ``None`` = off; firm defaults plus per-account overrides.

Limits are set from outside (API, CLI, settings) as loose JSON-like values; ``parse_limit_changes``
turns them into typed values or refuses them naming the field and the rule. Amounts (notional,
exposure, loss) are in the currency of the instrument traded.
"""

from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from ordergate.domain.errors import ValidationFailed
from ordergate.domain.events import RiskLimitsChanged
from ordergate.domain.ids import AccountId

FIRM = AccountId("*")  # the ledger's name for firm-wide state

SELF_MATCH_MODES = ("deny", "cancel_resting")
MAX_LIMIT = Decimal("1e15")
MAX_SYMBOLS = 10_000


@dataclass(slots=True)
class RiskLimits:
    """Every pre-trade limit of one account (or the firm's defaults); a limit set to None is off."""

    max_order_qty: Decimal | None = None
    max_order_notional: Decimal | None = None
    price_collar_pct: Decimal | None = None
    price_collar_ticks: int | None = None
    max_position_qty: Decimal | None = None
    max_position_notional: Decimal | None = None
    max_concentration_pct: Decimal | None = None
    max_gross_exposure: Decimal | None = None
    max_net_exposure: Decimal | None = None
    enforce_buying_power: bool | None = None
    allow_short: bool | None = None
    initial_margin_rate: Decimal | None = None
    margin_rates: dict[str, Decimal] | None = None
    max_daily_orders: int | None = None
    max_daily_trades: int | None = None
    max_daily_volume: Decimal | None = None
    max_daily_notional: Decimal | None = None
    max_daily_loss: Decimal | None = None
    restricted_symbols: frozenset[str] | None = None
    watch_symbols: frozenset[str] | None = None
    duplicate_window_seconds: Decimal | None = None
    max_orders_per_second: int | None = None
    max_modifies_per_second: int | None = None
    max_cancels_per_second: int | None = None
    max_open_orders: int | None = None
    max_open_orders_per_symbol: int | None = None
    self_match: str | None = None

    def margin_rate(self, symbol: str) -> Decimal:
        """Return the initial margin rate of a symbol (1 = fully paid when none is set)."""
        if self.margin_rates is not None:
            rate = self.margin_rates.get(symbol)
            if rate is not None:
                return rate
        return self.initial_margin_rate if self.initial_margin_rate is not None else Decimal(1)

    def to_json(self) -> dict[str, Any]:
        """Return every limit as a JSON-ready value (decimals as strings, sets as sorted lists)."""
        return {f.name: limit_json(getattr(self, f.name)) for f in fields(self)}


LIMIT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(RiskLimits))

_DECIMALS = frozenset({
    "max_order_qty", "max_order_notional", "price_collar_pct", "max_position_qty", "max_position_notional",
    "max_concentration_pct", "max_gross_exposure", "max_net_exposure", "initial_margin_rate",
    "max_daily_volume", "max_daily_notional", "max_daily_loss", "duplicate_window_seconds",
})
_INTS = frozenset({
    "price_collar_ticks", "max_daily_orders", "max_daily_trades", "max_orders_per_second",
    "max_modifies_per_second", "max_cancels_per_second", "max_open_orders", "max_open_orders_per_symbol",
})
_BOOLS = frozenset({"enforce_buying_power", "allow_short"})
_SYMBOL_SETS = frozenset({"restricted_symbols", "watch_symbols"})
_RATES = frozenset({"initial_margin_rate"})


def limit_json(value: object) -> Any:
    """Return one limit value as JSON: Decimal as a plain string, a set as a sorted list."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dict):
        return {k: format(v, "f") for k, v in sorted(value.items())}
    return value


def parse_limit_changes(raw: object) -> dict[str, Any]:
    """Return typed limit values from loose input, or raise ValidationFailed naming the field and rule."""
    if not isinstance(raw, dict):
        raise ValidationFailed("body", "object", "must be a JSON object of limit names to values")
    parsed: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in LIMIT_NAMES:
            raise ValidationFailed(str(name)[:64], "known_limit", f"unknown limit; known: {', '.join(LIMIT_NAMES)}")
        parsed[name] = None if value is None else _parse_one(name, value)
    return parsed


def _parse_one(name: str, value: object) -> Any:
    if name in _DECIMALS:
        number = _decimal(name, value)
        if name in _RATES and not Decimal(0) < number <= Decimal(1):
            raise ValidationFailed(name, "range", f"must be above 0 and at most 1, got {number}")
        return number
    if name in _INTS:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationFailed(name, "integer", f"must be a whole number or null, got {value!r}"[:200])
        number = _decimal(name, value)
        if number != number.to_integral_value():
            raise ValidationFailed(name, "integer", f"must be a whole number, got {number}")
        return int(number)
    if name in _BOOLS:
        if not isinstance(value, bool):
            raise ValidationFailed(name, "boolean", f"must be true, false or null, got {value!r}"[:200])
        return value
    if name in _SYMBOL_SETS:
        return _symbols(name, value)
    if name == "margin_rates":
        return _margin_rates(value)
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


def _symbols(name: str, value: object) -> frozenset[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or len(items) > MAX_SYMBOLS:
        raise ValidationFailed(name, "symbol_list", f"must be a list of at most {MAX_SYMBOLS} symbols or null")
    symbols = set()
    for item in items:
        if not isinstance(item, str) or not 0 < len(item.strip()) <= 64 or not item.strip().isprintable():
            message = f"every symbol must be 1 to 64 printable characters: {item!r}"[:200]
            raise ValidationFailed(name, "symbol_list", message)
        symbols.add(item.strip())
    return frozenset(symbols)


def _margin_rates(value: object) -> dict[str, Decimal]:
    if not isinstance(value, dict) or len(value) > MAX_SYMBOLS:
        raise ValidationFailed("margin_rates", "object", "must be an object of symbol to rate (0 < rate <= 1)")
    rates = {}
    for symbol, rate in value.items():
        number = _decimal("margin_rates", rate)
        if not isinstance(symbol, str) or not 0 < len(symbol) <= 64 or not Decimal(0) < number <= Decimal(1):
            raise ValidationFailed("margin_rates", "range", f"{str(symbol)[:64]}: rate must be above 0 and at most 1")
        rates[symbol] = number
    return rates


class LimitBook:
    """The firm's default limits and each account's overrides; answers an account's effective limits."""

    def __init__(self, defaults: RiskLimits | None = None) -> None:
        self.defaults = defaults if defaults is not None else RiskLimits()
        self.overrides: dict[AccountId, dict[str, Any]] = {}
        self._effective: dict[AccountId, RiskLimits] = {}

    def effective(self, account: AccountId) -> RiskLimits:
        """Return the limits that apply to an account (its overrides on top of the firm's defaults)."""
        limits = self._effective.get(account)
        if limits is None:
            limits = self._effective[account] = replace(self.defaults, **self.overrides.get(account, {}))
        return limits

    def apply(self, event: RiskLimitsChanged) -> None:
        """Apply a journaled limit change (account "*" changes the firm's defaults)."""
        changes = parse_limit_changes(event.new)
        if event.account == FIRM:
            self.change_defaults(changes)
        else:
            self.change_account(event.account, changes)

    def change_defaults(self, changes: dict[str, Any]) -> None:
        """Change some firm defaults (typed values from ``parse_limit_changes``)."""
        self.defaults = replace(self.defaults, **changes)
        self._effective.clear()

    def change_account(self, account: AccountId, changes: dict[str, Any]) -> None:
        """Override some limits for one account (None there switches the limit off for that account)."""
        self.overrides.setdefault(account, {}).update(changes)
        self._effective.pop(account, None)
