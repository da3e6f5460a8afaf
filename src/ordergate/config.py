"""Settings: flags, then environment (ORDERGATE_*), then a .env file, then defaults; checked at start.

Nested sections are set from the environment with a double underscore, e.g.
``ORDERGATE_ENGINE__EXPIRY_INTERVAL=0.5``.
"""

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ordergate.adapters.venues.alpaca.config import AlpacaConfig
from ordergate.adapters.venues.upstox.config import UpstoxConfig
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.risk.fx import FxRates
from ordergate.domain.risk.limits import RiskLimits, parse_limit_changes
from ordergate.domain.risk.pricing import MarketPricing
from ordergate.service.margin import MarginSettings


class EngineConfig(BaseModel):
    """The order engine's background work and batching."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    expiry_interval: float = Field(1.0, gt=0, description="seconds between checks for expired DAY/GTD orders")
    stuck_after: float = Field(10.0, gt=0, description="seconds an order may stay pending before it is queried")
    monitor_interval: float = Field(2.0, gt=0, description="seconds between checks for stuck orders")
    max_batch: int = Field(1024, ge=1, le=100_000, description="messages handled per group commit at most")
    max_resends: int = Field(5, ge=0, le=100, description="times a lost cancel, replace or submit is sent again "
                             "(waiting stuck_after, then twice as long each time) before the order is escalated")
    reconcile_interval: float = Field(60.0, gt=0, description="seconds between reconciliations with every venue "
                                      "(also at start and whenever a venue reconnects)")
    cash_tolerance: Decimal = Field(Decimal("0.01"), ge=0, description="largest difference, in a currency's "
                                    "units, between a venue's cash and ours that reconciliation lets pass")
    snapshot_interval: float = Field(300.0, ge=0, description="seconds between background snapshots of the fold "
                                     "(0: only at a clean stop)")
    snapshot_min_events: int = Field(10_000, ge=1, description="journal events since the last snapshot before "
                                     "a background one is written")
    keep_ended_days: int = Field(1, ge=0, le=3650, description="trading days an order that ended stays in "
                                 "memory (1: until its day ends; 0: until the next day starts or the server "
                                 "starts again); then it is read back from the database")


class AccountConfig(BaseModel):
    """The paper account made at first start."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field("PAPER", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    balances: dict[str, Decimal] = Field(
        default_factory=lambda: {"USD": Decimal("1000000"), "INR": Decimal("100000000")},
        description="opening cash per currency",
    )
    margin: bool = False


class PaperConfig(BaseModel):
    """The built-in paper exchange."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = 7
    tick_interval: float = Field(0.25, gt=0)
    ack_latency: float = Field(0.0, ge=0)
    spread_bps: Decimal = Field(Decimal("5"), gt=0)
    depth_levels: int = Field(10, ge=1, le=1000)
    level_size_lots: int = Field(200, ge=1)
    volatility_bps: Decimal = Field(Decimal("2"), ge=0)
    commission_per_share: Decimal = Field(Decimal("0.005"), ge=0)
    commission_bps: Decimal = Field(Decimal("0"), ge=0)
    min_commission: Decimal = Field(Decimal("1"), ge=0)
    trade_probability: float = Field(0.5, ge=0, le=1, description="chance of a simulated trade each tick")
    flow_lots: int = Field(20, ge=1, description="largest simulated trade, in lots")


class ExtraPaperConfig(PaperConfig):
    """Another paper exchange with its own book, fees, latency and reliability (for routing between venues)."""

    id: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_-]*$",
                    description="the venue id orders and routes name, e.g. paper2")
    reject_probability: float = Field(0.0, ge=0, le=1, description="chance the venue refuses a new order "
                                      "(a venue's reason: the router learns its reject rate)")


class RoutingConfig(BaseModel):
    """The smart order router: where each instrument may trade, the default policy, the circuit breaker."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    venues: dict[str, list[str]] = Field(default_factory=dict, description="symbol -> the venue ids where it "
                                         "may trade; default: its one venue (routes, else the default venue)")
    policy: str = Field("best_execution", description="route of an order that names none and whose account "
                        "has no default: best_execution, lowest_cost, fastest, round_robin or a venue id")
    accounts: dict[str, str] = Field(default_factory=dict, description="account id -> its default route")
    breaker_window: int = Field(20, ge=1, le=10_000, description="recent orders per venue the breaker looks at")
    breaker_min_orders: int = Field(5, ge=1, le=10_000, description="orders in the window before it may trip")
    breaker_reject_rate: float = Field(0.5, gt=0, le=1, description="reject rate in the window that degrades "
                                       "a venue")
    breaker_ack_latency: float = Field(2.0, gt=0, description="seconds of ack latency (EWMA) that degrade a venue")
    breaker_cooldown: float = Field(30.0, gt=0, description="seconds a degraded venue is routed around before "
                                    "it is tried again")


class MarketDataConfig(BaseModel):
    """Market data handling."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stale_after: float = Field(30.0, gt=0, description="seconds after which a price counts as stale")
    replay_file: Path | None = Field(None, description="CSV to replay into the market data hub at start "
                                     "(format: docs/marketdata.md); unset: prices come from the paper market")
    replay_speed: float = Field(1.0, ge=0, le=1000, description="1 = recorded pace, 10 = ten times faster, "
                                "0 = as fast as possible")
    replay_loop: bool = Field(False, description="start the file over when it ends")
    paper_follows_replay: bool = Field(True, description="for the symbols the replay file covers, the paper "
                                       "exchange trades against the replayed book instead of its random walk")

    @field_validator("replay_file")
    @classmethod
    def _replay_file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and str(value) != "sample" and not value.is_file():
            raise ValueError(f"no such file: {value} (give a CSV path, or 'sample' for the shipped sample)")
        return value


# Firm-wide defaults: fat-finger size limits and buying power on; everything else off until set
# (over the API, or here, e.g. ORDERGATE_RISK__DEFAULTS='{"price_collar_pct": "10"}' replaces this set).
FIRM_RISK_DEFAULTS: dict[str, Any] = {
    "max_order_qty": "1000000", "max_order_notional": "25000000", "enforce_buying_power": True,
    "allow_short": True, "initial_margin_rate": "0.5", "max_open_orders": 10000, "stale_data_protection": True,
}


class RiskConfig(BaseModel):
    """Pre-trade risk: the firm's default limits (see docs/risk.md for every name) and the trading day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    defaults: dict[str, Any] = Field(default_factory=lambda: dict(FIRM_RISK_DEFAULTS),
                                     description="limit name -> value; null or absent = off")
    trading_day_timezone: str = Field("UTC", description="daily limits reset at midnight in this time zone")
    market_buffer_pct: Decimal = Field(Decimal(1), ge=0, le=100, description="market buys are checked and hold "
                                       "cash at the far side of the book walked for their size, plus this percent")
    commission_per_share: Decimal | None = Field(None, ge=0, description="commission risk assumes per share "
                                                 "(default: the paper venue's schedule)")
    commission_bps: Decimal | None = Field(None, ge=0, description="commission risk assumes, in basis points")
    min_commission: Decimal | None = Field(None, ge=0, description="minimum commission per order risk assumes")
    fx_rates: dict[str, Decimal] = Field(
        default_factory=dict, description='FX rates for accounts with a base_currency: {"USD/INR": "83.25"} (one '
                                          "USD is 83.25 INR); a pair quoted as an instrument (USDINR) is read live")
    margin_floor: Decimal = Field(Decimal("0.25"), gt=0, le=1, description="dynamic margin: the lowest initial "
                                  "margin rate")
    margin_multiplier: Decimal = Field(Decimal(3), gt=0, description="dynamic margin: initial rate = this x the "
                                       "instrument's daily volatility")
    maintenance_ratio: Decimal = Field(Decimal("0.75"), gt=0, le=1, description="maintenance = initial x this")
    margin_table: dict[str, Decimal] = Field(default_factory=dict, description="symbol -> initial margin rate for "
                                             "dynamic margin where there is no price history")
    average_daily_volume: dict[str, Decimal] = Field(
        default_factory=dict, description="symbol -> average daily volume, for max_adv_pct where the market "
                                          "data has no past days")

    @field_validator("defaults")
    @classmethod
    def _known_limits(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            parse_limit_changes(value)
        except ValidationFailed as e:
            raise ValueError(str(e)) from None
        return value

    @field_validator("fx_rates")
    @classmethod
    def _fx_pairs(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        try:
            FxRates(value)
        except ValidationFailed as e:
            raise ValueError(str(e)) from None
        return value

    @field_validator("trading_day_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as America/New_York)") from None
        return value

    def limits(self) -> RiskLimits:
        """Return the firm's default limits."""
        return RiskLimits(**parse_limit_changes(self.defaults))

    def margin_settings(self) -> MarginSettings:
        """Return how dynamic margin is worked out."""
        return MarginSettings(floor=self.margin_floor, multiplier=self.margin_multiplier,
                              maintenance_ratio=self.maintenance_ratio,
                              table={s.upper(): r for s, r in self.margin_table.items()})

    def pricing(self, paper: "PaperConfig") -> MarketPricing:
        """Return how risk prices market buys and commission (unset commission figures: the paper venue's)."""
        return MarketPricing(
            buffer_pct=self.market_buffer_pct,
            commission_per_share=_first(self.commission_per_share, paper.commission_per_share),
            commission_bps=_first(self.commission_bps, paper.commission_bps),
            commission_minimum=_first(self.min_commission, paper.min_commission),
        )


def _first(value: Decimal | None, default: Decimal) -> Decimal:
    return value if value is not None else default


RESERVED_VENUE_IDS = frozenset({"paper", "alpaca", "upstox"})


class VenuesConfig(BaseModel):
    """Brokers ordergate can trade through besides the paper exchange (each enabled by its keys)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alpaca: AlpacaConfig = AlpacaConfig()
    upstox: UpstoxConfig = UpstoxConfig()
    paper_extra: list[ExtraPaperConfig] = Field(default_factory=list, description="more paper exchanges, "
                                                "each with its own id and book (e.g. [{\"id\": \"paper2\", "
                                                "\"commission_per_share\": \"0.003\"}])")

    @field_validator("paper_extra")
    @classmethod
    def _distinct_ids(cls, value: list[ExtraPaperConfig]) -> list[ExtraPaperConfig]:
        ids = [v.id for v in value]
        taken = sorted({i for i in ids if ids.count(i) > 1 or i in RESERVED_VENUE_IDS})
        if taken:
            raise ValueError(f"venue ids must be distinct and not {', '.join(sorted(RESERVED_VENUE_IDS))}: "
                             f"{', '.join(taken)}")
        return value


class ApiConfig(BaseModel):
    """Limits the API enforces before doing any work for a request."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_body_bytes: int = Field(64 * 1024, ge=1024, le=64 * 1024 * 1024,
                                description="largest request body accepted; larger is a 413 before it is read")
    rate_per_key: float = Field(5000, gt=0, description="requests per second each API key may make (HTTP); "
                                                         "more is a 429 with Retry-After")
    burst_per_key: float = Field(5000, ge=1, description="requests a key may make at once before its rate applies")
    failed_auth_per_minute: float = Field(30, gt=0, description="failed authentications a client address may "
                                                                  "make per minute; more are 429 without a check")
    protect_metrics: bool = Field(False, description="/metrics needs a key, and /ready shows its checks only "
                                                     "to a key (its status code stays public)")
    workers: int = Field(0, ge=0, le=32, description="front worker processes that speak HTTP and relay each "
                         "request to the engine process, which answers it (0: one process does both)")
    ws_connections_per_key: int = Field(20, ge=1, description="WebSocket streams one key may hold open at once")
    ws_messages_per_key: float = Field(200, gt=0, description="messages per second one key may send on its "
                                       "WebSocket streams (all together, bursts of one second's worth); more "
                                       "are answered with a rate_limited error")


class ClusterConfig(BaseModel):
    """Several instances on one PostgreSQL: one engine leader, hot standbys (ignored on SQLite)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    advertise_url: str | None = Field(None, description="the base URL other instances reach this one at, to "
                                      "forward commands to it when it leads; default http://<host>:<port>")
    instance: str | None = Field(None, max_length=200, description="this instance's name in the cluster; "
                                 "default <hostname>:<port>")
    lock_poll: float = Field(0.25, gt=0, le=5, description="seconds between a standby's tries for the leader's "
                             "lock, and between the leader's checks that it still holds it")
    follow_interval: float = Field(0.05, gt=0, le=5, description="seconds between a standby's looks at the "
                                   "journal for new events")
    heartbeat: float = Field(1.0, gt=0, le=60, description="seconds between an instance's heartbeats (its role "
                             "and how far it has applied the journal)")
    forward_timeout: float = Field(10.0, gt=0, le=300, description="seconds a standby waits for the leader's "
                                   "answer to a command it forwarded")


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class RedisConfig(BaseModel):
    """What instances share through Redis (used only when ``redis_url`` is set)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key_prefix: str = Field("ordergate:", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$",
                            description="prefix of every Redis key ordergate uses (one per deployment)")
    stream_maxlen: int = Field(100_000, ge=1000, le=100_000_000, description="stream messages kept in Redis "
                               "for WebSocket clients that resume (about; trimmed with MAXLEN ~)")
    timeout: float = Field(1.0, gt=0, le=30, description="seconds a Redis command may take before it counts as "
                           "failed (rate limits then fall back to this instance's own buckets)")


class Settings(BaseSettings):
    """Everything ordergate can be told at start."""

    model_config = SettingsConfigDict(
        env_prefix="ORDERGATE_", env_nested_delimiter="__", env_file=".env", extra="ignore", frozen=True,
    )

    data_dir: Path = Field(Path("data"), description="where the SQLite database and the admin key live")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite file in data_dir")
    redis_url: str | None = Field(None, description="Redis URL (redis://host:6379/0) that several instances "
                                  "share: the event stream, rate limits; unset: one instance, nothing shared")
    admin_key: SecretStr | None = Field(None, description="API key with full rights; generated if unset")
    ssl_certfile: Path | None = Field(None, description="TLS certificate (PEM): serve HTTPS and WSS")
    ssl_keyfile: Path | None = Field(None, description="TLS private key (PEM), with ssl_certfile")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_json: bool = False
    migrate_on_start: bool = True
    venue: Literal["paper"] = "paper"
    routes: dict[str, str] = Field(default_factory=dict, description="symbol -> venue id for instruments that "
                                   "trade elsewhere than the default venue (e.g. {\"AAPL\": \"alpaca\"})")
    engine: EngineConfig = EngineConfig()
    account: AccountConfig = AccountConfig()
    paper: PaperConfig = PaperConfig()
    marketdata: MarketDataConfig = MarketDataConfig()
    risk: RiskConfig = RiskConfig()
    venues: VenuesConfig = VenuesConfig()
    routing: RoutingConfig = RoutingConfig()
    api: ApiConfig = ApiConfig()
    cluster: ClusterConfig = ClusterConfig()
    redis: RedisConfig = RedisConfig()

    @field_validator("admin_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(REDIS_SCHEMES):
            raise ValueError(f"must start with {', '.join(REDIS_SCHEMES)}")
        return value

    @model_validator(mode="after")
    def _tls_both_or_neither(self) -> "Settings":
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("ssl_certfile and ssl_keyfile: give both (TLS) or neither")
        return self

    def resolved_database_url(self) -> str:
        """Return the database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ordergate.db').resolve()}"
