"""Risk limits: one flat set of named limits, ``None`` = off; firm defaults plus per-account overrides.

Limits are set from outside (API, CLI, settings) as loose JSON-like values; ``parse_limit_changes``
turns them into typed values or refuses them naming the field and the rule. Amounts (notional,
exposure, loss) are in the currency of the instrument traded.
"""

from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any

from ordergate.domain.events import RiskLimitsChanged
from ordergate.domain.ids import AccountId
from ordergate.domain.risk.limit_parse import LIMIT_NAMES, RETIRED_LIMITS, parse_limit_changes

__all__ = ["FIRM", "LIMIT_NAMES", "LimitBook", "RiskLimits", "limit_json", "parse_limit_changes"]

FIRM = AccountId("*")  # the ledger's name for firm-wide state



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
    daily_loss_unrealized: bool | None = None
    restricted_symbols: frozenset[str] | None = None
    watch_symbols: frozenset[str] | None = None
    duplicate_window_seconds: Decimal | None = None
    max_orders_per_second: int | None = None
    max_modifies_per_second: int | None = None
    max_open_orders: int | None = None
    max_open_orders_per_symbol: int | None = None
    self_match: str | None = None
    lockout_denials: int | None = None
    lockout_window_seconds: Decimal | None = None
    stale_data_protection: bool | None = None
    market_collar_pct: Decimal | None = None
    max_slippage_pct: Decimal | None = None
    max_adv_pct: Decimal | None = None
    cancel_on_breach: bool | None = None
    owner: str | None = None
    base_currency: str | None = None
    dynamic_margin: bool | None = None

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


def limit_json(value: object) -> Any:
    """Return one limit value as JSON: Decimal as a plain string, a set as a sorted list."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dict):
        return {k: format(v, "f") for k, v in sorted(value.items())}
    return value


class LimitBook:
    """The firm's default limits and each account's overrides; answers an account's effective limits."""

    def __init__(self, defaults: RiskLimits | None = None) -> None:
        self.defaults = defaults if defaults is not None else RiskLimits()
        self.configured = self.defaults  # the settings' defaults: what unsetting a firm-wide change goes back to
        self.overrides: dict[AccountId, dict[str, Any]] = {}
        self._effective: dict[AccountId, RiskLimits] = {}
        self._owners: dict[str, list[AccountId]] | None = None  # owner -> accounts, rebuilt after a change
        self._margined: bool | None = None  # whether any account has dynamic_margin on, worked out after a change

    def effective(self, account: AccountId) -> RiskLimits:
        """Return the limits that apply to an account (its overrides on top of the firm's defaults)."""
        limits = self._effective.get(account)
        if limits is None:
            limits = self._effective[account] = replace(self.defaults, **self.overrides.get(account, {}))
        return limits

    def apply(self, event: RiskLimitsChanged) -> None:
        """Apply a journaled limit change (account "*" changes the firm's defaults)."""
        changes = parse_limit_changes({k: v for k, v in event.new.items() if k not in RETIRED_LIMITS})
        if event.account == FIRM:
            self.change_defaults(changes)
            self.unset_defaults(event.unset)
        else:
            self.change_account(event.account, changes)
            self.unset_account(event.account, event.unset)

    def change_defaults(self, changes: dict[str, Any]) -> None:
        """Change some firm defaults (typed values from ``parse_limit_changes``)."""
        self.defaults = replace(self.defaults, **changes)
        self._effective.clear()
        self._owners = self._margined = None

    def change_account(self, account: AccountId, changes: dict[str, Any]) -> None:
        """Override some limits for one account (None there switches the limit off for that account)."""
        self.overrides.setdefault(account, {}).update(changes)
        self._effective.pop(account, None)
        self._owners = self._margined = None

    @property
    def dynamic_margin_used(self) -> bool:
        """Return whether any account (or the firm's default) has ``dynamic_margin`` on."""
        if self._margined is None:
            self._margined = bool(self.defaults.dynamic_margin) or any(
                overrides.get("dynamic_margin") for overrides in self.overrides.values())
        return self._margined

    def siblings(self, account: AccountId) -> list[AccountId]:
        """Return the other accounts with the same ``owner`` as this one (none when it has no owner)."""
        owner = self.effective(account).owner
        if owner is None:
            return []
        if self._owners is None:
            owners: dict[str, list[AccountId]] = {}
            for acc, overrides in self.overrides.items():
                name = overrides.get("owner", self.defaults.owner)
                if name is not None:
                    owners.setdefault(name, []).append(acc)
            self._owners = owners
        return [acc for acc in self._owners.get(owner, []) if acc != account]

    def unset_defaults(self, names: list[str]) -> None:
        """Set some firm defaults back to their configured values (the settings')."""
        if names:
            self.change_defaults({name: getattr(self.configured, name) for name in names})

    def unset_account(self, account: AccountId, names: list[str]) -> None:
        """Drop some of an account's overrides: the firm's defaults apply to them again."""
        overrides = self.overrides.get(account)
        if overrides is None or not names:
            return
        for name in names:
            overrides.pop(name, None)
        self._effective.pop(account, None)
        self._owners = self._margined = None

    def overridden(self, account: AccountId) -> list[str]:
        """Return the names of the limits an account overrides."""
        return sorted(self.overrides.get(account, {}))
