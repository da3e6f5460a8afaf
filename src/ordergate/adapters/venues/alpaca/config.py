"""AlpacaConfig: keys, endpoints and limits of the Alpaca venue (``ORDERGATE_VENUES__ALPACA__*``).

Paper trading is the default; live trading needs ``live=true`` set explicitly. The venue is enabled only when
both keys are set. The keys are SecretStr: they are never printed, logged or put in a URL.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

PAPER_URL = "https://paper-api.alpaca.markets"
LIVE_URL = "https://api.alpaca.markets"
DATA_URL = "https://data.alpaca.markets"
DATA_STREAM_URL = "wss://stream.data.alpaca.markets/v2"


class AlpacaConfig(BaseModel):
    """How to reach one Alpaca account."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key_id: SecretStr | None = Field(None, description="APCA-API-KEY-ID (paper and live keys differ)")
    secret_key: SecretStr | None = Field(None, description="APCA-API-SECRET-KEY")
    live: bool = Field(False, description="trade the live account; false (default) trades the paper account")
    base_url: str | None = Field(None, description="Trading API base URL without /v2 (default: paper or live "
                                 "by `live`); set it to point at a local test server")
    stream_url: str | None = Field(None, description="trade_updates WebSocket URL (default: base URL's /stream)")
    data_url: str = Field(DATA_URL, description="Market Data REST base URL without /v2")
    data_stream_url: str | None = Field(None, description="full market data stream URL (default: the feed's)")
    data_feed: Literal["iex", "sip", "delayed_sip", "test"] = Field("iex", description="market data feed")
    timeout: float = Field(10.0, gt=0, le=120, description="seconds before an HTTP request counts as lost")
    max_attempts: int = Field(6, ge=1, le=20, description="tries per request through 429, 5xx and timeouts")
    requests_per_minute: int = Field(180, ge=1, le=10_000, description="request budget, under Alpaca's "
                                     "200/minute so that retries and reconciliation fit")
    backoff_initial: float = Field(0.25, gt=0, le=10, description="first retry / reconnect wait, seconds")
    backoff_max: float = Field(30.0, gt=0, le=600, description="longest retry / reconnect wait, seconds")

    @model_validator(mode="after")
    def _both_keys_or_neither(self) -> "AlpacaConfig":
        if (self.key_id is None) != (self.secret_key is None):
            raise ValueError("key_id and secret_key must be set together (or neither, to leave Alpaca off)")
        return self

    @property
    def enabled(self) -> bool:
        """Return whether both keys are set (the venue is built only then)."""
        return self.key_id is not None and self.secret_key is not None

    def trading_url(self) -> str:
        """Return the Trading API base URL (no trailing slash, no /v2)."""
        return (self.base_url or (LIVE_URL if self.live else PAPER_URL)).rstrip("/")

    def trade_stream_url(self) -> str:
        """Return the ``trade_updates`` WebSocket URL."""
        if self.stream_url:
            return self.stream_url
        return self.trading_url().replace("https://", "wss://").replace("http://", "ws://") + "/stream"

    def market_stream_url(self) -> str:
        """Return the market data stream URL for the configured feed."""
        return self.data_stream_url or f"{DATA_STREAM_URL}/{self.data_feed}"

    def headers(self) -> dict[str, str]:
        """Return the authentication headers (the only place the keys are read out)."""
        if self.key_id is None or self.secret_key is None:
            raise ValueError("Alpaca keys are not set")
        return {"APCA-API-KEY-ID": self.key_id.get_secret_value(),
                "APCA-API-SECRET-KEY": self.secret_key.get_secret_value()}
