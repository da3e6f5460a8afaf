"""UpstoxConfig: token, hosts, product and request budgets of the Upstox venue (``ORDERGATE_VENUES__UPSTOX__*``).

The venue is built when a token is given (``access_token``) or a token file exists (written by
``ordergate venue login upstox``). Secrets are SecretStr: never printed, logged or put in a URL.
"""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

API_URL = "https://api.upstox.com"
ORDER_URL = "https://api-hft.upstox.com"


class UpstoxConfig(BaseModel):
    """How to reach one Upstox account."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    access_token: SecretStr | None = Field(None, description="access token (valid until 03:30 IST); or log in")
    token_file: Path | None = Field(None, description="where `ordergate venue login upstox` keeps the token "
                                    "(default: upstox.token in the data directory); read again when it changes")
    product: Literal["I", "D"] = Field("I", description="I = intraday, D = delivery, for every order")
    amo: Literal["auto", "never"] = Field("auto", description="auto: orders sent outside NSE's regular session "
                                          "(09:15-15:30 IST, Monday to Friday) go as after-market orders, "
                                          "queued for the next session; never: always as regular orders")
    api_url: str = Field(API_URL, description="REST host; set it to point at a local test server")
    order_url: str = Field(ORDER_URL, description="order place/modify/cancel host (api-hft)")
    algo_name: str | None = Field(None, max_length=64, description="X-Algo-Name header for registered algos")
    timeout: float = Field(5.0, gt=0, le=120, description="seconds before a request counts as lost")
    max_attempts: int = Field(5, ge=1, le=20, description="tries per request through 429, 5xx and timeouts")
    backoff_initial: float = Field(0.2, gt=0, le=10, description="first retry / reconnect wait, seconds")
    backoff_max: float = Field(10.0, gt=0, le=600, description="longest retry / reconnect wait, seconds")
    orders_per_second: float = Field(8, gt=0, le=1000, description="budget for place/modify/cancel "
                                     "(Upstox allows 10/s to unregistered algos and sends no rate headers)")
    others_per_second: float = Field(20, gt=0, le=1000, description="budget for every other call (limit 50/s)")
    reconcile_interval: float = Field(30.0, gt=0, description="seconds between token checks and day-book polls")
    client_id: str | None = Field(None, description="OAuth app's API key, for `ordergate venue login upstox`")
    client_secret: SecretStr | None = Field(None, description="OAuth app's secret")
    redirect_uri: str = Field("http://127.0.0.1:8765/upstox/callback", description="OAuth redirect URL "
                              "registered with the app")
    feed: bool = Field(True, description="take prices of the routed instruments from Market Data Feed V3")
    feed_mode: Literal["ltpc", "full", "full_d30"] = Field("full", description="ltpc: last price only; full: "
                                                           "5-level book; full_d30: 30-level book (Upstox Plus; "
                                                           "50 instruments at most, the rest in full)")

    def token_path(self, data_dir: Path) -> Path:
        """Return the token file's path."""
        return self.token_file or data_dir / "upstox.token"

    def enabled(self, data_dir: Path) -> bool:
        """Return whether a token is configured or stored (the venue is built only then)."""
        return self.access_token is not None or self.token_path(data_dir).is_file()
